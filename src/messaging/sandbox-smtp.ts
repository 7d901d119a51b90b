// The Sandbox's SMTP server: a real smtp-server inside Rapport, on 127.0.0.1 only, so that with
// no provider configured e-mail still takes the real path (nodemailer → SMTP → parsed message)
// and lands in the Sandbox inbox (sandbox_messages) exactly as a customer's mail client would
// receive it.
//
// What it accepts:
// - A message carrying `X-Rapport-Workspace` and `X-Rapport-Message` headers (the sandbox e-mail
//   provider adds them): parsed with mailparser and stored in sandbox_messages. A message without
//   them, or naming a workspace that does not exist, is refused with 550.
// - A delivery status notification (Content-Type multipart/report; report-type=delivery-status)
//   to any address: it is not stored; `onBounce` is called for each recipient it reports on.
// - Any recipient at the `bounce.test` domain is refused at RCPT TO with 550 5.1.1, so a marketer
//   can see a hard bounce happen in the sandbox.
//
// The bounce hook: onBounce(bounce: SandboxBounce): Promise<void>, called once per recipient the
// DSN reports on. The DSN is read by bounces.ts's parseDsn, the same reader real bounces go
// through, so the sandbox and production agree on what a report says; SandboxBounce is defined
// there too. The pipeline sets the hook (handleSandboxBounce: marks the message bounced and
// suppresses the address on a permanent one). A hook that throws makes the server answer 451, so
// the sender tries the DSN again.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { parseDsn, type Dsn, type SandboxBounce } from './bounces.ts';
import { sandboxMessages } from './schema.ts';

export type { SandboxBounce } from './bounces.ts';

export type SandboxSmtp = {
  port: number;
  host: string;
  /** Called for each delivery status notification received; settable after start. */
  onBounce: ((bounce: SandboxBounce) => Promise<void>) | null;
  close(): Promise<void>;
};

export const BOUNCE_DOMAIN = 'bounce.test';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

type SmtpReplyError = Error & { responseCode: number };
function reply(code: number, message: string): SmtpReplyError {
  return Object.assign(new Error(message), { responseCode: code });
}

let running: SandboxSmtp | null = null;

/** The sandbox SMTP server of this process, if one was started. */
export function runningSandboxSmtp(): SandboxSmtp | null {
  return running;
}

/** The server of this process, started on a free port when none runs yet (a worker in its own process). */
export async function ensureSandboxSmtp(db: Queryable): Promise<SandboxSmtp> {
  if (running) return running;
  starting ??= startSandboxSmtp(db, {}).finally(() => {
    starting = null;
  });
  return starting;
}
let starting: Promise<SandboxSmtp> | null = null;

/** What the hook is given for each recipient of a DSN. */
function sandboxBounces(dsn: Dsn): SandboxBounce[] {
  return dsn.recipients.map((r) => ({
    workspaceId: dsn.workspaceId,
    messageId: dsn.messageId,
    messageIdHeader: dsn.messageIdHeader,
    recipient: r.recipient,
    action: r.action,
    status: r.status,
    diagnostic: r.diagnostic,
    permanent: r.outcome === 'hard',
  }));
}

function addressText(value: ParsedMail['to'] | ParsedMail['from']): string | null {
  if (!value) return null;
  return (Array.isArray(value) ? value : [value]).map((v) => v.text).join(', ') || null;
}

/**
 * Starts the sandbox SMTP server. `port` 0 or absent takes a free port. It listens on 127.0.0.1
 * only, needs no login, and refuses connections from anywhere else.
 */
export async function startSandboxSmtp(
  db: Queryable,
  opts: { port?: number; host?: string; onBounce?: (bounce: SandboxBounce) => Promise<void> } = {},
): Promise<SandboxSmtp> {
  const host = opts.host ?? '127.0.0.1';
  const store = async (raw: string, envelopeTo: string[]): Promise<void> => {
    const dsn = parseDsn(raw);
    if (dsn) {
      for (const bounce of sandboxBounces(dsn)) if (handle.onBounce) await handle.onBounce(bounce);
      return;
    }
    const parsed = await simpleParser(raw);
    const workspaceId = String(parsed.headers.get('x-rapport-workspace') ?? '');
    const messageId = String(parsed.headers.get('x-rapport-message') ?? '');
    if (!UUID.test(workspaceId) || !UUID.test(messageId)) throw reply(550, '5.7.1 The sandbox takes only messages sent by Rapport (X-Rapport-Workspace and X-Rapport-Message headers)');
    const unsubscribe = parsed.headerLines.filter((h) => h.key.startsWith('list-unsubscribe')).map((h) => h.line);
    try {
      await db.insert(sandboxMessages).values({
        workspaceId,
        id: uuidv7(),
        messageId,
        kind: 'email',
        toAddress: envelopeTo.join(', ') || addressText(parsed.to) || '',
        fromAddress: addressText(parsed.from),
        subject: parsed.subject ?? null,
        html: typeof parsed.html === 'string' ? parsed.html : null,
        text: parsed.text ?? null,
        raw,
        meta: {
          messageIdHeader: parsed.messageId ?? null,
          replyTo: addressText(parsed.replyTo),
          listUnsubscribe: unsubscribe,
          dkim: parsed.headers.has('dkim-signature'),
          bytes: Buffer.byteLength(raw),
        },
        receivedAt: clock.now(),
      });
    } catch (error) {
      // A workspace that does not exist breaks the foreign key: that message can never be stored.
      const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
      if (code === '23503') throw reply(550, '5.1.1 No such workspace');
      throw reply(451, '4.3.0 The sandbox could not store the message, try again');
    }
  };

  const server = new SMTPServer({
    name: 'rapport-sandbox',
    banner: 'Rapport sandbox: messages stay on this machine',
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: 20 * 1024 * 1024,
    onConnect(session, callback) {
      if (!LOOPBACK.has(session.remoteAddress)) return callback(reply(554, '5.7.1 The sandbox accepts connections from this machine only'));
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (address.address.toLowerCase().endsWith(`@${BOUNCE_DOMAIN}`)) return callback(reply(550, `5.1.1 <${address.address}>: no such mailbox (sandbox bounce)`));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return callback(reply(552, '5.3.4 Message too big for the sandbox'));
        const raw = Buffer.concat(chunks).toString('utf8');
        store(
          raw,
          session.envelope.rcptTo.map((r) => r.address),
        ).then(
          () => callback(),
          (error: unknown) => callback((error as SmtpReplyError).responseCode ? (error as SmtpReplyError) : reply(451, `4.3.0 ${(error as Error).message}`)),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const handle: SandboxSmtp = {
    port: (server.server.address() as AddressInfo).port,
    host,
    onBounce: opts.onBounce ?? null,
    close: () =>
      new Promise<void>((resolve) => {
        if (running === handle) running = null;
        server.close(() => resolve());
      }),
  };
  running ??= handle;
  return handle;
}
