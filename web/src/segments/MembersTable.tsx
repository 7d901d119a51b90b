// A segment's members, a page at a time, each linked to the profile; the CSV of all of them.
import { Anchor, Button, Card, Group, Table, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useCan } from '../auth/session.ts';
import { formatCount } from '../analytics/format.ts';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { segmentPath, useMembers } from './api.ts';
import { formatWhen } from './format.ts';

export function MembersTable({ segmentId, size, version }: { segmentId: string; size: number; version: string | null }) {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const members = useMembers(segmentId, version);
  const rows = members.data?.pages.flatMap((p) => p.members) ?? [];
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="sm">
        <Text fw={600}>{t('segments.page.members', { count: size, formatted: formatCount(size, i18n.language) })}</Text>
        {can('customers.export') && (
          <Button component="a" href={segmentPath(segmentId, '/members?format=csv')} download variant="default" size="xs" leftSection={<IconDownload size={14} />} data-testid="members-csv">
            {t('segments.page.downloadCsv')}
          </Button>
        )}
      </Group>
      {members.isPending ? (
        <PageLoader />
      ) : members.isError ? (
        <QueryError error={members.error} onRetry={() => void members.refetch()} />
      ) : rows.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('segments.page.noMembers')}
        </Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={600}>
            <Table verticalSpacing="xs" data-testid="members-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('customerFields.name')}</Table.Th>
                  <Table.Th>{t('customerFields.email')}</Table.Th>
                  <Table.Th>{t('customerFields.phone')}</Table.Th>
                  <Table.Th>{t('segments.page.enteredAt')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((m) => (
                  <Table.Tr key={m.customerId} data-testid="member-row">
                    <Table.Td>
                      <Anchor component={Link} to={`/customers/${m.customerId}`}>
                        {m.name ?? m.externalId ?? m.customerId.slice(0, 8)}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{m.email ?? ''}</Table.Td>
                    <Table.Td>{m.phone ?? ''}</Table.Td>
                    <Table.Td>{formatWhen(m.enteredAt, i18n.language)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {members.hasNextPage && (
            <Group justify="center" mt="sm">
              <Button variant="subtle" onClick={() => void members.fetchNextPage()} loading={members.isFetchingNextPage} data-testid="members-more">
                {t('common.loadMore')}
              </Button>
            </Group>
          )}
        </>
      )}
    </Card>
  );
}
