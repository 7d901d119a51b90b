// Server state of the campaign pages (src/campaigns/routes.ts): the list, one campaign, its report
// and recipients, the live audience count, and the writes (create, change, schedule, pause, resume,
// cancel). Query keys start with the workspace id. The answer types come from the server's code.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import { useWorkspaceId } from '../customers/api.ts';
import type { CampaignStatus } from '../../../src/campaigns/campaigns.ts';
import type { CampaignListFigures } from '../../../src/campaigns/list-figures.ts';
import type { Recipient } from '../../../src/campaigns/recipients.ts';
import type { CampaignReport as ServerCampaignReport, Comparison, GroupFigures } from '../../../src/campaigns/report.ts';
import type { CampaignGoal, CampaignSchedule } from '../../../src/campaigns/schema.ts';
import type { ChannelKind, MessagePurpose } from '../../../src/messaging/types.ts';

export type { CampaignGoal, CampaignListFigures, CampaignSchedule, CampaignStatus, Comparison, GroupFigures, Recipient };

/**
 * Conversions day by day: `days` (YYYY-MM-DD on the workspace's clock) from the start of sending to
 * the end of the goal window or today; per group the cumulative converted recipients and revenue
 * (minor units) at the end of each day. Null before sending starts.
 */
export type CampaignTimeline = { days: string[]; groups: { key: string; converted: number[]; revenue: number[] }[] };
/** Optional until every server gives it. */
export type CampaignReport = ServerCampaignReport & { timeline?: CampaignTimeline | null };

/**
 * Winner selection (src/campaigns/schema.ts `CampaignWinner`): the variants go first to `testShare`
 * per cent of the audience outside the holdout; after `afterHours` the one with the better rate
 * (`by`) goes to the rest. Written here until the server's contract exports it.
 */
export type CampaignWinner = { testShare: number; afterHours: number; by: WinnerMeasure };
export type WinnerMeasure = 'conversion' | 'click';

export type CampaignVariant = { key: string; name: string; templateId: string; share: number; version: number | null };
export type Campaign = {
  id: string;
  name: string;
  status: CampaignStatus;
  purpose: MessagePurpose;
  kind: ChannelKind;
  channelId: string | null;
  audience: { segmentIds: string[]; excludeSegmentIds: string[]; listSize: number };
  variants: CampaignVariant[];
  holdoutShare: number;
  schedule: CampaignSchedule;
  throttlePerMinute: number;
  goal: CampaignGoal;
  audienceSize: number | null;
  excludedGlobalControl: number | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  enqueuedAt: string | null;
  pausedAt: string | null;
  cancelledAt: string | null;
  // Optional until every server gives them.
  winner?: CampaignWinner | null;
  /** Recipients in the winner test (the rest, group `winner`, get the winner). */
  testSize?: number | null;
  /** The variant picked for the rest ('B'), and when. */
  winnerKey?: string | null;
  winnerPickedAt?: string | null;
};
/** A row of the list: the campaign and its key figures, counted by the server for the whole page. */
export type CampaignListItem = Campaign & { figures: CampaignListFigures };
export type CampaignPage = { items: CampaignListItem[]; nextCursor: string | null };
export type AudienceInput = { segmentIds: string[]; excludeSegmentIds: string[] };
export type AudienceCount = { total: number; globalControl: number; targeted: number };
export type CampaignInput = {
  name: string;
  purpose: MessagePurpose;
  kind: ChannelKind;
  audience: AudienceInput;
  variants: { templateId: string; share: number; name?: string }[];
  holdoutShare: number;
  schedule: CampaignSchedule;
  throttlePerMinute: number;
  goal: Pick<CampaignGoal, 'event' | 'windowDays'> & { filters?: CampaignGoal['filters'] };
  /** Absent: unchanged (or none, when new); null: no winner selection. Needs at least two variants. */
  winner?: CampaignWinner | null;
};
export type RecipientPage = { items: Recipient[]; nextCursor: string | null };
export type CampaignAction = 'schedule' | 'pause' | 'resume' | 'cancel';

const enc = encodeURIComponent;
export const campaignPath = (id: string, rest = '') => `/api/campaigns/${enc(id)}${rest}`;

export const campaignKeys = {
  all: (ws: string) => ['ws', ws, 'campaigns'] as const,
  list: (ws: string) => ['ws', ws, 'campaigns', 'list'] as const,
  one: (ws: string, id: string) => ['ws', ws, 'campaigns', 'one', id] as const,
  report: (ws: string, id: string) => ['ws', ws, 'campaigns', 'report', id] as const,
  recipients: (ws: string, id: string, variant: string) => ['ws', ws, 'campaigns', 'recipients', id, variant] as const,
  count: (ws: string, audience: string, purpose: string) => ['ws', ws, 'campaigns', 'count', audience, purpose] as const,
  settings: (ws: string) => ['ws', ws, 'campaigns', 'settings'] as const,
};

/** Is the campaign still moving (messages being made or sent, or waiting for its time)? */
export const isLive = (status: CampaignStatus | undefined) => status === 'scheduled' || status === 'sending' || status === 'paused';
const LIVE_POLL_MS = 4_000;
export const CAMPAIGNS_PAGE_SIZE = 25;
export const RECIPIENTS_PAGE_SIZE = 50;

export function useCampaigns() {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: campaignKeys.list(ws),
    queryFn: ({ pageParam, signal }) => api<CampaignPage>(`/api/campaigns${query({ cursor: pageParam, limit: CAMPAIGNS_PAGE_SIZE })}`, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((c) => isLive(c.status))) ? LIVE_POLL_MS * 2 : false),
  });
}

export function useCampaign(id: string | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: campaignKeys.one(ws, id ?? ''),
    queryFn: ({ signal }) => api<Campaign>(campaignPath(id!), { signal }),
    enabled: Boolean(id),
    refetchInterval: (q) => (isLive(q.state.data?.status) ? LIVE_POLL_MS : false),
  });
}

/** The report; `live` polls it while messages are still going out. */
export function useCampaignReport(id: string, opts: { enabled?: boolean; live?: boolean } = {}) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: campaignKeys.report(ws, id),
    queryFn: ({ signal }) => api<CampaignReport>(campaignPath(id, '/report'), { signal }),
    enabled: opts.enabled ?? true,
    refetchInterval: opts.live ? LIVE_POLL_MS : false,
    staleTime: 60_000,
  });
}

export function useRecipients(id: string, variant: string | null) {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: campaignKeys.recipients(ws, id, variant ?? ''),
    queryFn: ({ pageParam, signal }) => api<RecipientPage>(campaignPath(id, `/recipients${query({ variant, cursor: pageParam, limit: RECIPIENTS_PAGE_SIZE })}`), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** How many customers the audience holds now; null while no segment is chosen. */
export function useAudienceCount(audience: AudienceInput | null, purpose: MessagePurpose) {
  const ws = useWorkspaceId();
  const key = audience ? JSON.stringify(audience) : '';
  return useQuery({
    queryKey: campaignKeys.count(ws, key, purpose),
    queryFn: ({ signal }) => api<AudienceCount>('/api/campaigns/audience-count', { method: 'POST', body: { audience, purpose }, signal }),
    enabled: audience !== null && audience.segmentIds.length > 0,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
  });
}

export function useCampaignSettings() {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: campaignKeys.settings(ws), queryFn: ({ signal }) => api<{ globalControlShare: number; costs: Record<string, number> }>('/api/campaigns/settings', { signal }), staleTime: 5 * 60_000 });
}

function useCampaignMutation<V, R>(fn: (v: V) => Promise<R>) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  // The pages say what went wrong next to the field or in an alert: no notification as well.
  return useMutation({ mutationFn: fn, meta: { silent: true }, onSuccess: () => void client.invalidateQueries({ queryKey: campaignKeys.all(ws) }) });
}

/** Saves the wizard's campaign: a new draft, or the draft being edited. */
export const useSaveCampaign = () =>
  useCampaignMutation(({ id, input }: { id?: string; input: CampaignInput }) => (id ? api<Campaign>(campaignPath(id), { method: 'PATCH', body: input }) : api<Campaign>('/api/campaigns', { method: 'POST', body: input })));

/** Starts a saved campaign: now, or at its scheduled time. */
export const useStartCampaign = () => useCampaignMutation((id: string) => api<Campaign>(campaignPath(id, '/schedule'), { method: 'POST' }));

export function useCampaignAction(id: string) {
  return useCampaignMutation((action: CampaignAction) => api<Campaign>(campaignPath(id, `/${action}`), { method: 'POST' }));
}
