// RFM: the R × F heat map (customers and revenue per cell, coloured by customers) and the named
// segments with their size, revenue, recency and frequency.
import { Badge, Box, Group, Paper, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useRfm, type RfmReport } from './api.ts';
import { formatCount, formatDecimal, formatPercent, moneyOrDash, segmentColor, segmentKey } from './format.ts';
import { heatStyle, rfmGrid } from './heat.ts';
import { ComputedAt, NotComputed } from './NotComputed.tsx';

export function SegmentBadge({ segment }: { segment: string | null }) {
  const { t } = useTranslation();
  if (!segment) return null;
  const key = segmentKey(segment);
  return (
    <Badge color={segmentColor(segment)} variant="light" data-testid="segment-badge" data-segment={segment}>
      {key ? t(`analytics.segments.${key}`) : segment}
    </Badge>
  );
}

function HeatMap({ report }: { report: RfmReport }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { rows, maxCustomers } = rfmGrid(report.cells);
  const head = { width: 64, textAlign: 'center' as const, whiteSpace: 'nowrap' as const };
  return (
    <Paper withBorder p="md">
      <Title order={4}>{t('analytics.rfm.heatTitle')}</Title>
      <Text size="sm" c="dimmed" mb="md">
        {t('analytics.rfm.heatHelp')}
      </Text>
      <Box style={{ overflowX: 'auto' }}>
        <Table withColumnBorders withTableBorder layout="fixed" miw={520} data-testid="rfm-heatmap">
          <Table.Thead>
            <Table.Tr>
              <Table.Th style={head}>
                R \ F
              </Table.Th>
              {[1, 2, 3, 4, 5].map((f) => (
                <Table.Th key={f} ta="center">
                  F {f}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row[0]!.r}>
                <Table.Th style={head}>
                  R {row[0]!.r}
                </Table.Th>
                {row.map((cell) => {
                  const style = heatStyle(cell.customers, maxCustomers);
                  const revenue = moneyOrDash(cell.revenue, report.currency, lang);
                  return (
                    <Tooltip key={cell.f} label={t('analytics.rfm.cellLabel', { r: cell.r, f: cell.f, customers: formatCount(cell.customers, lang), revenue })}>
                      <Table.Td
                        ta="center"
                        style={{ background: style.background, color: style.color, height: 64 }}
                        data-testid="rfm-cell"
                        data-r={cell.r}
                        data-f={cell.f}
                        data-customers={cell.customers}
                      >
                        <Text fw={700} inherit data-testid="rfm-cell-count">
                          {formatCount(cell.customers, lang)}
                        </Text>
                        {cell.customers > 0 && (
                          <Text size="xs" inherit opacity={0.85}>
                            {revenue}
                          </Text>
                        )}
                      </Table.Td>
                    </Tooltip>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Box>
    </Paper>
  );
}

function Segments({ report }: { report: RfmReport }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const total = report.segments.reduce((a, s) => a + s.customers, 0);
  return (
    <Paper withBorder>
      <Title order={4} p="md" pb={0}>
        {t('analytics.rfm.segmentsTitle')}
      </Title>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="sm" highlightOnHover data-testid="rfm-segments">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('analytics.rfm.columns.segment')}</Table.Th>
              <Table.Th ta="right">{t('analytics.rfm.columns.customers')}</Table.Th>
              <Table.Th ta="right">{t('analytics.rfm.columns.share')}</Table.Th>
              <Table.Th ta="right">{t('analytics.rfm.columns.revenue')}</Table.Th>
              <Table.Th ta="right">{t('analytics.rfm.columns.recency')}</Table.Th>
              <Table.Th ta="right">{t('analytics.rfm.columns.frequency')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.segments.map((s) => (
              <Table.Tr key={s.segment} data-testid="rfm-segment-row" data-segment={s.segment}>
                <Table.Td>
                  <SegmentBadge segment={s.segment} />
                </Table.Td>
                <Table.Td ta="right" data-testid="rfm-segment-customers">
                  {formatCount(s.customers, lang)}
                </Table.Td>
                <Table.Td ta="right">{formatPercent(total ? s.customers / total : null, lang)}</Table.Td>
                <Table.Td ta="right">{moneyOrDash(s.revenue, report.currency, lang)}</Table.Td>
                <Table.Td ta="right">{s.meanRecencyDays === null ? '—' : t('analytics.days', { formatted: formatDecimal(s.meanRecencyDays, lang, 0) })}</Table.Td>
                <Table.Td ta="right">{formatDecimal(s.meanFrequency, lang, 1)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

export function RfmPage() {
  const rfm = useRfm();
  if (rfm.isPending) return <PageLoader />;
  if (rfm.isError) return <QueryError error={rfm.error} onRetry={() => void rfm.refetch()} />;
  const report = rfm.data;
  if (!report.computedAt && report.cells.length === 0) return <NotComputed />;
  return (
    <Stack gap="lg">
      <Group justify="flex-end">
        <ComputedAt at={report.computedAt} />
      </Group>
      <HeatMap report={report} />
      <Segments report={report} />
    </Stack>
  );
}
