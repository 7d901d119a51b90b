// The event explorer: the live stream of events (polled every 2 s, pausable) with filters, the
// volume of one event name, and the full event in a drawer. Filters and the open event live in
// the address, so a view can be shared or opened from a customer's profile.
import { Alert, Badge, Button, Center, Paper, Text } from '@mantine/core';
import { IconActivity, IconPlayerPause, IconPlayerPlay } from '@tabler/icons-react';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useEventStream } from './api.ts';
import { EventDrawer } from './EventDrawer.tsx';
import { EventFilters } from './EventFilters.tsx';
import { EventStreamTable } from './EventStreamTable.tsx';
import { filterFromSearchParams, filterToSearchParams, MAX_STREAM_ITEMS, type EventFilter } from './stream.ts';

// The chart library is large: it loads with the chart, not with the app.
const VolumeChart = lazy(() => import('./VolumeChart.tsx').then((m) => ({ default: m.VolumeChart })));

function LiveBadge({ paused }: { paused: boolean }) {
  const { t } = useTranslation();
  return (
    <Badge color={paused ? 'gray' : 'green'} variant="dot" size="lg" data-testid="event-live-state" data-state={paused ? 'paused' : 'live'}>
      {paused ? t('events.paused') : t('events.live')}
    </Badge>
  );
}

export function EventsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterFromSearchParams(params), [params]);
  const openId = params.get('event');
  const [paused, setPaused] = useState(false);
  const { stream, loadOlder, loadingOlder } = useEventStream(filter, { paused });
  const state = stream.data;

  const setFilter = (f: EventFilter) => {
    const next = filterToSearchParams(f, params);
    next.delete('event');
    setParams(next, { replace: true });
  };
  const setOpen = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set('event', id);
    else next.delete('event');
    setParams(next, { replace: true });
  };

  const actions = (
    <>
      <LiveBadge paused={paused} />
      <Button
        variant="default"
        leftSection={paused ? <IconPlayerPlay size={18} /> : <IconPlayerPause size={18} />}
        onClick={() => setPaused((p) => !p)}
        data-testid="event-pause"
      >
        {paused ? t('events.resume') : t('events.pause')}
      </Button>
    </>
  );

  return (
    <>
      <PageHeader title={t('events.title')} description={t('events.description')} actions={actions} />
      <Suspense fallback={<PageLoader />}>
        <VolumeChart name={filter.name} />
      </Suspense>
      <EventFilters filter={filter} onChange={setFilter} />
      {stream.isPending ? (
        <PageLoader />
      ) : stream.isError && !state ? (
        <QueryError error={stream.error} onRetry={() => void stream.refetch()} />
      ) : state && state.items.length === 0 ? (
        <EmptyMessage icon={<IconActivity size={28} />} title={t('events.empty')} text={t('events.emptyText')} />
      ) : state ? (
        <Paper withBorder>
          {(state.gap || state.capped) && (
            <Alert color="yellow" variant="light" radius={0} data-testid="event-gap">
              {state.capped ? t('events.capped', { count: MAX_STREAM_ITEMS }) : t('events.gap')}
            </Alert>
          )}
          {stream.isError && (
            <Alert color="red" variant="light" radius={0}>
              {t('events.pollFailed')}
            </Alert>
          )}
          <EventStreamTable events={state.items} onOpen={setOpen} selectedId={openId} />
          <Center py="sm">
            {state.nextCursor ? (
              <Button variant="subtle" onClick={loadOlder} loading={loadingOlder} data-testid="event-load-older">
                {t('events.loadOlder')}
              </Button>
            ) : (
              <Text size="sm" c="dimmed">
                {t('events.noOlder')}
              </Text>
            )}
          </Center>
        </Paper>
      ) : null}
      <EventDrawer id={openId} onClose={() => setOpen(null)} onFilter={(f) => setFilter(f)} />
    </>
  );
}
