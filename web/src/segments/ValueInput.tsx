// The value of a comparison, with the input its field kind and operator need.
import { Group, NumberInput, Select, TagsInput, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { AttributeOp, FieldKind } from './tree.ts';
import { valueInput } from './tree.ts';

type Props = { kind: FieldKind | 'property'; op: AttributeOp; value: unknown; onChange: (v: unknown) => void; options?: string[]; error?: boolean; testId: string };

const num = (v: string | number) => (typeof v === 'number' ? v : v === '' ? 0 : Number(v));

export function ValueInput({ kind, op, value, onChange, options, error, testId }: Props) {
  const { t } = useTranslation();
  const input = valueInput(kind, op);
  const label = t('segments.builder.value');
  const common = { 'aria-label': label, error, size: 'xs' as const, 'data-testid': testId };
  const pair = Array.isArray(value) ? value : ['', ''];
  switch (input) {
    case 'none':
      return null;
    case 'number':
      return <NumberInput {...common} w={120} value={typeof value === 'number' ? value : ''} onChange={(v) => onChange(num(v))} />;
    case 'days':
      return (
        <NumberInput {...common} w={140} min={0} allowDecimal={false} rightSection={t('segments.builder.daysUnit')} rightSectionWidth={44} value={typeof value === 'number' ? value : ''} onChange={(v) => onChange(num(v))} />
      );
    case 'boolean':
      return (
        <Select
          {...common}
          w={110}
          data={[
            { value: 'true', label: t('common.yes') },
            { value: 'false', label: t('common.no') },
          ]}
          value={String(value === true)}
          onChange={(v) => onChange(v === 'true')}
          allowDeselect={false}
        />
      );
    case 'date':
      return <TextInput {...common} type="date" w={160} value={typeof value === 'string' ? value.slice(0, 10) : ''} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'list':
      return (
        <TagsInput
          {...common}
          miw={220}
          placeholder={t('segments.builder.listPlaceholder')}
          data={options ?? []}
          value={(Array.isArray(value) ? value : []).map(String)}
          onChange={(vs) => onChange(kind === 'number' ? vs.map(Number).filter((n) => Number.isFinite(n)) : vs)}
        />
      );
    case 'range-number':
      return (
        <Group gap={4} wrap="nowrap">
          <NumberInput {...common} data-testid={`${testId}-from`} w={100} value={typeof pair[0] === 'number' ? pair[0] : ''} onChange={(v) => onChange([num(v), pair[1]])} />
          <NumberInput {...common} data-testid={`${testId}-to`} w={100} value={typeof pair[1] === 'number' ? pair[1] : ''} onChange={(v) => onChange([pair[0], num(v)])} />
        </Group>
      );
    case 'range-date':
    case 'range-text': {
      const type = input === 'range-date' ? 'date' : 'text';
      return (
        <Group gap={4} wrap="nowrap">
          <TextInput {...common} data-testid={`${testId}-from`} type={type} w={150} value={String(pair[0] ?? '')} onChange={(e) => onChange([e.currentTarget.value, pair[1]])} />
          <TextInput {...common} data-testid={`${testId}-to`} type={type} w={150} value={String(pair[1] ?? '')} onChange={(e) => onChange([pair[0], e.currentTarget.value])} />
        </Group>
      );
    }
    default:
      if (options && options.length > 0) {
        return <Select {...common} w={180} searchable data={options} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v ?? '')} />;
      }
      return <TextInput {...common} w={180} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}
