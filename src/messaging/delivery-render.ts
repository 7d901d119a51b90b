// The dispatcher's preparation of a claimed batch: the gate again (consent may have been withdrawn
// since the message was created), then each message rendered once for its customer and composed
// into the provider's content, which is stored on the row (an e-mail's packed, content-pack.ts)
// before anything is sent, so a retry (or a worker restarted after a crash) sends the same bytes
// with the same Message-ID. A few queries per batch whatever its size: versions, gate, contexts,
// unsubscribe key, one UPDATE.
import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { unsubscribeToken } from '../customers/consents.ts';
import { CHANNELS, type Channel } from '../customers/fields.ts';
import type { ChannelRow } from './channels.ts';
import { composeContent, type RenderedParts } from './compose.ts';
import { packContent, packsContent, storedContent } from './content-pack.ts';
import { checkMessages, type GateItem } from './gate.ts';
import { channels as channelsTable, messageTemplateVersions } from './schema.ts';
import type { MessageRow } from './send.ts';
import { kakaoTypeOf } from './send.ts';
import { getMessagingSettings } from './settings.ts';
import { loadContexts, type LiquidContext } from './template-context.ts';
import { renderTemplate, type RenderSource } from './template-render.ts';
import type { ChannelKind, MessageContent, MessagePurpose, SuppressionReason } from './types.ts';

export type Prepared =
  | { message: MessageRow; outcome: 'send'; to: string; content: MessageContent; channel: ChannelRow }
  | { message: MessageRow; outcome: 'suppressed'; reason: SuppressionReason }
  | { message: MessageRow; outcome: 'deferred'; until: Date; reason: string }
  | { message: MessageRow; outcome: 'failed'; reason: string };

type VersionRow = { subject: string | null; body: string; format: string; compiled: string | null; options: Record<string, unknown> };

/** Template versions never change once saved: kept for the life of the process. */
const versionCache = new Map<string, VersionRow>();

async function loadVersions(db: Queryable, workspaceId: string, rows: MessageRow[]): Promise<void> {
  const wanted = rows.filter((m) => m.templateId && m.templateVersion !== null && !versionCache.has(`${workspaceId}:${m.templateId}:${m.templateVersion}`));
  if (wanted.length === 0) return;
  const found = await db
    .select()
    .from(messageTemplateVersions)
    .where(
      and(
        eq(messageTemplateVersions.workspaceId, workspaceId),
        sql`(${messageTemplateVersions.templateId}, ${messageTemplateVersions.version}) in (select * from unnest(${sql.param(wanted.map((m) => m.templateId!))}::uuid[], ${sql.param(wanted.map((m) => m.templateVersion!))}::int[]))`,
      ),
    );
  if (versionCache.size > 5000) versionCache.clear();
  for (const v of found) versionCache.set(`${workspaceId}:${v.templateId}:${v.version}`, { subject: v.subject, body: v.body, format: v.format, compiled: v.compiled, options: v.options });
}

function sourceOf(workspaceId: string, m: MessageRow): RenderSource | undefined {
  if (m.templateId && m.templateVersion !== null) {
    const v = versionCache.get(`${workspaceId}:${m.templateId}:${m.templateVersion}`);
    if (!v) return undefined;
    return { kind: m.kind as ChannelKind, format: v.format as RenderSource['format'], subject: v.subject, body: v.body, options: v.options, compiled: v.compiled, workspaceId, templateId: m.templateId, version: m.templateVersion };
  }
  const s = m.source as { subject?: string; body?: string; format?: string; title?: string; options?: Record<string, unknown> } | null;
  if (!s || typeof s.body !== 'string') return undefined;
  return { kind: m.kind as ChannelKind, format: s.format as RenderSource['format'], subject: s.subject ?? s.title ?? null, body: s.body, options: s.options ?? {} };
}

// --- unsubscribe links ----------------------------------------------------------------------------

const uuidToB64 = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url');

/**
 * Unsubscribe tokens of many customers with one query: the same tokens unsubscribeToken
 * (src/customers/consents.ts) makes one query each, signed with the workspace's key. The
 * delivery test checks both agree, and the end-to-end test POSTs one to /u/:token.
 */
export async function unsubscribeTokens(db: Queryable, workspaceId: string, wanted: { customerId: string; channel: Channel }[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (wanted.length === 0) return out;
  const read = async () => (await db.execute<{ secret: string }>(sql`select secret from customer_unsubscribe_keys where workspace_id = ${workspaceId}::uuid`)).rows[0];
  let row = await read();
  if (!row) {
    // The first link of the workspace makes its key.
    await unsubscribeToken(db, { workspaceId, customerId: wanted[0]!.customerId, channel: wanted[0]!.channel });
    row = await read();
  }
  const secret = Buffer.from(row!.secret, 'base64url');
  const ws = uuidToB64(workspaceId);
  for (const w of wanted) {
    const payload = `${ws}.${uuidToB64(w.customerId)}.${w.channel}`;
    out.set(`${w.customerId}:${w.channel}`, `${payload}.${crypto.createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 32)}`);
  }
  return out;
}

// --- the batch ----------------------------------------------------------------------------------

export type PrepareDeps = { baseUrl: string; trackingKey: Buffer; now: Date };

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 1000);

/** Gates, renders, composes and stores the content of a claimed batch (see the file's comment). */
export async function prepareBatch(db: Queryable, rows: MessageRow[], deps: PrepareDeps): Promise<Prepared[]> {
  const out: Prepared[] = [];
  const byWorkspace = new Map<string, MessageRow[]>();
  for (const m of rows) {
    const list = byWorkspace.get(m.workspaceId) ?? [];
    list.push(m);
    byWorkspace.set(m.workspaceId, list);
  }
  for (const [workspaceId, list] of byWorkspace) out.push(...(await prepareWorkspace(db, workspaceId, list, deps)));
  return out;
}

async function prepareWorkspace(db: Queryable, workspaceId: string, rows: MessageRow[], deps: PrepareDeps): Promise<Prepared[]> {
  const out: Prepared[] = [];
  await loadVersions(db, workspaceId, rows);
  const channelIds = [...new Set(rows.map((m) => m.channelId))];
  const channelRows = await db
    .select()
    .from(channelsTable)
    .where(and(eq(channelsTable.workspaceId, workspaceId), sql`${channelsTable.id} = any(${sql.param(channelIds)}::uuid[])`));
  const channelOf = new Map(channelRows.map((c) => [c.id, c]));

  const items: GateItem[] = rows.map((m) => {
    const stored = m.content as { kind?: string; type?: string } | null;
    const options = stored?.kind === 'kakao' ? { type: stored.type } : sourceOf(workspaceId, m)?.options;
    return {
      workspaceId,
      messageId: m.id,
      customerId: m.customerId,
      kind: m.kind as ChannelKind,
      purpose: m.purpose as MessagePurpose,
      to: m.toAddress,
      kakaoType: m.kind === 'kakao' ? kakaoTypeOf(options, m.purpose as MessagePurpose) : undefined,
      at: deps.now,
    };
  });
  const verdicts = await checkMessages(db, items);

  const passing: { m: MessageRow; to: string; channel: ChannelRow }[] = [];
  rows.forEach((m, i) => {
    const { verdict, to } = verdicts[i]!;
    const channel = channelOf.get(m.channelId);
    if (verdict?.status === 'suppressed') out.push({ message: m, outcome: 'suppressed', reason: verdict.reason });
    else if (verdict?.status === 'deferred') out.push({ message: m, outcome: 'deferred', until: verdict.until, reason: verdict.reason });
    else if (!channel || channel.archivedAt) out.push({ message: m, outcome: 'failed', reason: 'the channel is gone (archived or deleted)' });
    else passing.push({ m, to: to ?? '', channel });
  });

  // Messages rendered on an earlier attempt are sent as they were.
  const toRender: typeof passing = [];
  for (const p of passing) {
    const content = storedContent(p.m);
    if (content) out.push({ message: p.m, outcome: 'send', to: p.m.toAddress ?? p.to, content: content as unknown as MessageContent, channel: p.channel });
    else toRender.push(p);
  }
  if (toRender.length === 0) return out;

  const customerIds = toRender.map((p) => p.m.customerId).filter((id): id is string => Boolean(id));
  const contexts = await loadContexts(db, workspaceId, customerIds);
  const settings = await getMessagingSettings(db, workspaceId);
  const isConsentChannel = (k: string): k is Channel => (CHANNELS as readonly string[]).includes(k);
  const tokens = await unsubscribeTokens(
    db,
    workspaceId,
    toRender.filter((p) => p.m.customerId && isConsentChannel(p.m.kind)).map((p) => ({ customerId: p.m.customerId!, channel: p.m.kind as Channel })),
  );
  const base = deps.baseUrl.replace(/\/+$/, '');
  const workspaceName = contexts.values().next().value?.workspace.name ?? '';

  const stored: { id: string; content: MessageContent; links: string[]; to: string }[] = [];
  for (const p of toRender) {
    const m = p.m;
    const token = m.customerId ? tokens.get(`${m.customerId}:${m.kind}`) : undefined;
    const unsubscribeUrl = token ? `${base}/u/${token}` : null;
    const source = sourceOf(workspaceId, m);
    if (!source) {
      out.push({ message: m, outcome: 'failed', reason: 'the template version or content is missing' });
      continue;
    }
    const customerContext = m.customerId ? contexts.get(m.customerId) : undefined;
    if (m.customerId && !customerContext) {
      out.push({ message: m, outcome: 'suppressed', reason: 'customer_missing' });
      continue;
    }
    const context = {
      ...(customerContext ?? { customer: {}, recommendations: [], workspace: { name: workspaceName } }),
      data: m.data,
      message: { unsubscribe_url: unsubscribeUrl },
    } as LiquidContext;
    let rendered: RenderedParts;
    try {
      const r = await renderTemplate(source, context);
      rendered = { subject: r.subject, body: r.body, text: r.text, title: r.title, format: source.format, options: r.options };
    } catch (err) {
      out.push({ message: m, outcome: 'failed', reason: `render: ${errorText(err)}` });
      continue;
    }
    const composed = composeContent({
      workspaceId,
      messageId: m.id,
      kind: m.kind,
      purpose: m.purpose as MessagePurpose,
      rendered,
      channelSettings: p.channel.settings,
      baseUrl: base,
      trackingKey: deps.trackingKey,
      unsubscribeUrl,
      senderName: settings.senderName,
      optOutNumber: settings.optOutNumber,
    });
    if (!composed.ok) {
      out.push({ message: m, outcome: 'failed', reason: composed.error });
      continue;
    }
    stored.push({ id: m.id, content: composed.content, links: composed.links, to: p.to });
    out.push({ message: m, outcome: 'send', to: p.to, content: composed.content, channel: p.channel });
  }

  if (stored.length) {
    // One JSON document for the whole batch: a text[] of ~14 KB contents costs the driver an escape
    // pass over every character of each (array literal quoting), JSON.stringify only its own.
    // An e-mail's content goes packed, as base64 in the document (content-pack.ts).
    const batch = JSON.stringify(
      stored.map((s) =>
        packsContent(s.content.kind)
          ? { id: s.id, packed: packContent(s.content).toString('base64'), to_address: s.to || null, links: s.links }
          : { id: s.id, content: s.content, to_address: s.to || null, links: s.links },
      ),
    );
    await db.execute(sql`
      update messages m set content = u.content::jsonb, content_packed = decode(u.packed, 'base64'), to_address = u.to_address,
        links = array(select json_array_elements_text(u.links)), updated_at = ${deps.now}
      from json_to_recordset(${batch}::json) as u(id uuid, content json, packed text, to_address text, links json)
      where m.workspace_id = ${workspaceId}::uuid and m.id = u.id`);
  }
  return out;
}
