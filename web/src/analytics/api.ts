// Server state of the analytics pages and the profile's analytics panel (the shapes of
// src/analytics/reports.ts and docs/analytics.md). Money is in minor units of `currency`.
// Query keys start with the workspace id.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import { customerKeys, customerPath, useWorkspaceId } from '../customers/api.ts';
import type { Cohort, RfmCell } from './heat.ts';
import type { EvaluationRow, HoldoutBucket } from './evaluation.ts';
import type { Runs } from './refresh.ts';
import type { AnalyticsSettings } from './settings-form.ts';

export type Overview = {
  currency: string;
  runs: Runs;
  customers: { scored: number; buyers: number; atRisk: number; dormant: number };
  totalClv: number | null;
  meanPAlive: number | null;
  kpis: { orders: number; revenue: number; averageOrderValue: number | null; repeatPurchaseRate: number | null; revenueByGrade: { grade: string | null; customers: number; revenue: number }[] } | null;
};

export type RfmReport = {
  currency: string;
  computedAt: string | null;
  cutPoints: { recency: (number | null)[]; frequency: (number | null)[]; monetary: (number | null)[] } | null;
  cells: RfmCell[];
  segments: { segment: string; customers: number; revenue: number; meanRecencyDays: number | null; meanFrequency: number | null }[];
};

export type GradesReport = {
  currency: string;
  days: number;
  grades: { name: string; rule: unknown }[];
  distribution: { grade: string; customers: number; revenue: number; clv: number }[];
  movements: { from: string | null; to: string | null; customers: number; direction: 'up' | 'down' | 'new' }[];
};

export type ClvReport = {
  currency: string;
  computedAt: string | null;
  horizonDays: number;
  discountRate: number;
  predictionDays: number;
  customers: number;
  total: number | null;
  mean: number | null;
  histogram: { from: number; to: number | null; customers: number; clv: number }[];
  pAliveHistogram: { from: number; to: number; customers: number }[];
  models: {
    bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number } | null;
    gammaGamma: { p: number; q: number; v: number } | null;
    customers: number;
    distinctTuples: number;
    fitMs: number;
    /** Degenerate fits to be wary of (src/analytics/fit-checks.ts). */
    warnings: ('bgnbd-no-dropout' | 'bgnbd-boundary' | 'gamma-gamma-no-mean' | 'gamma-gamma-boundary')[];
  } | null;
  holdout: {
    holdoutDays: number;
    calibrationParams: { r: number; alpha: number; a: number; b: number };
    buckets: HoldoutBucket[];
    totals: { customers: number; predicted: number; actual: number };
  } | null;
};

type Person = { customerId: string; name: string | null; email: string | null; phone: string | null };
export type AtRiskCustomer = Person & { grade: string | null; segment: string | null; clv: number | null; pAlive: number | null; daysSinceLastOrder: number | null; orders: number; totalSpend: number; flaggedAt: string | null };
export type DormantCustomer = Person & { lastActiveAt: string; grade: string | null; clv: number | null; orders: number; totalSpend: number };
export type AtRiskList = { currency: string; total: number; customers: AtRiskCustomer[] };
export type DormantList = { currency: string; days: number; total: number; customers: DormantCustomer[] };

export type CohortsReport = {
  computedAt: string | null;
  kpis: {
    currency: string;
    timeZone: string;
    customersWithOrders: number;
    orders: number;
    revenue: number;
    averageOrderValue: number | null;
    repeatPurchaseRate: number | null;
    revenueByGrade: { grade: string | null; customers: number; revenue: number }[];
    cohorts: Cohort[];
  } | null;
};

export type BasketLevel = 'product' | 'category';
export type BasketRule = { rank: number; antecedent: { id: string; name: string }[]; consequent: { id: string; name: string }; count: number; support: number; confidence: number; lift: number };
export type BasketRulesReport = {
  level: BasketLevel;
  computedAt: string | null;
  summary: Record<string, unknown> | null;
  total: number;
  rules: BasketRule[];
};
export type BasketFilter = { level: BasketLevel; minLift?: number; minConfidence?: number; item?: string; offset: number };

export type EvaluationReport = { computedAt: string | null; purchases: number; evaluation: { k: number; splitAt: string; rows: EvaluationRow[] } | null };

export type RecommendationReason = 'co_purchase' | 'similar' | 'category' | 'popular';
export type CustomerAnalytics = {
  customerId: string;
  currency: string;
  predictionDays: number;
  clvHorizonDays: number;
  scores: {
    recencyDays: number | null;
    frequency: number | null;
    monetary: number | null;
    r: number | null;
    f: number | null;
    m: number | null;
    segment: string | null;
    grade: string | null;
    gradeSince: string | null;
    expectedPurchases: number | null;
    pAlive: number | null;
    clv: number | null;
    churnRisk: boolean;
    churnFlaggedAt: string | null;
    updatedAt: string | null;
  } | null;
  affinities: Record<'categories' | 'brands' | 'priceBands', { key: string; weight: number }[]>;
  recommendations: { rank: number; productId: string; sku: string | null; name: string | null; category: string | null; price: number | null; currency: string | null; imageUrl: string | null; score: number; reasons: string[] }[];
  recommendationsComputedAt: string | null;
};

export const LIST_PAGE_SIZE = 25;
export const RULES_PAGE_SIZE = 50;

export const analyticsKeys = {
  all: (ws: string) => ['ws', ws, 'analytics'] as const,
  report: (ws: string, name: string, params: Record<string, unknown> = {}) => ['ws', ws, 'analytics', name, params] as const,
};

function useReport<T>(name: string, path: string, params: Record<string, string | number | undefined> = {}, opts: { refetchInterval?: number | false } = {}) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: analyticsKeys.report(ws, name, params),
    queryFn: ({ signal }) => api<T>(`/api/analytics/${path}${query(params)}`, { signal }),
    placeholderData: keepPreviousData,
    ...opts,
  });
}

export const useOverview = (refetchInterval: number | false = false) => useReport<Overview>('overview', 'overview', {}, { refetchInterval });
export const useRfm = () => useReport<RfmReport>('rfm', 'rfm');
export const useGrades = (days: number) => useReport<GradesReport>('grades', 'grades', { days });
export const useClv = () => useReport<ClvReport>('clv', 'clv');
export const useAtRisk = (offset: number) => useReport<AtRiskList>('at-risk', 'at-risk', { limit: LIST_PAGE_SIZE, offset });
export const useDormant = (days: number | undefined, offset: number) => useReport<DormantList>('dormant', 'dormant', { days, limit: LIST_PAGE_SIZE, offset });
export const useCohorts = () => useReport<CohortsReport>('cohorts', 'cohorts');
export const useBasketRules = (f: BasketFilter) =>
  useReport<BasketRulesReport>('basket-rules', 'basket-rules', { level: f.level, minLift: f.minLift, minConfidence: f.minConfidence, item: f.item, limit: RULES_PAGE_SIZE, offset: f.offset });
export const useEvaluation = () => useReport<EvaluationReport>('evaluation', 'recommendations/evaluation');
export const useAnalyticsSettings = () => useReport<AnalyticsSettings>('settings', 'settings');

export function useSaveAnalyticsSettings() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    meta: { silent: true }, // the form shows the server's message at its fields
    mutationFn: (patch: Partial<AnalyticsSettings>) => api<AnalyticsSettings>('/api/analytics/settings', { method: 'PUT', body: patch }),
    onSuccess: (saved) => client.setQueryData(analyticsKeys.report(ws, 'settings', {}), saved),
  });
}

export function useRequestRefresh() {
  return useMutation({
    mutationFn: () => api<{ jobId: string; deduped?: boolean }>('/api/analytics/refresh', { method: 'POST', body: { mode: 'full' } }),
  });
}

/** After a refresh: every report and every profile's analytics panel read again. */
export function useInvalidateAnalytics() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: analyticsKeys.all(ws) });
    void client.invalidateQueries({ queryKey: customerKeys.all(ws), predicate: (q) => q.queryKey.at(-1) === 'analytics' });
  };
}

export function useCustomerAnalytics(id: string) {
  const ws = useWorkspaceId();
  // Under the customer's key, so whatever refreshes the customer (a merge, an undo) refreshes this.
  return useQuery({ queryKey: [...customerKeys.one(ws, id), 'analytics'], queryFn: () => api<CustomerAnalytics>(customerPath(id, '/analytics')) });
}
