// Server state of the customers area: the list, one profile, custom attribute definitions and
// saved views (profile parts are in profile-api.ts) (docs/customers.md is the contract). Query keys start
// with the workspace id, so switching workspace never shows another's customers.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.ts';
import type { AttributePurpose, AttributeType, Channel, ConsentPurpose, ConsentStatus, DuplicateReason, Gender, IdentityKind, LifecycleStage } from './fields.ts';
import { listPath, queryToObject, type ListQuery } from './list-query.ts';

export type AttributeValue = string | number | boolean | string[];

export type Customer = {
  id: string;
  externalId: string | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  locale: string | null;
  timeZone: string | null;
  birthday: string | null;
  gender: Gender | null;
  signedUpAt: string | null;
  lifecycleStage: LifecycleStage | null;
  ownerUserId: string | null;
  tags: string[];
  source: string | null;
  attributes: Record<string, AttributeValue | null>;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  mergedIntoId: string | null;
  erasedAt: string | null;
  /** E-mail and phone arrive masked for roles without pii.read. */
  masked: boolean;
};

export type Identity = { id: string; kind: IdentityKind; value: string; source: string | null; createdAt: string };
export type ConsentState = { channel: Channel; purpose: ConsentPurpose; status: ConsentStatus; source: string | null; updatedAt: string | null };
export type ConsentChange = { channel: Channel; purpose: ConsentPurpose; status: ConsentStatus; previousStatus: ConsentStatus | null; source: string | null; actorLabel: string | null; at: string };
export type Consents = { current: ConsentState[]; history: ConsentChange[] };
export type PreferenceSource = 'survey' | 'inferred';
export type Preference = { category: string; weight: number; source: PreferenceSource; updatedAt: string };
export type CustomerDetail = Customer & { identities: Identity[]; consents: ConsentState[]; preferences: Preference[] };

export type CustomerPage = { items: Customer[]; nextCursor: string | null; total: number; totalExact: boolean };

/** Fields a create or PATCH may send; `null` clears. */
export type CustomerPatch = Partial<Omit<Customer, 'id' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'mergedIntoId' | 'erasedAt' | 'masked' | 'attributes'>> & {
  attributes?: Record<string, AttributeValue | null>;
};
export type NewCustomer = CustomerPatch & {
  consents?: { channel: Channel; purpose: ConsentPurpose; status: ConsentStatus }[];
  preferences?: { category: string; weight: number }[];
};

export type AttributeDef = {
  key: string;
  label: string;
  type: AttributeType;
  options: string[] | null;
  purpose: AttributePurpose;
  description: string | null;
  required: boolean;
  createdAt: string;
};
export type AttributeDefInput = { key: string; label: string; type: AttributeType; purpose: AttributePurpose; options?: string[] | null; description?: string | null; required?: boolean };

export type CustomerView = { id: string; name: string; query: Record<string, unknown>; columns: string[]; shared: boolean; ownerUserId?: string | null; createdAt?: string };

export type DuplicatePair = { a: Customer; b: Customer; score: number; reasons: DuplicateReason[] };
export type Merge = { id: string; survivorId: string; mergedId: string; at: string; actorLabel: string | null; undoableUntil: string; undoneAt: string | null };
export type MergeChoice = 'survivor' | 'other';

export type Note = { id: string; body: string; authorLabel: string | null; createdAt: string };
export type TimelineItem = { id: string; at: string; kind: string; area: string; title: string; data: unknown };

export const LIST_PAGE_SIZE = 50;

export function useWorkspaceId(): string {
  const me = useSession();
  if (!me.workspace) throw new Error('useWorkspaceId: no active workspace');
  return me.workspace.id;
}

export const customerKeys = {
  all: (ws: string) => ['ws', ws, 'customers'] as const,
  list: (ws: string, q: ListQuery) => ['ws', ws, 'customers', 'list', queryToObject(q)] as const,
  one: (ws: string, id: string) => ['ws', ws, 'customers', 'one', id] as const,
  attributes: (ws: string) => ['ws', ws, 'customer-attributes'] as const,
  views: (ws: string) => ['ws', ws, 'customer-views'] as const,
};

const enc = encodeURIComponent;
export const customerPath = (id: string, rest = '') => `/api/customers/${enc(id)}${rest}`;

export function useCustomerList(q: ListQuery) {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: customerKeys.list(ws, q),
    queryFn: ({ pageParam, signal }) => api<CustomerPage>(listPath(q, LIST_PAGE_SIZE, pageParam), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: (previous) => previous,
  });
}

/** After any change to customers: lists, profiles and their parts load again. */
function useInvalidateCustomers() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: customerKeys.all(ws) });
}

export function useCustomerMutation<V, R>(fn: (v: V) => Promise<R>) {
  const invalidate = useInvalidateCustomers();
  return useMutation({ mutationFn: fn, onSuccess: () => void invalidate() });
}

export function useCreateCustomer() {
  const invalidate = useInvalidateCustomers();
  return useMutation({
    meta: { silent: true }, // the form shows the error (and a link to the customer who holds an identity)
    mutationFn: (input: NewCustomer) => api<Customer>('/api/customers', { method: 'POST', body: input }),
    onSuccess: () => void invalidate(),
  });
}

export function useUpdateCustomer() {
  return useCustomerMutation(({ id, patch }: { id: string; patch: CustomerPatch }) => api<Customer>(customerPath(id), { method: 'PATCH', body: patch }));
}

export function useDeleteCustomer() {
  return useCustomerMutation((id: string) => api<unknown>(customerPath(id), { method: 'DELETE' }));
}

export function useRestoreCustomer() {
  return useCustomerMutation((id: string) => api<Customer>(customerPath(id, '/restore'), { method: 'POST' }));
}

/** Runs `fn` over many items, a few at a time; resolves with how many failed. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<{ failed: number; errors: unknown[] }> {
  const errors: unknown[] = [];
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        errors.push(err);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return { failed: errors.length, errors };
}

export type BulkAction = { kind: 'addTag'; tag: string } | { kind: 'setStage'; stage: LifecycleStage } | { kind: 'delete' };

/** The list has no bulk change endpoint: one PATCH (or DELETE) per selected customer. */
export function useBulkAction() {
  return useCustomerMutation(({ customers, action }: { customers: Customer[]; action: BulkAction }) =>
    forEachLimited(customers, 4, (c) => {
      switch (action.kind) {
        case 'addTag':
          return c.tags.includes(action.tag) ? Promise.resolve() : api(customerPath(c.id), { method: 'PATCH', body: { tags: [...c.tags, action.tag] } });
        case 'setStage':
          return api(customerPath(c.id), { method: 'PATCH', body: { lifecycleStage: action.stage } });
        case 'delete':
          return api(customerPath(c.id), { method: 'DELETE' });
      }
    }),
  );
}

export function useCustomer(id: string) {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: customerKeys.one(ws, id), queryFn: () => api<CustomerDetail>(customerPath(id)) });
}

export function useAttributeDefs() {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: customerKeys.attributes(ws), queryFn: () => api<{ items: AttributeDef[] }>('/api/customer-attributes').then((r) => r.items) });
}

function useAttributeMutation<V, R>(fn: (v: V) => Promise<R>) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => void client.invalidateQueries({ queryKey: customerKeys.attributes(ws) }) });
}

export function useCreateAttribute() {
  return useAttributeMutation((input: AttributeDefInput) => api<AttributeDef>('/api/customer-attributes', { method: 'POST', body: input }));
}

export function useUpdateAttribute() {
  return useAttributeMutation(({ key, patch }: { key: string; patch: Partial<Omit<AttributeDefInput, 'key' | 'type'>> }) =>
    api<AttributeDef>(`/api/customer-attributes/${enc(key)}`, { method: 'PATCH', body: patch }),
  );
}

export function useArchiveAttribute() {
  return useAttributeMutation((key: string) => api<unknown>(`/api/customer-attributes/${enc(key)}`, { method: 'DELETE' }));
}

export function useViews() {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: customerKeys.views(ws), queryFn: () => api<{ items: CustomerView[] }>('/api/customer-views').then((r) => r.items) });
}

function useViewMutation<V, R>(fn: (v: V) => Promise<R>) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => void client.invalidateQueries({ queryKey: customerKeys.views(ws) }) });
}

export function useSaveView() {
  return useViewMutation((view: Omit<CustomerView, 'id'>) => api<CustomerView>('/api/customer-views', { method: 'POST', body: view }));
}

export function useDeleteView() {
  return useViewMutation((id: string) => api<unknown>(`/api/customer-views/${enc(id)}`, { method: 'DELETE' }));
}
