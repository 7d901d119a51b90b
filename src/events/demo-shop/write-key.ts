// Which write key the demo shop's pages embed. Write keys only send events and are meant to sit
// in web pages; a secret key (rk_…) is never accepted here.
//
// - `?key=wk_…` on any demo-shop page: that key (kept in a cookie for the other pages), whatever
//   RAPPORT_DEMO says. For a workspace of your own: create a write key in Settings → API keys or
//   with `npx rapport create-key --kind write`.
// - Otherwise, with RAPPORT_DEMO on: a write key named "Demo shop" of the first workspace, if that
//   workspace holds the demo data. The server creates it on the first visit and keeps it in
//   `<data dir>/demo-shop-write-key` (its hash is all the database keeps), so restarts reuse it.
//   Revoking it turns the demo shop off: a revoked key in that file is never replaced.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../../db/connection.ts';
import { productIdsBySku } from '../../commerce/products.ts';
import { createApiKey, resolveApiKey } from '../../workspaces/api-keys.ts';
import { firstWorkspaceId } from '../../workspaces/workspaces.ts';

export const DEMO_SHOP_KEY_NAME = 'Demo shop';
export const DEMO_SHOP_KEY_FILE = 'demo-shop-write-key';
const WRITE_KEY = /^wk_[A-Za-z0-9]{20,100}$/;
const RECHECK_MS = 60_000;

/** A write key given in a query string or cookie, if it has the shape of one. */
export function writeKeyOrNull(value: unknown): string | null {
  return typeof value === 'string' && WRITE_KEY.test(value) ? value : null;
}

export type DemoKeySource = {
  /** The key to embed, or null when there is none (the page then explains how to give one). */
  get(): Promise<string | null>;
};

/**
 * The demo workspace's key, looked up lazily and re-checked every minute (a revoked key stops
 * being embedded). `demoSku` is a SKU of the demo catalogue: the first workspace counts as the
 * demo workspace only when it has that product.
 */
export function demoKeySource(
  database: Database,
  opts: {
    enabled: boolean;
    dataDir: string;
    demoSku: string;
    /** Where the demo data would be; default the first workspace (as `rapport demo` loads it). */
    demoWorkspace?: () => Promise<string | null>;
    log?: (message: string) => void;
  },
): DemoKeySource {
  let cached: { key: string | null; at: number } | undefined;
  let running: Promise<string | null> | undefined;
  const file = path.join(opts.dataDir, DEMO_SHOP_KEY_FILE);

  async function live(key: string): Promise<boolean> {
    const resolved = await resolveApiKey(database.db, key);
    return resolved?.kind === 'write';
  }

  async function lookUp(): Promise<string | null> {
    if (!opts.enabled) return null;
    const saved = await fs.readFile(file, 'utf8').then(
      (text) => text.trim(),
      () => null,
    );
    // A key once written stays the demo shop's: if it was revoked, the shop is meant to stop.
    if (saved !== null) return writeKeyOrNull(saved) && (await live(saved)) ? saved : null;
    const workspaceId = await (opts.demoWorkspace ?? (() => firstWorkspaceId(database.db)))();
    if (!workspaceId) return null;
    const demo = await productIdsBySku(database.db, { workspaceId, skus: [opts.demoSku] });
    if (demo.size === 0) return null;
    const { key } = await database.db.transaction((tx) =>
      createApiKey(tx, { workspaceId, actor: { type: 'system', label: 'demo shop' }, actorRole: null, kind: 'write', name: DEMO_SHOP_KEY_NAME }),
    );
    try {
      await fs.mkdir(opts.dataDir, { recursive: true });
      await fs.writeFile(file, `${key}\n`, { mode: 0o600 });
    } catch (err) {
      // Still usable by this process; the next start makes another.
      opts.log?.(`demo shop: could not save its write key in ${file}: ${(err as Error).message}`);
    }
    return key;
  }

  return {
    async get() {
      if (cached && Date.now() - cached.at < RECHECK_MS) return cached.key;
      running ??= (async () => {
        try {
          const key = cached?.key && (await live(cached.key)) ? cached.key : await lookUp();
          cached = { key, at: Date.now() };
          return key;
        } finally {
          running = undefined;
        }
      })();
      return running;
    },
  };
}
