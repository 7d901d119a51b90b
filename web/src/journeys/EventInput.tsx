// An event name: typed, or picked from the names this workspace has seen.
import { Autocomplete } from '@mantine/core';
import { useEventNames } from '../events/api.ts';

export function EventInput({ label, description, value, onChange, error, testId }: { label: string; description?: string; value: string; onChange: (name: string) => void; error?: string; testId: string }) {
  const names = useEventNames();
  const data = [...new Set((names.data?.items ?? []).map((n) => n.name))];
  return <Autocomplete label={label} description={description} value={value} onChange={onChange} data={data} limit={30} maxLength={200} error={error} data-testid={testId} />;
}
