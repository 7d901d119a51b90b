// The inputs of the smaller condition types: orders, consent, tag, preference, another segment,
// a random sample.
import { Autocomplete, Group, NumberInput, Select, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { CHANNELS, PURPOSES } from '../../../src/customers/vocabulary.ts';
import { AMOUNT_OPS, COUNT_OPS, PREFERENCE_SOURCES, type ConsentLeaf, type OrdersLeaf, type PreferenceLeaf, type RandomLeaf, type SegmentLeaf, type TagLeaf } from '../../../src/segments/definition.ts';
import { useBuilder } from './builder-context.tsx';
import { WindowInput } from './WindowInput.tsx';

type Bad = (field: string) => boolean;
const n = (v: string | number) => (typeof v === 'number' ? v : Number(v) || 0);
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function OrdersCondition({ leaf, onChange, bad, testId }: { leaf: OrdersLeaf; onChange: (l: OrdersLeaf) => void; bad: Bad; testId: string }) {
  const { t } = useTranslation();
  const { choices } = useBuilder();
  const set = (patch: Partial<OrdersLeaf>) => onChange(clean({ ...leaf, ...patch }));
  const measure: 'count' | 'total' | 'average' = leaf.total ? 'total' : leaf.average ? 'average' : 'count';
  const cond = leaf[measure] ?? { op: 'gte' as const, value: 1 };
  const ops = measure === 'count' ? COUNT_OPS : AMOUNT_OPS;
  return (
    <Group gap="xs" wrap="wrap" align="flex-start">
      <Select
        size="xs"
        w={150}
        aria-label={t('segments.builder.ordersMeasure')}
        data={(['count', 'total', 'average'] as const).map((m) => ({ value: m, label: t(`segments.orders.${m}`) }))}
        value={measure}
        onChange={(m) => m && set({ count: undefined, total: undefined, average: undefined, [m]: { op: 'gte', value: m === 'count' ? 1 : 0 } })}
        allowDeselect={false}
        data-testid={`${testId}-measure`}
      />
      <Select size="xs" w={110} aria-label={t('segments.builder.countOp')} data={ops.map((o) => ({ value: o, label: t(`segments.countOps.${o}`) }))} value={cond.op} onChange={(o) => o && set({ [measure]: { op: o, value: cond.value } })} allowDeselect={false} error={bad(`${measure}.op`)} />
      <NumberInput size="xs" w={110} aria-label={t('segments.builder.countValue')} value={cond.value} onChange={(v) => set({ [measure]: { op: cond.op, value: n(v) } })} error={bad(`${measure}.value`)} data-testid={`${testId}-value`} />
      <Autocomplete size="xs" w={180} aria-label={t('segments.builder.category')} placeholder={t('segments.builder.anyCategory')} data={choices.categories} value={leaf.category ?? ''} onChange={(c) => set({ category: c || undefined })} error={bad('category')} />
      <TextInput size="xs" w={110} aria-label={t('segments.builder.sku')} placeholder={t('segments.builder.sku')} value={leaf.sku ?? ''} onChange={(e) => set({ sku: e.currentTarget.value || undefined })} error={bad('sku')} />
      <WindowInput within={leaf.within} onChange={(w) => set({ within: w as OrdersLeaf['within'] })} error={bad('within')} testId={`${testId}-window`} />
    </Group>
  );
}

export function ConsentCondition({ leaf, onChange }: { leaf: ConsentLeaf; onChange: (l: ConsentLeaf) => void }) {
  const { t } = useTranslation();
  return (
    <Group gap="xs">
      <Select size="xs" w={140} aria-label={t('segments.builder.channel')} data={CHANNELS.map((c) => ({ value: c, label: t(`channels.${c}`) }))} value={leaf.channel} onChange={(c) => c && onChange({ ...leaf, channel: c })} allowDeselect={false} />
      <Select
        size="xs"
        w={170}
        aria-label={t('segments.builder.purpose')}
        data={PURPOSES.map((p) => ({ value: p, label: t(`consentPurposes.${p}`) }))}
        value={leaf.purpose ?? 'marketing'}
        onChange={(p) => p && onChange({ ...leaf, purpose: p })}
        allowDeselect={false}
      />
    </Group>
  );
}

export function TagCondition({ leaf, onChange, bad, testId }: { leaf: TagLeaf; onChange: (l: TagLeaf) => void; bad: Bad; testId: string }) {
  const { t } = useTranslation();
  return <TextInput size="xs" w={200} aria-label={t('segments.builder.tag')} placeholder={t('segments.builder.tag')} value={leaf.tag} onChange={(e) => onChange({ ...leaf, tag: e.currentTarget.value })} error={bad('tag')} data-testid={`${testId}-tag`} />;
}

export function PreferenceCondition({ leaf, onChange, bad }: { leaf: PreferenceLeaf; onChange: (l: PreferenceLeaf) => void; bad: Bad }) {
  const { t } = useTranslation();
  const { choices } = useBuilder();
  return (
    <Group gap="xs">
      <Autocomplete size="xs" w={180} aria-label={t('segments.builder.category')} placeholder={t('segments.builder.category')} data={choices.categories} value={leaf.category} onChange={(c) => onChange({ ...leaf, category: c })} error={bad('category')} />
      <Select
        size="xs"
        w={140}
        aria-label={t('segments.builder.source')}
        data={PREFERENCE_SOURCES.map((s) => ({ value: s, label: t(`segments.prefSources.${s}`) }))}
        value={leaf.source ?? 'any'}
        onChange={(s) => onChange(clean({ ...leaf, source: (s ?? 'any') as PreferenceLeaf['source'] }))}
        allowDeselect={false}
      />
      <NumberInput size="xs" w={120} min={0} max={1} step={0.1} decimalScale={2} aria-label={t('segments.builder.minWeight')} placeholder={t('segments.builder.minWeight')} value={leaf.min ?? ''} onChange={(v) => onChange(clean({ ...leaf, min: v === '' ? undefined : n(v) }))} error={bad('min')} />
    </Group>
  );
}

export function SegmentRefCondition({ leaf, onChange, bad, testId }: { leaf: SegmentLeaf; onChange: (l: SegmentLeaf) => void; bad: Bad; testId: string }) {
  const { t } = useTranslation();
  const { choices, selfId } = useBuilder();
  return (
    <Select
      size="xs"
      w={240}
      searchable
      aria-label={t('segments.builder.segment')}
      placeholder={t('segments.builder.pickSegment')}
      data={choices.segments.filter((s) => s.id !== selfId).map((s) => ({ value: s.id, label: s.name }))}
      value={leaf.id || null}
      onChange={(id) => onChange({ ...leaf, id: id ?? '' })}
      error={bad('id')}
      data-testid={`${testId}-segment`}
    />
  );
}

export function RandomCondition({ leaf, onChange, bad }: { leaf: RandomLeaf; onChange: (l: RandomLeaf) => void; bad: Bad }) {
  const { t } = useTranslation();
  return (
    <Group gap={6}>
      <Text size="xs">{t('segments.builder.bucketsFrom')}</Text>
      <NumberInput size="xs" w={80} min={0} allowDecimal={false} aria-label={t('segments.builder.from')} value={leaf.from} onChange={(v) => onChange({ ...leaf, from: n(v) })} error={bad('from')} />
      <Text size="xs">{t('segments.builder.bucketsTo')}</Text>
      <NumberInput size="xs" w={80} min={0} allowDecimal={false} aria-label={t('segments.builder.to')} value={leaf.to} onChange={(v) => onChange({ ...leaf, to: n(v) })} error={bad('to')} />
      <Text size="xs">{t('segments.builder.bucketsOf')}</Text>
      <NumberInput size="xs" w={90} min={1} allowDecimal={false} aria-label={t('segments.builder.buckets')} value={leaf.buckets} onChange={(v) => onChange({ ...leaf, buckets: n(v) })} error={bad('buckets')} />
    </Group>
  );
}
