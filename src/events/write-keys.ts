// Which workspace a request to /v1 writes to: the key it carries, resolved through a short
// cache so that a busy sender does not cost a key lookup per batch. A revoked key stops working
// within the cache's lifetime (5 s by default).
import type { Queryable } from '../db/connection.ts';
import { resolveApiKey, type ResolvedKey } from '../workspaces/api-keys.ts';

export const KEY_CACHE_TTL_MS = 5_000;

export type KeyCache = { resolve(db: Queryable, key: string): Promise<ResolvedKey | undefined> };

export function createKeyCache(opts: { ttlMs?: number; now?: () => number; maxEntries?: number } = {}): KeyCache {
  const ttl = opts.ttlMs ?? KEY_CACHE_TTL_MS;
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? 10_000;
  // The promise is cached, so concurrent batches with one key share one lookup.
  const entries = new Map<string, { at: number; key: Promise<ResolvedKey | undefined> }>();
  return {
    resolve(db, key) {
      const t = now();
      const hit = entries.get(key);
      if (hit && t - hit.at < ttl) return hit.key;
      if (entries.size >= max) {
        for (const [k, e] of entries) if (t - e.at >= ttl) entries.delete(k);
        if (entries.size >= max) entries.clear(); // a flood of distinct wrong keys: start again
      }
      const lookup = resolveApiKey(db, key);
      entries.set(key, { at: t, key: lookup });
      lookup.catch(() => entries.delete(key)); // a failed lookup is not remembered
      return lookup;
    },
  };
}

/** The key a Segment library sends: `Authorization: Basic base64(key + ":")` (or `Bearer key`), else `writeKey` in the body. */
export function keyFromRequest(authorization: string | undefined, bodyKey: string | null): string | undefined {
  if (authorization) {
    const space = authorization.indexOf(' ');
    const scheme = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : authorization.slice(space + 1).trim();
    if (scheme === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = (colon < 0 ? decoded : decoded.slice(0, colon)).trim();
      if (user) return user;
    } else if (scheme === 'bearer' && value) return value;
  }
  return bodyKey ?? undefined;
}
