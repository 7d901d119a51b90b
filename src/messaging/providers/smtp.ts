// The e-mail provider: real SMTP through nodemailer's pooled transport.
//
// Channel settings (not secret): host, port, secure (TLS from the first byte, port 465),
// requireTLS (refuse to send unless STARTTLS succeeds), from, replyTo,
// bounceAddress (the envelope's MAIL FROM, so delivery status notifications come back to it),
// maxConnections (default 4), maxMessages per connection (default 10,000), ratePerSecond,
// dkimDomain and dkimSelector, tlsRejectUnauthorized (default true).
// Channel secrets: user and password (the SMTP login), dkimPrivateKey (PEM; DKIM signing is on
// when it is set). The names match src/messaging/channel-settings.ts, which checks them at save time.
//
// Outcomes: an SMTP 5xx reply is permanent (the reason is the server's reply, code
// 'recipient_rejected' when it answered RCPT TO, else 'rejected'); a 4xx reply, a timeout or a
// lost connection is temporary. A refused login is temporary with code 'auth_failed': the
// operator can fix the password, and a bad password must not count as a hard bounce.
//
// The messages are built and sent on the SMTP thread (smtp-thread.ts), not the caller's.
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Outgoing, Provider, SendResult } from '../types.ts';
import { threadTransport } from './smtp-thread.ts';

export type SmtpSettings = {
  host: string;
  port?: number;
  secure?: boolean;
  requireTLS?: boolean;
  from?: string;
  replyTo?: string;
  bounceAddress?: string;
  maxConnections?: number;
  maxMessages?: number;
  ratePerSecond?: number;
  dkimDomain?: string;
  dkimSelector?: string;
  tlsRejectUnauthorized?: boolean;
  /** Seconds to wait for a connection and for the greeting. */
  connectTimeoutSeconds?: number;
};

export type SmtpSecrets = { user?: string; password?: string; dkimPrivateKey?: string };

/** Reads the provider's settings from a channel's free-form settings object, failing on what is required. */
export function smtpSettings(raw: Record<string, unknown>): SmtpSettings {
  const str = (key: string): string | undefined => (typeof raw[key] === 'string' && raw[key] !== '' ? (raw[key] as string) : undefined);
  const num = (key: string): number | undefined => (typeof raw[key] === 'number' && Number.isFinite(raw[key]) ? (raw[key] as number) : undefined);
  const bool = (key: string): boolean | undefined => (typeof raw[key] === 'boolean' ? (raw[key] as boolean) : undefined);
  const host = str('host');
  if (!host) throw new Error('settings.host: an SMTP channel needs a host');
  return {
    host,
    port: num('port'),
    secure: bool('secure'),
    requireTLS: bool('requireTLS'),
    from: str('from'),
    replyTo: str('replyTo'),
    bounceAddress: str('bounceAddress'),
    maxConnections: num('maxConnections'),
    maxMessages: num('maxMessages'),
    ratePerSecond: num('ratePerSecond'),
    dkimDomain: str('dkimDomain'),
    dkimSelector: str('dkimSelector'),
    tlsRejectUnauthorized: bool('tlsRejectUnauthorized'),
    connectTimeoutSeconds: num('connectTimeoutSeconds'),
  };
}

type SmtpError = Error & { code?: string; responseCode?: number; response?: string; command?: string };

/** Sorts a nodemailer failure into permanent or temporary. */
export function classifySmtpError(error: unknown): Extract<SendResult, { ok: false }> {
  const err = error as SmtpError;
  const reply = err.response?.trim() || err.message || String(error);
  if (err.code === 'EAUTH') return { ok: false, permanent: false, reason: reply, code: 'auth_failed' };
  const status = err.responseCode;
  if (typeof status === 'number' && status >= 500 && status < 600) {
    const recipient = err.code === 'EENVELOPE' || /RCPT/i.test(err.command ?? '');
    return { ok: false, permanent: true, reason: reply, code: recipient ? 'recipient_rejected' : 'rejected' };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) return { ok: false, permanent: false, reason: reply, code: 'deferred' };
  return { ok: false, permanent: false, reason: reply, code: err.code ?? 'connection' };
}

export function createSmtpProvider(settings: SmtpSettings, secrets: SmtpSecrets, name: 'smtp' | 'sandbox' = 'smtp'): Provider {
  const timeout = (settings.connectTimeoutSeconds ?? 10) * 1000;
  const options: SMTPPool.Options = {
    pool: true,
    host: settings.host,
    port: settings.port ?? (settings.secure ? 465 : 587),
    secure: settings.secure ?? false,
    requireTLS: settings.requireTLS ?? false,
    maxConnections: settings.maxConnections ?? 4,
    maxMessages: settings.maxMessages ?? 10_000,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: 60_000,
    tls: { rejectUnauthorized: settings.tlsRejectUnauthorized ?? true },
  };
  if (settings.ratePerSecond && settings.ratePerSecond > 0) {
    options.rateDelta = 1000;
    options.rateLimit = settings.ratePerSecond;
  }
  if (secrets.user) options.auth = { user: secrets.user, pass: secrets.password ?? '' };
  if (secrets.dkimPrivateKey) {
    if (!settings.dkimDomain || !settings.dkimSelector) throw new Error('settings.dkimDomain: DKIM signing needs a domain and a selector');
    options.dkim = { domainName: settings.dkimDomain, keySelector: settings.dkimSelector, privateKey: secrets.dkimPrivateKey };
  }
  const transport = threadTransport(options);

  return {
    name,
    async send(message: Outgoing): Promise<SendResult> {
      const content = message.content;
      if (content.kind !== 'email') return { ok: false, permanent: true, reason: `an e-mail channel cannot send ${content.kind}`, code: 'wrong_kind' };
      const from = content.from || settings.from;
      if (!from) return { ok: false, permanent: true, reason: 'no From address: set the channel\'s from', code: 'config' };
      const error = await transport.send({
        from,
        replyTo: content.replyTo || settings.replyTo,
        to: message.to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        headers: content.headers,
        // The same Message-ID on every attempt: a copy re-sent after a crash is recognisably the same message.
        messageId: content.messageIdHeader,
        // MAIL FROM decides where delivery status notifications go.
        envelope: { from: settings.bounceAddress || from, to: [message.to] },
      });
      return error ? classifySmtpError(error) : { ok: true, providerMessageId: content.messageIdHeader };
    },
    async close() {
      transport.close();
    },
  };
}
