// An event condition: which event, performed or not, how many times, in which window, and filters
// on its properties.
import { ActionIcon, Autocomplete, Button, Group, NumberInput, Select, Stack, Text } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { COUNT_OPS, type EventLeaf } from '../../../src/segments/definition.ts';
import { useBuilder } from './builder-context.tsx';
import { ComparisonEditor, type Comparison } from './ComparisonEditor.tsx';
import { WindowInput } from './WindowInput.tsx';

type Props = { leaf: EventLeaf; onChange: (leaf: EventLeaf) => void; bad: (field: string) => boolean; testId: string };

export function EventCondition({ leaf, onChange, bad, testId }: Props) {
  const { t } = useTranslation();
  const { choices } = useBuilder();
  const performed = leaf.performed !== false;
  const set = (patch: Partial<EventLeaf>) => {
    const next: Record<string, unknown> = { ...leaf, ...patch };
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    onChange(next as EventLeaf);
  };
  const where = leaf.where ?? [];
  const setWhere = (list: Comparison[]) => set({ where: list.length ? (list as EventLeaf['where']) : undefined });
  return (
    <Stack gap={6}>
      <Group gap="xs" wrap="wrap" align="flex-start">
        <Autocomplete
          size="xs"
          w={180}
          aria-label={t('segments.builder.eventName')}
          placeholder={t('segments.builder.anyEvent')}
          data={choices.eventNames}
          value={leaf.name ?? ''}
          onChange={(name) => set({ name: name || undefined })}
          error={bad('name')}
          data-testid={`${testId}-name`}
        />
        <Select
          size="xs"
          w={150}
          aria-label={t('segments.builder.performed')}
          data={[
            { value: 'yes', label: t('segments.builder.performedYes') },
            { value: 'no', label: t('segments.builder.performedNo') },
          ]}
          value={performed ? 'yes' : 'no'}
          onChange={(v) => set(v === 'no' ? { performed: false, count: undefined } : { performed: undefined, count: leaf.count ?? { op: 'gte', value: 1 } })}
          allowDeselect={false}
          data-testid={`${testId}-performed`}
        />
        {performed && (
          <Group gap={4} wrap="nowrap">
            <Select
              size="xs"
              w={110}
              aria-label={t('segments.builder.countOp')}
              data={COUNT_OPS.map((o) => ({ value: o, label: t(`segments.countOps.${o}`) }))}
              value={leaf.count?.op ?? 'gte'}
              onChange={(o) => set({ count: { op: (o ?? 'gte') as 'gte', value: leaf.count?.value ?? 1 } })}
              allowDeselect={false}
              error={bad('count.op') || bad('count')}
              data-testid={`${testId}-count-op`}
            />
            <NumberInput
              size="xs"
              w={80}
              min={0}
              allowDecimal={false}
              aria-label={t('segments.builder.countValue')}
              value={leaf.count?.value ?? 1}
              onChange={(v) => set({ count: { op: leaf.count?.op ?? 'gte', value: typeof v === 'number' ? v : Number(v) || 0 } })}
              error={bad('count.value')}
              data-testid={`${testId}-count`}
            />
            <Text size="xs" c="dimmed">
              {t('segments.builder.times')}
            </Text>
          </Group>
        )}
        <WindowInput within={leaf.within} onChange={(w) => set({ within: w as EventLeaf['within'] })} error={bad('within') || bad('within.days') || bad('within.hours') || bad('within.minutes')} testId={`${testId}-window`} />
      </Group>
      {where.map((c, i) => (
        <Group key={i} gap="xs" pl="md" wrap="nowrap" align="flex-start">
          <Text size="xs" c="dimmed" pt={6}>
            {t('segments.builder.whereProperty')}
          </Text>
          <ComparisonEditor
            mode="property"
            value={c as Comparison}
            onChange={(next) => setWhere(where.map((w, j) => (j === i ? next : w)) as Comparison[])}
            errors={{ field: bad(`where[${i}].field`), op: bad(`where[${i}].op`), value: bad(`where[${i}].value`) }}
            testId={`${testId}-where-${i}`}
          />
          <ActionIcon variant="subtle" color="gray" size="sm" mt={4} aria-label={t('segments.builder.removeFilter')} onClick={() => setWhere(where.filter((_, j) => j !== i) as Comparison[])}>
            <IconX size={14} />
          </ActionIcon>
        </Group>
      ))}
      <Group pl="md">
        <Button size="compact-xs" variant="subtle" leftSection={<IconPlus size={12} />} onClick={() => setWhere([...(where as Comparison[]), { field: '', op: 'eq', value: '' }])} data-testid={`${testId}-add-where`}>
          {t('segments.builder.addPropertyFilter')}
        </Button>
      </Group>
    </Stack>
  );
}
