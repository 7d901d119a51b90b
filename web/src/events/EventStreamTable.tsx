// The stream as a table, newest first: when, what, who, and a glance at the properties. A row
// opens the event; rows that just arrived are marked for a moment.
import { Anchor, Badge, Table, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useSession } from '../auth/session.ts';
import { eventSummary, formatEventTime, TYPE_COLORS } from './format.ts';
import { displayName } from '../customers/format.ts';
import { arrivedIds, type ListedEvent } from './stream.ts';

function Who({ event }: { event: ListedEvent }) {
  const { t } = useTranslation();
  if (event.customerId) {
    return (
      <Anchor component={Link} to={`/customers/${event.customerId}`} size="sm" onClick={(e) => e.stopPropagation()} data-testid="event-customer-link">
        {event.customer ? displayName({ ...event.customer, phone: null }) : t('events.customerShort', { id: event.customerId.slice(0, 8) })}
      </Anchor>
    );
  }
  const visitor = event.anonymousId ?? event.userId;
  return (
    <Text size="sm" c="dimmed" truncate maw={200}>
      {visitor ? t('events.visitorShort', { id: visitor.slice(0, 12) }) : '—'}
    </Text>
  );
}

export function EventStreamTable({ events, onOpen, selectedId }: { events: readonly ListedEvent[]; onOpen: (id: string) => void; selectedId: string | null }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const previous = useRef<readonly ListedEvent[] | undefined>(undefined);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  useEffect(() => {
    const arrived = arrivedIds(previous.current, events);
    previous.current = events;
    if (arrived.size === 0) return;
    setFresh(arrived);
    const timer = setTimeout(() => setFresh(new Set()), 1500);
    return () => clearTimeout(timer);
  }, [events]);

  return (
    <Table.ScrollContainer minWidth={720}>
      <Table highlightOnHover verticalSpacing="xs" data-testid="event-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={190}>{t('events.columns.time')}</Table.Th>
            <Table.Th>{t('events.columns.event')}</Table.Th>
            <Table.Th w={200}>{t('events.columns.who')}</Table.Th>
            <Table.Th>{t('events.columns.details')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((e) => (
            <Table.Tr
              key={e.id}
              onClick={() => onOpen(e.id)}
              style={{ cursor: 'pointer', transition: 'background-color 600ms' }}
              bg={e.id === selectedId ? 'var(--mantine-primary-color-light)' : fresh.has(e.id) ? 'var(--mantine-color-yellow-light)' : undefined}
              data-testid="event-row"
              data-event-id={e.id}
              data-fresh={fresh.has(e.id) ? 'true' : undefined}
            >
              <Table.Td>
                <Text size="sm" title={t('events.receivedAt', { time: formatEventTime(e.receivedAt, i18n.language, tz) })}>
                  {formatEventTime(e.timestamp, i18n.language, tz)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={TYPE_COLORS[e.type]} size="sm" mr="xs">
                  {t(`events.types.${e.type}`)}
                </Badge>
                <Text span size="sm" fw={500} data-testid="event-name">
                  {e.name ?? ''}
                </Text>
              </Table.Td>
              <Table.Td>
                <Who event={e} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed" lineClamp={1}>
                  {eventSummary(e, i18n.language)}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
