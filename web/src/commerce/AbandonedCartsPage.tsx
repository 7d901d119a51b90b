// Carts customers and visitors filled and left: who, what, how much, and when, newest first;
// or, switched over, the abandoned carts that were ordered after all.
import { Anchor, Button, Center, Group, Paper, SegmentedControl, Table, Text } from '@mantine/core';
import { IconRefresh, IconShoppingCartOff } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useCan, useSession } from '../auth/session.ts';
import { ListCampaignButton } from '../campaigns/ListCampaignButton.tsx';
import { displayName } from '../customers/format.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useAbandonedCarts, useDetectAbandonedCarts, type AbandonedCart } from './api.ts';
import { cartItemsText, formatMoney } from './format.ts';

function Owner({ cart }: { cart: AbandonedCart }) {
  const { t } = useTranslation();
  if (cart.customer) {
    return (
      <Anchor component={Link} to={`/customers/${cart.customer.id}`} size="sm" fw={500} data-testid="cart-customer">
        {displayName({ ...cart.customer, phone: null, externalId: null })}
      </Anchor>
    );
  }
  return (
    <Text size="sm" c="dimmed" data-testid="cart-visitor">
      {t('carts.visitor', { id: (cart.anonymousId ?? '').slice(0, 12) })}
    </Text>
  );
}

function CartRow({ cart }: { cart: AbandonedCart }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const { text, more } = cartItemsText(cart.items);
  return (
    <Table.Tr data-testid="cart-row">
      <Table.Td>
        <Owner cart={cart} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" data-testid="cart-items">
          {text}
          {more > 0 && (
            <Text span c="dimmed" size="sm">
              {' '}
              {t('carts.moreItems', { count: more })}
            </Text>
          )}
        </Text>
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm" fw={500} data-testid="cart-value">
          {formatMoney(cart.value, cart.currency, i18n.language)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(cart.abandonedAt, i18n.language, tz)}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" c="dimmed">
          {formatDateTime(cart.lastActivityAt, i18n.language, tz)}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

export function AbandonedCartsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [recovered, setRecovered] = useState(false);
  const carts = useAbandonedCarts(recovered);
  const detect = useDetectAbandonedCarts();
  const items = carts.data?.pages.flatMap((p) => p.items) ?? [];

  const detectButton = can('commerce.write') && (
    <Button
      variant="default"
      leftSection={<IconRefresh size={18} />}
      loading={detect.isPending}
      onClick={() => detect.mutate(undefined, { onSuccess: (r) => notifySuccess(t('carts.detected', { count: r.carts })) })}
      data-testid="carts-detect"
    >
      {t('carts.detect')}
    </Button>
  );
  // Customers whose carts are still abandoned (the recovered ones have bought).
  const sendButton = can('messaging.write') && !recovered && items.length > 0 && (
    <ListCampaignButton list={{ kind: 'abandoned-carts' }} name={t('campaigns.fromList.abandonedCarts')} hint={t('campaigns.fromList.visitorsLeftOut')} />
  );
  const actions = (detectButton || sendButton) && (
    <Group gap="sm">
      {detectButton}
      {sendButton}
    </Group>
  );

  return (
    <>
      <PageHeader title={t('carts.title')} description={t('carts.description')} actions={actions || undefined} />
      <Group mb="md">
        <SegmentedControl
          value={recovered ? 'recovered' : 'abandoned'}
          onChange={(v) => setRecovered(v === 'recovered')}
          data={[
            { value: 'abandoned', label: t('carts.abandoned') },
            { value: 'recovered', label: t('carts.recovered') },
          ]}
          data-testid="carts-kind"
        />
      </Group>
      {carts.isPending ? (
        <PageLoader />
      ) : carts.isError ? (
        <QueryError error={carts.error} onRetry={() => void carts.refetch()} />
      ) : items.length === 0 ? (
        <EmptyMessage icon={<IconShoppingCartOff size={28} />} title={recovered ? t('carts.emptyRecovered') : t('carts.empty')} text={t('carts.emptyText')} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="sm" data-testid="carts-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('carts.columns.who')}</Table.Th>
                  <Table.Th>{t('carts.columns.items')}</Table.Th>
                  <Table.Th ta="right">{t('carts.columns.value')}</Table.Th>
                  <Table.Th>{t('carts.columns.abandonedAt')}</Table.Th>
                  <Table.Th>{t('carts.columns.lastActivity')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((cart) => (
                  <CartRow key={cart.key} cart={cart} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {carts.hasNextPage && (
            <Center py="sm">
              <Button variant="subtle" onClick={() => void carts.fetchNextPage()} loading={carts.isFetchingNextPage}>
                {t('common.loadMore')}
              </Button>
            </Center>
          )}
        </Paper>
      )}
    </>
  );
}
