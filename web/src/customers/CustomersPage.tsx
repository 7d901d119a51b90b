// The customer list: search, filters, sortable columns of your choice, saved views, bulk
// actions on selected rows, CSV export of the current filter, and new customers by hand.
import { Badge, Button, Center, Group, Paper, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconDownload, IconFileImport, IconPlus, IconUsers } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useCan } from '../auth/session.ts';
import { useAttributeDefs, useCustomerList, useRestoreCustomer, type Customer, type CustomerView } from './api.ts';
import { displayName, formatNumber, totalLabel } from './format.ts';
import { BulkActions } from './BulkActions.tsx';
import { ColumnChooser } from './ColumnChooser.tsx';
import { DEFAULT_COLUMNS, exportColumnsOf, parseColumns, sameColumns, type ColumnId } from './columns.ts';
import { CustomerFilters } from './CustomerFilters.tsx';
import { CustomerTable } from './CustomerTable.tsx';
import { exportPath, queryFromObject, queryFromSearchParams, queryToObject, queryToSearchParams, toggleSort, type ListQuery } from './list-query.ts';
import { NewCustomerModal } from './NewCustomerModal.tsx';
import { SavedViews } from './SavedViews.tsx';

function Total({ total, exact }: { total: number; exact: boolean }) {
  const { t, i18n } = useTranslation();
  const { kind, count } = totalLabel(total, exact);
  return (
    <Text size="sm" c="dimmed" data-testid="customer-total" data-exact={exact ? 'true' : 'false'}>
      {t(`customers.total.${kind}`, { count, formatted: formatNumber(count, i18n.language) })}
    </Text>
  );
}

/** In the list of deleted customers: restore, unless the personal data was erased for good. */
function DeletedRowAction({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const restore = useRestoreCustomer();
  if (customer.erasedAt) {
    return (
      <Badge color="red" variant="light" data-testid="erased-badge">
        {t('profile.erased')}
      </Badge>
    );
  }
  return (
    <Button
      size="xs"
      variant="light"
      loading={restore.isPending}
      onClick={() => restore.mutate(customer.id, { onSuccess: () => notifySuccess(t('customers.restored', { name: displayName(customer) })) })}
      data-testid="restore-customer"
    >
      {t('customers.restore')}
    </Button>
  );
}

export function CustomersPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const query = useMemo(() => queryFromSearchParams(params), [params]);
  const columns = useMemo(() => parseColumns(params.get('columns')), [params]);
  const viewId = params.get('view');
  const defs = useAttributeDefs();
  const list = useCustomerList(query);
  const [selected, setSelected] = useState<Map<string, Customer>>(new Map());
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const queryKey = JSON.stringify(queryToObject(query));
  useEffect(() => setSelected(new Map()), [queryKey]);

  function write(q: ListQuery, cols: readonly ColumnId[], view: string | null) {
    const next = queryToSearchParams(q);
    if (!sameColumns(cols, DEFAULT_COLUMNS)) next.set('columns', cols.join(','));
    if (view) next.set('view', view);
    setParams(next, { replace: true });
  }

  const setQuery = (q: ListQuery) => write(q, columns, null);
  const setColumns = (cols: ColumnId[]) => write(query, cols, viewId);
  const applyView = (view: CustomerView | null) =>
    view ? write(queryFromObject(view.query), parseColumns(view.columns), view.id) : write(queryFromSearchParams(new URLSearchParams()), DEFAULT_COLUMNS, null);

  const customers = list.data?.pages.flatMap((p) => p.items) ?? [];
  const first = list.data?.pages[0];

  function select(ids: string[], on: boolean) {
    setSelected((prev) => {
      const next = new Map(prev);
      for (const id of ids) {
        const c = customers.find((x) => x.id === id);
        if (on && c) next.set(id, c);
        else next.delete(id);
      }
      return next;
    });
  }

  const actions = (
    <>
      {can('customers.write') && (
        <Button component={Link} to="/customers/import" variant="default" leftSection={<IconFileImport size={18} />} data-testid="import-link">
          {t('customers.import')}
        </Button>
      )}
      {can('customers.export') && (
        <Button component="a" href={exportPath(query, exportColumnsOf(columns, (defs.data ?? []).map((d) => d.key)))} download variant="default" leftSection={<IconDownload size={18} />} data-testid="export-csv">
          {t('customers.exportCsv')}
        </Button>
      )}
      {can('customers.write') && (
        <Button leftSection={<IconPlus size={18} />} onClick={openCreate} data-testid="new-customer">
          {t('customers.new')}
        </Button>
      )}
    </>
  );

  return (
    <>
      <PageHeader title={t('customers.title')} description={t('customers.description')} actions={actions} />
      <CustomerFilters query={query} defs={defs.data ?? []} onChange={setQuery} />
      <Group justify="space-between" mb="sm" wrap="wrap" gap="sm">
        <Group gap="sm">
          <SavedViews query={query} columns={columns} viewId={viewId} onApply={applyView} />
          {first && <Total total={first.total} exact={first.totalExact} />}
        </Group>
        <ColumnChooser columns={columns} defs={defs.data ?? []} onChange={setColumns} />
      </Group>
      {selected.size > 0 && can('customers.write') && !query.deleted && <BulkActions selected={[...selected.values()]} onDone={() => setSelected(new Map())} />}
      {list.isPending ? (
        <PageLoader />
      ) : list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : customers.length === 0 ? (
        <EmptyMessage icon={<IconUsers size={28} />} title={t('customers.empty')} text={t('customers.emptyText')} />
      ) : (
        <Paper withBorder style={{ opacity: list.isPlaceholderData ? 0.6 : 1 }}>
          <CustomerTable
            customers={customers}
            columns={columns}
            defs={defs.data ?? []}
            sort={query.sort}
            onSort={(field) => setQuery({ ...query, sort: toggleSort(query.sort, field) })}
            selected={new Set(selected.keys())}
            onSelect={select}
            rowAction={query.deleted && can('customers.write') ? (c) => <DeletedRowAction customer={c} /> : undefined}
          />
          <Center p="md">
            {list.hasNextPage ? (
              <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} data-testid="load-more">
                {t('common.loadMore')}
              </Button>
            ) : (
              <Text size="xs" c="dimmed">
                {t('customers.end', { count: customers.length })}
              </Text>
            )}
          </Center>
        </Paper>
      )}
      <NewCustomerModal opened={creating} onClose={closeCreate} />
    </>
  );
}
