// Filters of the basket rules: product or category rules, minimum lift and confidence, and one
// item the rules must hold (a product picked by name or SKU, or a category path).
import { CloseButton, Group, NumberInput, SegmentedControl, Select, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useProducts } from '../commerce/api.ts';
import type { BasketLevel } from './api.ts';

export type BasketItem = { id: string; name: string };
export type BasketFilterState = { level: BasketLevel; minLift: number | ''; minConfidencePct: number | ''; item: BasketItem | null };

function ProductPicker({ item, onItem }: { item: BasketItem | null; onItem: (item: BasketItem | null) => void }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const products = useProducts(q);
  const options = (products.data?.pages.flatMap((p) => p.items) ?? []).map((p) => ({ value: p.id, label: `${p.name} · ${p.sku}` }));
  if (item && !options.some((o) => o.value === item.id)) options.unshift({ value: item.id, label: item.name });
  return (
    <Select
      w={280}
      label={t('analytics.basket.item')}
      placeholder={t('analytics.basket.productPlaceholder')}
      searchable
      clearable
      data={options}
      value={item?.id ?? null}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(id, option) => onItem(id && option ? { id, name: option.label.split(' · ')[0] ?? option.label } : null)}
      nothingFoundMessage={t('analytics.basket.noProducts')}
      data-testid="basket-item"
    />
  );
}

function CategoryInput({ item, onItem }: { item: BasketItem | null; onItem: (item: BasketItem | null) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(item?.id ?? '');
  const [debounced] = useDebouncedValue(text.trim(), 400);
  useEffect(() => setText(item?.id ?? ''), [item?.id]);
  useEffect(() => {
    if (debounced !== (item?.id ?? '')) onItem(debounced ? { id: debounced, name: debounced } : null);
    // Only the typed text drives this; `item` follows it.
  }, [debounced]);
  return (
    <TextInput
      w={280}
      label={t('analytics.basket.item')}
      placeholder={t('analytics.basket.categoryPlaceholder')}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      rightSection={text ? <CloseButton size="sm" aria-label={t('analytics.basket.clearItem')} onClick={() => setText('')} /> : null}
      data-testid="basket-item"
    />
  );
}

export function BasketFilters({ value, onChange }: { value: BasketFilterState; onChange: (v: BasketFilterState) => void }) {
  const { t } = useTranslation();
  const set = (patch: Partial<BasketFilterState>) => onChange({ ...value, ...patch });
  return (
    <Group align="flex-end" gap="md" mb="md" wrap="wrap">
      <SegmentedControl
        value={value.level}
        onChange={(v) => set({ level: v as BasketLevel, item: null })}
        data={[
          { value: 'product', label: t('analytics.basket.levels.product') },
          { value: 'category', label: t('analytics.basket.levels.category') },
        ]}
        data-testid="basket-level"
      />
      <NumberInput w={140} label={t('analytics.basket.minLift')} min={0} step={0.5} decimalScale={2} value={value.minLift} onChange={(v) => set({ minLift: typeof v === 'number' ? v : '' })} data-testid="basket-min-lift" />
      <NumberInput
        w={170}
        label={t('analytics.basket.minConfidence')}
        min={0}
        max={100}
        step={5}
        suffix="%"
        value={value.minConfidencePct}
        onChange={(v) => set({ minConfidencePct: typeof v === 'number' ? v : '' })}
        data-testid="basket-min-confidence"
      />
      {value.level === 'product' ? <ProductPicker item={value.item} onItem={(item) => set({ item })} /> : <CategoryInput item={value.item} onItem={(item) => set({ item })} />}
    </Group>
  );
}
