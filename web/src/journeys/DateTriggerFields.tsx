// The settings of a date trigger: which date (birthday, sign-up anniversary, a custom date
// attribute), how many days ahead, and from what hour of the customer's day.
import { NumberInput, Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useAttributeDefs } from '../customers/api.ts';
import type { JourneyTrigger } from './api.ts';

type DateTrigger = Extract<JourneyTrigger, { type: 'date' }>;

export function DateTriggerFields({ trigger, onChange, errorAt }: { trigger: DateTrigger; onChange: (t: DateTrigger) => void; errorAt: (path: string) => string | undefined }) {
  const { t } = useTranslation();
  const defs = useAttributeDefs();
  const custom = (defs.data ?? []).filter((d) => d.type === 'date').map((d) => ({ value: `attributes.${d.key}`, label: d.label || d.key }));
  const fields = [
    { value: 'birthday', label: t('journeys.settings.dateFields.birthday') },
    { value: 'signed_up', label: t('journeys.settings.dateFields.signed_up') },
    ...custom,
  ];
  return (
    <>
      <Select
        label={t('journeys.settings.dateField')}
        data={fields}
        value={trigger.field}
        allowDeselect={false}
        onChange={(field) => field && onChange({ ...trigger, field })}
        error={errorAt('trigger.field')}
        data-testid="trigger-date-field"
      />
      <NumberInput
        label={t('journeys.settings.daysBefore')}
        min={0}
        max={60}
        allowDecimal={false}
        value={trigger.daysBefore}
        onChange={(v) => onChange({ ...trigger, daysBefore: typeof v === 'number' ? v : 0 })}
        error={errorAt('trigger.daysBefore')}
      />
      <NumberInput
        label={t('journeys.settings.fromHour')}
        description={t('journeys.settings.fromHourHelp')}
        min={0}
        max={23}
        allowDecimal={false}
        value={trigger.hour}
        onChange={(v) => onChange({ ...trigger, hour: typeof v === 'number' ? v : 10 })}
        error={errorAt('trigger.hour')}
      />
    </>
  );
}
