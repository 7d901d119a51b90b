// How other areas take part in a customer's life without the customers area knowing them:
// each area that keeps rows about a customer registers a link, and merge, identity stitching,
// privacy erase/export and the timeline go through every registered link.
import type { Queryable } from '../db/connection.ts';
import type { ErasedPerson } from './erased-person.ts';

export type TimelineEntry = {
  /** Unique across areas, e.g. `event:0193…`. */
  id: string;
  at: string;
  /** What happened, e.g. `profile.updated`, `note`, `event`, `order`. */
  kind: string;
  area: string;
  title: string;
  data: Record<string, unknown>;
};

export type TimelinePage = { workspaceId: string; customerId: string; before: { at: Date; id: string } | null; limit: number; pii: boolean };

export type CustomerLink = {
  area: string;
  /** Moves this area's rows from one customer to another; returns what an undo must move back. */
  reassign(db: Queryable, opts: { workspaceId: string; fromId: string; toId: string }): Promise<unknown>;
  undoReassign(db: Queryable, opts: { workspaceId: string; fromId: string; toId: string; moved: unknown }): Promise<void>;
  /** Rows recorded under an anonymous id before anyone knew who it was now belong to the customer. */
  claimAnonymous?(db: Queryable, opts: { workspaceId: string; anonymousId: string; customerId: string }): Promise<number>;
  /**
   * Removes the personal data this area holds on the customer, keeping anonymous aggregates.
   * `person`: the e-mails, phones and identity values the customer had, to find copies of them
   * in rows not linked to the customer (collected before the profile was wiped).
   */
  erase(db: Queryable, opts: { workspaceId: string; customerId: string; person?: ErasedPerson }): Promise<void>;
  /** Everything this area holds on the customer (data subject access request). */
  exportData(db: Queryable, opts: { workspaceId: string; customerId: string }): Promise<unknown>;
  /** The newest entries older than `before`, newest first, at most `limit`. */
  timeline?(db: Queryable, page: TimelinePage): Promise<TimelineEntry[]>;
  /** These customers' data changed in the caller's transaction (e.g. segments re-evaluate them). */
  changed?(db: Queryable, opts: CustomersChanged): Promise<void>;
};

/**
 * What changed about a customer: the profile, consent, stated or inferred preferences, their
 * orders (placed, refunded or cancelled outside ingestion), or `all` (created by ingestion,
 * deleted or restored).
 */
export type CustomerChange = 'profile' | 'consent' | 'preferences' | 'orders' | 'all';
export type CustomersChanged = { workspaceId: string; customerIds: string[]; changes: CustomerChange[] };

const links = new Map<string, CustomerLink>();

/** Called once per area at start (see src/areas.ts); registering an area again replaces it. */
export function registerCustomerLink(link: CustomerLink): void {
  links.set(link.area, link);
}

export function customerLinks(): CustomerLink[] {
  return [...links.values()];
}

/** Tells every area that these customers changed (in the caller's transaction). */
export async function notifyCustomersChanged(db: Queryable, opts: CustomersChanged): Promise<void> {
  if (opts.customerIds.length === 0) return;
  for (const link of links.values()) await link.changed?.(db, opts);
}
