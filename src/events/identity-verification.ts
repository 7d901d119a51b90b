// Identity verification (as Intercom does it): a browser holds only the public write key, so a
// call from it proves nothing about who the user is. The shop's server signs its signed-in
// user's id with the workspace's secret, `userHash = HMAC-SHA256(userId, secret)` in hex, and the
// page sends that with its calls; only such a call may change or stitch into a known customer
// (src/events/ingest.ts). The secret is stored encrypted with the server's key (AES-256-GCM).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/connection.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { identityVerificationSecrets } from './schema.ts';

const KEY_FILE = 'secret.key';
const keyFiles = new Map<string, Buffer>();

/**
 * The key that encrypts stored secrets: RAPPORT_SECRET_KEY, else `secret.key` in the data
 * directory, made (mode 0600) on first use. Several servers over one database need the same key:
 * set RAPPORT_SECRET_KEY on each.
 */
export function serverKey(config: Pick<Config, 'secretKey' | 'dataDir'>): Buffer {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, KEY_FILE);
  const cached = keyFiles.get(file);
  if (cached) return cached;
  let key: Buffer;
  try {
    key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it first
    }
    key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  }
  if (key.length !== 32) throw new Error(`${file}: must hold a 32-byte key in base64`);
  keyFiles.set(file, key);
  return key;
}

export function encryptSecret(key: Buffer, secret: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

export function decryptSecret(key: Buffer, stored: string): string {
  const [version, iv, tag, data] = stored.split(':');
  if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('identity verification secret: unknown storage format');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
}

/** What the shop's server computes: HMAC-SHA256 of the user id with the secret, in hex. */
export function userHashOf(secret: string, userId: string): string {
  return crypto.createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

export function verifyUserHash(secret: string, userId: string, userHash: string): boolean {
  const expected = Buffer.from(userHashOf(secret, userId), 'hex');
  const given = /^[0-9a-f]{64}$/i.test(userHash) ? Buffer.from(userHash, 'hex') : undefined;
  return given !== undefined && crypto.timingSafeEqual(expected, given);
}

export type VerificationSecret = { secret: string; createdAt: string };

/** The workspace's secret in clear (for an admin to copy), or null when none was made yet. */
export async function getVerificationSecret(db: Queryable, opts: { workspaceId: string; key: Buffer }): Promise<VerificationSecret | null> {
  const [row] = await db.select().from(identityVerificationSecrets).where(eq(identityVerificationSecrets.workspaceId, opts.workspaceId));
  if (!row) return null;
  return { secret: decryptSecret(opts.key, row.secretEncrypted), createdAt: row.createdAt.toISOString() };
}

/**
 * A new secret for the workspace, replacing the old one at once: user hashes made with the old
 * secret stop verifying. Recorded in the audit log (without the secret).
 */
export async function rotateVerificationSecret(db: Queryable, opts: { workspaceId: string; key: Buffer; actor: Actor }): Promise<VerificationSecret> {
  const secret = `iv_${crypto.randomBytes(32).toString('base64url')}`;
  const secretEncrypted = encryptSecret(opts.key, secret);
  const [row] = await db
    .insert(identityVerificationSecrets)
    .values({ workspaceId: opts.workspaceId, secretEncrypted })
    .onConflictDoUpdate({ target: identityVerificationSecrets.workspaceId, set: { secretEncrypted, createdAt: new Date() } })
    .returning();
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'identity_verification.rotate', entityType: 'workspace', entityId: opts.workspaceId });
  return { secret, createdAt: row!.createdAt.toISOString() };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The user hash each raw message carries, taken out of it so that it is never stored with the
 * event (it would let whoever reads events speak for that user). Looked for, in order, at
 * `userHash`, `context.userHash`, Segment's Intercom conventions `context.Intercom.user_hash` and
 * `integrations.Intercom.user_hash`, then the batch's `context.userHash`.
 */
export function takeUserHashes(messages: unknown[], batchContext: Json | null): (string | undefined)[] {
  const batchHash = isObject(batchContext) ? pick(batchContext, 'userHash') : undefined;
  if (isObject(batchContext)) {
    delete batchContext.userHash;
    if (isObject(batchContext.Intercom)) delete batchContext.Intercom.user_hash;
  }
  return messages.map((m) => {
    if (!isObject(m)) return undefined;
    const context = isObject(m.context) ? m.context : undefined;
    const intercom = context && isObject(context.Intercom) ? context.Intercom : undefined;
    const integration = isObject(m.integrations) && isObject(m.integrations.Intercom) ? m.integrations.Intercom : undefined;
    // Every place is emptied, whichever one holds the hash.
    const found = [pick(m, 'userHash'), context && pick(context, 'userHash'), intercom && pick(intercom, 'user_hash'), integration && pick(integration, 'user_hash')];
    return found.find((h) => h !== undefined) ?? batchHash;
  });
}

function pick(from: Json, key: string): string | undefined {
  const v = from[key];
  delete from[key];
  return typeof v === 'string' ? v : undefined;
}

export const SECRET_CACHE_TTL_MS = 5_000;

/** The workspaces' secrets for /v1, read through a short cache (a rotation takes effect within its lifetime). */
export function createSecretCache(opts: { key: () => Buffer; ttlMs?: number; now?: () => number }) {
  const ttl = opts.ttlMs ?? SECRET_CACHE_TTL_MS;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { at: number; secret: Promise<string | null> }>();
  return {
    secretOf(db: Queryable, workspaceId: string): Promise<string | null> {
      const t = now();
      const hit = entries.get(workspaceId);
      if (hit && t - hit.at < ttl) return hit.secret;
      if (entries.size >= 10_000) entries.clear();
      const secret = getVerificationSecret(db, { workspaceId, key: opts.key() }).then((s) => s?.secret ?? null);
      entries.set(workspaceId, { at: t, secret });
      secret.catch(() => entries.delete(workspaceId));
      return secret;
    },
  };
}
