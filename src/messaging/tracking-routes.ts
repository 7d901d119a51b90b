// The open pixel and the click redirect (public: the signed token is the permission). A forged or
// damaged token never redirects anywhere (404) and never records anything; the pixel is served
// whatever happens, so a mail client never shows a broken image.
import { sql } from 'drizzle-orm';
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { clock } from '../clock.ts';
import { getCustomerRow } from '../customers/customers.ts';
import type { Queryable } from '../db/connection.ts';
import { serverKey } from '../events/identity-verification.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { recordStatuses, type StatusChange } from './status.ts';
import { verifyTrackingToken } from './tracking.ts';

/** The 1×1 transparent GIF (43 bytes). */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** After the first, an open or a click of the same link is added to the history at most once an hour. */
export const REPEAT_WINDOW_MS = 3_600_000;

/**
 * Requests per minute per address. Generous: Gmail and Apple Mail fetch images through a few
 * proxies for all their users, so a low limit would lose the opens of a large campaign. It only
 * stops one address from flooding the database with a valid token.
 */
export const TRACKING_RATE_LIMIT = 1200;

const NO_CACHE = { 'cache-control': 'no-store, no-cache, must-revalidate, private, max-age=0', pragma: 'no-cache', expires: '0' };

type Engagement = { workspaceId: string; messageId: string; kind: 'open' } | { workspaceId: string; messageId: string; kind: 'click'; index: number };

/**
 * Records an open or a click unless the same one was recorded within the hour (so a mail client
 * reloading images, or a scanner following links, cannot grow the history without bound). The
 * message row is locked while deciding, so two simultaneous opens record one. Returns the link's
 * address for a click (null when the message or the link is not there), whether or not recorded.
 */
export async function recordEngagement(db: Queryable, e: Engagement, opts: { record: boolean } = { record: true }): Promise<{ url: string | null; recorded: boolean }> {
  return db.transaction(async (tx) => {
    const status = e.kind === 'open' ? 'opened' : 'clicked';
    const sameLink = e.kind === 'click' ? sql`and h.detail->>'link' = ${String(e.index)}` : sql``;
    const { rows } = await tx.execute<{ customer_id: string | null; links: string[] | null; opened_at: string | null }>(sql`
      select m.customer_id, m.links, m.opened_at from messages m
      where m.workspace_id = ${e.workspaceId}::uuid and m.id = ${e.messageId}::uuid
      for update of m`);
    const m = rows[0];
    if (!m) return { url: null, recorded: false };
    let url: string | null = null;
    if (e.kind === 'click') {
      url = m.links?.[e.index] ?? null;
      // Only what rewriteLinks stored is followed; anything else would make Rapport an open redirect.
      if (!url || !/^https?:\/\/[^\s/?#]/i.test(url)) return { url: null, recorded: false };
    }
    if (!opts.record) return { url, recorded: false };
    // Read after the lock, in a statement of its own: in READ COMMITTED it then sees what the
    // request that held the lock before recorded (a subquery of the locking statement would not).
    const { rows: last } = await tx.execute<{ last_at: string | null }>(sql`
      select max(h.at) as last_at from message_status_history h
      where h.workspace_id = ${e.workspaceId}::uuid and h.message_id = ${e.messageId}::uuid and h.status = ${status} ${sameLink}`);
    const now = clock.now();
    const lastAt = last[0]?.last_at;
    if (lastAt && now.getTime() - new Date(lastAt).getTime() < REPEAT_WINDOW_MS) return { url, recorded: false };
    // An erased customer's old message stays silent: recording would tie new rows to them.
    if (m.customer_id) {
      const customer = await getCustomerRow(tx, { workspaceId: e.workspaceId, id: m.customer_id, includeDeleted: true });
      if (!customer || customer.erasedAt) return { url, recorded: false };
    }
    const changes: StatusChange[] = [];
    // A click is an open too, when images were blocked and the pixel never loaded.
    if (e.kind === 'click' && !m.opened_at) changes.push({ workspaceId: e.workspaceId, messageId: e.messageId, status: 'opened', detail: { by: 'click' }, at: now });
    changes.push({ workspaceId: e.workspaceId, messageId: e.messageId, status, detail: e.kind === 'click' ? { link: e.index } : null, at: now });
    await recordStatuses(tx, changes);
    return { url, recorded: true };
  });
}

const invalidLinkPage =
  '<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Link</title></head>' +
  '<body style="font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><p>유효하지 않은 링크입니다. This link is not valid.</p></body></html>';

const Html = Type.Unsafe<string>({ type: 'string', description: 'An HTML page' });

export async function registerTrackingRoutes(app: App, { database, config }: AppDeps): Promise<void> {
  const { db } = database;
  const key = () => serverKey(config);
  const limited = {
    auth: 'public' as const,
    rateLimit: { max: TRACKING_RATE_LIMIT, timeWindow: '1 minute', allowList: () => false, keyGenerator: (r: FastifyRequest) => `track:${r.ip}` },
  };
  const TokenParams = Type.Object({ token: Type.String({ maxLength: 500 }) });
  // A HEAD (link checkers, prefetchers) answers as GET would but records nothing.
  const isHead = (request: FastifyRequest) => request.method === 'HEAD';

  app.get(
    '/o/:token',
    {
      config: limited,
      schema: {
        hide: true,
        params: TokenParams,
        response: { 200: { description: 'A 1×1 transparent GIF', content: { 'image/gif': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } } },
      },
    },
    async (request, reply) => {
      const t = verifyTrackingToken(key(), request.params.token.replace(/\.gif$/i, ''));
      if (t?.kind === 'open' && !isHead(request)) {
        try {
          await recordEngagement(db, { kind: 'open', workspaceId: t.workspaceId, messageId: t.messageId });
        } catch (err) {
          request.log.error({ err }, 'recording an open failed');
        }
      }
      return reply.status(200).headers(NO_CACHE).type('image/gif').send(PIXEL_GIF);
    },
  );

  app.get(
    '/r/:token',
    {
      config: limited,
      schema: {
        hide: true,
        params: TokenParams,
        response: {
          302: { description: "To the link's address (Location)", type: 'null' },
          404: { description: 'Not a link of a message', content: { 'text/html': { schema: Html } } },
        },
      },
    },
    async (request, reply) => {
      const t = verifyTrackingToken(key(), request.params.token);
      let url: string | null = null;
      if (t?.kind === 'click') {
        const e = { kind: 'click' as const, workspaceId: t.workspaceId, messageId: t.messageId, index: t.index };
        try {
          url = (await recordEngagement(db, e, { record: !isHead(request) })).url;
        } catch (err) {
          // The customer still gets where they were going; only the click is lost.
          request.log.error({ err }, 'recording a click failed');
          url = (await recordEngagement(db, e, { record: false })).url;
        }
      }
      if (!url) return reply.status(404).headers(NO_CACHE).type('text/html; charset=utf-8').send(invalidLinkPage);
      return reply.headers(NO_CACHE).redirect(url, 302);
    },
  );
}
