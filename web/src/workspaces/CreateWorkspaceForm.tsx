// Name a new workspace; the server makes you its owner and the session switches to it.
import { Button, Group, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../api/query-client.ts';
import { useCreateWorkspace } from './api.ts';

export function CreateWorkspaceForm({ onDone, onCancel }: { onDone?: () => void; onCancel?: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const create = useCreateWorkspace();

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    create.mutate(trimmed, {
      onSuccess: (ws) => {
        notifySuccess(t('workspaces.created', { name: ws.name }));
        setName('');
        onDone?.();
      },
    });
  }

  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput
          label={t('workspaces.name')}
          placeholder={t('workspaces.namePlaceholder')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          required
          maxLength={200}
          data-autofocus
        />
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              {t('common.cancel')}
            </Button>
          )}
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            {t('workspaces.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
