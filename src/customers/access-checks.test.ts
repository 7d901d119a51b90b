// Checks of who may do what beyond a route's permission: unsubscribe links, others' shared views,
// customer owners from the same workspace, and links built from the configured public address.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addTestMember, describeEachDb, TEST_PASSWORD } from '../db/test-helpers.ts';
import { createTestApp, createTwoShops, loginClient, type TwoShops } from '../http/test-client.ts';

describeEachDb('customers: access checks', (getDb) => {
  let t: TwoShops;
  let customerId: string;

  beforeAll(async () => {
    t = await createTwoShops(getDb(), { env: { RAPPORT_PUBLIC_URL: 'https://crm.example.com/' } });
    customerId = (await t.ownerA.post('/api/customers', { name: '김민지', email: 'minji@example.com' })).body.id;
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('viewers and analysts cannot make unsubscribe links; those who send messages can', async () => {
    for (const role of ['viewer', 'analyst', 'support'] as const) {
      const res = await t.as[role].get(`/api/customers/${customerId}/unsubscribe-link?channel=email`);
      expect(res.status, role).toBe(403);
    }
    expect((await t.as.marketer.get(`/api/customers/${customerId}/unsubscribe-link?channel=email`)).status).toBe(200);
  });

  it('builds links from RAPPORT_PUBLIC_URL, never from the Host or X-Forwarded-Host a caller sends', async () => {
    const res = await t.ownerA.get(`/api/customers/${customerId}/unsubscribe-link?channel=email`, {
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'http',
      host: 'attacker.example',
    });
    expect(res.status).toBe(200);
    expect(res.body.url).toBe(`https://crm.example.com/u/${res.body.token}`);
  });

  it('without RAPPORT_PUBLIC_URL the link is relative to the UI it is shown in', async () => {
    const app = await createTestApp(getDb());
    try {
      const owner = await loginClient(app, t.a.owner.email, TEST_PASSWORD);
      const res = await owner.get(`/api/customers/${customerId}/unsubscribe-link?channel=email`, { 'x-forwarded-host': 'evil.example', host: 'attacker.example' });
      expect(res.body.url).toBe(`/u/${res.body.token}`);
    } finally {
      await app.close();
    }
  });

  it("a viewer cannot delete someone else's shared view; its author and those who write customers can", async () => {
    const make = async () => (await t.as.marketer.post('/api/customer-views', { name: `VIP ${Math.random()}`, query: { q: 'vip' }, columns: ['name'], shared: true })).body.id as string;
    const shared = await make();
    expect((await t.as.viewer.delete(`/api/customer-views/${shared}`)).status).toBe(403);
    expect((await t.as.analyst.delete(`/api/customer-views/${shared}`)).status).toBe(403);
    expect((await t.as.marketer.get('/api/customer-views')).body.items.map((v: { id: string }) => v.id)).toContain(shared);
    expect((await t.as.sales.delete(`/api/customer-views/${shared}`)).status).toBe(200);
    // A viewer's own view is theirs to delete.
    const own = (await t.as.viewer.post('/api/customer-views', { name: 'mine', query: {}, columns: [] })).body.id;
    expect((await t.as.viewer.delete(`/api/customer-views/${own}`)).status).toBe(200);
    expect((await t.as.marketer.delete(`/api/customer-views/${await make()}`)).status).toBe(200);
  });

  it('ownerUserId must be a member of the same workspace: 400 naming the field', async () => {
    const foreignOwner = t.b.owner.id;
    const created = await t.ownerA.post('/api/customers', { name: '박서준', ownerUserId: foreignOwner });
    expect(created.status).toBe(400);
    expect(created.body.error.message).toContain('ownerUserId');
    const patched = await t.ownerA.patch(`/api/customers/${customerId}`, { ownerUserId: foreignOwner });
    expect(patched.status).toBe(400);
    expect(patched.body.error.message).toContain('ownerUserId');
    const bulk = await t.ownerA.post('/api/customers/bulk', { customers: [{ name: 'ok' }, { name: 'x', ownerUserId: foreignOwner }] });
    expect(bulk.status).toBe(400);
    expect(bulk.body.error.message).toContain('customers[1].ownerUserId');
    const identified = await t.ownerA.post('/api/customers/identify', { userId: 'u-owner-check', traits: { ownerUserId: foreignOwner } });
    expect(identified.status).toBe(400);
    expect(identified.body.error.message).toContain('traits.ownerUserId');
    expect((await t.ownerA.patch(`/api/customers/${customerId}`, { ownerUserId: '00000000-0000-7000-8000-000000000000' })).status).toBe(400);
    expect((await t.ownerB.get(`/api/customers/${customerId}`)).status).toBe(404);

    const seller = await addTestMember(getDb(), t.a.workspace.id, 'sales');
    const ok = await t.ownerA.patch(`/api/customers/${customerId}`, { ownerUserId: seller.id });
    expect(ok.status).toBe(200);
    expect(ok.body.ownerUserId).toBe(seller.id);
    expect((await t.ownerA.patch(`/api/customers/${customerId}`, { ownerUserId: null })).status).toBe(200);
  });
});
