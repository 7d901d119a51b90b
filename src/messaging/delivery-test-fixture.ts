// Test data for the delivery tests (send, gate, dispatcher, status): customers with consent, a
// channel, and messages, in a workspace of the test's own.
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { upsertCustomers } from '../customers/customers.ts';
import type { CustomerInput } from '../customers/profile-input.ts';
import { systemActor } from '../workspaces/audit.ts';
import { channels, messages } from './schema.ts';

/** Creates customers (each row as given) and returns their ids in order. */
export async function addCustomers(db: Queryable, workspaceId: string, rows: CustomerInput[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += 2000) {
    const results = await db.transaction((tx) => upsertCustomers(tx, { workspaceId, actor: systemActor, rows: rows.slice(i, i + 2000), matchBy: 'none' }));
    for (const r of results) {
      if (!r.id) throw new Error(`customer ${i + r.index} not created: ${JSON.stringify(r.errors)}`);
      ids.push(r.id);
    }
  }
  return ids;
}

export const granted = (channel: string, ...purposes: string[]) => purposes.map((purpose) => ({ channel, purpose, status: 'granted', source: 'test' }));

/** A channel row (the default of its kind unless told otherwise). */
export async function addChannel(
  db: Queryable,
  workspaceId: string,
  opts: { kind: string; provider: string; settings?: Record<string, unknown>; isDefault?: boolean; secrets?: string | null },
): Promise<string> {
  const id = uuidv7();
  await db.insert(channels).values({ workspaceId, id, kind: opts.kind, provider: opts.provider, name: `${opts.kind} ${opts.provider}`, settings: opts.settings ?? {}, isDefault: opts.isDefault ?? true, secrets: opts.secrets ?? null });
  return id;
}

/** A message row as the dispatcher finds it, for tests of recording alone. */
export async function addMessageRow(db: Queryable, workspaceId: string, opts: { channelId: string; customerId?: string | null; kind?: string; purpose?: string; status?: string }): Promise<string> {
  const id = uuidv7();
  await db.insert(messages).values({
    workspaceId,
    id,
    idempotencyKey: `test:${id}`,
    customerId: opts.customerId ?? null,
    channelId: opts.channelId,
    kind: opts.kind ?? 'email',
    purpose: opts.purpose ?? 'marketing',
    lane: 'bulk',
    status: opts.status ?? 'queued',
    sendAt: sql`now()`,
  });
  return id;
}

// --- a real SMTP server for delivery tests -----------------------------------------------------

export type ReceivedMail = { to: string[]; raw: string; messageId: string | undefined };

/**
 * An smtp-server on 127.0.0.1 that keeps what it receives. `answer` may refuse a recipient with a
 * code (550 = permanent, 451 = temporary), as a real server would at RCPT TO.
 */
export async function startTestSmtp(
  opts: {
    answer?: (address: string) => { code: number; message: string } | undefined;
    /** Holds the answer to RCPT TO for an address until the promise settles: a server that stalls. */
    hold?: (address: string) => Promise<void> | undefined;
  } = {},
) {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    async onRcptTo(address, _session, callback) {
      await opts.hold?.(address.address);
      const refusal = opts.answer?.(address.address);
      if (refusal) {
        const error = new Error(refusal.message) as Error & { responseCode: number };
        error.responseCode = refusal.code;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1];
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, messageId });
        callback();
      });
    },
  });
  // A killed sender's connections end in ECONNRESET: that is the crash under test, not a failure.
  server.on('error', () => {});
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)));
  return {
    port,
    received,
    settings: (extra: Record<string, unknown> = {}) => ({ host: '127.0.0.1', port, from: 'Rapport Shop <shop@rapport-shop.test>', maxConnections: 4, ...extra }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits (on real time: the SMTP server is another party) until `check` holds, or fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 20_000, what = 'condition'): Promise<void> {
  const until = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
