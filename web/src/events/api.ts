// Server state of the event explorer: the live stream, one event, the names in use and the
// volume of one name. Query keys start with the workspace id, so a workspace switch shows
// nothing of the previous one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import { useWorkspaceId, type Customer } from '../customers/api.ts';
import type { EventVolume, VolumeInterval } from './format.ts';
import { addNewer, addOlder, eventsPath, filterKey, POLL_MS, startStream, type EventFilter, type EventPage, type EventSummary, type StreamState } from './stream.ts';

export type EventDetail = EventSummary & { messageId: string; context: Record<string, unknown>; customer: Customer | null };
export type EventName = { name: string; count: number; lastSeenAt: string };

export const eventKeys = {
  all: (ws: string) => ['ws', ws, 'events'] as const,
  stream: (ws: string, filter: EventFilter) => ['ws', ws, 'events', 'stream', filterKey(filter)] as const,
  one: (ws: string, id: string) => ['ws', ws, 'events', 'one', id] as const,
  names: (ws: string) => ['ws', ws, 'events', 'names'] as const,
  volume: (ws: string, name: string, interval: VolumeInterval) => ['ws', ws, 'events', 'volume', name, interval] as const,
};

/**
 * The event list, kept up to date: the first page, then every POLL_MS what arrived since, until
 * `paused`. Each poll builds on the stream's last state, so events are never shown twice.
 */
export function useEventStream(filter: EventFilter, opts: { paused: boolean }) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  const key = eventKeys.stream(ws, filter);
  const stream = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) => {
      const previous = client.getQueryData<StreamState>(key);
      if (!previous) return startStream(await api<EventPage>(eventsPath(filter), { signal }));
      const page = await api<EventPage>(eventsPath(filter, { after: previous.streamCursor }), { signal });
      // Older pages may have been added while this poll was on its way: build on the latest state.
      return addNewer(client.getQueryData<StreamState>(key) ?? previous, page);
    },
    refetchInterval: opts.paused ? false : POLL_MS,
    staleTime: opts.paused ? Infinity : 0,
    refetchOnWindowFocus: false,
    gcTime: 60_000,
  });
  const older = useMutation({
    mutationFn: async (cursor: string) => api<EventPage>(eventsPath(filter, { cursor })),
    onSuccess: (page) => client.setQueryData<StreamState>(key, (state) => (state ? addOlder(state, page) : state)),
  });
  return { stream, loadOlder: () => stream.data?.nextCursor && older.mutate(stream.data.nextCursor), loadingOlder: older.isPending };
}

export function useEvent(id: string | null) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: eventKeys.one(ws, id ?? ''),
    queryFn: () => api<EventDetail>(`/api/events/${encodeURIComponent(id!)}`),
    enabled: Boolean(id),
    staleTime: 5 * 60_000, // events never change, except a customer stitched later
  });
}

export function useEventNames() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: eventKeys.names(ws),
    queryFn: () => api<{ items: EventName[]; truncated: boolean; days: number; countCap: number }>('/api/events/names'),
    staleTime: 60_000,
  });
}

/** The volume of one name over the last day (hours) or 30 days (days), refreshed each minute. */
export function useEventVolume(name: string | null, interval: VolumeInterval) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: eventKeys.volume(ws, name ?? '', interval),
    queryFn: () => api<EventVolume>(`/api/events/volume${query({ name, interval })}`),
    enabled: Boolean(name),
    refetchInterval: 60_000,
    placeholderData: (previous) => (previous?.name === name ? previous : undefined),
  });
}
