// Server state of the commerce pages: the product catalogue with each product's statistics,
// and abandoned carts (the shapes of src/commerce/routes.ts). Query keys start with the
// workspace id.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import { useWorkspaceId } from '../customers/api.ts';
import { statsFrom, type StatsWindow } from './format.ts';

export type Product = {
  id: string;
  sku: string;
  name: string;
  brand: string | null;
  category: string | null;
  /** Minor units of `currency`. */
  price: number | null;
  currency: string;
  imageUrl: string | null;
  url: string | null;
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
};

export type ProductStats = {
  from: string;
  to: string;
  views: number;
  uniqueViewers: number;
  cartAdds: number;
  orders: number;
  unitsSold: number;
  /** Minor units of `currency`. */
  revenue: number;
  currency: string;
  viewersWhoBought: number;
  viewToPurchaseRate: number | null;
};

export type ProductWithStats = Product & { stats: ProductStats };

export type CartOwner = { id: string; name: string | null; email: string | null };
export type AbandonedCart = {
  key: string;
  customerId: string | null;
  anonymousId: string | null;
  customer: CartOwner | null;
  currency: string;
  /** Minor units of `currency`. */
  value: number;
  quantity: number;
  abandonedAt: string;
  lastActivityAt: string;
  items: { id: string; sku: string; name: string | null; category: string | null; productId: string | null; price: number | null; quantity: number; addedAt: string; abandonedAt: string }[];
};

type Page<T> = { items: T[]; nextCursor: string | null };

export const PAGE_SIZE = 50;

export const commerceKeys = {
  products: (ws: string, q: string) => ['ws', ws, 'products', 'list', q] as const,
  product: (ws: string, id: string, days: number) => ['ws', ws, 'products', 'one', id, days] as const,
  carts: (ws: string, recovered: boolean) => ['ws', ws, 'carts', 'abandoned', recovered] as const,
};

export function useProducts(q: string) {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: commerceKeys.products(ws, q),
    queryFn: ({ pageParam, signal }) => api<Page<Product>>(`/api/products${query({ q, limit: PAGE_SIZE, cursor: pageParam })}`, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: (previous) => previous,
  });
}

export function useProduct(id: string, days: StatsWindow) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: commerceKeys.product(ws, id, days),
    queryFn: () => api<ProductWithStats>(`/api/products/${encodeURIComponent(id)}${query({ from: statsFrom(days, Date.now()) })}`),
    placeholderData: (previous) => (previous?.id === id ? previous : undefined),
  });
}

export function useAbandonedCarts(recovered: boolean) {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: commerceKeys.carts(ws, recovered),
    queryFn: ({ pageParam, signal }) =>
      api<Page<AbandonedCart>>(`/api/carts/abandoned${query({ recovered: recovered ? 'true' : undefined, limit: PAGE_SIZE, cursor: pageParam })}`, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Runs abandoned-cart detection now instead of at the worker's next minute. */
export function useDetectAbandonedCarts() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ lines: number; carts: number }>('/api/carts/abandoned/detect', { method: 'POST' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['ws', ws, 'carts'] }),
  });
}
