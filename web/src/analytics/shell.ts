// What the analytics section's layout shares with its pages: who may refresh, whether a refresh
// is under way, and how to start one (from the header or an empty page).
import { useOutletContext } from 'react-router-dom';
import type { Overview } from './api.ts';

export type AnalyticsShell = {
  canRefresh: boolean;
  refreshing: boolean;
  startRefresh: () => void;
  overview: Overview | undefined;
};

export function useAnalyticsShell(): AnalyticsShell {
  return useOutletContext<AnalyticsShell>();
}

export const ANALYTICS_TABS = ['overview', 'rfm', 'grades', 'clv', 'at-risk', 'dormant', 'cohorts', 'basket', 'recommendations', 'settings'] as const;
export type AnalyticsTab = (typeof ANALYTICS_TABS)[number];

/** The tab of an address under /analytics ("/analytics/at-risk" → "at-risk"; "/analytics" → "overview"). */
export function tabOfPath(pathname: string): AnalyticsTab {
  const part = pathname.replace(/^\/analytics\/?/, '').split('/')[0] ?? '';
  return (ANALYTICS_TABS as readonly string[]).includes(part) ? (part as AnalyticsTab) : 'overview';
}

export const tabPath = (tab: AnalyticsTab) => (tab === 'overview' ? '/analytics' : `/analytics/${tab}`);
