// HTTP routes of the Sandbox inbox: what the sandbox providers received (e-mail over Rapport's own
// SMTP server, SMS/LMS, KakaoTalk, push), shown as the customer would see it. The inbox holds
// message bodies with personal data, so it needs messaging.write, like sending.
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { Type } from 'typebox';
import { cursorTime, decodeCursor, encodeCursor } from '../commerce/cursor.ts';
import { AppError } from '../errors.ts';
import { caller } from '../http/auth.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { recordAudit } from '../workspaces/audit.ts';
import { ClearedSchema, SandboxMessageSchema, SandboxPageSchema } from './contract.ts';
import { sandboxMessages } from './schema.ts';
import { CHANNEL_KINDS } from './types.ts';

type SandboxRow = typeof sandboxMessages.$inferSelect;

/** The subject (e-mail, LMS or push title), else the first non-empty line of the text. */
export function previewOf(row: Pick<SandboxRow, 'subject' | 'text' | 'html'>): string {
  if (row.subject) return row.subject;
  const text = row.text ?? (row.html ?? '').replace(/<[^>]*>/g, ' ');
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

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

const listItem = (r: SandboxRow) => ({
  id: r.id,
  messageId: r.messageId,
  kind: r.kind,
  to: r.toAddress,
  from: r.fromAddress,
  subject: r.subject,
  preview: previewOf(r),
  receivedAt: r.receivedAt.toISOString(),
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
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
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
      const limit = q.limit ?? 50;
      const where: (SQL | undefined)[] = [eq(sandboxMessages.workspaceId, c.workspaceId), q.kind ? eq(sandboxMessages.kind, q.kind) : undefined];
      if (q.cursor) {
        const cur = decodeCursor(q.cursor);
        where.push(sql`(${sandboxMessages.receivedAt}, ${sandboxMessages.id}) < (${cursorTime(cur.value)}, ${cur.id}::uuid)`);
      }
      const rows = await db
        .select()
        .from(sandboxMessages)
        .where(and(...where))
        .orderBy(desc(sandboxMessages.receivedAt), desc(sandboxMessages.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { items: page.map(listItem), nextCursor: rows.length > limit && last ? encodeCursor(last.receivedAt.toISOString(), last.id) : null };
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
      const [row] = await db
        .select()
        .from(sandboxMessages)
        .where(and(eq(sandboxMessages.workspaceId, c.workspaceId), eq(sandboxMessages.id, request.params.id)));
      if (!row) throw new AppError('not_found', `sandbox message ${request.params.id} not found`);
      return { ...listItem(row), html: row.html, text: row.text, raw: row.raw, headers: row.raw ? headersOf(row.raw) : null, meta: row.meta };
    },
  );

  app.delete(
    '/api/sandbox/messages',
    { config: auth, schema: { tags, summary: 'Empty the workspace’s Sandbox inbox', response: { 200: ClearedSchema } } },
    async (request) => {
      const c = caller(request);
      return db.transaction(async (tx) => {
        const deleted = await tx.delete(sandboxMessages).where(eq(sandboxMessages.workspaceId, c.workspaceId)).returning({ id: sandboxMessages.id });
        await recordAudit(tx, { workspaceId: c.workspaceId, actor: c.actor, action: 'sandbox.clear', entityType: 'sandbox_messages', after: { deleted: deleted.length } });
        return { deleted: deleted.length };
      });
    },
  );
}
