// Filters of the event stream: type, name (from the names in use) and customer.
import { Badge, Button, CloseButton, Group, Select } from '@mantine/core';
import { IconFilterOff } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/session.ts';
import { useEventNames } from './api.ts';
import { CustomerPicker } from './CustomerPicker.tsx';
import { cappedCount } from './format.ts';
import { EVENT_TYPES, type EventFilter, type EventType } from './stream.ts';

export function EventFilters({ filter, onChange }: { filter: EventFilter; onChange: (f: EventFilter) => void }) {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const names = useEventNames();
  const cap = names.data?.countCap ?? Infinity;
  const nameOptions = (names.data?.items ?? []).map((n) => ({ value: n.name, label: `${n.name} (${cappedCount(n.count, cap, i18n.language)})` }));
  // A name from the address that is not (yet) in the list still shows.
  if (filter.name && !nameOptions.some((o) => o.value === filter.name)) nameOptions.unshift({ value: filter.name, label: filter.name });
  const active = Boolean(filter.type || filter.name || filter.customerId || filter.anonymousId);

  return (
    <Group gap="sm" align="flex-end" wrap="wrap" mb="md">
      <Select
        w={160}
        label={t('events.filters.type')}
        placeholder={t('events.filters.anyType')}
        clearable
        data={EVENT_TYPES.map((type) => ({ value: type, label: t(`events.types.${type}`) }))}
        value={filter.type ?? null}
        onChange={(type) => onChange({ ...filter, type: (type as EventType | null) ?? undefined })}
        data-testid="event-type-filter"
      />
      <Select
        w={280}
        label={t('events.filters.name')}
        placeholder={t('events.filters.anyName')}
        searchable
        clearable
        data={nameOptions}
        value={filter.name ?? null}
        onChange={(name) => onChange({ ...filter, name: name ?? undefined })}
        nothingFoundMessage={t('events.filters.noName')}
        data-testid="event-name-filter"
      />
      {can('customers.read') && <CustomerPicker value={filter.customerId} onChange={(customerId) => onChange({ ...filter, customerId })} />}
      {filter.anonymousId && (
        <Badge
          size="lg"
          variant="light"
          mb={4}
          rightSection={<CloseButton size="xs" aria-label={t('events.filters.clearVisitor')} onClick={() => onChange({ ...filter, anonymousId: undefined })} />}
          data-testid="event-visitor-filter"
        >
          {t('events.filters.visitor', { id: filter.anonymousId })}
        </Badge>
      )}
      {active && (
        <Button variant="subtle" leftSection={<IconFilterOff size={16} />} onClick={() => onChange({})} data-testid="event-clear-filters">
          {t('events.filters.clear')}
        </Button>
      )}
    </Group>
  );
}
