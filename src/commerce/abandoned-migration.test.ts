// drizzle/0014_abandoned_still_in_cart.sql on data as the code before it left it: an abandoned-item
// count that kept lines bought or removed since, and the starter segment "Abandoned cart in 24 h"
// on the event alone (a copy someone changed is left as it is). Run again here, as it is
// idempotent, on both databases.
import fs from 'node:fs';
import { and, eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCustomer } from '../customers/customers.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { customerMetrics } from '../events/schema.ts';
import { segments } from '../segments/schema.ts';
import { systemActor } from '../workspaces/audit.ts';
import { detectAbandonedCarts } from './abandoned-carts.ts';
import { recordCommerceEvents } from './event-effects.ts';
import { trackEvent } from './test-events.ts';

const MIGRATION = new URL('../../drizzle/0014_abandoned_still_in_cart.sql', import.meta.url);
const OLD_STARTER = { type: 'event', name: 'Cart Abandoned', within: { hours: 24 } };

describeEachDb('migration 0014: abandoned lines still in the cart', (getDb) => {
  it('recounts abandoned items without lines bought or removed, and moves the unchanged starter segment', async () => {
    const { db } = getDb();
    const { workspace } = await createTestWorkspace(getDb());
    const ws = workspace.id;
    const customer = await createCustomer(db, { workspaceId: ws, actor: systemActor, input: { name: '복귀 고객' } });
    const at = (m: number) => new Date(Date.parse('2024-10-01T10:00:00Z') + m * 60_000);
    await db.transaction((tx) =>
      recordCommerceEvents(tx, {
        workspaceId: ws,
        events: ['A', 'B', 'C'].map((sku) => trackEvent('Product Added', { sku, price: 100 }, { customerId: customer.id, at: at(0) })),
      }),
    );
    await detectAbandonedCarts(db, { workspaceId: ws, now: at(90) });
    // What the code before left: A bought and B removed after abandonment, all three still counted.
    await db.execute(sql`update cart_items set ordered_at = ${at(100).toISOString()}::timestamptz where workspace_id = ${ws} and sku = 'A'`);
    await db.execute(sql`update cart_items set removed_at = ${at(101).toISOString()}::timestamptz where workspace_id = ${ws} and sku = 'B'`);
    await db.execute(sql`update customer_metrics set abandoned_cart_items = 3 where workspace_id = ${ws} and customer_id = ${customer.id}`);
    const starter = uuidv7();
    const edited = uuidv7();
    await db.insert(segments).values([
      { workspaceId: ws, id: starter, name: 'Abandoned cart in 24 h', description: 'Left a cart in the last 24 hours', kind: 'dynamic', definition: OLD_STARTER, starterKey: 'abandoned-cart-24h' },
      { workspaceId: ws, id: edited, name: 'Mine', kind: 'dynamic', definition: { ...OLD_STARTER, within: { hours: 48 } }, starterKey: 'abandoned-cart-24h' },
    ]);

    for (const statement of fs.readFileSync(MIGRATION, 'utf8').split('--> statement-breakpoint')) await db.execute(sql.raw(statement));

    const [m] = await db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, ws), eq(customerMetrics.customerId, customer.id)));
    expect(m!.abandonedCartItems).toBe(1);
    const rows = await db.select({ id: segments.id, definition: segments.definition, description: segments.description }).from(segments).where(eq(segments.workspaceId, ws));
    expect(rows.find((r) => r.id === starter)).toEqual({
      id: starter,
      definition: { and: [OLD_STARTER, { type: 'metric', field: 'abandoned_cart', op: 'eq', value: true }] },
      description: 'Left a cart in the last 24 hours and has not bought or removed it since',
    });
    expect(rows.find((r) => r.id === edited)!.definition).toEqual({ ...OLD_STARTER, within: { hours: 48 } });
  });
});
