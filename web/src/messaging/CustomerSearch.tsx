// Choose one customer by typing part of a name, e-mail or phone (the customer list's search), as
// the event explorer does; used by the log's filter, the template preview and the send modal.
import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconUser } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query } from '../api/client.ts';
import { customerKeys, customerPath, useWorkspaceId, type Customer, type CustomerPage } from '../customers/api.ts';
import { displayName } from '../customers/format.ts';
import { formatPhone } from './format.ts';

function optionLabel(c: Customer, language: string): string {
  const contact = c.email ?? (c.phone ? formatPhone(c.phone, language) : null);
  return contact && c.name ? `${displayName(c)} · ${contact}` : displayName(c);
}

export function CustomerSearch({
  value,
  onChange,
  label,
  testId,
  width = 280,
  required,
}: {
  value: string | undefined;
  onChange: (id: string | undefined, customer?: Customer) => void;
  label: string;
  testId: string;
  width?: number | string;
  required?: boolean;
}) {
  const { t, i18n } = useTranslation();
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

  const byId = new Map<string, Customer>();
  for (const c of matches.data?.items ?? []) byId.set(c.id, c);
  const options = new Map<string, string>();
  if (value) options.set(value, chosen.data ? optionLabel(chosen.data, i18n.language) : t('messaging.customerSearch.chosen'));
  for (const c of byId.values()) options.set(c.id, optionLabel(c, i18n.language));

  return (
    <Select
      w={width}
      label={label}
      placeholder={t('messaging.customerSearch.placeholder')}
      leftSection={<IconUser size={16} />}
      searchable
      clearable
      required={required}
      data={[...options].map(([id, text]) => ({ value: id, label: text }))}
      value={value ?? null}
      onChange={(id) => onChange(id ?? undefined, id ? (byId.get(id) ?? chosen.data) : undefined)}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={debounced.length >= 2 && !matches.isFetching ? t('messaging.customerSearch.none') : undefined}
      data-testid={testId}
    />
  );
}
