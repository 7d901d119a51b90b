// The product catalogue: search by name or SKU; each product opens its page with statistics.
import { Anchor, Button, Center, Paper, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPackage, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useProducts } from './api.ts';
import { moneyOrDash } from './format.ts';

export function ProductsPage() {
  const { t, i18n } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const list = useProducts(q);
  const products = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader title={t('products.title')} description={t('products.description')} />
      <TextInput
        mb="md"
        maw={420}
        leftSection={<IconSearch size={16} />}
        placeholder={t('products.searchPlaceholder')}
        aria-label={t('products.search')}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        data-testid="product-search"
      />
      {list.isPending ? (
        <PageLoader />
      ) : list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : products.length === 0 ? (
        <EmptyMessage icon={<IconPackage size={28} />} title={q ? t('products.noMatch') : t('products.empty')} text={q ? undefined : t('products.emptyText')} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={720}>
            <Table highlightOnHover verticalSpacing="sm" data-testid="products-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('products.columns.name')}</Table.Th>
                  <Table.Th>{t('products.columns.sku')}</Table.Th>
                  <Table.Th>{t('products.columns.brand')}</Table.Th>
                  <Table.Th>{t('products.columns.category')}</Table.Th>
                  <Table.Th ta="right">{t('products.columns.price')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {products.map((p) => (
                  <Table.Tr key={p.id} data-testid="product-row">
                    <Table.Td>
                      <Anchor component={Link} to={`/products/${p.id}`} size="sm" fw={500} data-testid="product-link">
                        {p.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {p.sku}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{p.brand ?? ''}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c="dimmed">
                        {p.category ?? ''}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm">{moneyOrDash(p.price, p.currency, i18n.language)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {list.hasNextPage && (
            <Center py="sm">
              <Button variant="subtle" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                {t('common.loadMore')}
              </Button>
            </Center>
          )}
        </Paper>
      )}
    </>
  );
}
