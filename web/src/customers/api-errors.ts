// What the server's customer errors carry beyond their message (docs/customers.md). Pure.
import { ApiError } from '../api/client.ts';

/** A 409 on create or change: the customer who already holds the e-mail, phone or external id. */
export function conflictOf(err: unknown): { field: string; customerId: string } | null {
  if (!(err instanceof ApiError) || err.status !== 409) return null;
  const d = err.details as { field?: unknown; customerId?: unknown } | undefined;
  return typeof d?.customerId === 'string' ? { field: typeof d.field === 'string' ? d.field : '', customerId: d.customerId } : null;
}

/** A 404 for a profile that was merged away: where it went. */
export function mergedInto(err: unknown): string | null {
  if (!(err instanceof ApiError) || err.status !== 404) return null;
  const d = err.details as { mergedIntoId?: unknown } | undefined;
  return typeof d?.mergedIntoId === 'string' ? d.mergedIntoId : null;
}
