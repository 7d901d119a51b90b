// Choose one customer by typing part of a name, e-mail or phone (the customer list's search).
import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconUser } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query } from '../api/client.ts';
import { customerKeys, customerPath, useWorkspaceId, type Customer, type CustomerPage } from '../customers/api.ts';
import { displayName } from '../customers/format.ts';

export function CustomerPicker({ value, onChange }: { value: string | undefined; onChange: (id: string | undefined) => void }) {
  const { t } = useTranslation();
  const ws = useWorkspaceId();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const matches = useQuery({
    queryKey: [...customerKeys.all(ws), 'picker', debounced],
    queryFn: () => api<CustomerPage>(`/api/customers${query({ q: debounced, limit: 10 })}`),
    enabled: debounced.length >= 2,
    staleTime: 30_000,
  });
  // The chosen customer's name, when the page opened with one in its address.
  const chosen = useQuery({ queryKey: customerKeys.one(ws, value ?? ''), queryFn: () => api<Customer>(customerPath(value!)), enabled: Boolean(value), retry: false });

  const options = new Map<string, string>();
  if (value) options.set(value, chosen.data ? displayName(chosen.data) : `#${value.slice(0, 8)}`);
  for (const c of matches.data?.items ?? []) options.set(c.id, c.email && c.name ? `${displayName(c)} · ${c.email}` : displayName(c));

  return (
    <Select
      w={260}
      label={t('events.filters.customer')}
      placeholder={t('events.filters.customerPlaceholder')}
      leftSection={<IconUser size={16} />}
      searchable
      clearable
      data={[...options].map(([id, label]) => ({ value: id, label }))}
      value={value ?? null}
      onChange={(id) => onChange(id ?? undefined)}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={debounced.length >= 2 && !matches.isFetching ? t('events.filters.noCustomer') : undefined}
      data-testid="event-customer-filter"
    />
  );
}
