// Association rules from the basket analysis ("who bought A and B also bought C"), by lift, with
// their support, confidence and lift; filtered by level, thresholds and one item.
import { Anchor, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan } from '../auth/session.ts';
import { ListCampaignButton } from '../campaigns/ListCampaignButton.tsx';
import { shortName } from '../campaigns/list-campaign.ts';
import { RULES_PAGE_SIZE, useBasketRules, type BasketRule, type BasketRulesReport } from './api.ts';
import { BasketFilters, type BasketFilterState, type BasketItem } from './BasketFilters.tsx';
import { formatCount, formatDecimal, formatPercent } from './format.ts';
import { ListPager } from './ListPager.tsx';
import { ComputedAt, NotComputed } from './NotComputed.tsx';

function ItemLink({ item, onPick }: { item: BasketItem; onPick: (item: BasketItem) => void }) {
  return (
    <Anchor component="button" type="button" size="sm" onClick={() => onPick(item)} data-testid="basket-rule-item">
      {item.name}
    </Anchor>
  );
}

/** "Send a campaign" to who bought the rule's left side but never its right side. */
function RuleCampaign({ rule, level }: { rule: BasketRule; level: BasketRulesReport['level'] }) {
  const { t } = useTranslation();
  const names = { bought: shortName(rule.antecedent.map((a) => a.name).join(' + ')), not: shortName(rule.consequent.name) };
  return (
    <ListCampaignButton
      compact
      list={{ kind: 'basket-rule', level, antecedent: rule.antecedent.map((a) => a.id), consequent: rule.consequent.id }}
      name={t('campaigns.fromList.basket', names)}
      hint={t('campaigns.fromList.basketAction', names)}
      testId="basket-rule-campaign"
    />
  );
}

function Summary({ report }: { report: BasketRulesReport }) {
  const { t, i18n } = useTranslation();
  const level = report.summary?.[report.level] as { baskets?: number; itemsets?: number } | undefined;
  return (
    <Text size="sm" c="dimmed" data-testid="basket-summary">
      {t('analytics.basket.summary', { rules: formatCount(report.total, i18n.language), baskets: formatCount(level?.baskets ?? 0, i18n.language), itemsets: formatCount(level?.itemsets ?? 0, i18n.language) })}
    </Text>
  );
}

export function BasketRulesPage() {
  const { t, i18n } = useTranslation();
  const canSend = useCan()('messaging.write');
  const [filter, setFilter] = useState<BasketFilterState>({ level: 'product', minLift: '', minConfidencePct: '', item: null });
  const [offset, setOffset] = useState(0);
  const [minLift] = useDebouncedValue(filter.minLift, 300);
  const [minConfidencePct] = useDebouncedValue(filter.minConfidencePct, 300);
  const rules = useBasketRules({
    level: filter.level,
    minLift: minLift === '' ? undefined : minLift,
    minConfidence: minConfidencePct === '' ? undefined : Math.min(1, minConfidencePct / 100),
    item: filter.item?.id,
    offset,
  });
  const change = (f: BasketFilterState) => {
    setFilter(f);
    setOffset(0);
  };
  const pick = (item: BasketItem) => change({ ...filter, item });
  const lang = i18n.language;

  if (rules.isPending) return <PageLoader />;
  if (rules.isError) return <QueryError error={rules.error} onRetry={() => void rules.refetch()} />;
  const report = rules.data;
  if (!report.computedAt) return <NotComputed />;
  return (
    <Stack gap={0}>
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Summary report={report} />
        <ComputedAt at={report.computedAt} />
      </Group>
      <BasketFilters value={filter} onChange={change} />
      <Paper withBorder>
        {report.rules.length === 0 ? (
          <Text size="sm" c="dimmed" p="md" data-testid="basket-empty">
            {t('analytics.basket.empty')}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="basket-rules" data-level={report.level}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th ta="right">#</Table.Th>
                  <Table.Th>{t('analytics.basket.columns.if')}</Table.Th>
                  <Table.Th>{t('analytics.basket.columns.then')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.basket.columns.count')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.basket.columns.support')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.basket.columns.confidence')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.basket.columns.lift')}</Table.Th>
                  {canSend && <Table.Th>{t('campaigns.fromList.column')}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.rules.map((r) => (
                  <Table.Tr key={r.rank} data-testid="basket-rule">
                    <Table.Td ta="right" c="dimmed">
                      {r.rank}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={6}>
                        {r.antecedent.map((a, i) => (
                          <Group key={a.id} gap={6}>
                            {i > 0 && <Text size="sm">+</Text>}
                            <ItemLink item={a} onPick={pick} />
                          </Group>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td data-testid="basket-rule-then">
                      <ItemLink item={r.consequent} onPick={pick} />
                    </Table.Td>
                    <Table.Td ta="right">{formatCount(r.count, lang)}</Table.Td>
                    <Table.Td ta="right">{formatPercent(r.support, lang, 2)}</Table.Td>
                    <Table.Td ta="right">{formatPercent(r.confidence, lang)}</Table.Td>
                    <Table.Td ta="right" fw={600} data-testid="basket-rule-lift">
                      {formatDecimal(r.lift, lang, 2)}
                    </Table.Td>
                    {canSend && (
                      <Table.Td>
                        <RuleCampaign rule={r} level={report.level} />
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <ListPager total={report.total} offset={offset} pageSize={RULES_PAGE_SIZE} onOffset={setOffset} testId="basket-pager" />
      </Paper>
    </Stack>
  );
}
