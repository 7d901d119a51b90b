// One event in full: when it happened and arrived, its ids, the customer it belongs to, and
// its properties and context as JSON.
import { Anchor, Badge, Button, Code, CopyButton, Drawer, Group, Paper, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { IconExternalLink, IconFilter } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { displayName } from '../customers/format.ts';
import { useEvent, type EventDetail } from './api.ts';
import { formatEventTime, formatJson, TYPE_COLORS } from './format.ts';
import type { EventFilter } from './stream.ts';

function Json({ label, value, testId }: { label: string; value: Record<string, unknown>; testId: string }) {
  const { t } = useTranslation();
  const text = formatJson(value);
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Title order={5}>{label}</Title>
        <CopyButton value={text}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant="subtle" onClick={copy}>
              {copied ? t('common.copied') : t('common.copy')}
            </Button>
          )}
        </CopyButton>
      </Group>
      <ScrollArea.Autosize mah={320}>
        <Code block data-testid={testId}>
          {text}
        </Code>
      </ScrollArea.Autosize>
    </Stack>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={140} fw={500}>
        <Text size="sm" c="dimmed">
          {label}
        </Text>
      </Table.Th>
      <Table.Td style={{ wordBreak: 'break-all' }}>{children}</Table.Td>
    </Table.Tr>
  );
}

function CustomerCard({ event, onFilter }: { event: EventDetail; onFilter: (f: EventFilter) => void }) {
  const { t } = useTranslation();
  const c = event.customer;
  if (!c) {
    return (
      <Paper withBorder p="sm">
        <Text size="sm" c="dimmed">
          {event.customerId ? t('events.detail.customerGone') : t('events.detail.anonymous')}
        </Text>
        {event.anonymousId && (
          <Button mt="xs" size="xs" variant="light" leftSection={<IconFilter size={14} />} onClick={() => onFilter({ anonymousId: event.anonymousId! })} data-testid="event-filter-visitor">
            {t('events.detail.visitorEvents')}
          </Button>
        )}
      </Paper>
    );
  }
  return (
    <Paper withBorder p="sm" data-testid="event-customer">
      <Group justify="space-between" wrap="nowrap">
        <Stack gap={2}>
          <Anchor component={Link} to={`/customers/${c.id}`} fw={600} data-testid="event-customer-profile">
            {displayName(c)} <IconExternalLink size={12} />
          </Anchor>
          <Text size="sm" c="dimmed">
            {[c.email, c.phone].filter(Boolean).join(' · ')}
          </Text>
        </Stack>
        <Button size="xs" variant="light" leftSection={<IconFilter size={14} />} onClick={() => onFilter({ customerId: c.id })} data-testid="event-filter-customer">
          {t('events.detail.customerEvents')}
        </Button>
      </Group>
    </Paper>
  );
}

export function EventDrawer({ id, onClose, onFilter }: { id: string | null; onClose: () => void; onFilter: (f: EventFilter) => void }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const event = useEvent(id);
  const e = event.data;
  const time = (iso: string) => formatEventTime(iso, i18n.language, tz);

  return (
    <Drawer opened={Boolean(id)} onClose={onClose} position="right" size="xl" title={t('events.detail.title')} closeButtonProps={{ 'aria-label': t('common.close') }}>
      {event.isPending ? (
        <PageLoader />
      ) : event.isError ? (
        <QueryError error={event.error} onRetry={() => void event.refetch()} />
      ) : e ? (
        <Stack gap="md" data-testid="event-detail">
          <Group gap="xs">
            <Badge variant="light" color={TYPE_COLORS[e.type]}>
              {t(`events.types.${e.type}`)}
            </Badge>
            <Title order={3} data-testid="event-detail-name">
              {e.name ?? t(`events.types.${e.type}`)}
            </Title>
          </Group>
          <CustomerCard event={e} onFilter={onFilter} />
          <Table withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              <Row label={t('events.detail.timestamp')}>{time(e.timestamp)}</Row>
              <Row label={t('events.detail.receivedAt')}>{time(e.receivedAt)}</Row>
              <Row label={t('events.detail.userId')}>{e.userId ?? '—'}</Row>
              <Row label={t('events.detail.anonymousId')}>{e.anonymousId ?? '—'}</Row>
              <Row label={t('events.detail.sessionId')}>{e.sessionId ?? '—'}</Row>
              <Row label={t('events.detail.messageId')}>{e.messageId}</Row>
              <Row label={t('events.detail.id')}>{e.id}</Row>
            </Table.Tbody>
          </Table>
          <Json label={t('events.detail.properties')} value={e.properties} testId="event-properties" />
          <Json label={t('events.detail.context')} value={e.context} testId="event-context" />
        </Stack>
      ) : null}
    </Drawer>
  );
}
