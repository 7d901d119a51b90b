// HTTP routes of the Sandbox inbox: what the sandbox providers received (e-mail over Rapport's own
// SMTP server, SMS/LMS, KakaoTalk, push), shown as the customer would see it. The inbox holds
// message bodies with personal data, so it needs messaging.write, like sending. The inbox is read
// through sandbox.ts only (the same list, order and cursor as everywhere else).
import { Type } from 'typebox';
import { AppError } from '../errors.ts';
import { caller } from '../http/auth.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { recordAudit } from '../workspaces/audit.ts';
import { ClearedSchema, SandboxMessageSchema, SandboxPageSchema } from './contract.ts';
import { clearSandboxMessages, getSandboxMessage, listSandboxMessages, type SandboxMessageSummary } from './sandbox.ts';
import { CHANNEL_KINDS } from './types.ts';

export { previewOf } from './sandbox.ts';

/** The header block of a raw e-mail, by lower-cased name (folded lines joined; a repeated header's values joined by a line break). */
export function headersOf(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = end === -1 ? raw : raw.slice(0, end);
  const out: Record<string, string> = {};
  let name: string | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && name) {
      out[name] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    out[name] = name in out ? `${out[name]}\n${value}` : value;
  }
  return out;
}

const listItem = (m: SandboxMessageSummary) => ({
  id: m.id,
  messageId: m.messageId,
  kind: m.kind,
  to: m.toAddress,
  from: m.fromAddress,
  subject: m.subject,
  preview: m.headline,
  receivedAt: m.receivedAt,
});

export async function registerSandboxRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['messaging'];
  const auth = { auth: 'messaging.write' as const };

  app.get(
    '/api/sandbox/messages',
    {
      config: auth,
      schema: {
        tags,
        summary: 'The Sandbox inbox, newest first, a page at a time (nextCursor)',
        querystring: Type.Object(
          {
            kind: Type.Optional(Type.Union(CHANNEL_KINDS.map((k) => Type.Literal(k)))),
            // The id of the last message of the previous page (ids are UUIDv7: they sort by arrival).
            cursor: Type.Optional(Type.String({ format: 'uuid' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SandboxPageSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const q = request.query;
      const page = await listSandboxMessages(db, { workspaceId: c.workspaceId, kind: q.kind, before: q.cursor, limit: q.limit ?? 50 });
      return { items: page.items.map(listItem), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/sandbox/messages/:id',
    {
      config: auth,
      schema: {
        tags,
        summary: 'One message of the Sandbox inbox: e-mail HTML, text and raw headers; SMS text, type and bytes; Kakao buttons; push title, body and URL',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: SandboxMessageSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const m = await getSandboxMessage(db, { workspaceId: c.workspaceId, id: request.params.id });
      if (!m) throw new AppError('not_found', `sandbox message ${request.params.id} not found`);
      return { ...listItem(m), html: m.html, text: m.text, raw: m.raw, headers: m.raw ? headersOf(m.raw) : null, meta: m.meta };
    },
  );

  app.delete(
    '/api/sandbox/messages',
    { config: auth, schema: { tags, summary: 'Empty the workspace’s Sandbox inbox', response: { 200: ClearedSchema } } },
    async (request) => {
      const c = caller(request);
      return db.transaction(async (tx) => {
        const deleted = await clearSandboxMessages(tx, { workspaceId: c.workspaceId });
        await recordAudit(tx, { workspaceId: c.workspaceId, actor: c.actor, action: 'sandbox.clear', entityType: 'sandbox_messages', after: { deleted } });
        return { deleted };
      });
    },
  );
}
