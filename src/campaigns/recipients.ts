// A campaign's frozen recipients as the API lists them: who, in which group, and what became of
// their message (keyset pages, or all of them as CSV), addresses masked without pii.read.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { maskEmail, maskPhone } from '../customers/fields.ts';
import { csvCell, decodeMemberCursor, encodeMemberCursor } from '../segments/reports.ts';

export type Recipient = {
  customerId: string;
  externalId: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  variant: string;
  /** pending | queued | holdout | cancelled, or the message's status once it has one. */
  status: string;
  reason: string | null;
  messageId: string | null;
  /** When the message is (or was) due; null before it is made, for the holdout, and while the campaign is paused. */
  sendAt: string | null;
  sentAt: string | null;
};

type Row = {
  customer_id: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  variant: string;
  status: string;
  reason: string | null;
  message_id: string | null;
  send_at: Date | string | null;
  sent_at: Date | string | null;
};

const iso = (d: Date | string | null) => (d === null ? null : (d instanceof Date ? d : new Date(d)).toISOString());

function toRecipient(r: Row, pii: boolean): Recipient {
  return {
    customerId: r.customer_id,
    externalId: r.external_id,
    name: r.name,
    email: pii ? r.email : maskEmail(r.email),
    phone: pii ? r.phone : maskPhone(r.phone),
    variant: r.variant,
    status: r.status,
    reason: r.reason,
    messageId: r.message_id,
    sendAt: iso(r.send_at),
    sentAt: iso(r.sent_at),
  };
}

async function rows(db: Queryable, opts: { workspaceId: string; campaignId: string; variant?: string; after?: string; limit: number }): Promise<Row[]> {
  const { rows } = await db.execute<Row>(sql`
    select r.customer_id, c.external_id, c.name, c.email, c.phone, r.variant,
      coalesce(m.status, r.status) as status, case when r.status = 'cancelled' then 'campaign_cancelled' else m.reason end as reason, r.message_id,
      -- A paused campaign parks its messages at a far-off time: no due time until it resumes.
      case when m.status = 'deferred' and m.reason = 'campaign_paused' then null else m.send_at end as send_at, m.sent_at
    from campaign_recipients r
    join customers c on c.workspace_id = r.workspace_id and c.id = r.customer_id
    left join messages m on m.workspace_id = r.workspace_id and m.id = r.message_id
    where r.workspace_id = ${opts.workspaceId}::uuid and r.campaign_id = ${opts.campaignId}::uuid
      ${opts.variant ? sql`and r.variant = ${opts.variant}` : sql``}
      ${opts.after ? sql`and r.customer_id > ${opts.after}::uuid` : sql``}
    order by r.customer_id
    limit ${opts.limit}`);
  return rows;
}

export async function listRecipients(db: Queryable, opts: { workspaceId: string; campaignId: string; variant?: string; cursor?: string; limit?: number; pii: boolean }) {
  const limit = opts.limit ?? 50;
  const found = await rows(db, { ...opts, after: opts.cursor ? decodeMemberCursor(opts.cursor) : undefined, limit: limit + 1 });
  const page = found.slice(0, limit);
  return { items: page.map((r) => toRecipient(r, opts.pii)), nextCursor: found.length > limit ? encodeMemberCursor(page[page.length - 1]!.customer_id) : null };
}

/** Every recipient as CSV lines (header first), read in pages. */
export async function* recipientsCsv(db: Queryable, opts: { workspaceId: string; campaignId: string; variant?: string; pii: boolean }): AsyncGenerator<string> {
  yield 'customer_id,external_id,name,email,phone,variant,status,reason,send_at,sent_at\r\n';
  let after: string | undefined;
  for (;;) {
    const page = await rows(db, { ...opts, after, limit: 5000 });
    if (page.length === 0) return;
    yield page
      .map((r) => toRecipient(r, opts.pii))
      .map((x) => [x.customerId, x.externalId, x.name, x.email, x.phone, x.variant, x.status, x.reason, x.sendAt, x.sentAt].map(csvCell).join(',') + '\r\n')
      .join('');
    after = page[page.length - 1]!.customer_id;
  }
}
