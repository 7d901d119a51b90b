// The per-account slow-down of failed logins. After a few failures for one e-mail (from any
// address), each further attempt must wait longer, up to a few minutes; a success clears it.
// A browser that logged in to the account before (the device cookie) has its own counter, so an
// attacker's failures can slow the attacker but never lock the owner out (OWASP's "device cookies").
// Unknown e-mails are counted the same way, so the answers tell nobody which accounts exist.
import { and, eq, lt, sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { randomString, sha256 } from './secrets.ts';
import { loginDevices, loginThrottle } from './schema.ts';

/** Failures allowed before the first wait. */
export const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 5_000;
const MAX_WAIT_MS = 5 * 60_000;
/** A counter with no failure for this long starts again from zero. */
const FORGET_AFTER_MS = 15 * 60_000;

/** How long to wait after `failures` failures before the next attempt (0: no wait). */
export function waitAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - FREE_FAILURES));
}

/** The counter an attempt is charged to: the known browser's, else the account's. */
export async function throttleKey(db: Queryable, opts: { email: string; deviceToken: string | undefined }): Promise<string> {
  const email = opts.email.trim().toLowerCase();
  if (opts.deviceToken) {
    const { rows } = await db.execute<{ email: string }>(sql`
      select u.email from ${loginDevices} d join users u on u.id = d.user_id
      where d.token_hash = ${sha256(opts.deviceToken)} limit 1`);
    if (rows[0] && rows[0].email.toLowerCase() === email) return sha256(`login-device:${sha256(opts.deviceToken)}`);
  }
  return sha256(`login-account:${email}`);
}

/**
 * Charges one attempt to `key` before the password is checked (so parallel guesses cannot all
 * pass a check made before any of them failed). Returns 0, or the seconds to wait instead.
 */
export async function chargeLoginAttempt(db: Queryable, key: string): Promise<number> {
  const now = clock.nowMs();
  const forgetBefore = new Date(now - FORGET_AFTER_MS).toISOString();
  const nowIso = new Date(now).toISOString();
  // The row is locked by the upsert, so two attempts never read the same count.
  const { rows } = await db.execute<{ failures: number }>(sql`
    insert into ${loginThrottle} (key, failures, last_failure_at) values (${key}, 1, ${nowIso}::timestamptz)
    on conflict (key) do update set
      failures = case when login_throttle.last_failure_at < ${forgetBefore}::timestamptz then 1 else login_throttle.failures + 1 end,
      last_failure_at = excluded.last_failure_at
    where login_throttle.last_failure_at < ${forgetBefore}::timestamptz
       or login_throttle.failures < ${FREE_FAILURES}
       or login_throttle.last_failure_at <= ${nowIso}::timestamptz - make_interval(secs => least(${MAX_WAIT_MS / 1000}, ${FIRST_WAIT_MS / 1000} * power(2, login_throttle.failures - ${FREE_FAILURES})))
    returning failures`);
  if (rows.length > 0) return 0;
  const [row] = await db.select().from(loginThrottle).where(eq(loginThrottle.key, key)).limit(1);
  const waitMs = row ? row.lastFailureAt.getTime() + waitAfter(row.failures) - now : 1000;
  return Math.max(1, Math.ceil(waitMs / 1000));
}

export function slowedDown(seconds: number): AppError {
  return new AppError('rate_limited', `Too many failed logins for this account: retry in ${seconds} s`, { retryAfterSeconds: seconds });
}

/** A successful login clears the account's counter and the browser's. */
export async function clearLoginFailures(db: Queryable, opts: { email: string; key: string }): Promise<void> {
  const accountKey = sha256(`login-account:${opts.email.trim().toLowerCase()}`);
  await db.delete(loginThrottle).where(sql`${loginThrottle.key} in (${accountKey}, ${opts.key})`);
}

/** Remembers this browser for the user; the token goes in the device cookie. */
export async function rememberDevice(db: Queryable, opts: { userId: string; deviceToken: string | undefined }): Promise<string> {
  if (opts.deviceToken) {
    const updated = await db
      .update(loginDevices)
      .set({ lastUsedAt: clock.now() })
      .where(and(eq(loginDevices.tokenHash, sha256(opts.deviceToken)), eq(loginDevices.userId, opts.userId)))
      .returning({ t: loginDevices.tokenHash });
    if (updated.length > 0) return opts.deviceToken;
  }
  const token = randomString(43);
  await db.insert(loginDevices).values({ tokenHash: sha256(token), userId: opts.userId, lastUsedAt: clock.now() });
  return token;
}

/** Housekeeping: counters nobody failed for a while, browsers unused for a year. */
export async function deleteStaleLoginRecords(db: Queryable): Promise<number> {
  const now = clock.nowMs();
  const counters = await db.delete(loginThrottle).where(lt(loginThrottle.lastFailureAt, new Date(now - FORGET_AFTER_MS))).returning({ k: loginThrottle.key });
  const devices = await db.delete(loginDevices).where(lt(loginDevices.lastUsedAt, new Date(now - 365 * 86_400_000))).returning({ k: loginDevices.tokenHash });
  return counters.length + devices.length;
}
