// Merges this customer took part in, with "undo" while the 30 days last.
import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconArrowBackUp, IconGitMerge } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { formatDate, formatDateTime } from '../i18n/format.ts';
import type { Merge } from './api.ts';
import { displayName } from './format.ts';
import { undoable } from './merge.ts';
import { useMerges, useUndoMerge } from './profile-api.ts';

function useUndo() {
  const { t } = useTranslation();
  const undo = useUndoMerge();
  const run = (mergeId: string, onDone?: () => void) =>
    undo.mutate(mergeId, {
      onSuccess: ({ restored }) => {
        notifySuccess(t('merges.undone', { name: displayName(restored) }));
        onDone?.();
      },
    });
  return { run, pending: undo.isPending };
}

/** Right after a merge: what happened, and a way back. */
export function JustMerged({ merge, onDismiss }: { merge: Merge; onDismiss: () => void }) {
  const { t } = useTranslation();
  const undo = useUndo();
  return (
    <Alert color="teal" icon={<IconGitMerge size={18} />} withCloseButton onClose={onDismiss} mb="md" data-testid="just-merged">
      <Group justify="space-between" gap="sm">
        <Text size="sm">{t('merges.justMerged')}</Text>
        <Button size="xs" variant="white" color="teal" leftSection={<IconArrowBackUp size={14} />} loading={undo.pending} onClick={() => undo.run(merge.id, onDismiss)} data-testid="undo-merge">
          {t('merges.undo')}
        </Button>
      </Group>
    </Alert>
  );
}

export function MergesPanel({ customerId, canEdit }: { customerId: string; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const merges = useMerges(customerId);
  const undo = useUndo();
  const items = merges.data?.items ?? [];
  if (items.length === 0) return null;
  const now = new Date();

  return (
    <Paper withBorder p="md" data-testid="merges-panel">
      <Title order={4} mb="sm">
        {t('merges.title')}
      </Title>
      <Stack gap="sm">
        {items.map((m) => {
          const otherId = m.survivorId === customerId ? m.mergedId : m.survivorId;
          return (
            <div key={m.id} data-testid="merge-entry" data-undone={m.undoneAt ? 'true' : 'false'}>
              <Text size="sm">
                {m.survivorId === customerId ? t('merges.mergedIn') : t('merges.mergedInto')}{' '}
                <Anchor component={Link} to={`/customers/${otherId}`} size="sm" ff="monospace">
                  {otherId.slice(0, 8)}
                </Anchor>
              </Text>
              <Text size="xs" c="dimmed">
                {formatDateTime(m.at, i18n.language, tz)}
                {m.actorLabel ? ` · ${m.actorLabel}` : ''}
              </Text>
              <Group gap="xs" mt={4}>
                {m.undoneAt ? (
                  <Badge size="sm" color="gray" variant="light">
                    {t('merges.wasUndone')}
                  </Badge>
                ) : undoable(m, now) ? (
                  <>
                    <Text size="xs" c="dimmed">
                      {t('merges.undoUntil', { date: formatDate(m.undoableUntil, i18n.language, tz) })}
                    </Text>
                    {canEdit && m.survivorId === customerId && (
                      <Button size="compact-xs" variant="light" leftSection={<IconArrowBackUp size={12} />} loading={undo.pending} onClick={() => undo.run(m.id)} data-testid="merge-undo">
                        {t('merges.undo')}
                      </Button>
                    )}
                  </>
                ) : null}
              </Group>
            </div>
          );
        })}
      </Stack>
    </Paper>
  );
}
