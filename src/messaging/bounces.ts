// What comes back after a message left: bounces (a provider's answer, or a delivery status
// notification, RFC 3464, arriving at the bounce address) and complaints (the customer marked it
// as spam). A hard bounce and a complaint put the address on the suppression list; a complaint
// also withdraws the customer's marketing consent on that channel, as an unsubscribe would.
import { and, eq, sql } from 'drizzle-orm';
import { setConsents } from '../customers/consents.ts';
import { getCustomerRow } from '../customers/customers.ts';
import { CHANNELS, type Channel } from '../customers/fields.ts';
import { maskText } from '../customers/personal-data.ts';
import type { Queryable } from '../db/connection.ts';
import { messages } from './schema.ts';
import { recordStatuses } from './status.ts';
import { addSuppression, suppressionKindOf } from './suppressions.ts';

// --- reading a delivery status notification ------------------------------------------------

export type DsnRecipient = {
  /** Final-Recipient (else Original-Recipient), without its address type. */
  recipient: string | null;
  /** failed | delayed | delivered | relayed | expanded */
  action: string | null;
  /** The enhanced status code, e.g. 5.1.1. */
  status: string | null;
  diagnostic: string | null;
  /** What it means for the message: a hard or soft bounce, delivered, or nothing yet (delayed). */
  outcome: 'hard' | 'soft' | 'delivered' | 'pending';
};

export type Dsn = {
  recipients: DsnRecipient[];
  /** From the returned original's headers (the sandbox and SMTP providers set them). */
  workspaceId: string | null;
  messageId: string | null;
  messageIdHeader: string | null;
};

type Part = { headers: Map<string, string>; body: string };

/** Header fields of a block (folded lines joined), the first of each name, names lower-cased. */
function headerFields(block: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!map.has(name)) map.set(name, line.slice(colon + 1).trim());
  }
  return map;
}

function splitHeaders(text: string): Part {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? { headers: headerFields(text.slice(0, m.index)), body: text.slice(m.index + m[0].length) } : { headers: headerFields(text), body: '' };
}

const mediaType = (p: Part) => (p.headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();

function decodeBody(p: Part): string {
  const encoding = (p.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(p.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = p.body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return p.body;
}

/** The leaf parts of a MIME message, depth first (nested multiparts opened, up to a depth). */
function leafParts(p: Part, depth = 0): Part[] {
  const type = p.headers.get('content-type') ?? '';
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!mediaType(p).startsWith('multipart/') || !boundary || depth > 5) return [p];
  const marker = escapeRegExp(`--${boundary[1] ?? boundary[2]}`);
  const pieces = p.body.split(new RegExp(`^${marker}(?:--)?[ \\t]*\\r?$`, 'm'));
  // Before the first marker is the preamble, after the closing one the epilogue (a truncated report has none).
  const closed = new RegExp(`^${marker}--`, 'm').test(p.body);
  return pieces.slice(1, closed ? -1 : undefined).flatMap((piece) => leafParts(splitHeaders(piece.replace(/^\r?\n/, '')), depth + 1));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function outcomeOf(action: string | null, status: string | null, diagnostic: string | null): DsnRecipient['outcome'] {
  if (action === 'delivered' || action === 'relayed' || action === 'expanded') return 'delivered';
  if (action !== 'failed') return 'pending';
  // Status is required by RFC 3464; without it the SMTP reply code in the diagnostic decides.
  const cls = status?.[0] ?? /\b([45])\d\d\b/.exec(diagnostic ?? '')?.[1];
  return cls === '4' ? 'soft' : 'hard';
}

/** Reads a DSN (multipart/report; report-type=delivery-status) from its raw text; null when it is not one. */
export function parseDsn(raw: string): Dsn | null {
  const parts = leafParts(splitHeaders(raw));
  const report = parts.find((p) => ['message/delivery-status', 'message/global-delivery-status'].includes(mediaType(p)));
  if (!report) return null;
  const blocks = decodeBody(report)
    .split(/\r?\n(?:[ \t]*\r?\n)+/)
    .map((b) => b.trim())
    .filter(Boolean);
  // The first block is about the report (Reporting-MTA), each next one about one recipient.
  const fields = blocks.map(headerFields).filter((f) => f.has('final-recipient') || f.has('original-recipient') || f.has('action'));
  const recipients = fields.map((f): DsnRecipient => {
    const address = f.get('final-recipient') ?? f.get('original-recipient') ?? null;
    const action = f.get('action')?.toLowerCase().split(/\s/)[0] ?? null;
    const status = /\d\.\d{1,3}\.\d{1,3}/.exec(f.get('status') ?? '')?.[0] ?? null;
    const diagnostic = f.get('diagnostic-code') ?? null;
    return {
      recipient: address ? address.replace(/^[^;]*;\s*/, '').replace(/^<|>$/g, '').trim() || null : null,
      action,
      status,
      diagnostic,
      outcome: outcomeOf(action, status, diagnostic),
    };
  });
  return { recipients, ...originalOf(parts) };
}

type Original = { workspaceId: string | null; messageId: string | null; messageIdHeader: string | null };

/** Which message a report is about: the returned original's (or its headers') Rapport headers and Message-ID. */
function originalOf(parts: Part[]): Original {
  const original = parts.find((p) => ['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers'].includes(mediaType(p)));
  const headers = original ? splitHeaders(decodeBody(original)).headers : new Map<string, string>();
  const uuid = (v: string | undefined) => (v && UUID.test(v.trim()) ? v.trim().toLowerCase() : null);
  return { workspaceId: uuid(headers.get('x-rapport-workspace')), messageId: uuid(headers.get('x-rapport-message')), messageIdHeader: headers.get('message-id') ?? null };
}

export type FeedbackReport = Original & { feedbackType: string | null };

/**
 * Reads a mailbox provider's complaint report (ARF, RFC 5965: multipart/report;
 * report-type=feedback-report), sent when a customer marks a message as spam; null when it is not one.
 */
export function parseFeedbackReport(raw: string): FeedbackReport | null {
  const parts = leafParts(splitHeaders(raw));
  const report = parts.find((p) => mediaType(p) === 'message/feedback-report');
  if (!report) return null;
  const feedbackType = headerFields(decodeBody(report)).get('feedback-type')?.toLowerCase() ?? null;
  return { feedbackType, ...originalOf(parts) };
}

// --- recording --------------------------------------------------------------------------------

type MessageFacts = { id: string; kind: string; customerId: string | null; toAddress: string | null };

async function findMessage(db: Queryable, ref: { workspaceId: string; messageId?: string | null; messageIdHeader?: string | null }): Promise<MessageFacts | null> {
  const by = ref.messageId ? eq(messages.id, ref.messageId) : ref.messageIdHeader ? eq(messages.providerMessageId, ref.messageIdHeader) : null;
  if (!by) return null;
  const [row] = await db
    .select({ id: messages.id, kind: messages.kind, customerId: messages.customerId, toAddress: messages.toAddress })
    .from(messages)
    .where(and(eq(messages.workspaceId, ref.workspaceId), by))
    .limit(1);
  return row ?? null;
}

async function alreadyRecorded(db: Queryable, workspaceId: string, messageId: string, status: string, reason: string | null): Promise<boolean> {
  const { rows } = await db.execute(sql`
    select 1 from message_status_history
    where workspace_id = ${workspaceId}::uuid and message_id = ${messageId}::uuid and status = ${status} and reason is not distinct from ${reason}
    limit 1`);
  return rows.length > 0;
}

/** A diagnostic as kept in the history: short, with any e-mail address or phone number in it masked. */
const keptDiagnostic = (d: string | null | undefined) => (d ? maskText(d).slice(0, 500) : null);

export type BounceResult = { found: boolean; recorded: boolean; suppressed: boolean };

/**
 * Marks the message bounced (`hard_bounce` or `soft_bounce`); a hard bounce also lists the address
 * the message went to (else `recipient`). A report given twice is recorded once.
 */
export async function handleBounce(
  db: Queryable,
  opts: { workspaceId: string; messageId: string; recipient?: string | null; status: 'hard' | 'soft'; diagnostic?: string | null; code?: string | null },
): Promise<BounceResult> {
  const m = await findMessage(db, opts);
  if (!m) return { found: false, recorded: false, suppressed: false };
  const reason = opts.status === 'hard' ? 'hard_bounce' : 'soft_bounce';
  let recorded = false;
  if (!(await alreadyRecorded(db, opts.workspaceId, m.id, 'bounced', reason))) {
    await recordStatuses(db, [{ workspaceId: opts.workspaceId, messageId: m.id, status: 'bounced', reason, detail: { code: opts.code ?? null, diagnostic: keptDiagnostic(opts.diagnostic) } }]);
    recorded = true;
  }
  let suppressed = false;
  const address = m.toAddress ?? opts.recipient ?? null;
  if (opts.status === 'hard' && address && suppressionKindOf(m.kind)) {
    await addSuppression(db, { workspaceId: opts.workspaceId, kind: suppressionKindOf(m.kind)!, address, reason: 'hard_bounce', detail: opts.code ?? keptDiagnostic(opts.diagnostic)?.slice(0, 100) ?? null });
    suppressed = true;
  }
  return { found: true, recorded, suppressed };
}

/**
 * A DSN as it arrived (raw text): each failed recipient is a bounce of the message named by the
 * returned original's X-Rapport-Workspace and X-Rapport-Message (or its Message-ID, which the SMTP
 * provider keeps as the provider's id); a delivered one marks it delivered; a delay is no news.
 * `workspaceId` when the caller already knows it (a bounce address per workspace).
 */
export async function handleDsn(db: Queryable, raw: string, opts: { workspaceId?: string } = {}): Promise<BounceResult[]> {
  const dsn = parseDsn(raw);
  if (!dsn) return [];
  const workspaceId = dsn.workspaceId ?? opts.workspaceId ?? null;
  if (!workspaceId) return dsn.recipients.map(() => ({ found: false, recorded: false, suppressed: false }));
  const results: BounceResult[] = [];
  for (const r of dsn.recipients) results.push(await applyOutcome(db, { workspaceId, messageId: dsn.messageId, messageIdHeader: dsn.messageIdHeader, ...r }));
  return results;
}

async function applyOutcome(
  db: Queryable,
  r: { workspaceId: string; messageId: string | null; messageIdHeader: string | null; recipient: string | null; status: string | null; diagnostic: string | null; outcome: DsnRecipient['outcome'] },
): Promise<BounceResult> {
  const m = await findMessage(db, r);
  if (!m) return { found: false, recorded: false, suppressed: false };
  if (r.outcome === 'pending') return { found: true, recorded: false, suppressed: false };
  if (r.outcome === 'delivered') {
    await recordStatuses(db, [{ workspaceId: r.workspaceId, messageId: m.id, status: 'delivered', detail: { code: r.status } }]);
    return { found: true, recorded: true, suppressed: false };
  }
  return handleBounce(db, { workspaceId: r.workspaceId, messageId: m.id, recipient: r.recipient, status: r.outcome, diagnostic: r.diagnostic, code: r.status });
}

/** One recipient of a DSN as the sandbox SMTP server (src/messaging/sandbox-smtp.ts) gives it to its onBounce hook. */
export type SandboxBounce = {
  /** X-Rapport-Workspace and X-Rapport-Message of the returned original, if present. */
  workspaceId: string | null;
  messageId: string | null;
  /** The original's Message-ID (also the SMTP provider's providerMessageId). */
  messageIdHeader: string | null;
  recipient: string | null;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
  /** A hard bounce (action failed with a 5.x.x status). */
  permanent: boolean;
};

/** The sandbox SMTP server's onBounce hook (src/messaging/sandbox-smtp.ts): `server.onBounce = (b) => handleSandboxBounce(db, b)`. */
export async function handleSandboxBounce(db: Queryable, b: SandboxBounce): Promise<BounceResult> {
  if (!b.workspaceId) return { found: false, recorded: false, suppressed: false };
  const outcome = outcomeOf(b.action, b.status, b.diagnostic);
  return applyOutcome(db, { workspaceId: b.workspaceId, messageId: b.messageId, messageIdHeader: b.messageIdHeader, recipient: b.recipient, status: b.status, diagnostic: b.diagnostic, outcome });
}

export type ComplaintResult = { found: boolean; recorded: boolean; suppressed: boolean; consentWithdrawn: boolean };

/**
 * The customer reported the message as spam: the message is `complained`, the address is listed
 * (`complaint`), and marketing (and night-time ads) on that channel are denied, as an unsubscribe
 * would; transactional messages still go unless the list stops them.
 */
export async function handleComplaint(db: Queryable, opts: { workspaceId: string; messageId: string; detail?: string | null }): Promise<ComplaintResult> {
  const m = await findMessage(db, opts);
  if (!m) return { found: false, recorded: false, suppressed: false, consentWithdrawn: false };
  let recorded = false;
  if (!(await alreadyRecorded(db, opts.workspaceId, m.id, 'complained', null))) {
    await recordStatuses(db, [{ workspaceId: opts.workspaceId, messageId: m.id, status: 'complained', detail: opts.detail ? { detail: keptDiagnostic(opts.detail) } : null }]);
    recorded = true;
  }
  const kind = suppressionKindOf(m.kind);
  let suppressed = false;
  if (m.toAddress && kind) {
    await addSuppression(db, { workspaceId: opts.workspaceId, kind, address: m.toAddress, reason: 'complaint', detail: null });
    suppressed = true;
  }
  let consentWithdrawn = false;
  if (m.customerId && (CHANNELS as readonly string[]).includes(m.kind)) {
    const customer = await getCustomerRow(db, { workspaceId: opts.workspaceId, id: m.customerId });
    if (customer && !customer.erasedAt) {
      const channel = m.kind as Channel;
      await setConsents(db, {
        workspaceId: opts.workspaceId,
        customerId: m.customerId,
        actor: { type: 'system', label: 'spam complaint' },
        consents: [
          { channel, purpose: 'marketing', status: 'denied', source: 'complaint' },
          { channel, purpose: 'night_ads', status: 'denied', source: 'complaint' },
        ],
      });
      consentWithdrawn = true;
    }
  }
  return { found: true, recorded, suppressed, consentWithdrawn };
}

/**
 * A complaint report as it arrived (raw text): an `abuse` (or `fraud`) report is a complaint about
 * the message it returns; other feedback types (not-spam, virus, …) change nothing. Null when it
 * is not such a report or names no message of the workspace.
 */
export async function handleFeedbackReport(db: Queryable, raw: string, opts: { workspaceId?: string } = {}): Promise<ComplaintResult | null> {
  const report = parseFeedbackReport(raw);
  if (!report || (report.feedbackType !== 'abuse' && report.feedbackType !== 'fraud')) return null;
  const workspaceId = report.workspaceId ?? opts.workspaceId;
  if (!workspaceId) return null;
  const m = await findMessage(db, { workspaceId, messageId: report.messageId, messageIdHeader: report.messageIdHeader });
  if (!m) return null;
  return handleComplaint(db, { workspaceId, messageId: m.id, detail: `feedback report: ${report.feedbackType}` });
}
