// Field, operator and value of an attribute, metric or event-property comparison.
import { Autocomplete, Group, Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { METRIC_FIELDS, PROFILE_FIELDS, ATTRIBUTE_PREFIX } from '../../../src/segments/definition.ts';
import { useBuilder } from './builder-context.tsx';
import { attributeKind, metricKind, opsFor, valueForOp, type AttributeOp } from './tree.ts';
import { ValueInput } from './ValueInput.tsx';

export type Comparison = { field: string; op: AttributeOp; value?: unknown };
type Mode = 'attribute' | 'metric' | 'property';

export function ComparisonEditor({ mode, value, onChange, errors, testId }: { mode: Mode; value: Comparison; onChange: (c: Comparison) => void; errors: Record<string, boolean>; testId: string }) {
  const { t } = useTranslation();
  const { choices, readOnly } = useBuilder();
  const types = Object.fromEntries(choices.attributes.map((a) => [a.key, a.type]));
  const kind = mode === 'property' ? 'property' : mode === 'metric' ? metricKind(value.field) : attributeKind(value.field, types);
  const ops = opsFor(kind);
  const options =
    mode === 'metric' && value.field === 'grade'
      ? choices.grades
      : mode === 'metric' && value.field === 'rfm_segment'
        ? choices.rfmSegments
        : mode === 'attribute' && value.field.startsWith(ATTRIBUTE_PREFIX)
          ? (choices.attributes.find((a) => `${ATTRIBUTE_PREFIX}${a.key}` === value.field)?.options ?? undefined)
          : undefined;

  const set = (next: Partial<Comparison>) => {
    const merged = { ...value, ...next };
    const nextKind = mode === 'property' ? 'property' : mode === 'metric' ? metricKind(merged.field) : attributeKind(merged.field, types);
    const nextOps = opsFor(nextKind);
    const op = nextOps.includes(merged.op) ? merged.op : nextOps[0]!;
    const v = valueForOp(nextKind, op, merged.value);
    const out: Comparison = { field: merged.field, op };
    if (v !== undefined) out.value = v;
    onChange(out);
  };

  const fieldData =
    mode === 'metric'
      ? Object.keys(METRIC_FIELDS).map((f) => ({ value: f, label: t(`segments.metrics.${f}` as 'segments.metrics.grade') }))
      : [
          { group: t('segments.builder.profileFields'), items: Object.keys(PROFILE_FIELDS).map((f) => ({ value: f, label: t(`segments.profileFields.${f}` as 'segments.profileFields.email') })) },
          ...(choices.attributes.length ? [{ group: t('segments.builder.customAttributes'), items: choices.attributes.map((a) => ({ value: `${ATTRIBUTE_PREFIX}${a.key}`, label: a.label })) }] : []),
        ];

  return (
    <Group gap="xs" align="flex-start" wrap="wrap">
      {mode === 'property' ? (
        <Autocomplete size="xs" w={160} aria-label={t('segments.builder.property')} placeholder={t('segments.builder.property')} value={value.field} onChange={(f) => set({ field: f })} error={errors.field} disabled={readOnly} data-testid={`${testId}-field`} />
      ) : (
        <Select size="xs" w={200} searchable aria-label={t('segments.builder.field')} data={fieldData} value={value.field} onChange={(f) => f && set({ field: f })} allowDeselect={false} error={errors.field} disabled={readOnly} data-testid={`${testId}-field`} />
      )}
      <Select
        size="xs"
        w={170}
        aria-label={t('segments.builder.operator')}
        data={ops.map((o) => ({ value: o, label: t(`segments.ops.${o}`) }))}
        value={value.op}
        onChange={(o) => o && set({ op: o as AttributeOp })}
        allowDeselect={false}
        error={errors.op}
        disabled={readOnly}
        data-testid={`${testId}-op`}
      />
      <ValueInput kind={kind} op={value.op} value={value.value} onChange={(v) => set({ value: v })} options={options} error={errors.value} testId={`${testId}-value`} />
    </Group>
  );
}
