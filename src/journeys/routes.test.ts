import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import '../areas.ts';
import { clock } from '../clock.ts';
import { describeEachDb } from '../db/test-helpers.ts';
import { createTwoShops, type TwoShops } from '../http/test-client.ts';
import { addCustomers, granted } from '../messaging/delivery-test-fixture.ts';
import { runJourneysWork } from './work.ts';

describeEachDb('journeys API', (getDb) => {
  let s: TwoShops;
  let templateId: string;
  let customerIds: string[];
  beforeAll(async () => {
    s = await createTwoShops(getDb(), { names: ['여정샵', 'Other shop'] });
    customerIds = await addCustomers(getDb().db, s.a.workspace.id, [
      { email: 'j0@journey-api.test', name: '여정0', consents: granted('email', 'marketing', 'night_ads') },
      { email: 'j1@journey-api.test', name: '여정1', consents: granted('email', 'marketing', 'night_ads') },
    ]);
    const t = await s.ownerA.post('/api/templates', { name: '환영 메일', kind: 'email', format: 'html', purpose: 'marketing', subject: '{{ customer.name }}님 환영합니다', body: '<p>{{ data.coupon }}</p>' });
    expect(t.status).toBe(201);
    templateId = t.body.id;
  }, 120_000);
  afterAll(async () => {
    await s?.app.close();
  });
  afterEach(() => clock.reset());

  const definition = (template: string | null) => ({
    trigger: { type: 'api' },
    entry: { mode: 'always' },
    exit: {},
    graph: {
      start: 'hello',
      steps: [
        { id: 'hello', type: 'send', kind: 'email', templateId: template, next: 'wait' },
        { id: 'wait', type: 'delay', mode: 'duration', duration: { days: 1 }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    },
  });

  it('creates, checks, activates and pauses a journey; other workspaces and roles without messaging.write are refused', async () => {
    const created = await s.ownerA.post('/api/journeys', { name: 'API 여정', definition: definition(null) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', version: 0, problems: [{ path: 'graph.steps[0].templateId', code: 'no_template' }] });
    const id = created.body.id as string;
    const refused = await s.ownerA.post(`/api/journeys/${id}/activate`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/^graph\.steps\[0\]\.templateId: /);

    const fixed = await s.ownerA.patch(`/api/journeys/${id}`, { definition: definition(templateId) });
    expect(fixed.body.problems).toEqual([]);
    const live = await s.ownerA.post(`/api/journeys/${id}/activate`, {});
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'active', version: 1, changedSinceVersion: false });
    expect((await s.ownerA.get('/api/journeys')).body.items.map((j: { id: string }) => j.id)).toContain(id);

    expect((await s.ownerB.get(`/api/journeys/${id}`)).status).toBe(404);
    expect((await s.ownerB.post(`/api/journeys/${id}/pause`, {})).status).toBe(404);
    expect((await s.ownerB.post(`/api/journeys/${id}/enter`, { customerId: customerIds[0] })).status).toBe(404);
    expect((await s.ownerB.get(`/api/journeys/${id}/runs`)).status).toBe(404);
    expect((await s.ownerB.get('/api/journeys')).body.items).toEqual([]);
    for (const role of ['viewer', 'analyst', 'sales', 'support'] as const) {
      expect((await s.as[role].post('/api/journeys', { name: 'x', definition: definition(templateId) })).status).toBe(403);
      expect((await s.as[role].post(`/api/journeys/${id}/pause`, {})).status).toBe(403);
    }
    expect((await s.as.viewer.get(`/api/journeys/${id}/report`)).status).toBe(200);
    expect((await s.as.marketer.post(`/api/journeys/${id}/pause`, {})).body.status).toBe('paused');
    expect((await s.ownerA.post(`/api/journeys/${id}/enter`, { customerId: customerIds[0] })).status).toBe(409);
  });

  it('enters a customer by API once per key, shows where they are and why, and reports the step counts', async () => {
    const created = await s.ownerA.post('/api/journeys', { name: '쿠폰 여정', definition: definition(templateId) });
    const id = created.body.id as string;
    await s.ownerA.post(`/api/journeys/${id}/activate`, {});
    const entered = await s.ownerA.post(`/api/journeys/${id}/enter`, { customerId: customerIds[1], data: { coupon: 'WELCOME10' }, idempotencyKey: 'signup-1' });
    expect(entered.status).toBe(202);
    expect(entered.body).toMatchObject({ entered: true, run: { customerId: customerIds[1], status: 'active', stepId: 'hello' } });
    const again = await s.ownerA.post(`/api/journeys/${id}/enter`, { customerId: customerIds[1], idempotencyKey: 'signup-1' });
    expect(again.body).toMatchObject({ entered: false, run: null, reason: 'already_in' });
    const nobody = await s.ownerA.post(`/api/journeys/${id}/enter`, { customerId: '0190a0b0-0000-7000-8000-00000000dead' });
    expect(nobody.body).toMatchObject({ entered: false, reason: 'no_customer' });

    await runJourneysWork(getDb().db, { workspaceId: s.a.workspace.id });
    const runs = await s.ownerA.get(`/api/journeys/${id}/runs?customerId=${customerIds[1]}`);
    expect(runs.status).toBe(200);
    expect(runs.body.items).toHaveLength(1);
    expect(runs.body.items[0]).toMatchObject({ stepId: 'wait', stepType: 'delay', waiting: true, steps: [{ seq: 1, stepId: 'hello', outcome: 'sent' }] });
    expect(runs.body.items[0].steps[0].messageId).toMatch(/^[0-9a-f-]{36}$/);
    const report = await s.ownerA.get(`/api/journeys/${id}/report`);
    expect(report.body.totals).toMatchObject({ entered: 1, active: 1 });
    expect(report.body.steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stepId: 'hello', reached: 1, outcomes: { sent: 1 } }),
        expect.objectContaining({ stepId: 'wait', reached: 1, waiting: 1 }),
      ]),
    );
    expect(report.body.messages.created).toBe(1);
    // Reading who is where needs customers.read; every role of the workspace has it.
    expect((await s.as.viewer.get(`/api/journeys/${id}/runs`)).status).toBe(200);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const bad = async (body: unknown) => {
      const res = await s.ownerA.post('/api/journeys', body);
      expect(res.status).toBe(400);
      return res.body.error.message as string;
    };
    expect(await bad({ name: 'x', definition: { ...definition(templateId), trigger: { type: 'later' } } })).toMatch(/^trigger\.type: /);
    const steps = definition(templateId).graph.steps;
    expect(await bad({ name: 'x', definition: { ...definition(templateId), graph: { start: 'hello', steps: [{ ...steps[0], kind: 'fax' }] } } })).toMatch(/^graph\.steps\[0\]\.kind: /);
    expect(await bad({ name: 'x', definition: { ...definition(templateId), graph: { start: 'hello', steps: [steps[0], { id: 'wait', type: 'wait_event', event: 'Order Completed', next: 'end' }] } } })).toMatch(
      /^graph\.steps\[1\]\.timeout: /,
    );
    expect(await bad({ name: 'x', definition: { ...definition(templateId), graph: { start: 'hello', steps: [steps[0], steps[0]] } } })).toMatch(/^graph\.steps\[1\]\.id: /);
    expect(await bad({ name: '', definition: definition(templateId) })).toMatch(/^name: /);
    expect(await bad({ starterKey: 'nope' })).toMatch(/starterKey/);
    const enter = await s.ownerA.post(`/api/journeys/${customerIds[0]}/enter`, { customerId: 'not-an-id' });
    expect(enter.status).toBe(400);
  });

  it('creates a starter journey with its templates, ready to activate in one click', async () => {
    const starters = await s.ownerA.get('/api/journeys/starters');
    expect(starters.body.items.map((x: { key: string }) => x.key)).toEqual(['welcome', 'abandoned_cart', 'unopened_reminder', 'winback_30d', 'vip_drifting', 'birthday', 'cross_sell']);
    for (const key of ['welcome', 'abandoned_cart', 'winback_30d', 'vip_drifting', 'birthday', 'cross_sell', 'unopened_reminder']) {
      const made = await s.ownerA.post('/api/journeys', { starterKey: key });
      expect(made.status).toBe(201);
      expect(made.body.problems).toEqual([]);
      expect(made.body.starterKey).toBe(key);
      const on = await s.ownerA.post(`/api/journeys/${made.body.id}/activate`, {});
      expect(on.status, `${key}: ${JSON.stringify(on.body)}`).toBe(200);
    }
  });
});
