// The gate every message passes, at create time and again at send time, in this order: the
// customer exists and is not erased; a reachable address for the channel; consent for the channel
// and purpose; quiet hours (and FriendTalk's sending hours); frequency caps; the suppression list.
// The first rule that refuses decides, with its reason. Batched: one query per rule for a whole
// batch of messages, so a campaign's 200-message batch costs a handful of queries, not 1,000.
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { longestWindowMs, overCap, recentlySent, type SentRecord } from './caps.ts';
import { pushAddress, pushSubscriptionsFor } from './push-subscriptions.ts';
import { friendTalkStart, isTimeZone, quietHoursEnd } from './quiet-hours.ts';
import { getMessagingSettings, type MessagingSettings } from './settings.ts';
import type { ChannelKind, MessagePurpose, SuppressionReason } from './types.ts';

export type GateItem = {
  workspaceId: string;
  /** Left out of the frequency count (it is the message being decided). */
  messageId?: string;
  customerId: string | null;
  kind: ChannelKind;
  purpose: MessagePurpose;
  /** The caller's address, used instead of the profile's. */
  to?: string | null;
  /** Kakao: FriendTalk goes only 08:00–20:50. */
  kakaoType?: 'alimtalk' | 'friendtalk';
  /** When it would go; clock.now() when not given. */
  at?: Date;
};

export type GateVerdict =
  | null
  | { status: 'suppressed'; reason: SuppressionReason }
  | { status: 'deferred'; until: Date; reason: Extract<SuppressionReason, 'quiet_hours' | 'outside_sending_hours'> };

export type GateResult = {
  verdict: GateVerdict;
  /** Where it goes: the caller's address, else the profile's (a push subscription as JSON); null for webhooks. */
  to: string | null;
};

/** The form an address is hashed in for the suppression list. */
export function normaliseAddress(kind: string, address: string): string {
  const a = address.trim();
  if (kind === 'email') return a.toLowerCase();
  if (kind === 'sms' || kind === 'kakao') return a.replace(/[\s()-]/g, '');
  if (kind === 'push' && a.startsWith('{')) {
    try {
      const endpoint = (JSON.parse(a) as { endpoint?: unknown }).endpoint;
      if (typeof endpoint === 'string') return endpoint;
    } catch {
      /* not a subscription: hash it as it is */
    }
  }
  return a;
}

/** SHA-256 (hex) of the normalised address: how the suppression list holds it. */
export function addressHash(kind: string, address: string): string {
  return crypto.createHash('sha256').update(normaliseAddress(kind, address)).digest('hex');
}

/** For people reading the suppression list: "ki***@example.com", "+8210****5678". */
export function addressHint(kind: string, address: string): string {
  const a = normaliseAddress(kind, address);
  if (kind === 'email') {
    const at = a.lastIndexOf('@');
    return at > 0 ? `${a.slice(0, Math.min(2, at))}***${a.slice(at)}` : '***';
  }
  if (kind === 'sms' || kind === 'kakao') return a.length > 8 ? `${a.slice(0, 5)}****${a.slice(-4)}` : '****';
  try {
    return `${new URL(a).host}/…`;
  } catch {
    return '…';
  }
}

/** Puts addresses on the suppression list (hard bounces, complaints, manual); an address already there keeps its first reason. */
export async function suppressAddresses(
  db: Queryable,
  list: { workspaceId: string; kind: string; address: string; reason: 'hard_bounce' | 'complaint' | 'manual'; detail?: string | null }[],
): Promise<void> {
  if (list.length === 0) return;
  const col = <T>(f: (r: (typeof list)[number]) => T) => sql.param(list.map(f));
  await db.execute(sql`
    insert into suppressions (workspace_id, kind, address_hash, hint, reason, detail, created_at)
    select * from unnest(${col((r) => r.workspaceId)}::uuid[], ${col((r) => (r.kind === 'kakao' ? 'sms' : r.kind))}::text[],
      ${col((r) => addressHash(r.kind, r.address))}::text[], ${col((r) => addressHint(r.kind, r.address))}::text[], ${col((r) => r.reason)}::text[],
      ${col((r) => r.detail ?? null)}::text[], ${col(() => clock.now())}::timestamptz[])
    on conflict (workspace_id, kind, address_hash) do nothing`);
}

// Consent is kept per channel of the customers area (email, sms, kakao, push); webhooks have none.
const CONSENT_CHANNELS = new Set(['email', 'sms', 'kakao', 'push']);
// Phone messages share one suppression entry: a number that bounces SMS does not take KakaoTalk either.
const suppressionKind = (kind: string) => (kind === 'kakao' ? 'sms' : kind);

type CustomerFacts = { email: string | null; phone: string | null; timeZone: string | null; deleted: boolean; erased: boolean };

/** Decides each item (see the file's comment); `to` is the address it would go to. */
export async function checkMessages(db: Queryable, items: GateItem[]): Promise<GateResult[]> {
  const results: GateResult[] = items.map(() => ({ verdict: null, to: null }));
  const byWorkspace = new Map<string, number[]>();
  items.forEach((item, i) => {
    const list = byWorkspace.get(item.workspaceId) ?? [];
    list.push(i);
    byWorkspace.set(item.workspaceId, list);
  });
  for (const [workspaceId, indexes] of byWorkspace) await checkWorkspace(db, workspaceId, items, indexes, results);
  return results;
}

/** The gate's verdicts alone: null (may go), suppressed with its reason, or deferred to a time. */
export async function gateMessages(db: Queryable, items: GateItem[]): Promise<GateVerdict[]> {
  return (await checkMessages(db, items)).map((r) => r.verdict);
}

async function checkWorkspace(db: Queryable, workspaceId: string, items: GateItem[], indexes: number[], results: GateResult[]): Promise<void> {
  const now = clock.now();
  const atOf = (i: number) => items[i]!.at ?? now;
  const open = new Set(indexes);
  const refuse = (i: number, verdict: Exclude<GateVerdict, null>) => {
    results[i]!.verdict = verdict;
    open.delete(i);
  };

  // 1. The customer exists and is not erased or deleted.
  const customerIds = [...new Set(indexes.map((i) => items[i]!.customerId).filter((id): id is string => Boolean(id)))];
  const customers = new Map<string, CustomerFacts>();
  if (customerIds.length) {
    const { rows } = await db.execute<{ id: string; email: string | null; phone: string | null; time_zone: string | null; deleted: boolean; erased: boolean }>(sql`
      select id, email, phone, time_zone, deleted_at is not null as deleted, erased_at is not null as erased
      from customers where workspace_id = ${workspaceId}::uuid and id = any(${sql.param(customerIds)}::uuid[])`);
    for (const r of rows) customers.set(r.id, { email: r.email, phone: r.phone, timeZone: r.time_zone, deleted: r.deleted, erased: r.erased });
  }
  for (const i of indexes) {
    const id = items[i]!.customerId;
    if (!id) continue;
    const c = customers.get(id);
    if (!c) refuse(i, { status: 'suppressed', reason: 'customer_missing' });
    else if (c.erased) refuse(i, { status: 'suppressed', reason: 'customer_erased' });
    else if (c.deleted) refuse(i, { status: 'suppressed', reason: 'customer_missing' });
  }

  // 2. A reachable address for the channel.
  const pushCustomers = [...open].filter((i) => items[i]!.kind === 'push' && !items[i]!.to && items[i]!.customerId).map((i) => items[i]!.customerId!);
  const subscriptions = pushCustomers.length ? await pushSubscriptionsFor(db, workspaceId, pushCustomers) : new Map();
  for (const i of [...open]) {
    const item = items[i]!;
    const c = item.customerId ? customers.get(item.customerId) : undefined;
    let to: string | null = item.to?.trim() || null;
    if (!to && c) {
      if (item.kind === 'email') to = c.email;
      else if (item.kind === 'sms' || item.kind === 'kakao') to = c.phone;
      else if (item.kind === 'push') {
        const s = subscriptions.get(item.customerId!)?.[0];
        to = s ? pushAddress(s) : null;
      }
    }
    results[i]!.to = to;
    if (!to && item.kind !== 'webhook') refuse(i, { status: 'suppressed', reason: 'no_address' });
  }

  // 3. Consent: ads need it granted; transactional messages only stop at a denied transactional consent.
  const consentCustomers = [...open].filter((i) => CONSENT_CHANNELS.has(items[i]!.kind) && items[i]!.customerId).map((i) => items[i]!.customerId!);
  const consent = new Map<string, string>();
  if (consentCustomers.length) {
    const { rows } = await db.execute<{ customer_id: string; channel: string; purpose: string; status: string }>(sql`
      select customer_id, channel, purpose, status from customer_consents
      where workspace_id = ${workspaceId}::uuid and customer_id = any(${sql.param([...new Set(consentCustomers)])}::uuid[])`);
    for (const r of rows) consent.set(`${r.customer_id}:${r.channel}:${r.purpose}`, r.status);
  }
  const consentOf = (item: GateItem, purpose: string) => (item.customerId ? consent.get(`${item.customerId}:${item.kind}:${purpose}`) : undefined);
  for (const i of [...open]) {
    const item = items[i]!;
    if (!CONSENT_CHANNELS.has(item.kind)) continue;
    if (item.purpose === 'marketing' ? consentOf(item, 'marketing') !== 'granted' : consentOf(item, 'transactional') === 'denied') {
      refuse(i, { status: 'suppressed', reason: 'no_consent' });
    }
  }

  // 4. Quiet hours (ads at night need night_ads consent) and FriendTalk's sending hours, in the customer's time zone.
  let settings: MessagingSettings | undefined;
  const settingsOnce = async () => (settings ??= await getMessagingSettings(db, workspaceId));
  const marketing = [...open].filter((i) => items[i]!.purpose === 'marketing' && items[i]!.kind !== 'webhook');
  if (marketing.length) {
    const rules = await settingsOnce();
    const workspaceZone = (await getWorkspace(db, workspaceId))?.timeZone ?? 'Asia/Seoul';
    for (const i of marketing) {
      const item = items[i]!;
      const ownZone = item.customerId ? customers.get(item.customerId)?.timeZone : null;
      const zone = isTimeZone(ownZone) ? ownZone : workspaceZone;
      const at = atOf(i);
      if (item.kind === 'kakao' && item.kakaoType !== 'alimtalk') {
        const start = friendTalkStart(at, zone);
        if (start) {
          refuse(i, { status: 'deferred', until: start, reason: 'outside_sending_hours' });
          continue;
        }
      }
      const end = quietHoursEnd(at, zone, rules);
      if (end && consentOf(item, 'night_ads') !== 'granted') {
        refuse(i, rules.nightPolicy === 'skip' ? { status: 'suppressed', reason: 'quiet_hours' } : { status: 'deferred', until: end, reason: 'quiet_hours' });
      }
    }
  }

  // 5. Frequency caps: what was sent in the window, plus what this batch already let through.
  const capped = [...open].filter((i) => items[i]!.customerId);
  if (capped.length) {
    const { caps } = await settingsOnce();
    const purposes = [...new Set(caps.map((c) => c.purpose))];
    const relevant = capped.filter((i) => purposes.includes(items[i]!.purpose));
    if (relevant.length && caps.length) {
      const times = relevant.map((i) => atOf(i).getTime());
      const sent = await recentlySent(db, {
        workspaceId,
        customerIds: relevant.map((i) => items[i]!.customerId!),
        purposes,
        from: new Date(Math.min(...times) - longestWindowMs(caps)),
        until: new Date(Math.max(...times)),
        exceptMessageIds: relevant.map((i) => items[i]!.messageId).filter((id): id is string => Boolean(id)),
      });
      for (const i of relevant) {
        const item = items[i]!;
        const history: SentRecord[] = sent.get(item.customerId!) ?? [];
        if (overCap(caps, { customerId: item.customerId!, kind: item.kind, purpose: item.purpose, at: atOf(i) }, history)) {
          refuse(i, { status: 'suppressed', reason: 'frequency_cap' });
        } else {
          history.push({ kind: item.kind, purpose: item.purpose, sentAt: atOf(i) });
          sent.set(item.customerId!, history);
        }
      }
    }
  }

  // 6. The suppression list (hard bounces, complaints, blocks): transactional messages stop here too.
  const addressed = [...open].filter((i) => results[i]!.to);
  if (addressed.length) {
    const keyOf = (i: number) => `${suppressionKind(items[i]!.kind)}:${addressHash(items[i]!.kind, results[i]!.to!)}`;
    const keys = addressed.map(keyOf);
    const { rows } = await db.execute<{ kind: string; address_hash: string }>(sql`
      select kind, address_hash from suppressions
      where workspace_id = ${workspaceId}::uuid and address_hash = any(${sql.param(keys.map((k) => k.slice(k.indexOf(':') + 1)))}::text[])`);
    const listed = new Set(rows.map((r) => `${r.kind}:${r.address_hash}`));
    for (const i of addressed) if (listed.has(keyOf(i))) refuse(i, { status: 'suppressed', reason: 'suppressed_address' });
  }
}
