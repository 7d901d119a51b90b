// The input for one custom attribute, by its type, labelled with its purpose.
import { Group, MultiSelect, NumberInput, Select, TagsInput, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { AttributeDef, AttributeValue } from './api.ts';
import { PurposeBadge } from './badges.tsx';

type Props = { def: AttributeDef; value: AttributeValue | null | undefined; onChange: (value: AttributeValue | null) => void };

export function AttributeLabel({ def }: { def: AttributeDef }) {
  return (
    <Group gap={6} wrap="nowrap" component="span">
      <Text span size="sm" fw={500}>
        {def.label}
      </Text>
      <PurposeBadge purpose={def.purpose} />
    </Group>
  );
}

export function AttributeInput({ def, value, onChange }: Props) {
  const { t } = useTranslation();
  const common = { label: <AttributeLabel def={def} />, description: def.description ?? undefined, required: def.required, 'data-testid': `attribute-input-${def.key}` };
  switch (def.type) {
    case 'number':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : v === '' ? null : Number(v))}
          thousandSeparator=","
        />
      );
    case 'boolean':
      return (
        <Select
          {...common}
          data={[
            { value: 'true', label: t('common.yes') },
            { value: 'false', label: t('common.no') },
          ]}
          value={typeof value === 'boolean' ? String(value) : null}
          onChange={(v) => onChange(v === null ? null : v === 'true')}
          clearable
        />
      );
    case 'date':
      return <TextInput {...common} type="date" value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value || null)} />;
    case 'enum':
      return <Select {...common} data={def.options ?? []} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v)} clearable />;
    case 'list': {
      const items = Array.isArray(value) ? value : [];
      return def.options?.length ? (
        <MultiSelect {...common} data={def.options} value={items} onChange={(v) => onChange(v)} clearable />
      ) : (
        <TagsInput {...common} value={items} onChange={(v) => onChange(v)} clearable />
      );
    }
    case 'text':
      return <TextInput {...common} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}
