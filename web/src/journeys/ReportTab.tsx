// What the journey did: how many entered and where they ended, the messages it sent and how they
// were read, the goal reached by those who got the messages against the holdout (the uplift), and
// each step's figures.
import { Alert, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatCount, formatPercent, moneyOrDash } from '../analytics/format.ts';
import { ChartView } from '../analytics/ChartView.tsx';
import { StatCard } from '../analytics/StatCard.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { formatPoints } from '../campaigns/format.ts';
import type { JourneyDefinition, JourneyReport } from './api.ts';
import { outcomeText, stepName, stepSummary, type Names } from './words.ts';

export function ReportTab({ report, definition, names }: { report: UseQueryResult<JourneyReport>; definition: JourneyDefinition; names: Names }) {
  const { t } = useTranslation();
  if (report.isPending) return <PageLoader />;
  if (report.isError) return <QueryError error={report.error} onRetry={() => void report.refetch()} />;
  const r = report.data;
  if (r.totals.entered === 0) {
    return (
      <Alert color="gray" data-testid="report-empty">
        {t('journeys.report.empty')}
      </Alert>
    );
  }
  return (
    <Stack gap="lg" data-testid="journey-report">
      <Totals report={r} />
      <Messages report={r} />
      <Goal report={r} />
      <Steps report={r} definition={definition} names={names} />
    </Stack>
  );
}

function Totals({ report: { totals } }: { report: JourneyReport }) {
  const { t, i18n } = useTranslation();
  const n = (v: number) => formatCount(v, i18n.language);
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>
      <StatCard label={t('journeys.report.entered')} value={n(totals.entered)} hint={totals.heldOut > 0 ? `${t('journeys.report.heldOut')}: ${n(totals.heldOut)}` : undefined} testId="report-entered" />
      <StatCard label={t('journeys.report.active')} value={n(totals.active)} testId="report-active" />
      <StatCard label={t('journeys.report.completed')} value={n(totals.completed)} testId="report-completed" />
      <StatCard label={t('journeys.report.converted')} value={n(totals.converted)} testId="report-converted" />
      <StatCard label={t('journeys.report.exited')} value={n(totals.exited)} hint={totals.failed > 0 ? `${t('journeys.report.failed')}: ${n(totals.failed)}` : undefined} testId="report-exited" />
    </SimpleGrid>
  );
}

function Messages({ report: { messages: m } }: { report: JourneyReport }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const ofSent = (v: number) => (m.sent > 0 ? t('journeys.report.rateOfSent', { rate: formatPercent(v / m.sent, lang) }) : undefined);
  return (
    <Stack gap="xs">
      <Title order={4}>{t('journeys.report.messages')}</Title>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>
        <StatCard label={t('journeys.report.sent')} value={formatCount(m.sent, lang)} testId="report-sent" />
        <StatCard label={t('journeys.report.delivered')} value={formatCount(m.delivered, lang)} hint={ofSent(m.delivered)} testId="report-delivered" />
        <StatCard label={t('journeys.report.opened')} value={formatCount(m.opened, lang)} hint={ofSent(m.opened)} testId="report-opened" />
        <StatCard label={t('journeys.report.clicked')} value={formatCount(m.clicked, lang)} hint={ofSent(m.clicked)} testId="report-clicked" />
        <StatCard label={t('journeys.report.suppressed')} value={formatCount(m.suppressed, lang)} testId="report-suppressed" />
      </SimpleGrid>
    </Stack>
  );
}

function Goal({ report: { goal } }: { report: JourneyReport }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const currency = useSession().workspace?.currency ?? 'KRW';
  if (!goal.event) {
    return (
      <Paper withBorder p="md" data-testid="report-goal">
        <Title order={4}>{t('journeys.report.goal')}</Title>
        <Text size="sm" c="dimmed" mt="xs">
          {t('journeys.report.noGoal')}
        </Text>
      </Paper>
    );
  }
  const rows = [
    { key: 'treated', label: t('journeys.report.treated'), g: goal.treated },
    { key: 'holdout', label: t('journeys.report.holdout'), g: goal.holdout },
  ];
  return (
    <Paper withBorder p="md" data-testid="report-goal">
      <Title order={4}>{t('journeys.report.goal')}</Title>
      <Text size="sm" c="dimmed">
        {t('journeys.report.goalText', { event: goal.event, days: goal.windowDays ?? 0 })}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }} mt="sm">
        {rows.map(({ key, label, g }) => (
          <StatCard key={key} label={label} value={formatPercent(g.runs > 0 ? g.rate : null, lang)} hint={t('journeys.report.rate', { converted: formatCount(g.converted, lang), runs: formatCount(g.runs, lang) })} testId={`report-goal-${key}`} />
        ))}
        <StatCard
          label={t('journeys.report.uplift')}
          value={goal.uplift ? t('journeys.report.upliftValue', { diff: formatPoints(goal.uplift.difference, lang) }) : '—'}
          hint={goal.uplift ? t('journeys.report.upliftInterval', { low: formatPoints(goal.uplift.low, lang), high: formatPoints(goal.uplift.high, lang) }) : t('journeys.report.noUplift')}
          testId="report-uplift"
        />
      </SimpleGrid>
      {goal.revenue > 0 && (
        <Text size="sm" mt="sm" data-testid="report-revenue">
          {t('journeys.report.revenue')}: {moneyOrDash(goal.revenue, currency, lang)}
        </Text>
      )}
    </Paper>
  );
}

function Steps({ report, definition, names }: { report: JourneyReport; definition: JourneyDefinition; names: Names }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  // What each step does, as on its node: two unnamed steps of one type (a reminder and a coupon) differ by it.
  const summaries = new Map(definition.graph.steps.map((s) => [s.id, stepSummary(t, s, names, lang)]));
  const rows = report.steps.map((s) => ({ step: stepName(t, s), reached: s.reached, waiting: s.waiting }));
  return (
    <Stack gap="xs">
      <Title order={4}>{t('journeys.report.steps')}</Title>
      <ChartView
        data={rows}
        dataKey="step"
        series={[
          { name: 'reached', label: t('journeys.report.reached'), color: 'blue.6' },
          { name: 'waiting', label: t('journeys.report.waiting'), color: 'orange.5' },
        ]}
        valueFormatter={(v) => formatCount(v, lang)}
        integers
        testId="report-steps-chart"
      />
      <Table verticalSpacing="xs" data-testid="report-steps">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('journeys.report.steps')}</Table.Th>
            <Table.Th ta="right">{t('journeys.report.reached')}</Table.Th>
            <Table.Th ta="right">{t('journeys.report.waiting')}</Table.Th>
            <Table.Th>{t('journeys.report.outcomes')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.steps.map((s) => (
            <Table.Tr key={s.stepId} data-testid={`report-step-${s.stepId}`}>
              <Table.Td>
                <Text size="sm">{stepName(t, s)}</Text>
                {summaries.get(s.stepId) && (
                  <Text size="xs" c="dimmed" lineClamp={1}>
                    {summaries.get(s.stepId)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">{formatCount(s.reached, lang)}</Table.Td>
              <Table.Td ta="right">{formatCount(s.waiting, lang)}</Table.Td>
              <Table.Td>
                <Text size="xs">
                  {Object.entries(s.outcomes)
                    .map(([o, count]) => `${outcomeText(t, o, s.type)}: ${formatCount(count, lang)}`)
                    .join(' · ')}
                </Text>
                {s.messages && (
                  <Text size="xs" c="dimmed" data-testid={`report-step-messages-${s.stepId}`}>
                    {t('journeys.report.stepMessages', { sent: formatCount(s.messages.sent, lang), opened: formatCount(s.messages.opened, lang), clicked: formatCount(s.messages.clicked, lang) })}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
