// The message log: every message with its status (and why it was held back), filtered by
// channel, status and customer; the stats of the last two weeks above it; one message in full
// in a drawer. Filters and the open message live in the address, so a view can be shared.
import { Anchor, Button, Center, Group, Paper, Select, Table, Text } from '@mantine/core';
import { IconMail, IconSend, IconTemplate } from '@tabler/icons-react';
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { CHANNEL_KINDS, MESSAGE_STATUSES } from '../../../src/messaging/types.ts';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan, useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useMessages, type ChannelKind, type Message, type MessageFilter, type MessageStatus } from './api.ts';
import { CustomerSearch } from './CustomerSearch.tsx';
import { formatAddress } from './format.ts';
import { MessageDrawer } from './MessageDrawer.tsx';
import { StatusWithReason } from './StatusBadge.tsx';

// The chart library is large: it loads with the chart, not with the app.
const StatsChart = lazy(() => import('./StatsChart.tsx').then((m) => ({ default: m.StatsChart })));

function filterFrom(params: URLSearchParams): MessageFilter {
  const channel = params.get('channel');
  const status = params.get('status');
  return {
    channel: (CHANNEL_KINDS as readonly string[]).includes(channel ?? '') ? (channel as ChannelKind) : undefined,
    status: (MESSAGE_STATUSES as readonly string[]).includes(status ?? '') ? (status as MessageStatus) : undefined,
    customerId: params.get('customer') ?? undefined,
  };
}

function Filters({ filter, onChange }: { filter: MessageFilter; onChange: (f: MessageFilter) => void }) {
  const { t } = useTranslation();
  return (
    <Group gap="sm" mb="md" align="flex-end" wrap="wrap">
      <Select
        w={180}
        label={t('messaging.log.channel')}
        placeholder={t('messaging.log.anyChannel')}
        clearable
        data={CHANNEL_KINDS.map((k) => ({ value: k, label: t(`messaging.kinds.${k}`) }))}
        value={filter.channel ?? null}
        onChange={(v) => onChange({ ...filter, channel: (v as ChannelKind | null) ?? undefined })}
        data-testid="message-filter-channel"
      />
      <Select
        w={180}
        label={t('messaging.log.status')}
        placeholder={t('messaging.log.anyStatus')}
        clearable
        data={MESSAGE_STATUSES.map((s) => ({ value: s, label: t(`messaging.statuses.${s}`) }))}
        value={filter.status ?? null}
        onChange={(v) => onChange({ ...filter, status: (v as MessageStatus | null) ?? undefined })}
        data-testid="message-filter-status"
      />
      <CustomerSearch label={t('messaging.log.customer')} value={filter.customerId} onChange={(id) => onChange({ ...filter, customerId: id })} testId="message-filter-customer" />
    </Group>
  );
}

function MessageRow({ message, onOpen }: { message: Message; onOpen: () => void }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  return (
    <Table.Tr data-testid="message-row" data-id={message.id} data-status={message.status} style={{ cursor: 'pointer' }} onClick={onOpen}>
      <Table.Td>
        <Text size="sm">{formatDateTime(message.sentAt ?? message.createdAt, i18n.language, timeZone)}</Text>
      </Table.Td>
      <Table.Td>
        {message.customerId ? (
          <Anchor component={Link} to={`/customers/${message.customerId}`} size="sm" onClick={(e) => e.stopPropagation()}>
            {message.customerName || formatAddress(message.kind, message.to, i18n.language) || t('messaging.log.unnamed')}
          </Anchor>
        ) : (
          <Text size="sm">{formatAddress(message.kind, message.to, i18n.language) || '—'}</Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{t(`messaging.kinds.${message.kind}`)}</Text>
        <Text size="xs" c="dimmed">
          {t(`messaging.purposes.${message.purpose}`)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" lineClamp={1}>
          {message.templateId ? (message.templateName ?? t('messaging.log.template')) : message.origin === 'test' ? t('messaging.log.test') : t('messaging.log.ownText')}
        </Text>
      </Table.Td>
      <Table.Td>
        <StatusWithReason status={message.status} reason={message.reason} sendAt={message.sendAt} testId="message-status" />
      </Table.Td>
    </Table.Tr>
  );
}

export function MessagesPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterFrom(params), [params]);
  const openId = params.get('message');
  const messages = useMessages(filter);
  const items = messages.data?.pages.flatMap((p) => p.items) ?? [];

  const setFilter = (f: MessageFilter) => {
    const next = new URLSearchParams();
    if (f.channel) next.set('channel', f.channel);
    if (f.status) next.set('status', f.status);
    if (f.customerId) next.set('customer', f.customerId);
    setParams(next, { replace: true });
  };
  const setOpen = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set('message', id);
    else next.delete('message');
    setParams(next, { replace: true });
  };

  const actions = (
    <>
      <Button component={Link} to="/messages/templates" variant="default" leftSection={<IconTemplate size={16} />}>
        {t('messaging.nav.templates')}
      </Button>
      {can('messaging.write') && (
        <Button component={Link} to="/messages/sandbox" variant="default" leftSection={<IconSend size={16} />}>
          {t('messaging.nav.sandbox')}
        </Button>
      )}
    </>
  );

  return (
    <>
      <PageHeader title={t('messaging.log.title')} description={t('messaging.log.description')} actions={actions} />
      <Suspense fallback={<PageLoader />}>
        <StatsChart />
      </Suspense>
      <Filters filter={filter} onChange={setFilter} />
      {messages.isPending ? (
        <PageLoader />
      ) : messages.isError && items.length === 0 ? (
        <QueryError error={messages.error} onRetry={() => void messages.refetch()} />
      ) : items.length === 0 ? (
        <EmptyMessage icon={<IconMail size={28} />} title={t('messaging.log.emptyTitle')} text={t('messaging.log.emptyText')} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="message-log">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('messaging.log.when')}</Table.Th>
                  <Table.Th>{t('messaging.log.recipient')}</Table.Th>
                  <Table.Th>{t('messaging.log.channel')}</Table.Th>
                  <Table.Th>{t('messaging.log.content')}</Table.Th>
                  <Table.Th>{t('messaging.log.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((m) => (
                  <MessageRow key={m.id} message={m} onOpen={() => setOpen(m.id)} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Center py="sm">
            {messages.hasNextPage ? (
              <Button variant="subtle" onClick={() => void messages.fetchNextPage()} loading={messages.isFetchingNextPage} data-testid="message-load-more">
                {t('common.loadMore')}
              </Button>
            ) : (
              <Text size="sm" c="dimmed">
                {t('messaging.log.noMore')}
              </Text>
            )}
          </Center>
        </Paper>
      )}
      <MessageDrawer id={openId} onClose={() => setOpen(null)} />
    </>
  );
}
