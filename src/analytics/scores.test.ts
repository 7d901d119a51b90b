// The scores job against the pure maths it applies: RFM ranks done in SQL equal `scoreRfm`,
// segments and grades equal the rule tables, P(alive) and expected purchases equal the BG/NBD
// functions on the summary the pure code builds from the same orders; churn flags and grade
// changes become events once; an incremental run rescores only the customers touched; a
// maintained full run (rescoring only where scores can have moved) leaves every customer as a
// complete one would, whatever happened between the runs.
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createCustomer } from '../customers/customers.ts';
import { notifyCustomersChanged } from '../customers/links.ts';
import { mergeCustomers, undoMerge } from '../customers/merge.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { createOrders, type OrderInput } from '../commerce/new-orders.ts';
import { systemActor } from '../workspaces/audit.ts';
import { conditionalExpectedPurchases, probabilityAlive } from './bg-nbd.ts';
import { summarizeTransactions } from './clv-summary.ts';
import { assignGrade, DEFAULT_GRADES } from './grades.ts';
import { rfmSegment, scoredRows, scoreRfm } from './rfm.ts';
import { CHURN_RISK_EVENT } from './churn-risk.ts';
import { GRADE_CHANGED_EVENT, refreshScores } from './scores.ts';
import { updateAnalyticsSettings } from './settings.ts';

const NOW = new Date('2026-06-30T12:00:00Z');
const DAY = 86_400_000;

/** A seeded shop: 60 customers with 0–9 orders spread over two years, all in UTC. */
function* orderPlan(seed: number): Generator<{ person: number; at: Date; amount: number }> {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let person = 0; person < 60; person++) {
    const n = person % 10 === 0 ? 0 : 1 + Math.floor(rand() * rand() * 9);
    const first = 30 + Math.floor(rand() * 650);
    for (let k = 0; k < n; k++) {
      const daysAgo = Math.max(1, first - Math.floor(rand() * first));
      yield { person, at: new Date(NOW.getTime() - daysAgo * DAY - 3_600_000), amount: 10_000 + Math.floor(rand() * 20) * 5_000 };
    }
  }
}

describeEachDb('analytics scores', (getDb) => {
  async function shop() {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    const workspaceId = workspace.id;
    await database.db.execute(sql`update workspaces set time_zone = 'UTC', currency = 'KRW' where id = ${workspaceId}::uuid`);
    const people: string[] = [];
    for (let i = 0; i < 60; i++) people.push((await createCustomer(database.db, { workspaceId, actor: systemActor, input: { name: `고객 ${i}` } })).id);
    const plan = [...orderPlan(7)];
    const inputs: OrderInput[] = plan.map((o, i) => ({
      externalId: `O-${i}`,
      customerId: people[o.person],
      placedAt: o.at.toISOString(),
      items: [{ sku: `SKU-${i % 7}`, name: `상품 ${i % 7}`, unitPrice: o.amount, quantity: 1 }],
    }));
    await database.db.transaction((tx) =>
      createOrders(tx, { workspaceId, workspaceCurrency: 'KRW', inputs, source: 'api', pathOf: (i) => `orders[${i}]`, now: NOW }),
    );
    // Metrics rows for the customers who never ordered, as the behaviour metrics make for visitors.
    await database.db.execute(sql`
      insert into customer_metrics (workspace_id, customer_id, last_seen_at)
      select ${workspaceId}::uuid, id, ${new Date(NOW.getTime() - 40 * DAY).toISOString()}::timestamptz from customers where workspace_id = ${workspaceId}::uuid
      on conflict do nothing`);
    return { database, workspaceId, people, plan };
  }

  type Row = {
    customer_id: string;
    last_order_at: Date | null;
    order_count: number;
    total_spend: number;
    rfm_r: number | null;
    rfm_f: number | null;
    rfm_m: number | null;
    rfm_segment: string | null;
    grade: string | null;
    p_alive: number | null;
    expected_purchases: number | null;
    clv: number | null;
    churn_risk: boolean;
  };
  async function rowsOf(s: Awaited<ReturnType<typeof shop>>): Promise<Row[]> {
    const { rows } = await s.database.db.execute<Row>(sql`select * from customer_metrics where workspace_id = ${s.workspaceId}::uuid order by customer_id`);
    return rows.map((r) => ({ ...r, order_count: Number(r.order_count), total_spend: Number(r.total_spend), clv: r.clv === null ? null : Number(r.clv) }));
  }

  /** Every live customer's stored RFM scores, segment and grade are those of the pure functions on today's aggregates. */
  async function expectScoredAsPure(s: Awaited<ReturnType<typeof shop>>, asOf: Date) {
    const { rows: deleted } = await s.database.db.execute<{ id: string }>(
      sql`select id from customers where workspace_id = ${s.workspaceId}::uuid and deleted_at is not null`,
    );
    const gone = new Set(deleted.map((d) => d.id));
    const rows = (await rowsOf(s)).filter((r) => !gone.has(r.customer_id));
    const buyers = rows.filter((r) => r.last_order_at !== null);
    const pure = scoreRfm(
      buyers.map((r) => ({ customerId: r.customer_id, lastOrderAt: new Date(r.last_order_at!), orderCount: r.order_count, totalSpend: r.total_spend })),
      { asOf },
    );
    const byId = new Map(scoredRows(pure).map((c) => [c.customerId, c]));
    for (const r of rows) {
      const p = byId.get(r.customer_id);
      const want = p
        ? { r: p.r, f: p.f, m: p.m, segment: rfmSegment(p) ?? null, grade: assignGrade(DEFAULT_GRADES, { rfm: p, spend: r.total_spend, orders: r.order_count }) }
        : { r: null, f: null, m: null, segment: null, grade: assignGrade(DEFAULT_GRADES, { spend: 0, orders: 0 }) };
      expect({ customer: r.customer_id, r: r.rfm_r, f: r.rfm_f, m: r.rfm_m, segment: r.rfm_segment, grade: r.grade }).toEqual({ customer: r.customer_id, ...want });
    }
    return pure.cutPoints;
  }

  it('writes RFM scores, segments and grades equal to the pure functions on the same aggregates', async () => {
    const s = await shop();
    const out = await refreshScores(s.database.db, { workspaceId: s.workspaceId, now: NOW });
    const rows = await rowsOf(s);
    const buyers = rows.filter((r) => r.order_count > 0);
    expect(buyers.length).toBe(54);
    const pure = scoreRfm(
      buyers.map((r) => ({ customerId: r.customer_id, lastOrderAt: new Date(r.last_order_at!), orderCount: r.order_count, totalSpend: r.total_spend })),
      { asOf: NOW },
    );
    // The cut points found in the database are those of the pure tie rule, ties and all.
    expect(out.result.rfm.cutPoints).toEqual(pure.cutPoints);
    const byId = new Map(scoredRows(pure).map((c) => [c.customerId, c]));
    for (const r of buyers) {
      const p = byId.get(r.customer_id)!;
      expect({ r: r.rfm_r, f: r.rfm_f, m: r.rfm_m }).toEqual({ r: p.r, f: p.f, m: p.m });
      expect(r.rfm_segment).toBe(rfmSegment(p));
      expect(r.grade).toBe(assignGrade(DEFAULT_GRADES, { rfm: p, spend: r.total_spend, orders: r.order_count }));
    }
    for (const r of rows.filter((x) => x.order_count === 0)) {
      expect(r.rfm_r).toBeNull();
      expect(r.rfm_segment).toBeNull();
      expect(r.grade).toBe(assignGrade(DEFAULT_GRADES, { spend: 0, orders: 0 }));
    }
    expect(out.result.rfm.cutPoints).toEqual(pure.cutPoints);
    expect(Object.values(out.result.rfm.segments).reduce((a, b) => a + b, 0)).toBe(54);
  });

  it("P(alive) and expected purchases equal BG/NBD on the pure summary of the same orders, with the run's fitted parameters", async () => {
    const s = await shop();
    const out = await refreshScores(s.database.db, { workspaceId: s.workspaceId, now: NOW });
    const fit = out.result.clv.bgnbd;
    expect(fit).not.toBeNull();
    const summary = summarizeTransactions({
      transactions: s.plan.map((o) => ({ customerId: s.people[o.person]!, at: o.at, amount: o.amount })),
      calibrationEnd: NOW,
    });
    const rows = new Map((await rowsOf(s)).map((r) => [r.customer_id, r]));
    expect(summary.customers.length).toBe(54);
    for (const c of summary.customers) {
      const r = rows.get(c.customerId)!;
      expect(r.p_alive).toBeCloseTo(probabilityAlive(fit!, c), 4);
      expect(r.expected_purchases).toBeCloseTo(conditionalExpectedPurchases(fit!, 90 / 7, c), 3);
      expect(r.clv).toBeGreaterThanOrEqual(0);
    }
    expect(out.result.clv.customers).toBe(54);
  });

  it('flags churn risk by the thresholds, once, with an event; grade changes become events', async () => {
    const s = await shop();
    const db = s.database.db;
    await db.transaction((tx) => updateAnalyticsSettings(tx, { workspaceId: s.workspaceId, actor: systemActor, patch: { churnRecencyDays: 200, churnPAlive: 0.3 } }));
    const first = await refreshScores(db, { workspaceId: s.workspaceId, now: NOW });
    const rows = await rowsOf(s);
    const expected = rows.filter((r) => r.order_count > 0 && ((r.p_alive !== null && r.p_alive < 0.3) || (NOW.getTime() - new Date(r.last_order_at!).getTime()) / DAY >= 201));
    expect(rows.filter((r) => r.churn_risk).map((r) => r.customer_id).sort()).toEqual(expected.map((r) => r.customer_id).sort());
    expect(first.result.churn.newlyFlagged).toBe(expected.length);
    const count = async (name: string) =>
      Number((await db.execute<{ n: number }>(sql`select count(*) as n from events where workspace_id = ${s.workspaceId}::uuid and name = ${name}`)).rows[0]!.n);
    expect(await count(CHURN_RISK_EVENT)).toBe(expected.length);

    // The same day again: nothing new is flagged, no event is written twice.
    const again = await refreshScores(db, { workspaceId: s.workspaceId, now: new Date(NOW.getTime() + 60_000) });
    expect(again.result.churn.newlyFlagged).toBe(0);
    expect(await count(CHURN_RISK_EVENT)).toBe(expected.length);
    expect(await count(GRADE_CHANGED_EVENT)).toBe(0);

    // A stricter Gold: the Gold customers move down, each with a Grade Changed event.
    const golds = rows.filter((r) => r.grade === 'Gold').length;
    expect(golds).toBeGreaterThan(0);
    await db.transaction((tx) =>
      updateAnalyticsSettings(tx, {
        workspaceId: s.workspaceId,
        actor: systemActor,
        patch: { grades: DEFAULT_GRADES.grades.map((g) => (g.name === 'Gold' ? { name: 'Gold', rule: { kind: 'spend' as const, min: 10_000_000_000 } } : g)) },
      }),
    );
    const third = await refreshScores(db, { workspaceId: s.workspaceId, now: new Date(NOW.getTime() + 120_000) });
    expect(third.result.grades.changed).toBe(golds);
    expect(await count(GRADE_CHANGED_EVENT)).toBe(golds);
    const { rows: moved } = await db.execute<{ from: string; to: string }>(
      sql`select properties->>'from' as "from", properties->>'to' as "to" from events where workspace_id = ${s.workspaceId}::uuid and name = ${GRADE_CHANGED_EVENT}`,
    );
    for (const m of moved) expect(m.from).toBe('Gold');
  });

  it('an incremental run rescores only the customers touched since, with the last full run’s cut points', async () => {
    const s = await shop();
    const db = s.database.db;
    const full = await refreshScores(db, { workspaceId: s.workspaceId, now: NOW });
    expect(full.result.rfm.scored).toBe(54);
    const later = new Date(NOW.getTime() + 3_600_000);
    // A customer who never ordered orders now.
    const target = s.people[0]!;
    await db.transaction((tx) =>
      createOrders(tx, {
        workspaceId: s.workspaceId,
        workspaceCurrency: 'KRW',
        inputs: [{ externalId: 'LATE-1', customerId: target, placedAt: later.toISOString(), items: [{ sku: 'X', unitPrice: 50_000, quantity: 1 }] }],
        source: 'api',
        pathOf: () => 'orders[0]',
        now: later,
      }),
    );
    const inc = await refreshScores(db, { workspaceId: s.workspaceId, mode: 'incremental', now: new Date(later.getTime() + 1000) });
    expect(inc.customers).toBe(1);
    const row = (await rowsOf(s)).find((r) => r.customer_id === target)!;
    expect(row.rfm_r).toBe(5);
    expect(row.rfm_segment).not.toBeNull();
    expect(row.p_alive).toBe(1);
  });

  it('an incremental run a few customers at a time scores, flags and reports as one over all of them', async () => {
    // Two shops alike; a third of the customers order again in both; one scores them all at
    // once, the other five at a time.
    const shops = [await shop(), await shop()];
    const later = new Date(NOW.getTime() + 3_600_000);
    const runs: Awaited<ReturnType<typeof refreshScores>>[] = [];
    for (const [k, s] of shops.entries()) {
      const db = s.database.db;
      await refreshScores(db, { workspaceId: s.workspaceId, now: NOW });
      const inputs: OrderInput[] = s.people
        .filter((_, i) => i % 3 === 0)
        .map((customerId, i) => ({ externalId: `AGAIN-${i}`, customerId, placedAt: later.toISOString(), items: [{ sku: 'X', unitPrice: 20_000 + 10_000 * (i % 4), quantity: 1 }] }));
      await db.transaction((tx) => createOrders(tx, { workspaceId: s.workspaceId, workspaceCurrency: 'KRW', inputs, source: 'api', pathOf: (i) => `orders[${i}]`, now: later }));
      runs.push(await refreshScores(db, { workspaceId: s.workspaceId, mode: 'incremental', now: new Date(later.getTime() + 1000), ...(k === 1 ? { chunk: 5 } : {}) }));
    }
    expect(runs[0]!.customers).toBe(20);
    const summary = (r: (typeof runs)[number]) => ({
      customers: r.customers,
      segments: r.result.rfm.segments,
      scored: r.result.rfm.scored,
      grades: r.result.grades,
      churn: r.result.churn,
      clvCustomers: r.result.clv.customers,
    });
    expect(summary(runs[1]!)).toEqual(summary(runs[0]!));
    const byPerson = async (s: Awaited<ReturnType<typeof shop>>) => {
      const rows = new Map((await rowsOf(s)).map((r) => [r.customer_id, r]));
      return s.people.map((id) => {
        const r = rows.get(id)!;
        return [r.rfm_r, r.rfm_f, r.rfm_m, r.rfm_segment, r.grade, r.p_alive, r.expected_purchases, r.clv, r.churn_risk];
      });
    };
    expect(await byPerson(shops[1]!)).toEqual(await byPerson(shops[0]!));
    // The events of the runs: as many grade changes and churn flags.
    const events = async (s: Awaited<ReturnType<typeof shop>>) =>
      (
        await s.database.db.execute<{ name: string; n: number }>(sql`
          select name, count(*)::int as n from events where workspace_id = ${s.workspaceId}::uuid and name in (${GRADE_CHANGED_EVENT}, ${CHURN_RISK_EVENT}) group by name order by name`)
      ).rows;
    expect(await events(shops[1]!)).toEqual(await events(shops[0]!));
  });

  it('a maintained full run rescores only where scores can move, and leaves every customer as ranking everyone afresh would', async () => {
    // Between two full runs: time passes, customers order (buyers and first-time buyers),
    // incremental runs come and go, customers are deleted and restored.
    type Step =
      | { kind: 'wait'; hours: number }
      | { kind: 'order'; person: number; hoursAgo: number; amount: number }
      | { kind: 'incremental' }
      | { kind: 'delete'; person: number }
      | { kind: 'restore'; person: number };
    const person = fc.integer({ min: 0, max: 59 });
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 24 * 40 }) }),
      fc.record({ kind: fc.constant('order' as const), person, hoursAgo: fc.integer({ min: 0, max: 24 * 30 }), amount: fc.integer({ min: 1, max: 40 }).map((k) => k * 5_000) }),
      fc.record({ kind: fc.constant('incremental' as const) }),
      fc.record({ kind: fc.constant('delete' as const), person }),
      fc.record({ kind: fc.constant('restore' as const), person }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(step, { maxLength: 6 }), { minLength: 1, maxLength: 3 }), async (rounds) => {
        const s = await shop();
        const db = s.database.db;
        let now = NOW;
        let orders = 0;
        const first = await refreshScores(db, { workspaceId: s.workspaceId, now });
        expect(first.result.rfm.method).toBe('complete');
        for (const round of rounds) {
          for (const st of round) {
            if (st.kind === 'wait') now = new Date(now.getTime() + st.hours * 3_600_000);
            else if (st.kind === 'incremental') await refreshScores(db, { workspaceId: s.workspaceId, mode: 'incremental', now });
            else if (st.kind === 'order') {
              const at = new Date(now.getTime() - st.hoursAgo * 3_600_000);
              await db.transaction((tx) =>
                createOrders(tx, {
                  workspaceId: s.workspaceId,
                  workspaceCurrency: 'KRW',
                  inputs: [{ externalId: `P-${orders++}`, customerId: s.people[st.person], placedAt: at.toISOString(), items: [{ sku: 'P', unitPrice: st.amount, quantity: 1 }] }],
                  source: 'api',
                  pathOf: () => 'orders[0]',
                  now: at,
                }),
              );
            } else {
              // What the delete and restore endpoints do.
              const id = s.people[st.person]!;
              await db.transaction(async (tx) => {
                await tx.execute(sql`update customers set deleted_at = ${st.kind === 'delete' ? sql`now()` : sql`null`} where workspace_id = ${s.workspaceId}::uuid and id = ${id}::uuid`);
                await notifyCustomersChanged(tx, { workspaceId: s.workspaceId, customerIds: [id], changes: ['all'] });
              });
            }
          }
          const run = await refreshScores(db, { workspaceId: s.workspaceId, now });
          expect(run.result.rfm.method).toBe('maintained');
          expect(run.result.rfm.histogramDrift).toBe(false);
          expect(run.result.rfm.cutPoints).toEqual(await expectScoredAsPure(s, now));
        }
        // Nothing happened since: the same instant again looks at nobody.
        const again = await refreshScores(db, { workspaceId: s.workspaceId, now });
        expect(again.result.rfm.candidates).toBe(0);
        expect(again.customers).toBe(0);
      }),
      { numRuns: 12 },
    );
  }, 300_000);

  it('after a merge and after its undo, the next maintained run scores both customers as ranking everyone afresh would', async () => {
    const s = await shop();
    const db = s.database.db;
    await refreshScores(db, { workspaceId: s.workspaceId, now: NOW });
    // Two buyers: one takes the other's orders, then gives them back.
    const [survivorId, mergedId] = [s.people[1]!, s.people[2]!];
    const { merge } = await db.transaction((tx) => mergeCustomers(tx, { workspaceId: s.workspaceId, actor: systemActor, survivorId, mergedId }));
    const day2 = new Date(NOW.getTime() + DAY);
    const afterMerge = await refreshScores(db, { workspaceId: s.workspaceId, now: day2 });
    expect(afterMerge.result.rfm.method).toBe('maintained');
    await expectScoredAsPure(s, day2);
    await db.transaction((tx) => undoMerge(tx, { workspaceId: s.workspaceId, actor: systemActor, mergeId: merge.id }));
    const day40 = new Date(NOW.getTime() + 40 * DAY);
    const afterUndo = await refreshScores(db, { workspaceId: s.workspaceId, now: day40 });
    expect(afterUndo.result.rfm.method).toBe('maintained');
    await expectScoredAsPure(s, day40);
    const { rows } = await db.execute<{ rfm_r: number | null }>(
      sql`select rfm_r from customer_metrics where workspace_id = ${s.workspaceId}::uuid and customer_id = ${mergedId}::uuid`,
    );
    expect(rows[0]?.rfm_r).not.toBeNull();
  });

  it('a histogram that disagrees with the rows is noticed: the run ranks everyone afresh and counts it again', async () => {
    const s = await shop();
    const db = s.database.db;
    await refreshScores(db, { workspaceId: s.workspaceId, now: NOW });
    // One more buyer counted on the busiest spend bucket than there are.
    await db.execute(sql`
      update rfm_histograms set customers = customers + 1
      where workspace_id = ${s.workspaceId}::uuid and (dimension, bucket) = (
        select dimension, bucket from rfm_histograms where workspace_id = ${s.workspaceId}::uuid and dimension = 'm' order by customers desc, bucket limit 1)`);
    const day2 = new Date(NOW.getTime() + DAY);
    const fixed = await refreshScores(db, { workspaceId: s.workspaceId, now: day2 });
    expect(fixed.result.rfm).toMatchObject({ method: 'complete', histogramDrift: true });
    await expectScoredAsPure(s, day2);
    const day3 = new Date(NOW.getTime() + 2 * DAY);
    const next = await refreshScores(db, { workspaceId: s.workspaceId, now: day3 });
    expect(next.result.rfm).toMatchObject({ method: 'maintained', histogramDrift: false });
    await expectScoredAsPure(s, day3);
  });
});
