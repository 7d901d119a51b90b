// The analytics section: header with "Refresh now" for owners and admins, a tab per report, and
// the refresh under way (the worker's runs polled until every part has run again).
import { Badge, Button, Tabs } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { notifyError, notifySuccess } from '../api/query-client.ts';
import { PageHeader } from '../app/PageHeader.tsx';
import { useCan } from '../auth/session.ts';
import { useInvalidateAnalytics, useOverview, useRequestRefresh } from './api.ts';
import { anyRunning, refreshFinished, RUN_PARTS, runSnapshot } from './refresh.ts';
import { ANALYTICS_TABS, tabOfPath, tabPath, type AnalyticsShell, type AnalyticsTab } from './shell.ts';

const TAB_LABELS = {
  overview: 'analytics.tabs.overview',
  rfm: 'analytics.tabs.rfm',
  grades: 'analytics.tabs.grades',
  clv: 'analytics.tabs.clv',
  'at-risk': 'analytics.tabs.atRisk',
  dormant: 'analytics.tabs.dormant',
  cohorts: 'analytics.tabs.cohorts',
  basket: 'analytics.tabs.basket',
  recommendations: 'analytics.tabs.recommendations',
  settings: 'analytics.tabs.settings',
} as const satisfies Record<AnalyticsTab, string>;

const POLL_MS = 2000;
/** A refresh that has not ended after this long is no longer waited for (the runs list still tells). */
const GIVE_UP_MS = 15 * 60_000;

export function AnalyticsLayout() {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const tab = tabOfPath(pathname);
  const canRefresh = can('workspace.manage');
  const [pending, setPending] = useState<{ snapshot: Record<string, string>; since: number } | null>(null);
  const [running, setRunning] = useState(false);
  const overview = useOverview(pending || running ? POLL_MS : false);
  const request = useRequestRefresh();
  const invalidate = useInvalidateAnalytics();
  const runs = overview.data?.runs;

  useEffect(() => {
    if (!runs) return;
    setRunning(anyRunning(runs));
    if (!pending) return;
    if (refreshFinished(pending.snapshot, runs)) {
      setPending(null);
      invalidate();
      const failed = RUN_PARTS.find((p) => runs[p]?.status === 'failed' && (runs[p]?.id ?? runs[p]?.startedAt) !== pending.snapshot[p]);
      if (failed) notifyError(new Error(t('analytics.refreshFailed', { part: t(`analytics.parts.${failed}`) })));
      else notifySuccess(t('analytics.refreshDone'));
    } else if (Date.now() - pending.since > GIVE_UP_MS) {
      setPending(null);
    }
    // `invalidate` and `t` are new each render; the runs are what matter.
  }, [runs, pending]);

  const startRefresh = () => {
    if (!canRefresh || pending) return;
    const snapshot = runSnapshot(runs ?? {});
    request.mutate(undefined, {
      onSuccess: () => {
        setPending({ snapshot, since: Date.now() });
        notifySuccess(t('analytics.refreshQueued'));
      },
    });
  };
  const refreshing = pending !== null || request.isPending;
  const shell: AnalyticsShell = { canRefresh, refreshing, startRefresh, overview: overview.data };

  const actions = (
    <>
      {(refreshing || running) && (
        <Badge variant="dot" color="blue" size="lg" data-testid="analytics-refreshing">
          {t('analytics.refreshing')}
        </Badge>
      )}
      {canRefresh && (
        <Button leftSection={<IconRefresh size={18} />} onClick={startRefresh} loading={refreshing} data-testid="analytics-refresh">
          {t('analytics.refresh')}
        </Button>
      )}
    </>
  );

  return (
    <>
      <PageHeader title={t('analytics.title')} description={t('analytics.description')} actions={actions} />
      <Tabs value={tab} onChange={(v) => v && navigate(tabPath(v as AnalyticsTab))} mb="lg" keepMounted={false}>
        <Tabs.List data-testid="analytics-tabs">
          {ANALYTICS_TABS.map((id) => (
            <Tabs.Tab key={id} value={id} data-testid={`analytics-tab-${id}`}>
              {t(TAB_LABELS[id])}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet context={shell} />
    </>
  );
}
