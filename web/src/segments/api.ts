// Server state of the segments pages (src/segments/routes.ts, docs/segments.md). Query keys start
// with the workspace id.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import { useWorkspaceId } from '../customers/api.ts';
import type { SegmentDefinition } from './tree.ts';

export type SegmentKind = 'dynamic' | 'static';
export type Segment = {
  id: string;
  name: string;
  description: string | null;
  kind: SegmentKind;
  definition: SegmentDefinition | null;
  refs: string[];
  starterKey: string | null;
  size: number;
  lastComputedAt: string | null;
  createdAt: string;
  updatedAt: string;
};
export type SegmentInput = { name: string; description?: string | null; kind?: SegmentKind; definition?: SegmentDefinition };
export type Member = { customerId: string; name: string | null; email: string | null; phone: string | null; externalId: string | null };
export type MembersPage = { segmentId: string; size: number; members: (Member & { enteredAt: string })[]; nextCursor: string | null };
/** `estimated`: `count` is scaled up from the 1% customer sample, ± `margin` (95%). */
export type Preview = { count: number; estimated: boolean; margin: number; sampledCustomers: number | null; sample: Member[]; ms: number };
export type SizePoint = { at: string; size: number; entered: number; exited: number };
export type History = { segmentId: string; size: number; points: SizePoint[] };
export type Overlap = { a: { id: string; name: string; size: number }; b: { id: string; name: string; size: number }; both: number };

export const MEMBERS_PAGE_SIZE = 50;
const POLL_MS = 2000;

const CHANGE_POLL_MS = 10 * 60_000;

/**
 * A dynamic segment whose members are probably being computed: never computed, or changed since
 * its last run. A rename also changes updatedAt without a run, so that case is watched for a
 * while only (the API does not say whether a run is pending).
 */
export function isComputing(s: Pick<Segment, 'kind' | 'lastComputedAt' | 'updatedAt'>, now = Date.now()): boolean {
  if (s.kind !== 'dynamic') return false;
  if (!s.lastComputedAt) return true;
  return Date.parse(s.lastComputedAt) < Date.parse(s.updatedAt) && now - Date.parse(s.updatedAt) < CHANGE_POLL_MS;
}
const enc = encodeURIComponent;
export const segmentPath = (id: string, rest = '') => `/api/segments/${enc(id)}${rest}`;

export const segmentKeys = {
  all: (ws: string) => ['ws', ws, 'segments'] as const,
  list: (ws: string) => ['ws', ws, 'segments', 'list'] as const,
  one: (ws: string, id: string) => ['ws', ws, 'segments', 'one', id] as const,
  members: (ws: string, id: string, version: string | null) => ['ws', ws, 'segments', 'members', id, version] as const,
  history: (ws: string, id: string, days: number, version: string | null) => ['ws', ws, 'segments', 'history', id, days, version] as const,
  overlap: (ws: string, a: string, b: string) => ['ws', ws, 'segments', 'overlap', a, b] as const,
  preview: (ws: string, def: string, exact: boolean) => ['ws', ws, 'segments', 'preview', def, exact] as const,
};

export function useSegments() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: segmentKeys.list(ws), queryFn: ({ signal }) => api<{ segments: Segment[] }>('/api/segments', { signal }).then((r) => r.segments),
    refetchInterval: (q) => (q.state.data?.some(isComputing) ? POLL_MS : false),
  });
}

export function useSegment(id: string | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: segmentKeys.one(ws, id ?? ''), queryFn: ({ signal }) => api<Segment>(segmentPath(id!), { signal }),
    enabled: Boolean(id),
    refetchInterval: (q) => (q.state.data && isComputing(q.state.data) ? POLL_MS : false),
  });
}

/** `version` (the last computation time) makes the members load again after each run. */
export function useMembers(id: string, version: string | null) {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: segmentKeys.members(ws, id, version),
    queryFn: ({ pageParam, signal }) => api<MembersPage>(segmentPath(id, `/members${query({ limit: MEMBERS_PAGE_SIZE, cursor: pageParam })}`), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useHistory(id: string, version: string | null, days = 30) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: segmentKeys.history(ws, id, days, version), queryFn: ({ signal }) => api<History>(segmentPath(id, `/history${query({ days })}`), { signal }), staleTime: 60_000 });
}

export function useOverlap(a: string, b: string | null) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: segmentKeys.overlap(ws, a, b ?? ''),
    queryFn: ({ signal }) => api<Overlap>(`/api/segments/overlap${query({ a, b })}`, { signal }),
    enabled: Boolean(b),
  });
}

/**
 * Count and sample of an unsaved definition; `definition` null while there is nothing to ask.
 * A large workspace answers with an estimate unless `exact` (which takes seconds there).
 */
export function usePreview(definition: SegmentDefinition | null, exact = false) {
  const ws = useWorkspaceId();
  const key = definition ? JSON.stringify(definition) : '';
  return useQuery({
    queryKey: segmentKeys.preview(ws, key, exact),
    queryFn: ({ signal }) => api<Preview>('/api/segments/preview', { method: 'POST', body: exact ? { definition, exact } : { definition }, signal }),
    enabled: definition !== null,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
  });
}

function useSegmentMutation<V, R>(fn: (v: V) => Promise<R>, silent = false) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, meta: silent ? { silent: true } : undefined, onSuccess: () => void client.invalidateQueries({ queryKey: segmentKeys.all(ws) }) });
}

export const useCreateSegment = () => useSegmentMutation((input: SegmentInput) => api<Segment>('/api/segments', { method: 'POST', body: input }), true);
export const useUpdateSegment = (id: string) => useSegmentMutation((patch: Partial<SegmentInput>) => api<Segment>(segmentPath(id), { method: 'PATCH', body: patch }), true);
export const useDeleteSegment = () => useSegmentMutation((id: string) => api<void>(segmentPath(id), { method: 'DELETE' }), true);
export const useRecompute = () => useSegmentMutation((id: string) => api<{ jobId: string; deduped: boolean }>(segmentPath(id, '/recompute'), { method: 'POST' }));
export const useCreateStarters = () => useSegmentMutation(() => api<Record<string, unknown>>('/api/segments/starters', { method: 'POST' }));
