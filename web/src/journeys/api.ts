// Server state of the journey pages (src/journeys/routes.ts): the list, the starters, one journey,
// its report and runs, and the writes (create, save, activate, pause, archive, enter a customer).
// Query keys start with the workspace id. The answer types come from the server's code.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import { useWorkspaceId } from '../customers/api.ts';
import type {
  ConditionStep,
  DelayStep,
  Duration,
  ExitStep,
  JourneyDefinition,
  JourneyEntry,
  JourneyExit,
  JourneyGraph,
  JourneyStep,
  JourneyTrigger,
  NotifyStep,
  Problem,
  PropertyFilter,
  SendStep,
  SplitStep,
  StepType,
  UpdateStep,
  WaitStep,
} from '../../../src/journeys/graph.ts';
import type { GroupFigures, JourneyReport, JourneyStatus, JourneyView, RunPage, RunStatus, RunStepView, RunView, StarterKey, StarterView, StepFigures } from '../../../src/journeys/views.ts';

export type {
  ConditionStep,
  DelayStep,
  Duration,
  ExitStep,
  GroupFigures,
  JourneyDefinition,
  JourneyEntry,
  JourneyExit,
  JourneyGraph,
  JourneyReport,
  JourneyStatus,
  JourneyStep,
  JourneyTrigger,
  JourneyView,
  NotifyStep,
  Problem,
  PropertyFilter,
  RunPage,
  RunStatus,
  RunStepView,
  RunView,
  SendStep,
  SplitStep,
  StarterKey,
  StarterView,
  StepFigures,
  StepType,
  UpdateStep,
  WaitStep,
};

/** The starters, in the order the server lists them (the picker shows them in this order when the list has not loaded). */
export const STARTER_KEYS: readonly StarterKey[] = ['welcome', 'abandoned_cart', 'unopened_reminder', 'winback_30d', 'vip_drifting', 'birthday', 'cross_sell'];

export type JourneyInput = { name: string; description?: string | null; definition: JourneyDefinition };
export type JourneyPatch = { name?: string; description?: string | null; definition?: JourneyDefinition };
export type EnterResult = { entered: boolean; reason?: 'no_customer' | 'already_in' | 'entered_before' | 'not_in_segment' | 'same_key' | null; run?: RunView | null };
export type RunFilter = { customerId?: string; status?: RunStatus };

const enc = encodeURIComponent;
export const journeyPath = (id: string, rest = '') => `/api/journeys/${enc(id)}${rest}`;

export const journeyKeys = {
  all: (ws: string) => ['ws', ws, 'journeys'] as const,
  list: (ws: string) => ['ws', ws, 'journeys', 'list'] as const,
  starters: (ws: string) => ['ws', ws, 'journeys', 'starters'] as const,
  one: (ws: string, id: string) => ['ws', ws, 'journeys', 'one', id] as const,
  report: (ws: string, id: string) => ['ws', ws, 'journeys', 'report', id] as const,
  runs: (ws: string, id: string, filter: RunFilter) => ['ws', ws, 'journeys', 'runs', id, filter.customerId ?? '', filter.status ?? ''] as const,
};

const LIVE_POLL_MS = 10_000;
export const RUNS_PAGE_SIZE = 20;

export function useJourneys() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: journeyKeys.list(ws),
    queryFn: ({ signal }) => api<{ items: JourneyView[] }>('/api/journeys', { signal }).then((r) => r.items),
    refetchInterval: (q) => (q.state.data?.some((j) => j.status === 'active') ? LIVE_POLL_MS * 3 : false),
  });
}

export function useStarters(enabled = true) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: journeyKeys.starters(ws),
    queryFn: ({ signal }) => api<{ items: StarterView[] }>('/api/journeys/starters', { signal }).then((r) => r.items),
    enabled,
    staleTime: 10 * 60_000,
  });
}

export function useJourney(id: string | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: journeyKeys.one(ws, id ?? ''),
    queryFn: ({ signal }) => api<JourneyView>(journeyPath(id!), { signal }),
    enabled: Boolean(id),
    // The editor holds the draft; a refetch must not overwrite what is being typed (the page copies it once).
    refetchOnWindowFocus: false,
  });
}

/** The report; polled while the journey runs. */
export function useJourneyReport(id: string, live: boolean) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: journeyKeys.report(ws, id),
    queryFn: ({ signal }) => api<JourneyReport>(journeyPath(id, '/report'), { signal }),
    refetchInterval: live ? LIVE_POLL_MS : false,
    staleTime: 15_000,
  });
}

export function useRuns(id: string, filter: RunFilter, enabled = true) {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: journeyKeys.runs(ws, id, filter),
    queryFn: ({ pageParam, signal }) =>
      api<RunPage>(journeyPath(id, `/runs${query({ customerId: filter.customerId, status: filter.status, cursor: pageParam, limit: RUNS_PAGE_SIZE })}`), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

function useJourneyMutation<V, R>(fn: (v: V) => Promise<R>, onDone?: (r: R) => void) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  // The pages say what went wrong in an alert next to what was tried: no notification as well.
  return useMutation({
    mutationFn: fn,
    meta: { silent: true },
    onSuccess: (r) => {
      onDone?.(r);
      void client.invalidateQueries({ queryKey: journeyKeys.all(ws) });
    },
  });
}

/** A journey from scratch, or from a starter. */
export const useCreateJourney = () =>
  useJourneyMutation((input: JourneyInput | { starterKey: StarterKey; name?: string }) => api<JourneyView>('/api/journeys', { method: 'POST', body: input }));

export function useSaveJourney(id: string) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useJourneyMutation(
    (patch: JourneyPatch) => api<JourneyView>(journeyPath(id), { method: 'PATCH', body: patch }),
    (view) => client.setQueryData(journeyKeys.one(ws, id), view),
  );
}

export function useActivateJourney(id: string) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useJourneyMutation(
    (opts: { moveWaitingRuns?: boolean }) => api<JourneyView>(journeyPath(id, '/activate'), { method: 'POST', body: opts }),
    (view) => client.setQueryData(journeyKeys.one(ws, id), view),
  );
}

export function usePauseJourney(id: string) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useJourneyMutation(
    () => api<JourneyView>(journeyPath(id, '/pause'), { method: 'POST' }),
    (view) => client.setQueryData(journeyKeys.one(ws, id), view),
  );
}

export const useArchiveJourney = () => useJourneyMutation((id: string) => api<void>(journeyPath(id), { method: 'DELETE' }));

export const useEnterCustomer = (id: string) =>
  useJourneyMutation((input: { customerId: string; data?: Record<string, unknown> }) => api<EnterResult>(journeyPath(id, '/enter'), { method: 'POST', body: input }));

// --- the demo's fast-forward (src/http/demo-clock.ts) ---------------------------------------

/** Rapport's clock as the server answers it, with its distance from this browser's clock. */
export type DemoClock = { enabled: boolean; now: string; aheadMinutes: number; offsetMs: number };

export const demoClockKey = (ws: string) => ['ws', ws, 'demo-clock'] as const;

const withOffset = (r: Omit<DemoClock, 'offsetMs'>): DemoClock => ({ ...r, offsetMs: Date.parse(r.now) - Date.now() });

/** Whether this workspace may fast-forward (the embedded demo's), and Rapport's time. */
export function useDemoClock(enabled: boolean) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: demoClockKey(ws),
    queryFn: ({ signal }) => api<Omit<DemoClock, 'offsetMs'>>('/api/demo/clock', { signal }).then(withOffset),
    enabled,
    staleTime: 60_000,
    // A workspace that is not the demo stays so: no retry loop over a page that shows nothing.
    retry: false,
  });
}

/** Moves Rapport's clock forward; what came due runs on the server right after, so everything shown is read again. */
export function useAdvanceDemoClock() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (minutes: number) => api<Omit<DemoClock, 'offsetMs'>>('/api/demo/clock/advance', { method: 'POST', body: { minutes } }).then(withOffset),
    onSuccess: (answer) => {
      client.setQueryData(demoClockKey(ws), answer);
      const refresh = () => void client.invalidateQueries({ queryKey: ['ws', ws], predicate: (q) => q.queryKey[2] !== 'demo-clock' });
      refresh();
      // The cart detection and the journeys job run in the background: read again once they have had a moment.
      setTimeout(refresh, 3_000);
    },
  });
}
