// The workspace's message templates: what each is for, its channel, its latest version.
import { Anchor, Badge, Button, Paper, Table, Text } from '@mantine/core';
import { IconPlus, IconTemplate } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan, useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useTemplates } from './api.ts';

export function TemplatesPage() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const timeZone = useSession().workspace?.timeZone;
  const write = can('messaging.write');
  const templates = useTemplates();
  const actions = write && (
    <Button component={Link} to="/messages/templates/new" leftSection={<IconPlus size={16} />} data-testid="new-template">
      {t('messaging.templates.create')}
    </Button>
  );
  const items = (templates.data ?? []).filter((tpl) => !tpl.archivedAt);
  return (
    <>
      <PageHeader title={t('messaging.templates.title')} description={t('messaging.templates.description')} actions={actions || undefined} />
      {templates.isPending ? (
        <PageLoader />
      ) : templates.isError ? (
        <QueryError error={templates.error} onRetry={() => void templates.refetch()} />
      ) : items.length === 0 ? (
        <EmptyMessage icon={<IconTemplate size={28} />} title={t('messaging.templates.emptyTitle')} text={t(write ? 'messaging.templates.emptyText' : 'messaging.templates.emptyReadOnly')} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="template-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('messaging.templates.name')}</Table.Th>
                  <Table.Th>{t('messaging.templates.kind')}</Table.Th>
                  <Table.Th>{t('messaging.templates.purpose')}</Table.Th>
                  <Table.Th>{t('messaging.templates.version')}</Table.Th>
                  <Table.Th>{t('messaging.templates.updated')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((tpl) => (
                  <Table.Tr key={tpl.id} data-testid="template-row" data-id={tpl.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/messages/templates/${tpl.id}`} fw={500}>
                        {tpl.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light">{t(`messaging.kinds.${tpl.kind}`)}</Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{t(`messaging.purposes.${tpl.purpose}`)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{t('messaging.templates.versionN', { version: tpl.latestVersion })}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(tpl.updatedAt, i18n.language, timeZone)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </>
  );
}
