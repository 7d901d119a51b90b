// Refunds of orders, from `Order Refunded` events and the API: one path for both. A refund is
// an amount (given, or the refunded lines' value, or all that is left), capped by what the order
// has not refunded yet; the order becomes partially refunded or refunded, and the customer's
// spend goes down by it.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { recordRefundMetrics } from '../events/metrics.ts';
import { formatMoney } from './money.ts';
import { itemsOfOrders, spendOf, toRefund, type OrderItem, type OrderRow, type Refund } from './orders.ts';
import { orders, refunds } from './schema.ts';

export type RefundDraft = {
  orderId: string;
  /** Minor units of the order's currency; absent: the lines' value, else everything left. */
  amount?: number | null;
  /** Refunded lines: by line number, or by SKU (events name products, not lines). */
  items?: ({ line: number; quantity: number } | { sku: string; quantity: number })[];
  reason?: string | null;
  externalId?: string | null;
  refundedAt: Date;
  /** Amounts over what is left are cut to it (events) instead of refused (the API). */
  capAmount?: boolean;
};

export type RefundResult =
  | { status: 'refunded'; refund: Refund; order: OrderRow }
  | { status: 'duplicate'; refund: Refund }
  /** `field` names the part of the draft at fault: `amount`, `items[2].quantity`, … */
  | { status: 'failed'; field: string; message: string };

/** Lines refunded so far, per line number, from earlier refunds' `items`. */
function refundedQuantities(earlier: { items: { line: number; quantity: number }[] }[]): Map<number, number> {
  const done = new Map<number, number>();
  for (const r of earlier) for (const i of r.items) done.set(i.line, (done.get(i.line) ?? 0) + i.quantity);
  return done;
}

/**
 * Applies refunds in list order (several may touch one order). Run in a transaction: orders are
 * locked while their refunded totals move.
 */
export async function applyRefunds(db: Queryable, opts: { workspaceId: string; workspaceCurrency: string; refunds: RefundDraft[] }): Promise<RefundResult[]> {
  const { workspaceId } = opts;
  if (opts.refunds.length === 0) return [];
  const orderIds = [...new Set(opts.refunds.map((r) => r.orderId))].sort();
  const orderRows = await db
    .select()
    .from(orders)
    .where(and(eq(orders.workspaceId, workspaceId), inArray(orders.id, orderIds)))
    .orderBy(asc(orders.id))
    .for('update');
  const orderOf = new Map(orderRows.map((o) => [o.id, { ...o }]));
  const items = await itemsOfOrders(db, { workspaceId, orderIds });
  const earlier = await db
    .select()
    .from(refunds)
    .where(and(eq(refunds.workspaceId, workspaceId), inArray(refunds.orderId, orderIds)));
  const givenExternal = opts.refunds.map((r) => r.externalId).filter((x): x is string => !!x);
  const existingByExternal = new Map<string, typeof refunds.$inferSelect>();
  if (givenExternal.length) {
    const rows = await db
      .select()
      .from(refunds)
      .where(and(eq(refunds.workspaceId, workspaceId), inArray(refunds.externalId, givenExternal)));
    for (const r of rows) existingByExternal.set(r.externalId!, r);
  }
  const doneByOrder = new Map<string, Map<number, number>>(orderIds.map((id) => [id, refundedQuantities(earlier.filter((e) => e.orderId === id))]));

  const results: RefundResult[] = [];
  const toInsert: (typeof refunds.$inferInsert & { index: number })[] = [];
  const seenExternal = new Set<string>();
  opts.refunds.forEach((draft, index) => {
    const order = orderOf.get(draft.orderId);
    if (!order) return results.push({ status: 'failed', field: 'orderId', message: `order ${draft.orderId} not found` });
    if (draft.externalId) {
      const prior = existingByExternal.get(draft.externalId);
      if (prior) {
        if (prior.orderId !== order.id) return results.push({ status: 'failed', field: 'externalId', message: `refund "${draft.externalId}" belongs to another order (${prior.orderId})` });
        return results.push({ status: 'duplicate', refund: toRefund(prior) });
      }
      if (seenExternal.has(draft.externalId)) return results.push({ status: 'failed', field: 'externalId', message: `refund "${draft.externalId}" is given twice` });
    }
    const lines: OrderItem[] = items.get(order.id) ?? [];
    const done = new Map(doneByOrder.get(order.id)!);
    const refundedLines: { line: number; quantity: number }[] = [];
    let linesValue = 0;
    for (const [k, item] of (draft.items ?? []).entries()) {
      const target = 'line' in item ? lines.find((l) => l.line === item.line) : lines.find((l) => l.sku === item.sku && l.quantity > (done.get(l.line) ?? 0));
      if (!target) {
        return results.push({ status: 'failed', field: `items[${k}].${'line' in item ? 'line' : 'sku'}`, message: 'line' in item ? `the order has no line ${item.line}` : `the order has no line of SKU "${item.sku}" left to refund` });
      }
      const left = target.quantity - (done.get(target.line) ?? 0);
      if (item.quantity > left) return results.push({ status: 'failed', field: `items[${k}].quantity`, message: `line ${target.line} has ${left} left to refund, not ${item.quantity}` });
      done.set(target.line, (done.get(target.line) ?? 0) + item.quantity);
      refundedLines.push({ line: target.line, quantity: item.quantity });
      linesValue += target.unitPrice * item.quantity;
    }
    const left = order.total - order.refundedTotal;
    if (left <= 0) return results.push({ status: 'failed', field: 'amount', message: `order ${order.externalId ?? order.id} is already fully refunded` });
    let amount = draft.amount ?? (refundedLines.length ? linesValue : left);
    if (amount <= 0) return results.push({ status: 'failed', field: 'amount', message: 'must be more than 0' });
    if (amount > left) {
      if (!draft.capAmount) return results.push({ status: 'failed', field: 'amount', message: `${formatMoney(amount, order.currency)} is more than the ${formatMoney(left, order.currency)} left to refund` });
      amount = left;
    }
    order.refundedTotal += amount;
    if (order.status !== 'cancelled') order.status = order.refundedTotal >= order.total ? 'refunded' : 'partially_refunded';
    if (draft.externalId) seenExternal.add(draft.externalId);
    doneByOrder.set(order.id, done);
    const id = uuidv7();
    toInsert.push({
      index,
      workspaceId,
      id,
      orderId: order.id,
      externalId: draft.externalId ?? null,
      amount,
      reason: draft.reason ?? null,
      items: refundedLines,
      refundedAt: draft.refundedAt,
    });
    results.push({ status: 'refunded', refund: { id } as Refund, order });
  });
  if (toInsert.length === 0) return results;

  // A refund id another transaction stored meanwhile is skipped, so nothing is refunded twice.
  const stored = await db
    .insert(refunds)
    .values(toInsert.map(({ index: _i, ...r }) => r))
    .onConflictDoNothing()
    .returning();
  const storedById = new Map(stored.map((r) => [r.id, r]));
  const kept = toInsert.filter((r) => storedById.has(r.id!));
  // Totals from what was stored (a lost race leaves the order as it was).
  const delta = new Map<string, number>();
  for (const r of kept) delta.set(r.orderId, (delta.get(r.orderId) ?? 0) + r.amount);
  if (delta.size) {
    const changes = [...delta.entries()].map(([id, amount]) => ({ id, amount }));
    await db.execute(sql`
      update orders o set refunded_total = o.refunded_total + c.amount,
        status = case when o.status = 'cancelled' then o.status
                      when o.refunded_total + c.amount >= o.total then 'refunded' else 'partially_refunded' end,
        updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as c(id uuid, amount bigint)
      where o.workspace_id = ${workspaceId}::uuid and o.id = c.id`);
  }
  const spend = kept.filter((r) => orderOf.get(r.orderId)!.customerId);
  if (spend.length) {
    await recordRefundMetrics(db, {
      workspaceId,
      refunds: spend.map((r) => {
        const o = orderOf.get(r.orderId)!;
        return { customerId: o.customerId!, amount: spendOf(r.amount, o.currency, opts.workspaceCurrency) };
      }),
    });
  }
  return results.map((res, i): RefundResult => {
    if (res.status !== 'refunded') return res;
    const row = storedById.get(res.refund.id);
    if (!row) return { status: 'failed', field: 'externalId', message: `refund "${opts.refunds[i]!.externalId}" was stored meanwhile by another request` };
    return { status: 'refunded', refund: toRefund(row), order: res.order };
  });
}
