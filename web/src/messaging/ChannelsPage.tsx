// Settings → Channels: the ways the workspace reaches customers (per kind, one default), each
// with a test send, and below them the sending rules every message follows.
import { ActionIcon, Alert, Badge, Button, Group, Menu, Modal, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconDots, IconPlus, IconSend, IconStar, IconTrash, IconPencil } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/query-client.ts';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan } from '../auth/session.ts';
import { useArchiveChannel, useChannels, useTestChannel, useUpdateChannel, type Channel } from './api.ts';
import { ChannelModal } from './ChannelModal.tsx';
import { PROVIDER_FIELDS } from './channel-form.ts';
import { formatPhone } from './format.ts';
import { MessagingRules } from './MessagingRules.tsx';
import { StatusWithReason } from './StatusBadge.tsx';

/** The one or two settings that tell channels apart: the sender, the host, the URL. */
function summary(c: Channel, language: string): string {
  const s = c.settings;
  const from = typeof s.from === 'string' ? (c.kind === 'sms' || c.kind === 'kakao' ? formatPhone(s.from, language) : s.from) : null;
  return [from, typeof s.host === 'string' ? `${s.host}:${String(s.port ?? '')}` : null, typeof s.url === 'string' ? s.url : null].filter(Boolean).join(' · ');
}

function TestModal({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const { t } = useTranslation();
  const [to, setTo] = useState('');
  const test = useTestChannel();
  // An e-mail test goes to your own address unless you give another; a webhook test to its URL.
  const asksAddress = channel.kind !== 'webhook';
  const needsAddress = asksAddress && channel.kind !== 'email';
  const result = test.data;
  return (
    <Modal opened onClose={onClose} title={t('messaging.channels.testTitle', { name: channel.name })}>
      <Stack gap="sm">
        {asksAddress && (
          <TextInput
            label={t(channel.kind === 'email' ? 'messaging.channels.testEmail' : channel.kind === 'push' ? 'messaging.channels.testPush' : 'messaging.channels.testPhone')}
            description={channel.kind === 'email' ? t('messaging.channels.testEmailHelp') : undefined}
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            data-testid="channel-test-to"
          />
        )}
        {result && (
          <Alert color={result.status === 'suppressed' || result.status === 'failed' ? 'orange' : 'teal'} data-testid="channel-test-result" data-status={result.status}>
            <Stack gap={6}>
              <Text size="sm">{t('messaging.channels.testSent')}</Text>
              <StatusWithReason status={result.status} reason={result.reason} sendAt={result.sendAt} />
            </Stack>
          </Alert>
        )}
        {test.isError && (
          <Alert color="red" data-testid="channel-test-result" data-ok={false}>
            {errorMessage(test.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.close')}
          </Button>
          <Button leftSection={<IconSend size={16} />} loading={test.isPending} disabled={needsAddress && !to.trim()} onClick={() => test.mutate({ id: channel.id, to: to.trim() || undefined })} data-testid="channel-test-send">
            {t('messaging.channels.test')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ChannelRow({ channel, canEdit, canTest, onEdit, onTest, onArchive }: { channel: Channel; canEdit: boolean; canTest: boolean; onEdit: () => void; onTest: () => void; onArchive: () => void }) {
  const { t, i18n } = useTranslation();
  const update = useUpdateChannel();
  const secrets = (PROVIDER_FIELDS[channel.provider] ?? []).filter((f) => f.secret && channel.secretsSet[f.key]);
  return (
    <Table.Tr data-testid="channel-row" data-id={channel.id} data-kind={channel.kind}>
      <Table.Td>
        <Group gap="xs">
          <Text fw={500}>{channel.name}</Text>
          {channel.isDefault && (
            <Badge size="sm" variant="light" data-testid="channel-default-badge">
              {t('messaging.channels.default')}
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed">
          {summary(channel, i18n.language)}
        </Text>
      </Table.Td>
      <Table.Td>{t(`messaging.kinds.${channel.kind}`)}</Table.Td>
      <Table.Td>{t(`messaging.providers.${channel.provider}`)}</Table.Td>
      <Table.Td>
        {secrets.length > 0 ? (
          <Text size="sm">{secrets.map((f) => `${t(`messaging.channelFields.${f.key}`)}: ${t('messaging.channels.secretSet')}`).join(', ')}</Text>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">
        <Group gap={4} justify="flex-end" wrap="nowrap">
          {canTest && (
            <Button size="compact-sm" variant="light" leftSection={<IconSend size={14} />} onClick={onTest} data-testid="channel-test">
              {t('messaging.channels.test')}
            </Button>
          )}
          {canEdit && (
            <Menu position="bottom-end" shadow="md">
              <Menu.Target>
                <ActionIcon variant="subtle" aria-label={t('common.actions')} data-testid="channel-menu">
                  <IconDots size={16} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item leftSection={<IconPencil size={14} />} onClick={onEdit} data-testid="channel-edit">
                  {t('messaging.channels.edit')}
                </Menu.Item>
                {!channel.isDefault && (
                  <Menu.Item leftSection={<IconStar size={14} />} onClick={() => update.mutate({ id: channel.id, patch: { isDefault: true } })}>
                    {t('messaging.channels.makeDefault')}
                  </Menu.Item>
                )}
                <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={onArchive}>
                  {t('messaging.channels.archive')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

export function ChannelsPage() {
  const { t } = useTranslation();
  const can = useCan();
  // Those who send may see and test channels; changing them and the rules is the workspace managers'.
  const canEdit = can('workspace.manage');
  const canTest = can('messaging.write');
  const channels = useChannels();
  const archive = useArchiveChannel();
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [testing, setTesting] = useState<Channel | null>(null);
  const [archiving, setArchiving] = useState<Channel | null>(null);
  const items = (channels.data ?? []).filter((c) => !c.archivedAt);

  return (
    <>
      <PageHeader
        title={t('messaging.channels.title')}
        description={t('messaging.channels.description')}
        actions={
          canEdit && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="channel-add">
              {t('messaging.channels.add')}
            </Button>
          )
        }
      />
      <Stack gap="xl">
        {channels.isPending ? (
          <PageLoader />
        ) : channels.isError ? (
          <QueryError error={channels.error} onRetry={() => void channels.refetch()} />
        ) : items.length === 0 ? (
          <Paper withBorder p="md">
            <Text c="dimmed">{t('messaging.channels.empty')}</Text>
          </Paper>
        ) : (
          <Paper withBorder>
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing="sm" data-testid="channel-list">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('messaging.channels.name')}</Table.Th>
                    <Table.Th>{t('messaging.channels.kind')}</Table.Th>
                    <Table.Th>{t('messaging.channels.provider')}</Table.Th>
                    <Table.Th>{t('messaging.channels.secrets')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((c) => (
                    <ChannelRow key={c.id} channel={c} canEdit={canEdit} canTest={canTest} onEdit={() => setEditing(c)} onTest={() => setTesting(c)} onArchive={() => setArchiving(c)} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
        <Stack gap="sm">
          <Title order={3}>{t('messaging.rules.title')}</Title>
          <MessagingRules canEdit={canEdit} />
        </Stack>
      </Stack>
      {editing && <ChannelModal channel={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      {testing && <TestModal channel={testing} onClose={() => setTesting(null)} />}
      <ConfirmModal
        opened={archiving !== null}
        title={t('messaging.channels.archiveTitle')}
        message={t('messaging.channels.archiveText', { name: archiving?.name ?? '' })}
        confirmLabel={t('messaging.channels.archive')}
        loading={archive.isPending}
        onConfirm={() => archiving && archive.mutate(archiving.id, { onSuccess: () => setArchiving(null) })}
        onClose={() => setArchiving(null)}
      />
    </>
  );
}
