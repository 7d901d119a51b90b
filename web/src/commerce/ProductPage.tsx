// One product: what it is, and how it did over the last 7, 30 or 90 days: views, viewers, cart
// adds, orders, units, revenue, and the share of viewers who bought it.
import { Anchor, Badge, Group, Image, Paper, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconExternalLink } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { formatNumber } from '../customers/format.ts';
import { useProduct, type ProductWithStats } from './api.ts';
import { formatMoney, formatRate, moneyOrDash, STATS_WINDOWS, type StatsWindow } from './format.ts';

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId: string }) {
  return (
    <Paper withBorder p="md" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} mt={4} data-testid={`${testId}-value`}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed" mt={2}>
          {hint}
        </Text>
      )}
    </Paper>
  );
}

function Stats({ product }: { product: ProductWithStats }) {
  const { t, i18n } = useTranslation();
  const s = product.stats;
  const n = (v: number) => formatNumber(v, i18n.language);
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 4 }} spacing="md" data-testid="product-stats">
      <Stat label={t('products.stats.views')} value={n(s.views)} hint={t('products.stats.viewers', { formatted: n(s.uniqueViewers) })} testId="stat-views" />
      <Stat label={t('products.stats.cartAdds')} value={n(s.cartAdds)} testId="stat-cart-adds" />
      <Stat label={t('products.stats.orders')} value={n(s.orders)} hint={t('products.stats.units', { formatted: n(s.unitsSold) })} testId="stat-orders" />
      <Stat label={t('products.stats.revenue')} value={formatMoney(s.revenue, s.currency, i18n.language)} testId="stat-revenue" />
      <Stat
        label={t('products.stats.conversion')}
        value={formatRate(s.viewToPurchaseRate, i18n.language)}
        hint={t('products.stats.conversionHint', { bought: n(s.viewersWhoBought), viewers: n(s.uniqueViewers) })}
        testId="stat-conversion"
      />
    </SimpleGrid>
  );
}

export function ProductPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const [days, setDays] = useState<StatsWindow>(30);
  const product = useProduct(id, days);
  const p = product.data;

  const back = (
    <Anchor component={Link} to="/products" size="sm" mb="sm" display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
      <IconArrowLeft size={14} /> {t('products.back')}
    </Anchor>
  );
  if (product.isPending) return <PageLoader />;
  if (product.isError || !p) {
    return (
      <>
        {back}
        <QueryError error={product.error} onRetry={() => void product.refetch()} />
      </>
    );
  }
  return (
    <>
      {back}
      <PageHeader
        title={p.name}
        description={[p.brand, p.category].filter(Boolean).join(' · ')}
        actions={
          <SegmentedControl
            value={String(days)}
            onChange={(v) => setDays(Number(v) as StatsWindow)}
            data={STATS_WINDOWS.map((d) => ({ value: String(d), label: t('products.lastDays', { count: d }) }))}
            data-testid="product-window"
          />
        }
      />
      <Group align="flex-start" gap="lg" wrap="nowrap" mb="lg">
        {p.imageUrl && <Image src={p.imageUrl} alt={p.name} w={120} h={120} radius="sm" fit="cover" />}
        <Stack gap={4}>
          <Group gap="xs">
            <Badge variant="light" ff="monospace" data-testid="product-sku">
              {p.sku}
            </Badge>
            {p.deletedAt && (
              <Badge color="red" variant="light">
                {t('products.deleted')}
              </Badge>
            )}
          </Group>
          <Title order={3} data-testid="product-price">
            {moneyOrDash(p.price, p.currency, i18n.language)}
          </Title>
          {p.url && (
            <Anchor href={p.url} target="_blank" rel="noopener noreferrer" size="sm">
              {t('products.openInShop')} <IconExternalLink size={12} />
            </Anchor>
          )}
        </Stack>
      </Group>
      <Stats product={p} />
    </>
  );
}
