// A duration as an amount and a unit (minutes, hours, days).
import { Group, NumberInput, Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Duration } from './api.ts';
import { durationParts, toDuration, type DurationUnit } from './words.ts';

const UNITS: readonly DurationUnit[] = ['minutes', 'hours', 'days'];
const MAX: Record<DurationUnit, number> = { minutes: 100_000, hours: 10_000, days: 3650 };

export function DurationInput({ label, description, value, onChange, error, testId }: { label: string; description?: string; value: Duration | undefined; onChange: (d: Duration) => void; error?: string; testId: string }) {
  const { t } = useTranslation();
  const { amount, unit } = durationParts(value);
  return (
    <Group gap="xs" align="flex-start" wrap="nowrap">
      <NumberInput
        label={label}
        description={description}
        value={amount}
        min={0}
        max={MAX[unit]}
        allowDecimal={false}
        onChange={(v) => onChange(toDuration(typeof v === 'number' ? v : Number.parseInt(v, 10) || 0, unit))}
        error={error}
        style={{ flex: 1 }}
        data-testid={testId}
      />
      <Select
        label={t('journeys.delay.unit')}
        description={description ? ' ' : undefined}
        w={110}
        data={UNITS.map((u) => ({ value: u, label: t(`journeys.units.${u}`) }))}
        value={unit}
        allowDeselect={false}
        onChange={(u) => u && onChange(toDuration(amount, u as DurationUnit))}
        data-testid={`${testId}-unit`}
      />
    </Group>
  );
}
