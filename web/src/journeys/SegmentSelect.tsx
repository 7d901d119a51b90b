// One segment, picked by name.
import { Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSegments } from '../segments/api.ts';

export function SegmentSelect({ label, value, onChange, clearable, placeholder, error, testId }: { label: string; value: string | null | undefined; onChange: (id: string | null) => void; clearable?: boolean; placeholder?: string; error?: string; testId: string }) {
  const { t } = useTranslation();
  const segments = useSegments();
  const data = (segments.data ?? []).map((s) => ({ value: s.id, label: s.name }));
  // A segment deleted since it was chosen still shows as chosen, by a name that says so.
  if (value && !data.some((d) => d.value === value) && segments.data) data.push({ value, label: t('journeys.summary.deletedSegment') });
  return (
    <Select
      label={label}
      placeholder={placeholder ?? t('journeys.settings.pickSegment')}
      data={data}
      value={value ?? null}
      onChange={onChange}
      searchable
      clearable={clearable}
      allowDeselect={Boolean(clearable)}
      nothingFoundMessage={t('segments.builder.pickSegment')}
      error={error}
      data-testid={testId}
    />
  );
}
