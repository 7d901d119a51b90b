// The report's figures per group: a column per variant and the holdout, a row per figure, the
// recipients not sent to with their reasons in words, money in the workspace's currency.
import { Card, List, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatCount, formatPercent, moneyOrDash } from '../analytics/format.ts';
import type { CampaignReport, GroupFigures } from './api.ts';
import { groupLabel, groupTemplateName, HOLDOUT, suppressionReason } from './format.ts';

type Row = { key: string; label: string; cell: (g: GroupFigures) => ReactNode; hideFor?: (g: GroupFigures) => boolean };

export function GroupsTable({ report, winnerKey }: { report: CampaignReport; winnerKey: string | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const count = (v: number) => formatCount(v, lang);
  const money = (v: number | null) => moneyOrDash(v, report.currency, lang);
  // The holdout is never sent to: its delivery figures are not zeros to compare, they do not apply.
  const unsent = (g: GroupFigures) => g.key === HOLDOUT;
  const rows: Row[] = [
    { key: 'share', label: t('campaigns.report.share'), cell: (g) => formatPercent(g.share / 100, lang, 0) },
    { key: 'targeted', label: t('campaigns.report.targeted'), cell: (g) => count(g.targeted) },
    ...(report.groups.some((g) => g.waiting > 0) ? [{ key: 'waiting', label: t('campaigns.report.waiting'), cell: (g: GroupFigures) => count(g.waiting), hideFor: unsent }] : []),
    { key: 'suppressed', label: t('campaigns.report.suppressed'), cell: (g) => <Suppressed group={g} />, hideFor: unsent },
    { key: 'sent', label: t('campaigns.report.sent'), cell: (g) => count(g.sent), hideFor: unsent },
    { key: 'delivered', label: t('campaigns.report.delivered'), cell: (g) => count(g.delivered), hideFor: unsent },
    { key: 'opened', label: t('campaigns.report.opened'), cell: (g) => count(g.opened), hideFor: unsent },
    { key: 'clicked', label: t('campaigns.report.clicked'), cell: (g) => count(g.clicked), hideFor: unsent },
    { key: 'unsubscribed', label: t('campaigns.report.unsubscribed'), cell: (g) => count(g.unsubscribed), hideFor: unsent },
    { key: 'bounced', label: t('campaigns.report.bouncedOrFailed'), cell: (g) => count(g.bounced + g.failed), hideFor: unsent },
    { key: 'converted', label: t('campaigns.report.converted'), cell: (g) => count(g.converted) },
    { key: 'conversionRate', label: t('campaigns.report.conversionRate'), cell: (g) => formatPercent(g.conversionRate, lang) },
    { key: 'revenue', label: t('campaigns.report.revenue'), cell: (g) => money(g.revenue) },
    { key: 'revenuePerRecipient', label: t('campaigns.report.revenuePerRecipient'), cell: (g) => money(g.revenuePerRecipient) },
    { key: 'cost', label: t('campaigns.report.cost'), cell: (g) => money(g.cost), hideFor: unsent },
  ];
  return (
    <Card withBorder padding="md">
      <Text fw={600} mb="xs">
        {t('campaigns.report.groups')}
      </Text>
      <Text size="xs" c="dimmed" mb="sm">
        {t('campaigns.report.groupsHelp')}
      </Text>
      <Table.ScrollContainer minWidth={560}>
        <Table verticalSpacing="xs" withColumnBorders data-testid="groups-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              {report.groups.map((g) => (
                <Table.Th key={g.key} ta="right" data-testid={`group-${g.key}`}>
                  {groupLabel(t, g.key, winnerKey)}
                  <TemplateName name={groupTemplateName(report.groups, g.key, winnerKey)} />
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.key}>
                <Table.Th scope="row" fw={500}>
                  {row.label}
                </Table.Th>
                {report.groups.map((g) => (
                  <Table.Td key={g.key} ta="right" data-testid={`cell-${row.key}-${g.key}`}>
                    {row.hideFor?.(g) ? <Text span c="dimmed">—</Text> : row.cell(g)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

function TemplateName({ name }: { name: string | null }) {
  if (!name) return null;
  return (
    <Text size="xs" c="dimmed" fw={400} lineClamp={1}>
      {name}
    </Text>
  );
}

function Suppressed({ group }: { group: GroupFigures }) {
  const { t, i18n } = useTranslation();
  const reasons = Object.entries(group.suppressedBy).sort((a, b) => b[1] - a[1]);
  return (
    <>
      {formatCount(group.suppressed, i18n.language)}
      {reasons.length > 0 && (
        <List size="xs" c="dimmed" listStyleType="none" ta="right">
          {reasons.map(([reason, n]) => (
            <List.Item key={reason} data-testid={`suppressed-${group.key}-${reason}`}>
              {t('campaigns.report.reasonCount', { reason: suppressionReason(t, reason, i18n.language), count: formatCount(n, i18n.language) })}
            </List.Item>
          ))}
        </List>
      )}
    </>
  );
}
