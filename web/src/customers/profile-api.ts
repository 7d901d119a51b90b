// Server state of one customer's profile beyond its fields: consents, preferences, identities,
// notes, timeline, duplicates and merges, privacy erase.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import {
  customerKeys,
  customerPath,
  useCustomerMutation,
  useWorkspaceId,
  type Consents,
  type Customer,
  type DuplicatePair,
  type Identity,
  type Merge,
  type MergeChoice,
  type Note,
  type Preference,
  type PreferenceSource,
  type TimelineItem,
} from './api.ts';
import type { Channel, ConsentPurpose, ConsentStatus, IdentityKind } from './fields.ts';

const enc = encodeURIComponent;
type TimelinePage = { items: TimelineItem[]; nextCursor: string | null };
export const TIMELINE_PAGE_SIZE = 50;

/** A part of one profile (consents, notes, merges…), cached under the profile's key. */
function useCustomerPart<T>(id: string, part: string, path: string, enabled = true) {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: [...customerKeys.one(ws, id), part], queryFn: () => api<T>(path), enabled });
}

export function useConsents(id: string) {
  return useCustomerPart<Consents>(id, 'consents', customerPath(id, '/consents'));
}

export function useSetConsents() {
  return useCustomerMutation(({ id, consents }: { id: string; consents: { channel: Channel; purpose: ConsentPurpose; status: ConsentStatus }[] }) =>
    api<Consents>(customerPath(id, '/consents'), { method: 'PUT', body: { consents: consents.map((c) => ({ ...c, source: 'admin' })) } }),
  );
}

export function useSetPreferences() {
  return useCustomerMutation(({ id, source, preferences }: { id: string; source: PreferenceSource; preferences: { category: string; weight: number }[] }) =>
    api<{ items: Preference[] }>(customerPath(id, '/preferences'), { method: 'PUT', body: { source, preferences } }),
  );
}

export function useAddIdentity() {
  return useCustomerMutation(({ id, kind, value }: { id: string; kind: IdentityKind; value: string }) =>
    api<Identity>(customerPath(id, '/identities'), { method: 'POST', body: { kind, value, source: 'admin' } }),
  );
}

export function useRemoveIdentity() {
  return useCustomerMutation(({ id, identityId }: { id: string; identityId: string }) => api<unknown>(customerPath(id, `/identities/${enc(identityId)}`), { method: 'DELETE' }));
}

export function useNotes(id: string) {
  return useCustomerPart<{ items: Note[] }>(id, 'notes', customerPath(id, '/notes'));
}

export function useAddNote() {
  return useCustomerMutation(({ id, body }: { id: string; body: string }) => api<Note>(customerPath(id, '/notes'), { method: 'POST', body: { body } }));
}

export function useDeleteNote() {
  return useCustomerMutation(({ id, noteId }: { id: string; noteId: string }) => api<unknown>(customerPath(id, `/notes/${enc(noteId)}`), { method: 'DELETE' }));
}

export function useTimeline(id: string) {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: [...customerKeys.one(ws, id), 'timeline'],
    queryFn: ({ pageParam }) => api<TimelinePage>(customerPath(id, `/timeline${query({ limit: TIMELINE_PAGE_SIZE, cursor: pageParam })}`)),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useDuplicatesOf(id: string, enabled: boolean) {
  return useCustomerPart<{ items: DuplicatePair[] }>(id, 'duplicates', `/api/customers/duplicates${query({ customerId: id, limit: 20 })}`, enabled);
}

export function useDismissDuplicate() {
  return useCustomerMutation(({ aId, bId }: { aId: string; bId: string }) => api<unknown>('/api/customers/duplicates/dismiss', { method: 'POST', body: { aId, bId } }));
}

export function useMerges(id: string) {
  return useCustomerPart<{ items: Merge[] }>(id, 'merges', customerPath(id, '/merges'));
}

export function useMergeCustomers() {
  return useCustomerMutation(({ id, otherId, fields }: { id: string; otherId: string; fields: Record<string, MergeChoice> }) =>
    api<{ customer: Customer; merge: Merge }>(customerPath(id, '/merge'), { method: 'POST', body: { otherId, fields } }),
  );
}

export function useUndoMerge() {
  return useCustomerMutation((mergeId: string) => api<{ survivor: Customer; restored: Customer }>(`/api/customers/merges/${enc(mergeId)}/undo`, { method: 'POST' }));
}

export function useEraseCustomer() {
  return useCustomerMutation((id: string) => api<{ erased: true }>(customerPath(id, '/erase'), { method: 'POST' }));
}

