// The recommenders' offline evaluation: popularity, item kNN and Rapport's blended model side by
// side on purchases held out after a split date, the best value of each measure highlighted.
import { Badge, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { formatDate } from '../i18n/format.ts';
import { useEvaluation } from './api.ts';
import { bestByMetric, EVALUATION_METRICS, orderModels, type EvaluationMetric } from './evaluation.ts';
import { formatCount, formatDecimal, modelKey } from './format.ts';
import { ComputedAt, NotComputed } from './NotComputed.tsx';

const METRIC_LABELS = {
  mapAtK: 'analytics.recommendations.metrics.map',
  ndcgAtK: 'analytics.recommendations.metrics.ndcg',
  mrr: 'analytics.recommendations.metrics.mrr',
  precisionAtK: 'analytics.recommendations.metrics.precision',
  recallAtK: 'analytics.recommendations.metrics.recall',
} as const satisfies Record<EvaluationMetric, string>;

export function RecommendationsPage() {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const evaluation = useEvaluation();
  if (evaluation.isPending) return <PageLoader />;
  if (evaluation.isError) return <QueryError error={evaluation.error} onRetry={() => void evaluation.refetch()} />;
  const report = evaluation.data;
  if (!report.computedAt) return <NotComputed />;
  const lang = i18n.language;
  const e = report.evaluation;
  const rows = e ? orderModels(e.rows) : [];
  const best = bestByMetric(rows);
  return (
    <Stack gap="lg">
      <Group justify="flex-end">
        <ComputedAt at={report.computedAt} />
      </Group>
      <Paper withBorder>
        <Stack gap={4} p="md" pb="xs">
          <Title order={4}>{t('analytics.recommendations.title')}</Title>
          <Text size="sm" c="dimmed">
            {e
              ? t('analytics.recommendations.help', { k: e.k, date: formatDate(e.splitAt, lang, tz), purchases: formatCount(report.purchases, lang) })
              : t('analytics.recommendations.noEvaluation')}
          </Text>
        </Stack>
        {e && (
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" data-testid="evaluation-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('analytics.recommendations.model')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.recommendations.users')}</Table.Th>
                  {EVALUATION_METRICS.map((m) => (
                    <Table.Th key={m} ta="right">
                      {t(METRIC_LABELS[m], { k: e.k })}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => {
                  const key = modelKey(r.name);
                  return (
                    <Table.Tr key={r.name} data-testid="evaluation-row" data-model={r.name}>
                      <Table.Td fw={600}>{key ? t(`analytics.models.${key}`) : r.name}</Table.Td>
                      <Table.Td ta="right">{formatCount(r.users, lang)}</Table.Td>
                      {EVALUATION_METRICS.map((m) => {
                        const isBest = best[m].includes(r.name);
                        return (
                          <Table.Td key={m} ta="right" data-testid={`evaluation-${m}`} data-best={isBest ? 'true' : undefined} bg={isBest ? 'var(--mantine-color-teal-light)' : undefined}>
                            <Group gap={6} justify="flex-end" wrap="nowrap">
                              {isBest && (
                                <Badge size="xs" color="teal" variant="filled">
                                  {t('analytics.recommendations.best')}
                                </Badge>
                              )}
                              <Text size="sm" fw={isBest ? 700 : undefined} ff="monospace">
                                {formatDecimal(r[m], lang, 4)}
                              </Text>
                            </Group>
                          </Table.Td>
                        );
                      })}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
    </Stack>
  );
}
