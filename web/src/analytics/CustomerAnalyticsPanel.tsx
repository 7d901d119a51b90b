// The customer's analytics on the profile: RFM scores and segment, grade, P(alive), expected
// purchases, lifetime value, churn risk, inferred interests and recommended products.
import { Anchor, Badge, Center, Group, Loader, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { formatDate } from '../i18n/format.ts';
import { useCustomerAnalytics, type CustomerAnalytics } from './api.ts';
import { formatCount, formatDecimal, formatPercent, isPriceBand, knownReasons, moneyOrDash, weightShares } from './format.ts';
import { SegmentBadge } from './RfmPage.tsx';
import { StatCard } from './StatCard.tsx';

type Scores = NonNullable<CustomerAnalytics['scores']>;
const REASON_COLORS = { co_purchase: 'grape', similar: 'blue', category: 'teal', popular: 'orange' } as const;

function RfmScores({ s }: { s: Scores }) {
  const { t } = useTranslation();
  const parts = [
    ['R', s.r],
    ['F', s.f],
    ['M', s.m],
  ] as const;
  return (
    <Group gap="xs" data-testid="customer-rfm" wrap="wrap">
      {parts.map(([letter, score]) => (
        <Badge key={letter} variant="default" size="lg" radius="sm" title={t(`analytics.panel.score${letter}`)} data-testid={`customer-rfm-${letter.toLowerCase()}`}>
          {letter} {score ?? '–'}
        </Badge>
      ))}
      <SegmentBadge segment={s.segment} />
    </Group>
  );
}

function Affinities({ a }: { a: CustomerAnalytics['affinities'] }) {
  const { t } = useTranslation();
  const groups = [
    ['categories', a.categories],
    ['brands', a.brands],
    ['priceBands', a.priceBands],
  ] as const;
  if (groups.every(([, items]) => items.length === 0)) return null;
  return (
    <div data-testid="customer-affinities">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={6}>
        {t('analytics.panel.affinities')}
      </Text>
      <Stack gap="sm">
        {groups
          .filter(([, items]) => items.length > 0)
          .map(([group, items]) => (
            <div key={group}>
              <Text size="xs" fw={600} mb={2}>
                {t(`analytics.panel.${group}`)}
              </Text>
              <Stack gap={4}>
                {weightShares(items.slice(0, 5)).map((item) => (
                  <div key={item.key} data-testid="customer-affinity" data-group={group}>
                    <Group justify="space-between" gap="xs" wrap="nowrap">
                      <Text size="sm" truncate>
                        {group === 'priceBands' && isPriceBand(item.key) ? t(`analytics.priceBands.${item.key}`) : item.key}
                      </Text>
                    </Group>
                    <Progress value={item.share * 100} size="sm" color="violet" aria-label={item.key} />
                  </div>
                ))}
              </Stack>
            </div>
          ))}
      </Stack>
    </div>
  );
}

function Recommendations({ data }: { data: CustomerAnalytics }) {
  const { t, i18n } = useTranslation();
  if (data.recommendations.length === 0) return null;
  return (
    <div data-testid="customer-recommendations">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={6}>
        {t('analytics.panel.recommendations')}
      </Text>
      <Stack gap="xs">
        {data.recommendations.slice(0, 5).map((r) => (
          <div key={r.productId} data-testid="customer-recommendation">
            <Group justify="space-between" gap="xs" wrap="nowrap">
              <Anchor component={Link} to={`/products/${r.productId}`} size="sm" fw={500} truncate>
                {r.name ?? r.sku ?? r.productId.slice(0, 8)}
              </Anchor>
              <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                {moneyOrDash(r.price, r.currency ?? data.currency, i18n.language)}
              </Text>
            </Group>
            <Group gap={4} mt={2}>
              {knownReasons(r.reasons).map((reason) => (
                <Badge key={reason} size="xs" variant="light" color={REASON_COLORS[reason]} data-testid="recommendation-reason">
                  {t(`analytics.reasons.${reason}`)}
                </Badge>
              ))}
            </Group>
          </div>
        ))}
      </Stack>
    </div>
  );
}

function Figures({ data, s }: { data: CustomerAnalytics; s: Scores }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const lang = i18n.language;
  return (
    <Stack gap="md">
      <RfmScores s={s} />
      <Group gap="xs">
        {s.grade && (
          <Badge size="lg" variant="filled" color="indigo" data-testid="customer-grade">
            {s.grade}
          </Badge>
        )}
        {s.gradeSince && (
          <Text size="xs" c="dimmed">
            {t('analytics.panel.gradeSince', { date: formatDate(s.gradeSince, lang, tz) })}
          </Text>
        )}
        <Badge color={s.churnRisk ? 'red' : 'teal'} variant="light" data-testid="customer-churn" data-risk={s.churnRisk ? 'true' : 'false'}>
          {s.churnRisk ? t('analytics.panel.churnRisk') : t('analytics.panel.noChurnRisk')}
        </Badge>
      </Group>
      <SimpleGrid cols={2} spacing="sm" verticalSpacing="sm">
        <StatCard framed={false} testId="customer-palive" label={t('analytics.panel.pAlive')} value={formatPercent(s.pAlive, lang)} />
        <StatCard
          framed={false}
          testId="customer-expected"
          label={t('analytics.panel.expected')}
          value={formatDecimal(s.expectedPurchases, lang, 2)}
          hint={t('analytics.panel.nextDays', { days: data.predictionDays })}
        />
        <StatCard framed={false} testId="customer-clv" label={t('analytics.panel.clv')} value={moneyOrDash(s.clv, data.currency, lang)} hint={t('analytics.panel.nextDays', { days: data.clvHorizonDays })} />
        <StatCard
          framed={false}
          testId="customer-recency"
          label={t('analytics.panel.lastOrder')}
          value={s.recencyDays === null ? '—' : t('analytics.daysAgo', { formatted: formatCount(s.recencyDays, lang) })}
          hint={s.frequency === null ? undefined : t('analytics.panel.orders', { formatted: formatCount(s.frequency, lang) })}
        />
      </SimpleGrid>
    </Stack>
  );
}

export function CustomerAnalyticsPanel({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const analytics = useCustomerAnalytics(customerId);
  const data = analytics.data;
  const s = data?.scores;
  const scored = Boolean(s && (s.r !== null || s.grade !== null || s.pAlive !== null));
  return (
    <Paper withBorder p="md" data-testid="customer-analytics">
      <Group justify="space-between" align="baseline" mb="sm">
        <Title order={5}>{t('analytics.panel.title')}</Title>
        {s?.updatedAt && (
          <Text size="xs" c="dimmed">
            {t('analytics.panel.updated', { date: formatDate(s.updatedAt, i18n.language, tz) })}
          </Text>
        )}
      </Group>
      {analytics.isPending ? (
        <Center py="md">
          <Loader size="sm" />
        </Center>
      ) : analytics.isError ? (
        <QueryError error={analytics.error} onRetry={() => void analytics.refetch()} />
      ) : (
        <Stack gap="md">
          {scored ? (
            <Figures data={data!} s={s!} />
          ) : (
            <Text size="sm" c="dimmed" data-testid="customer-analytics-empty">
              {t('analytics.panel.empty')}
            </Text>
          )}
          <Affinities a={data!.affinities} />
          <Recommendations data={data!} />
        </Stack>
      )}
    </Paper>
  );
}
