// The audit log of the workspace, newest first, 50 entries at a time.
import { Badge, Button, Center, Code, Paper, Stack, Table, Text } from '@mantine/core';
import { IconHistory } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useAuditLog, type AuditEntry } from './api.ts';
import { describeDiff, isActorType, isKnownAction } from './audit-format.ts';

const MAX_CHANGES_SHOWN = 6;

function Changes({ diff, entityId }: { diff: unknown; entityId: string | null }) {
  // A record's own id repeats the Record column.
  const changes = describeDiff(diff).filter((c) => !(c.field === 'id' && c.to === entityId));
  if (changes.length === 0) return <Text size="sm" c="dimmed">—</Text>;
  return (
    <Stack gap={2}>
      {changes.slice(0, MAX_CHANGES_SHOWN).map((c) => (
        <Text key={c.field} size="xs" style={{ wordBreak: 'break-word' }}>
          <Code>{c.field}</Code> {c.from === '—' ? c.to : `${c.from} → ${c.to}`}
        </Text>
      ))}
      {changes.length > MAX_CHANGES_SHOWN && (
        <Text size="xs" c="dimmed">
          +{changes.length - MAX_CHANGES_SHOWN}
        </Text>
      )}
    </Stack>
  );
}

function EntryRow({ entry, timeZone }: { entry: AuditEntry; timeZone?: string }) {
  const { t, i18n } = useTranslation();
  return (
    <Table.Tr data-testid="audit-row" data-action={entry.action}>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatDateTime(entry.at, i18n.language, timeZone)}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" truncate maw={220}>
          {entry.actor.label ?? '—'}
        </Text>
        <Text size="xs" c="dimmed">
          {isActorType(entry.actor.type) ? t(`audit.actorTypes.${entry.actor.type}`) : entry.actor.type}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color="gray" tt="none">
          {isKnownAction(entry.action) ? t(`audit.actions.${entry.action}`) : entry.action}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{entry.entityType}</Text>
        {entry.entityId && (
          <Text size="xs" c="dimmed" ff="monospace" title={entry.entityId}>
            {entry.entityId.slice(0, 8)}…
          </Text>
        )}
      </Table.Td>
      <Table.Td maw={360}>
        <Changes diff={entry.diff} entityId={entry.entityId} />
      </Table.Td>
    </Table.Tr>
  );
}

export function AuditLogPage() {
  const { t } = useTranslation();
  const me = useSession();
  const log = useAuditLog();
  const entries = log.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader title={t('audit.title')} description={t('audit.description')} />
      {log.isPending ? (
        <PageLoader />
      ) : log.isError ? (
        <QueryError error={log.error} onRetry={() => void log.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyMessage icon={<IconHistory size={28} />} title={t('audit.empty')} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={900}>
            <Table data-testid="audit-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('audit.when')}</Table.Th>
                  <Table.Th>{t('audit.actor')}</Table.Th>
                  <Table.Th>{t('audit.action')}</Table.Th>
                  <Table.Th>{t('audit.entity')}</Table.Th>
                  <Table.Th>{t('audit.changes')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((e) => (
                  <EntryRow key={e.id} entry={e} timeZone={me.workspace?.timeZone} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Center p="md">
            {log.hasNextPage ? (
              <Button variant="default" onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>
                {t('common.loadMore')}
              </Button>
            ) : (
              <Text size="xs" c="dimmed">
                {t('audit.end')}
              </Text>
            )}
          </Center>
        </Paper>
      )}
    </>
  );
}
