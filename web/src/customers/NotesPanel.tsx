// Notes about the customer, newest first: add one, delete one.
import { ActionIcon, Button, Group, Paper, Stack, Text, Textarea, Title, Tooltip } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useAddNote, useDeleteNote, useNotes } from './profile-api.ts';

export function NotesPanel({ customerId, canEdit }: { customerId: string; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const notes = useNotes(customerId);
  const add = useAddNote();
  const remove = useDeleteNote();
  const [body, setBody] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate(
      { id: customerId, body: body.trim() },
      {
        onSuccess: () => {
          setBody('');
          notifySuccess(t('notes.added'));
        },
      },
    );
  }

  return (
    <Paper withBorder p="md" data-testid="notes-panel">
      <Title order={4} mb="sm">
        {t('notes.title')}
      </Title>
      {canEdit && (
        <form onSubmit={submit}>
          <Textarea
            placeholder={t('notes.placeholder')}
            aria-label={t('notes.new')}
            autosize
            minRows={2}
            maxRows={8}
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            data-testid="note-body"
          />
          <Group justify="flex-end" mt="xs">
            <Button size="xs" type="submit" disabled={!body.trim()} loading={add.isPending} data-testid="note-add">
              {t('notes.add')}
            </Button>
          </Group>
        </form>
      )}
      {notes.isError && <QueryError error={notes.error} onRetry={() => void notes.refetch()} />}
      <Stack gap="sm" mt="md">
        {notes.data?.items.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('notes.none')}
          </Text>
        )}
        {notes.data?.items.map((n) => (
          <Paper key={n.id} withBorder p="sm" bg="var(--mantine-color-default-hover)" data-testid="note">
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                {n.body}
              </Text>
              {canEdit && (
                <Tooltip label={t('notes.delete')}>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    size="sm"
                    loading={remove.isPending && remove.variables?.noteId === n.id}
                    onClick={() => remove.mutate({ id: customerId, noteId: n.id }, { onSuccess: () => notifySuccess(t('notes.deleted')) })}
                    aria-label={t('notes.delete')}
                  >
                    <IconTrash size={14} />
                  </ActionIcon>
                </Tooltip>
              )}
            </Group>
            <Text size="xs" c="dimmed" mt={4}>
              {n.authorLabel ? `${n.authorLabel} · ` : ''}
              {formatDateTime(n.createdAt, i18n.language, tz)}
            </Text>
          </Paper>
        ))}
      </Stack>
    </Paper>
  );
}
