// Settings › Custom attributes: the workspace's own customer fields, each with a type and the
// purpose it is collected for. Everyone may read them; customers.configure may change them.
import { ActionIcon, Badge, Button, Code, Group, Paper, Table, Text, Tooltip } from '@mantine/core';
import { IconArchive, IconPencil, IconPlus, IconForms } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useCan } from '../auth/session.ts';
import { useArchiveAttribute, useAttributeDefs, type AttributeDef } from './api.ts';
import { AttributeModal } from './AttributeModal.tsx';
import { PurposeBadge } from './badges.tsx';

export function AttributesSettingsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const defs = useAttributeDefs();
  const archive = useArchiveAttribute();
  const manage = can('customers.configure');
  const [modal, setModal] = useState<{ editing: AttributeDef | null } | null>(null);
  const [archiving, setArchiving] = useState<AttributeDef | null>(null);

  function confirmArchive() {
    if (!archiving) return;
    const { key, label } = archiving;
    archive.mutate(key, {
      onSuccess: () => {
        notifySuccess(t('attributes.archived', { label }));
        setArchiving(null);
      },
    });
  }

  const createButton = manage && (
    <Button leftSection={<IconPlus size={18} />} onClick={() => setModal({ editing: null })} data-testid="create-attribute">
      {t('attributes.create')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('attributes.title')} description={t('attributes.intro')} actions={createButton} />
      {!manage && (
        <Text size="sm" c="dimmed" mb="md">
          {t('common.readOnly')}
        </Text>
      )}
      {defs.isPending ? (
        <PageLoader />
      ) : defs.isError ? (
        <QueryError error={defs.error} onRetry={() => void defs.refetch()} />
      ) : defs.data.length === 0 ? (
        <EmptyMessage icon={<IconForms size={28} />} title={t('attributes.empty')} text={t('attributes.emptyText')} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={760}>
            <Table data-testid="attributes-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('attributes.label')}</Table.Th>
                  <Table.Th>{t('attributes.key')}</Table.Th>
                  <Table.Th>{t('attributes.type')}</Table.Th>
                  <Table.Th>{t('attributes.purpose')}</Table.Th>
                  <Table.Th>{t('attributes.options')}</Table.Th>
                  {manage && <Table.Th ta="right">{t('common.actions')}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {defs.data.map((d) => (
                  <Table.Tr key={d.key} data-testid="attribute-row" data-key={d.key}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm" fw={500}>
                          {d.label}
                        </Text>
                        {d.required && (
                          <Badge size="xs" variant="outline">
                            {t('attributes.requiredBadge')}
                          </Badge>
                        )}
                      </Group>
                      {d.description && (
                        <Text size="xs" c="dimmed" lineClamp={2}>
                          {d.description}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Code>{d.key}</Code>
                    </Table.Td>
                    <Table.Td>{t(`attributeTypes.${d.type}`)}</Table.Td>
                    <Table.Td>
                      <PurposeBadge purpose={d.purpose} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" lineClamp={2}>
                        {d.options?.join(', ') ?? '—'}
                      </Text>
                    </Table.Td>
                    {manage && (
                      <Table.Td ta="right">
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <Tooltip label={t('attributes.edit')}>
                            <ActionIcon variant="subtle" onClick={() => setModal({ editing: d })} aria-label={t('attributes.editLabel', { label: d.label })}>
                              <IconPencil size={16} />
                            </ActionIcon>
                          </Tooltip>
                          <Tooltip label={t('attributes.archive')}>
                            <ActionIcon variant="subtle" color="red" onClick={() => setArchiving(d)} aria-label={t('attributes.archiveLabel', { label: d.label })}>
                              <IconArchive size={16} />
                            </ActionIcon>
                          </Tooltip>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      {manage && <AttributeModal opened={modal !== null} editing={modal?.editing ?? null} onClose={() => setModal(null)} />}
      <ConfirmModal
        opened={archiving !== null}
        title={t('attributes.archiveTitle')}
        message={archiving ? t('attributes.archiveConfirm', { label: archiving.label }) : ''}
        confirmLabel={t('attributes.archive')}
        loading={archive.isPending}
        onConfirm={confirmArchive}
        onClose={() => setArchiving(null)}
      />
    </>
  );
}
