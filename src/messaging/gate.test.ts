import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { setConsentsBulk } from '../customers/consents.ts';
import { systemActor } from '../workspaces/audit.ts';
import { addChannel, addCustomers, granted } from './delivery-test-fixture.ts';
import { addressHash, gateMessages, suppressAddresses } from './gate.ts';
import { friendTalkStart, inWindow, nextLocalMinute, quietHoursEnd } from './quiet-hours.ts';
import { createMessage, createMessages } from './send.ts';
import { setMessagingSettings } from './settings.ts';
import { recordStatuses } from './status.ts';

const kst = (local: string) => new Date(`${local}+09:00`);

describe('quiet hours', () => {
  it.each([
    [21 * 60, 21 * 60, 8 * 60, true],
    [7 * 60 + 59, 21 * 60, 8 * 60, true],
    [8 * 60, 21 * 60, 8 * 60, false],
    [20 * 60 + 59, 21 * 60, 8 * 60, false],
    [0, 21 * 60, 8 * 60, true],
    [13 * 60, 12 * 60, 14 * 60, true],
    [14 * 60, 12 * 60, 14 * 60, false],
  ])('minute %i in [%i, %i) → %s', (minute, start, end, expected) => {
    expect(inWindow(minute, start, end)).toBe(expected);
  });

  it('ends at the next 08:00 in the customer’s zone, across midnight and a DST change', () => {
    const rules = { quietStartMinute: 21 * 60, quietEndMinute: 8 * 60 };
    expect(quietHoursEnd(kst('2026-05-01T23:00:00'), 'Asia/Seoul', rules)?.toISOString()).toBe(kst('2026-05-02T08:00:00').toISOString());
    expect(quietHoursEnd(kst('2026-05-02T03:10:00'), 'Asia/Seoul', rules)?.toISOString()).toBe(kst('2026-05-02T08:00:00').toISOString());
    expect(quietHoursEnd(kst('2026-05-02T12:00:00'), 'Asia/Seoul', rules)).toBeUndefined();
    // 23:00 in New York the night before the clocks go forward (2026-03-08): 08:00 EDT is 12:00 UTC.
    expect(quietHoursEnd(new Date('2026-03-08T04:00:00Z'), 'America/New_York', rules)?.toISOString()).toBe('2026-03-08T12:00:00.000Z');
    expect(nextLocalMinute(kst('2026-05-01T08:00:00'), 'Asia/Seoul', 8 * 60).toISOString()).toBe(kst('2026-05-01T08:00:00').toISOString());
  });

  it('lets FriendTalk go 08:00–20:50 only', () => {
    expect(friendTalkStart(kst('2026-05-01T20:49:00'), 'Asia/Seoul')).toBeUndefined();
    expect(friendTalkStart(kst('2026-05-01T20:50:00'), 'Asia/Seoul')?.toISOString()).toBe(kst('2026-05-02T08:00:00').toISOString());
    expect(friendTalkStart(kst('2026-05-01T07:59:00'), 'Asia/Seoul')?.toISOString()).toBe(kst('2026-05-01T08:00:00').toISOString());
  });
});

describeEachDb('the gate', (getDb) => {
  afterEach(() => clock.reset());

  async function shop() {
    const { db } = getDb();
    const { workspace } = await createTestWorkspace(getDb(), 'Gate shop');
    const ws = workspace.id;
    const emailChannel = await addChannel(db, ws, { kind: 'email', provider: 'sandbox' });
    return { db, ws, emailChannel };
  }
  const req = (ws: string, customerId: string, key: string, purpose: 'marketing' | 'transactional' = 'marketing') => ({
    workspaceId: ws,
    customerId,
    kind: 'email' as const,
    content: { subject: 'Hello', body: '<p>Hi {{ customer.name }}</p>' },
    purpose,
    idempotencyKey: key,
  });

  it('suppresses an ad to a customer without marketing consent, with the reason, and sends a transactional message to them', async () => {
    const { db, ws } = await shop();
    const [noConsent, denied, ok] = await addCustomers(db, ws, [
      { email: 'none@example.com', name: 'None' },
      { email: 'denied@example.com', name: 'Denied', consents: [{ channel: 'email', purpose: 'marketing', status: 'denied' }] },
      { email: 'ok@example.com', name: 'Ok', consents: granted('email', 'marketing') },
    ]);
    clock.set(kst('2026-05-01T12:00:00'));
    const out = await createMessages(db, [req(ws, noConsent!, 'a'), req(ws, denied!, 'b'), req(ws, ok!, 'c'), req(ws, noConsent!, 'd', 'transactional')]);
    expect(out.map((o) => [o.message.status, o.message.reason])).toEqual([
      ['suppressed', 'no_consent'],
      ['suppressed', 'no_consent'],
      ['queued', null],
      ['queued', null],
    ]);
    expect(out[3]!.message.lane).toBe('transactional');
    expect(out[2]!.message.lane).toBe('bulk');
    // The refusal is on the customer's record: history and a Message Suppressed event.
    const { rows } = await db.execute<{ name: string; properties: { reason: string } }>(sql`select name, properties from events where workspace_id = ${ws}::uuid and customer_id = ${noConsent}::uuid`);
    expect(rows).toEqual([expect.objectContaining({ name: 'Message Suppressed', properties: expect.objectContaining({ reason: 'no_consent' }) })]);
    // A denied transactional consent or a blocked address stops transactional messages too.
    await setConsentsBulk(db, { workspaceId: ws, actorLabel: 'test', consents: [{ customerId: denied!, channel: 'email', purpose: 'transactional', status: 'denied', source: 'test' }] });
    await suppressAddresses(db, [{ workspaceId: ws, kind: 'email', address: ' OK@example.com', reason: 'hard_bounce' }]);
    expect(addressHash('email', 'ok@example.com')).toBe(addressHash('email', ' OK@Example.com '));
    const again = await gateMessages(db, [
      { workspaceId: ws, customerId: denied!, kind: 'email', purpose: 'transactional' },
      { workspaceId: ws, customerId: ok!, kind: 'email', purpose: 'transactional' },
      { workspaceId: ws, customerId: noConsent!, kind: 'email', purpose: 'transactional' },
      { workspaceId: ws, customerId: noConsent!, kind: 'sms', purpose: 'transactional' },
    ]);
    expect(again).toEqual([
      { status: 'suppressed', reason: 'no_consent' },
      { status: 'suppressed', reason: 'suppressed_address' },
      null,
      { status: 'suppressed', reason: 'no_address' },
    ]);
  });

  it('defers a 23:00 KST ad without night_ads consent to 08:00 KST (or skips it), and lets it go with the consent', async () => {
    const { db, ws } = await shop();
    const [day, night, abroad] = await addCustomers(db, ws, [
      { email: 'day@example.com', consents: granted('email', 'marketing') },
      { email: 'night@example.com', consents: granted('email', 'marketing', 'night_ads') },
      // 23:00 in Seoul is 15:00 in London: the customer's own zone decides.
      { email: 'abroad@example.com', timeZone: 'Europe/London', consents: granted('email', 'marketing') },
    ]);
    clock.set(kst('2026-05-01T23:00:00'));
    const out = await createMessages(db, [req(ws, day!, 'day'), req(ws, night!, 'night'), req(ws, abroad!, 'abroad'), req(ws, day!, 'day-tx', 'transactional')]);
    expect(out[0]!.message).toMatchObject({ status: 'deferred', reason: 'quiet_hours' });
    expect(out[0]!.message.sendAt.toISOString()).toBe(kst('2026-05-02T08:00:00').toISOString());
    expect(out[1]!.message.status).toBe('queued');
    expect(out[2]!.message.status).toBe('queued');
    expect(out[3]!.message.status).toBe('queued');
    await setMessagingSettings(db, { workspaceId: ws, actor: systemActor, input: { nightPolicy: 'skip' } });
    expect(await gateMessages(db, [{ workspaceId: ws, customerId: day!, kind: 'email', purpose: 'marketing' }])).toEqual([{ status: 'suppressed', reason: 'quiet_hours' }]);
  });

  it('suppresses the third marketing message in a day under a 2-a-day cap, counting what was sent and the batch itself', async () => {
    const { db, ws } = await shop();
    const [a, b] = await addCustomers(db, ws, [
      { email: 'a@example.com', consents: granted('email', 'marketing') },
      { email: 'b@example.com', consents: granted('email', 'marketing') },
    ]);
    clock.set(kst('2026-05-01T10:00:00'));
    // Two sent to a earlier today.
    const first = await createMessages(db, [req(ws, a!, 'a1'), req(ws, a!, 'a2')]);
    expect(first.map((o) => o.message.status)).toEqual(['queued', 'queued']);
    await recordStatuses(db, first.map((o) => ({ workspaceId: ws, messageId: o.message.id, status: 'sent' as const })));
    clock.set(kst('2026-05-01T15:00:00'));
    const third = await createMessage(db, req(ws, a!, 'a3'));
    expect(third.message).toMatchObject({ status: 'suppressed', reason: 'frequency_cap' });
    // A transactional message is not capped.
    expect((await createMessage(db, req(ws, a!, 'a-tx', 'transactional'))).message.status).toBe('queued');
    // In one batch: the first two pass, the third is capped.
    const batch = await createMessages(db, [req(ws, b!, 'b1'), req(ws, b!, 'b2'), req(ws, b!, 'b3')]);
    expect(batch.map((o) => o.message.reason)).toEqual([null, null, 'frequency_cap']);
    // A day later the window has moved on.
    clock.set(kst('2026-05-02T10:01:00'));
    expect((await gateMessages(db, [{ workspaceId: ws, customerId: a!, kind: 'email', purpose: 'marketing' }]))[0]).toBeNull();
  });

  it('returns the first message for a repeated idempotency key, and refuses the unknown', async () => {
    const { db, ws } = await shop();
    const [c] = await addCustomers(db, ws, [{ email: 'idem@example.com', consents: granted('email', 'marketing') }]);
    const one = await createMessage(db, req(ws, c!, 'order-1'));
    const two = await createMessage(db, { ...req(ws, c!, 'order-1'), content: { subject: 'Other', body: 'x' } });
    const three = await createMessages(db, [req(ws, c!, 'order-2'), req(ws, c!, 'order-2')]);
    expect(one.created).toBe(true);
    expect(two).toMatchObject({ created: false, message: { id: one.message.id } });
    expect(three.map((o) => o.created)).toEqual([true, false]);
    expect(three[0]!.message.id).toBe(three[1]!.message.id);
    const { rows } = await db.execute<{ n: number }>(sql`select count(*)::int as n from messages where workspace_id = ${ws}::uuid`);
    expect(rows[0]!.n).toBe(2);
    const gone = await createMessage(db, req(ws, '00000000-0000-7000-8000-000000000000', 'ghost'));
    expect(gone.message).toMatchObject({ status: 'suppressed', reason: 'customer_missing' });
    await expect(createMessage(db, { ...req(ws, c!, 'x'), kind: undefined })).rejects.toThrow(/body.channel/);
    await expect(createMessage(db, { ...req(ws, c!, 'y'), purpose: 'promo' as 'marketing' })).rejects.toThrow(/body.purpose/);
    await expect(createMessage(db, { ...req(ws, c!, 'z'), kind: 'kakao', content: { body: 'hi', options: { type: 'alimtalk' } } })).rejects.toThrow(/AlimTalk/);
  });
});
