import { and, count, eq, isNull, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import '../areas.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { systemActor } from '../workspaces/audit.ts';
import { listAttributeDefs } from './attributes.ts';
import { getConsents } from './consents.ts';
import { loadDemoCustomers } from './demo.ts';
import { findDuplicates } from './duplicates.ts';
import { listNotes } from './notes.ts';
import { listPreferences } from './preferences.ts';
import { customers } from './schema.ts';

const actor = { ...systemActor, label: 'demo data' };
const now = new Date('2026-11-01T00:00:00Z');

describeEachDb('demo customers', (database) => {
  async function idsByExternalId(workspaceId: string): Promise<Map<string, string>> {
    const rows = await database()
      .db.select({ id: customers.id, externalId: customers.externalId })
      .from(customers)
      .where(and(eq(customers.workspaceId, workspaceId), isNull(customers.deletedAt)));
    return new Map(rows.map((r) => [r.externalId!, r.id]));
  }

  it('loads the same customers and duplicates for the same seed', async () => {
    const a = await createTestWorkspace(database());
    const b = await createTestWorkspace(database());
    const opts = { actor, count: 300, seed: 7, duplicateRate: 0.05, now, batchSize: 120 };
    const ra = await loadDemoCustomers(database().db, { ...opts, workspaceId: a.workspace.id });
    const rb = await loadDemoCustomers(database().db, { ...opts, workspaceId: b.workspace.id });
    expect(ra.failed).toBe(0);
    expect(ra.created).toBe(300 + ra.duplicates.length);
    expect(ra.duplicates.length).toBeGreaterThan(5);
    expect(rb).toEqual(ra);
    const profile = async (workspaceId: string) =>
      (
        await database().db.execute<{ p: string }>(sql`
          select string_agg(concat_ws('|', external_id, email, phone, name, birthday, gender, lifecycle_stage, tags::text, attributes::text), ';' order by external_id) as p
          from customers where workspace_id = ${workspaceId}`)
      ).rows[0]!.p;
    expect(await profile(b.workspace.id)).toBe(await profile(a.workspace.id));
  });

  it('defines the attributes and keeps consents, preferences and notes', async () => {
    const { workspace } = await createTestWorkspace(database());
    const result = await loadDemoCustomers(database().db, { workspaceId: workspace.id, actor, count: 200, seed: 3, now });
    expect(result.attributesCreated).toEqual(['region', 'membership_card', 'preferred_style', 'height_cm']);
    const defs = await listAttributeDefs(database().db, { workspaceId: workspace.id });
    expect(defs.map((d) => [d.key, d.type, d.purpose])).toEqual([
      ['region', 'enum', 'analytics'],
      ['membership_card', 'boolean', 'service'],
      ['preferred_style', 'enum', 'marketing'],
      ['height_cm', 'number', 'service'],
    ]);
    expect(defs[0]!.options).toContain('서울');

    const db = database().db;
    const ws = sql`workspace_id = ${workspace.id}`;
    const one = async (q: ReturnType<typeof sql>) => Number((await db.execute<{ n: number }>(q)).rows[0]!.n);
    expect(await one(sql`select count(distinct customer_id) as n from customer_consents where ${ws} and status = 'granted'`)).toBeGreaterThan(60);
    expect(await one(sql`select count(*) as n from customer_consents where ${ws} and purpose = 'night_ads' and status = 'granted'`)).toBeGreaterThan(5);
    expect(await one(sql`select count(*) as n from customer_consent_history where ${ws} and source = 'signup'`)).toBeGreaterThan(200);
    expect(await one(sql`select count(distinct customer_id) as n from customer_preferences where ${ws} and source = 'survey'`)).toBeGreaterThan(100);
    expect(await one(sql`select count(distinct lifecycle_stage) as n from customers where ${ws}`)).toBe(5);
    expect(await one(sql`select count(*) as n from customers where ${ws} and attributes->>'region' = '서울'`)).toBeGreaterThan(40);
    expect(result.notes).toBe(12);

    const ids = await idsByExternalId(workspace.id);
    const first = ids.get('C0000001')!;
    const consents = await getConsents(db, { workspaceId: workspace.id, customerId: first });
    expect(consents.filter((c) => c.purpose === 'marketing' && c.status !== 'unknown').length).toBeGreaterThan(0);
    const withPrefs = await db.execute<{ customer_id: string }>(sql`select customer_id from customer_preferences where ${ws} limit 1`);
    const prefs = await listPreferences(db, { workspaceId: workspace.id, customerId: withPrefs.rows[0]!.customer_id });
    expect(prefs[0]).toMatchObject({ source: 'survey' });
    const noted = await db.execute<{ customer_id: string }>(sql`select customer_id from customer_notes where ${ws} limit 1`);
    expect(await listNotes(db, { workspaceId: workspace.id, customerId: noted.rows[0]!.customer_id })).toHaveLength(1);
  });

  it('plants duplicates that duplicate detection finds', async () => {
    const { workspace } = await createTestWorkspace(database());
    const result = await loadDemoCustomers(database().db, { workspaceId: workspace.id, actor, count: 400, seed: 11, duplicateRate: 0.05, now });
    expect(new Set(result.duplicates.map((d) => d.kind))).toEqual(new Set(['name_birthday', 'email_variant', 'name_phone_tail']));
    const ids = await idsByExternalId(workspace.id);
    const pairs = await findDuplicates(database().db, { workspaceId: workspace.id, limit: 1000 });
    const found = new Map(pairs.map((p) => [[p.aId, p.bId].sort().join(':'), p.reasons]));
    const expected = { name_birthday: 'name_birthday', email_variant: 'email', name_phone_tail: 'name_phone_tail' } as const;
    for (const d of result.duplicates) {
      const key = [ids.get(d.externalId)!, ids.get(d.duplicateOf)!].sort().join(':');
      expect(found.get(key), `${d.externalId} ~ ${d.duplicateOf}`).toContain(expected[d.kind]);
    }
  });

  it('updates instead of adding when loaded again', async () => {
    const { workspace } = await createTestWorkspace(database());
    const opts = { workspaceId: workspace.id, actor, count: 100, seed: 5, duplicateRate: 0.05, now };
    const first = await loadDemoCustomers(database().db, opts);
    const again = await loadDemoCustomers(database().db, opts);
    expect(again).toMatchObject({ created: 0, updated: first.created, failed: 0, notes: 0, attributesCreated: [] });
    const [row] = await database().db.select({ n: count() }).from(customers).where(eq(customers.workspaceId, workspace.id));
    expect(row!.n).toBe(first.created);
  });
});
