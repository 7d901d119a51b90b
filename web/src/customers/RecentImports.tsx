// The workspace's recent imports; one opens its progress or summary.
import { Anchor, Badge, Paper, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { formatNumber } from './format.ts';
import { useImports, type ImportStatus } from './imports-api.ts';

export const STATUS_COLORS: Record<ImportStatus, string> = { uploaded: 'gray', running: 'blue', done: 'teal', failed: 'red', cancelled: 'gray' };

export function RecentImports() {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const imports = useImports();
  const items = imports.data ?? [];
  const n = (v: number) => formatNumber(v, i18n.language);
  return (
    <Paper withBorder mt="xl" data-testid="recent-imports">
      <Title order={4} p="md">
        {t('imports.recent')}
      </Title>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed" px="md" pb="md">
          {imports.isPending ? t('app.loading') : t('imports.noneYet')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('imports.file')}</Table.Th>
                <Table.Th>{t('imports.status')}</Table.Th>
                <Table.Th>{t('imports.when')}</Table.Th>
                <Table.Th ta="right">{t('imports.created')}</Table.Th>
                <Table.Th ta="right">{t('imports.updated')}</Table.Th>
                <Table.Th ta="right">{t('imports.failed')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((imp) => (
                <Table.Tr key={imp.id} data-testid="recent-import">
                  <Table.Td>
                    <Anchor component={Link} to={`/customers/import?id=${imp.id}`} size="sm">
                      {imp.fileName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={STATUS_COLORS[imp.status] ?? 'gray'}>
                      {t(`imports.statuses.${imp.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{formatDateTime(imp.createdAt, i18n.language, tz)}</Table.Td>
                  <Table.Td ta="right">{n(imp.rowsCreated)}</Table.Td>
                  <Table.Td ta="right">{n(imp.rowsUpdated)}</Table.Td>
                  <Table.Td ta="right">{n(imp.rowsFailed)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
