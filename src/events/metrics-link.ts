// The behaviour metrics' part in a customer's life: a merge or an identity stitch changes a
// customer's history at once, so the row is rebuilt from history rather than adjusted.
// Registered after the areas whose rows it reads (events, commerce), so they have moved first.
import type { CustomerLink } from '../customers/links.ts';
import { recomputeCustomers, recomputeIfStale } from './metrics/recompute.ts';
import { getCustomerMetrics } from './metrics/read.ts';

export const metricsCustomerLink: CustomerLink = {
  area: 'metrics',
  async reassign(db, { workspaceId, fromId, toId }) {
    // The merged customer's row is rebuilt too (to nothing: its history has moved), not deleted:
    // the scores it held stay accounted for until the next scores run (see RFM_DIRTY).
    await recomputeCustomers(db, { workspaceId, customerIds: [toId, fromId] });
    // Nothing to move back on undo: both rows are rebuilt from the history the other areas restore.
    return { rebuilt: [toId] };
  },
  async undoReassign(db, { workspaceId, fromId, toId }) {
    await recomputeCustomers(db, { workspaceId, customerIds: [fromId, toId] });
  },
  async claimAnonymous(db, { workspaceId, customerId }) {
    // The areas before this one have just attached the visitor's events and orders.
    await recomputeIfStale(db, { workspaceId, customerId });
    return 0;
  },
  async erase() {
    // Counts, sums and dates hold nothing that identifies anyone: the row stays for the aggregates.
  },
  async exportData(db, { workspaceId, customerId }) {
    return getCustomerMetrics(db, { workspaceId, customerId });
  },
};
