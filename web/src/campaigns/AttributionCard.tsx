// Last-touch attribution: orders placed within the goal's window after a click on the campaign's
// message. Labelled for what it is: a click came first, which does not show the campaign caused
// the order (the uplift against the holdout does that).
import { Alert, Card, Table, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { formatCount, moneyOrDash } from '../analytics/format.ts';
import type { CampaignReport } from './api.ts';
import { groupLabel, HOLDOUT } from './format.ts';

export function AttributionCard({ report, winnerKey }: { report: CampaignReport; winnerKey: string | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const sentGroups = report.groups.filter((g) => g.key !== HOLDOUT);
  return (
    <Card withBorder padding="md" data-testid="attribution">
      <Text fw={600} mb="xs">
        {t('campaigns.attribution.title')}
      </Text>
      <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />} mb="sm" data-testid="attribution-caveat">
        {t('campaigns.attribution.caveat')}
      </Alert>
      <Table.ScrollContainer minWidth={420}>
        <Table verticalSpacing="xs" data-testid="attribution-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('campaigns.attribution.group')}</Table.Th>
              <Table.Th ta="right">{t('campaigns.attribution.clicked')}</Table.Th>
              <Table.Th ta="right">{t('campaigns.attribution.orders')}</Table.Th>
              <Table.Th ta="right">{t('campaigns.attribution.revenue')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sentGroups.map((g) => (
              <Table.Tr key={g.key} data-testid={`attribution-${g.key}`}>
                <Table.Td>{groupLabel(t, g.key, winnerKey)}</Table.Td>
                <Table.Td ta="right">{formatCount(g.clicked, lang)}</Table.Td>
                <Table.Td ta="right">{formatCount(g.attributedOrders, lang)}</Table.Td>
                <Table.Td ta="right">{moneyOrDash(g.attributedRevenue, report.currency, lang)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
