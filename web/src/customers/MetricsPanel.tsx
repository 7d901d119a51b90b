// The customer's behaviour at a glance: visits, product interest, carts, orders and the hours
// they are active (from GET /api/customers/{id}/metrics).
import { Center, Group, Loader, Paper, Progress, SimpleGrid, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { QueryError } from '../app/QueryState.tsx';
import { formatDate, formatDateTime } from '../i18n/format.ts';
import { customerKeys, customerPath, useWorkspaceId } from './api.ts';
import { formatNumber } from './format.ts';
import { categoryShares, formatDuration, formatHourSpan, formatMean, formatMinorUnits, formatRate, hourShares } from './metrics-format.ts';

export type CustomerMetrics = {
  customerId: string;
  currency: string;
  timeZone: string;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  eventCount: number;
  sessions: number;
  bounces: number;
  bounceRate: number | null;
  pageViews: number;
  productViews: number;
  productClicks: number;
  dwellMs: number;
  topCategories: { category: string; dwellMs: number; views: number }[];
  meanProductsViewedBeforePurchase: number | null;
  cartAdds: number;
  abandonedCartItems: number;
  favourites: number;
  checkoutsStarted: number;
  orderCount: number;
  totalSpend: number;
  averageOrderValue: number | null;
  lastOrderAt: string | null;
  hourCounts: number[];
  mostActiveHour: number | null;
  updatedAt: string | null;
};

export function useCustomerMetrics(id: string) {
  const ws = useWorkspaceId();
  // Under the customer's key, so whatever refreshes the customer (a merge, an undo) refreshes this.
  return useQuery({ queryKey: [...customerKeys.one(ws, id), 'metrics'], queryFn: () => api<CustomerMetrics>(customerPath(id, '/metrics')) });
}

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId: string }) {
  return (
    <div data-testid={`metric-${testId}`}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </div>
  );
}

function Hours({ m }: { m: CustomerMetrics }) {
  const { t } = useTranslation();
  const shares = hourShares(m.hourCounts);
  return (
    <div>
      <Text size="xs" c="dimmed" mb={4}>
        {t('metrics.hours', { timeZone: m.timeZone })}
      </Text>
      <Group gap={2} align="flex-end" h={32} wrap="nowrap" aria-hidden>
        {shares.map((share, hour) => (
          <Tooltip key={hour} label={`${formatHourSpan(hour)} · ${m.hourCounts[hour]}`}>
            <div
              style={{
                flex: 1,
                height: `${Math.max(share * 100, 4)}%`,
                borderRadius: 2,
                background: hour === m.mostActiveHour ? 'var(--mantine-color-blue-6)' : 'var(--mantine-color-gray-4)',
              }}
            />
          </Tooltip>
        ))}
      </Group>
    </div>
  );
}

function Figures({ m }: { m: CustomerMetrics }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const n = (value: number) => formatNumber(value, lang);
  const money = (minor: number) => formatMinorUnits(minor, m.currency, lang);
  return (
    <Stack gap="md">
      <SimpleGrid cols={2} spacing="sm" verticalSpacing="sm">
        <Stat testId="sessions" label={t('metrics.sessions')} value={n(m.sessions)} hint={t('metrics.bounceRate', { rate: formatRate(m.bounceRate, lang) })} />
        <Stat testId="page-views" label={t('metrics.pageViews')} value={n(m.pageViews)} />
        <Stat testId="product-views" label={t('metrics.productViews')} value={n(m.productViews)} hint={t('metrics.clicks', { formatted: n(m.productClicks) })} />
        <Stat testId="dwell" label={t('metrics.dwell')} value={formatDuration(m.dwellMs, lang)} />
        <Stat testId="cart-adds" label={t('metrics.cartAdds')} value={n(m.cartAdds)} hint={t('metrics.abandoned', { formatted: n(m.abandonedCartItems) })} />
        <Stat testId="favourites" label={t('metrics.favourites')} value={n(m.favourites)} hint={t('metrics.checkouts', { formatted: n(m.checkoutsStarted) })} />
        <Stat testId="orders" label={t('metrics.orders')} value={n(m.orderCount)} hint={m.lastOrderAt ? t('metrics.lastOrder', { date: formatDate(m.lastOrderAt, lang) }) : undefined} />
        <Stat testId="spend" label={t('metrics.totalSpend')} value={money(m.totalSpend)} hint={m.averageOrderValue === null ? undefined : t('metrics.averageOrder', { amount: money(m.averageOrderValue) })} />
        <Stat testId="views-before-purchase" label={t('metrics.viewsBeforePurchase')} value={formatMean(m.meanProductsViewedBeforePurchase, lang)} />
        <Stat testId="active-hour" label={t('metrics.mostActiveHour')} value={m.mostActiveHour === null ? '–' : formatHourSpan(m.mostActiveHour)} />
      </SimpleGrid>
      {m.topCategories.length > 0 && (
        <div data-testid="metric-top-categories">
          <Text size="xs" c="dimmed" mb={4}>
            {t('metrics.topCategories')}
          </Text>
          <Stack gap={6}>
            {categoryShares(m.topCategories).map((c) => (
              <div key={c.category}>
                <Group justify="space-between" gap="xs">
                  <Text size="sm">{c.category}</Text>
                  <Text size="xs" c="dimmed">
                    {formatDuration(c.dwellMs, lang)} · {t('metrics.views', { formatted: n(c.views) })}
                  </Text>
                </Group>
                <Progress value={c.share * 100} size="sm" aria-label={t('metrics.dwellOf', { category: c.category })} />
              </div>
            ))}
          </Stack>
        </div>
      )}
      <Hours m={m} />
    </Stack>
  );
}

export function MetricsPanel({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const metrics = useCustomerMetrics(customerId);
  const m = metrics.data;
  return (
    <Paper withBorder p="md" data-testid="metrics-panel">
      <Group justify="space-between" align="baseline" mb="sm">
        <Title order={5}>{t('metrics.title')}</Title>
        {m?.lastSeenAt && (
          <Text size="xs" c="dimmed">
            {t('metrics.lastSeen', { date: formatDateTime(m.lastSeenAt, i18n.language, m.timeZone) })}
          </Text>
        )}
      </Group>
      {metrics.isPending ? (
        <Center py="md">
          <Loader size="sm" />
        </Center>
      ) : metrics.isError ? (
        <QueryError error={metrics.error} onRetry={() => void metrics.refetch()} />
      ) : m!.updatedAt === null ? (
        <Text size="sm" c="dimmed" data-testid="metrics-empty">
          {t('metrics.empty')}
        </Text>
      ) : (
        <Figures m={m!} />
      )}
    </Paper>
  );
}
