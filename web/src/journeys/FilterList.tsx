// Conditions on an event's properties ("total at least 50000"): property, comparison, value.
import { ActionIcon, Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { PropertyFilter } from './api.ts';
import { parseValue, valueText } from './values.ts';

const OPS: readonly PropertyFilter['op'][] = ['eq', 'neq', 'gte', 'gt', 'lte', 'lt', 'contains', 'exists'];
const MAX_FILTERS = 20;

export function FilterList({ value, onChange, error, testId }: { value: readonly PropertyFilter[] | undefined; onChange: (filters: PropertyFilter[]) => void; error?: string; testId: string }) {
  const { t } = useTranslation();
  const filters = value ?? [];
  const set = (i: number, patch: Partial<PropertyFilter>) =>
    onChange(
      filters.map((f, j) => {
        if (j !== i) return f;
        const next = { ...f, ...patch };
        if (next.op === 'exists') delete next.value;
        return next;
      }),
    );
  return (
    <Stack gap={6} data-testid={testId}>
      {filters.length > 0 && (
        <Text size="sm" fw={500}>
          {t('journeys.filters.title')}
        </Text>
      )}
      {filters.map((f, i) => (
        <Group key={i} gap={4} wrap="nowrap" align="flex-start">
          <TextInput size="xs" placeholder={t('journeys.filters.property')} aria-label={t('journeys.filters.property')} value={f.property} onChange={(e) => set(i, { property: e.currentTarget.value })} style={{ flex: 1 }} />
          <Select
            size="xs"
            w={100}
            aria-label={t('journeys.filters.op')}
            data={OPS.map((op) => ({ value: op, label: t(`journeys.filters.ops.${op}`) }))}
            value={f.op}
            allowDeselect={false}
            onChange={(op) => op && set(i, { op: op as PropertyFilter['op'] })}
          />
          {f.op !== 'exists' && (
            <TextInput size="xs" placeholder={t('journeys.filters.value')} aria-label={t('journeys.filters.value')} value={valueText(f.value)} onChange={(e) => set(i, { value: parseValue(e.currentTarget.value) })} style={{ flex: 1 }} />
          )}
          <ActionIcon variant="subtle" color="gray" onClick={() => onChange(filters.filter((_, j) => j !== i))} aria-label={t('journeys.filters.remove')}>
            <IconX size={14} />
          </ActionIcon>
        </Group>
      ))}
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
      <Button
        variant="subtle"
        size="compact-xs"
        leftSection={<IconPlus size={12} />}
        disabled={filters.length >= MAX_FILTERS}
        onClick={() => onChange([...filters, { property: '', op: 'eq', value: '' }])}
        style={{ alignSelf: 'flex-start' }}
      >
        {t('journeys.filters.add')}
      </Button>
    </Stack>
  );
}
