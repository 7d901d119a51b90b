// The Sandbox inbox: what the sandbox channels "delivered", on this machine, nowhere else. The
// list on the left, the chosen message on the right as its customer would see it.
import { Badge, Button, Grid, Group, Paper, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconInbox, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan, useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useClearSandbox, useSandboxMessage, useSandboxMessages, type SandboxItem } from './api.ts';
import { formatAddress } from './format.ts';
import { SandboxView } from './SandboxView.tsx';

function ListItem({ message, selected, onSelect }: { message: SandboxItem; selected: boolean; onSelect: () => void }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  return (
    <UnstyledButton
      onClick={onSelect}
      p="sm"
      w="100%"
      style={{ borderBottom: '1px solid var(--mantine-color-default-border)', background: selected ? 'var(--mantine-color-blue-light)' : undefined }}
      data-testid="sandbox-item"
      data-id={message.id}
      data-kind={message.kind}
      aria-current={selected || undefined}
    >
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Badge size="sm" variant="light">
          {t(`messaging.kinds.${message.kind}`)}
        </Badge>
        <Text size="xs" c="dimmed">
          {formatDateTime(message.receivedAt, i18n.language, timeZone)}
        </Text>
      </Group>
      <Text size="sm" fw={500} mt={4} lineClamp={1}>
        {formatAddress(message.kind, message.to, i18n.language)}
      </Text>
      <Text size="sm" c="dimmed" lineClamp={1} data-testid="sandbox-item-summary">
        {message.preview}
      </Text>
    </UnstyledButton>
  );
}

export function SandboxPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const list = useSandboxMessages();
  const items = list.data ?? [];
  const selectedId = params.get('id') ?? items[0]?.id ?? null;
  const selected = useSandboxMessage(selectedId);
  const clear = useClearSandbox();
  const [confirm, setConfirm] = useState(false);

  const select = (id: string) => setParams({ id }, { replace: true });
  const actions = can('messaging.write') && items.length > 0 && (
    <Button variant="default" color="red" leftSection={<IconTrash size={16} />} onClick={() => setConfirm(true)} data-testid="sandbox-clear">
      {t('messaging.sandbox.clear')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('messaging.sandbox.title')} description={t('messaging.sandbox.description')} actions={actions || undefined} />
      {list.isPending ? (
        <PageLoader />
      ) : list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyMessage icon={<IconInbox size={28} />} title={t('messaging.sandbox.emptyTitle')} text={t('messaging.sandbox.emptyText')} />
      ) : (
        <Grid gap="md">
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Paper withBorder>
              <ScrollArea.Autosize mah="75vh">
                <Stack gap={0} data-testid="sandbox-list">
                  {items.map((m) => (
                    <ListItem key={m.id} message={m} selected={m.id === selectedId} onSelect={() => select(m.id)} />
                  ))}
                </Stack>
              </ScrollArea.Autosize>
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 8 }}>
            <Paper withBorder p="md" data-testid="sandbox-message">
              {selected.isPending ? <PageLoader /> : selected.isError ? <QueryError error={selected.error} /> : selected.data ? <SandboxView message={selected.data} /> : null}
            </Paper>
          </Grid.Col>
        </Grid>
      )}
      <ConfirmModal
        opened={confirm}
        title={t('messaging.sandbox.clearTitle')}
        message={t('messaging.sandbox.clearText')}
        confirmLabel={t('messaging.sandbox.clear')}
        loading={clear.isPending}
        onConfirm={() => clear.mutate(undefined, { onSuccess: () => { setConfirm(false); setParams({}, { replace: true }); } })}
        onClose={() => setConfirm(false)}
      />
    </>
  );
}
