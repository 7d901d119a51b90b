// "Within the last N minutes/hours/days" of an event or orders condition, or any time.
import { Group, NumberInput, Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { windowParts, type WindowUnit } from './tree.ts';

export function WindowInput({ within, onChange, error, testId }: { within: unknown; onChange: (w: Record<string, number> | undefined) => void; error: boolean; testId: string }) {
  const { t } = useTranslation();
  const parts = windowParts(within);
  const unit: WindowUnit | 'ever' = parts?.unit ?? 'ever';
  return (
    <Group gap={4} wrap="nowrap">
      <Select
        size="xs"
        w={150}
        aria-label={t('segments.builder.window')}
        data={(['ever', 'minutes', 'hours', 'days'] as const).map((u) => ({ value: u, label: t(`segments.window.${u}`) }))}
        value={unit}
        onChange={(u) => onChange(!u || u === 'ever' ? undefined : { [u]: parts?.amount ?? 30 })}
        allowDeselect={false}
        data-testid={`${testId}-unit`}
      />
      {parts && (
        <NumberInput
          size="xs"
          w={90}
          min={1}
          allowDecimal={false}
          aria-label={t('segments.builder.windowAmount')}
          value={parts.amount}
          onChange={(v) => onChange({ [parts.unit]: typeof v === 'number' ? v : Number(v) || 0 })}
          error={error}
          data-testid={`${testId}-amount`}
        />
      )}
    </Group>
  );
}
