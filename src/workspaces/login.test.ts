// Login throttling: whose address counts (proxy headers only when configured), the per-address
// limit, the per-account slow-down that a known browser is exempt from, and the session's address.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clock } from '../clock.ts';
import { createTestWorkspace, describeEachDb, TEST_PASSWORD, uniqueEmail } from '../db/test-helpers.ts';
import { createTestApp } from '../http/test-client.ts';
import type { App } from '../http/app.ts';

// Every failed login checks an argon2id hash on purpose: these tests make dozens.
vi.setConfig({ testTimeout: 120_000 });

type Login = { status: number; body: any; cookies: { name: string; value: string }[]; headers: Record<string, unknown> };

async function login(app: App, email: string, password: string, headers: Record<string, string> = {}, remoteAddress?: string): Promise<Login> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, headers, ...(remoteAddress ? { remoteAddress } : {}) });
  return { status: res.statusCode, body: res.json(), cookies: res.cookies, headers: res.headers };
}

describeEachDb('login throttling', (getDb) => {
  afterEach(() => clock.reset());

  it('ignores X-Forwarded-For by default: changing it does not escape the per-address limit', async () => {
    const app = await createTestApp(getDb(), { RAPPORT_LOGIN_RATE_LIMIT: '10' });
    try {
      const ws = await createTestWorkspace(getDb());
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) {
        // Unknown accounts, so only the per-address limit is at work.
        statuses.push((await login(app, uniqueEmail('nobody'), 'wrong password', { 'x-forwarded-for': `203.0.113.${i}` })).status);
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual(Array(5).fill(429));
      expect((await login(app, ws.owner.email, TEST_PASSWORD, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
    } finally {
      await app.close();
    }
  });

  it('records the real address on the session, and the forwarded one only behind a configured proxy', async () => {
    const { db } = getDb();
    const ipOf = async (cookie: string) => {
      const { createHash } = await import('node:crypto');
      const hash = createHash('sha256').update(cookie).digest('hex');
      const { rows } = await db.execute<{ ip: string }>(sql`select ip from sessions where token_hash = ${hash}`);
      return rows[0]?.ip;
    };
    const ws = await createTestWorkspace(getDb());
    const direct = await createTestApp(getDb());
    try {
      const res = await login(direct, ws.owner.email, TEST_PASSWORD, { 'x-forwarded-for': '6.6.6.6' }, '192.0.2.10');
      expect(res.status).toBe(200);
      expect(await ipOf(res.cookies.find((c) => c.name === 'rapport_session')!.value)).toBe('192.0.2.10');
    } finally {
      await direct.close();
    }
    // One proxy hop: the address the proxy saw is the last one it appended.
    const proxied = await createTestApp(getDb(), { RAPPORT_TRUST_PROXY: '1' });
    try {
      const res = await login(proxied, ws.owner.email, TEST_PASSWORD, { 'x-forwarded-for': '6.6.6.6, 198.51.100.7' }, '10.0.0.2');
      expect(await ipOf(res.cookies.find((c) => c.name === 'rapport_session')!.value)).toBe('198.51.100.7');
    } finally {
      await proxied.close();
    }
    // A CIDR list: headers count only when the connection comes from a listed proxy.
    const listed = await createTestApp(getDb(), { RAPPORT_TRUST_PROXY: '10.0.0.0/8' });
    try {
      const fromProxy = await login(listed, ws.owner.email, TEST_PASSWORD, { 'x-forwarded-for': '198.51.100.8' }, '10.1.2.3');
      expect(await ipOf(fromProxy.cookies.find((c) => c.name === 'rapport_session')!.value)).toBe('198.51.100.8');
      const fromElsewhere = await login(listed, ws.owner.email, TEST_PASSWORD, { 'x-forwarded-for': '198.51.100.8' }, '192.0.2.99');
      expect(await ipOf(fromElsewhere.cookies.find((c) => c.name === 'rapport_session')!.value)).toBe('192.0.2.99');
    } finally {
      await listed.close();
    }
  });

  it('slows failed logins per account from any address, says how long to wait, and lets the right password through after the wait', async () => {
    clock.set(new Date('2026-03-02T09:00:00Z'));
    const app = await createTestApp(getDb(), { RAPPORT_TRUST_PROXY: '1' });
    try {
      const ws = await createTestWorkspace(getDb());
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        statuses.push((await login(app, ws.owner.email, 'wrong password', { 'x-forwarded-for': `203.0.113.${i}` }, '10.0.0.1')).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      const slowed = await login(app, ws.owner.email, TEST_PASSWORD, { 'x-forwarded-for': '198.51.100.1' });
      expect(slowed.status).toBe(429);
      expect(slowed.body.error.message).toMatch(/retry in \d+ s/);
      const wait = slowed.body.error.details.retryAfterSeconds as number;
      expect(wait).toBeGreaterThan(0);
      expect(slowed.headers['retry-after']).toBe(String(wait));
      // An unknown account is slowed the same way, so the answer says nothing about which e-mails exist.
      const unknown: number[] = [];
      const nobody = uniqueEmail('nobody');
      for (let i = 0; i < 6; i++) unknown.push((await login(app, nobody, 'wrong password', { 'x-forwarded-for': `203.0.113.${50 + i}` })).status);
      expect(unknown).toEqual([401, 401, 401, 401, 401, 429]);

      clock.advance(wait * 1000);
      expect((await login(app, ws.owner.email, TEST_PASSWORD)).status).toBe(200);
      // A success clears the account's failures.
      expect((await login(app, ws.owner.email, 'wrong password')).status).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('charges guesses sent at once one by one: no more than the free ones get a password check', async () => {
    clock.set(new Date('2026-03-02T09:00:00Z'));
    const app = await createTestApp(getDb());
    try {
      const ws = await createTestWorkspace(getDb());
      const statuses = await Promise.all(Array.from({ length: 10 }, () => login(app, ws.owner.email, 'parallel guess').then((r) => r.status)));
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    } finally {
      await app.close();
    }
  });

  it('cannot be used to lock a user out: a browser that logged in before is not slowed by failures elsewhere', async () => {
    clock.set(new Date('2026-03-02T09:00:00Z'));
    const app = await createTestApp(getDb());
    try {
      const ws = await createTestWorkspace(getDb());
      const first = await login(app, ws.owner.email, TEST_PASSWORD);
      const device = first.cookies.find((c) => c.name === 'rapport_device');
      expect(device).toBeDefined();
      for (let i = 0; i < 10; i++) await login(app, ws.owner.email, 'attacker guess');
      expect((await login(app, ws.owner.email, TEST_PASSWORD)).status).toBe(429);
      const known = await login(app, ws.owner.email, TEST_PASSWORD, { cookie: `rapport_device=${device!.value}` });
      expect(known.status).toBe(200);
      // The device cookie is only good for its own account.
      const other = await createTestWorkspace(getDb());
      for (let i = 0; i < 6; i++) await login(app, other.owner.email, 'attacker guess');
      expect((await login(app, other.owner.email, TEST_PASSWORD, { cookie: `rapport_device=${device!.value}` })).status).toBe(429);
    } finally {
      await app.close();
    }
  });
});

describe('RAPPORT_TRUST_PROXY', () => {
  it('is off by default', async () => {
    const { loadConfig } = await import('../config.ts');
    expect(loadConfig({}).trustProxy).toBe(false);
  });
});
