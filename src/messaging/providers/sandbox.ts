// The sandbox providers: what Rapport sends with no provider configured, kept on this machine and
// shown in the Sandbox inbox as the customer would see it.
// - E-mail goes over real SMTP (the SMTP provider, nodemailer) to the in-process sandbox server
//   (src/messaging/sandbox-smtp.ts), which parses and stores it: the same path as a real send.
// - SMS/LMS, KakaoTalk and web push are written to sandbox_messages directly, with what the
//   inbox shows beside the text: the SMS type and byte count, Kakao's type and buttons, the
//   push notification's link and icon.
// - A delivery status notification sent to the sandbox server marks its message bounced
//   (handleSandboxBounce), unless whoever started the server set another onBounce.
// Channel settings: from (optional; the sender shown when the message names none).
import { clock } from '../../clock.ts';
import type { Queryable } from '../../db/connection.ts';
import { uuidv7 } from '../../db/uuid.ts';
import { handleSandboxBounce } from '../bounces.ts';
import { ensureSandboxSmtp } from '../sandbox-smtp.ts';
import { sandboxMessages } from '../schema.ts';
import type { ChannelKind, Outgoing, Provider, SendResult } from '../types.ts';
import { createSmtpProvider } from './smtp.ts';

const DEFAULT_FROM = 'Rapport Sandbox <sandbox@rapport.local>';

/** A push "to" is the subscription as JSON: the inbox shows its endpoint, never its keys. */
function pushEndpoint(to: string): string {
  try {
    const parsed = JSON.parse(to) as { endpoint?: unknown };
    if (typeof parsed.endpoint === 'string') return parsed.endpoint;
  } catch {
    // not JSON: the address as given
  }
  return to;
}

function createSandboxEmail(db: Queryable, settings: Record<string, unknown>): Provider {
  let smtp: { port: number; provider: Provider } | null = null;
  const from = typeof settings.from === 'string' && settings.from ? settings.from : DEFAULT_FROM;
  return {
    name: 'sandbox',
    async send(message: Outgoing): Promise<SendResult> {
      if (message.content.kind !== 'email') return { ok: false, permanent: true, reason: `an e-mail channel cannot send ${message.content.kind}`, code: 'wrong_kind' };
      const server = await ensureSandboxSmtp(db);
      // Whoever started the server (serve.ts, or this provider in a worker of its own), a DSN that
      // reaches it marks the message bounced.
      server.onBounce ??= async (bounce) => {
        await handleSandboxBounce(db, bounce);
      };
      // The server may have been restarted on another port (tests, a restarted worker).
      if (!smtp || smtp.port !== server.port) {
        await smtp?.provider.close();
        smtp = { port: server.port, provider: createSmtpProvider({ host: server.host, port: server.port, from, maxConnections: 2 }, {}, 'sandbox') };
      }
      const content = {
        ...message.content,
        from: message.content.from || from,
        headers: { ...message.content.headers, 'X-Rapport-Workspace': message.workspaceId, 'X-Rapport-Message': message.messageId },
      };
      const result = await smtp.provider.send({ ...message, content });
      // The sandbox server answered 250 once the message was in the inbox: it has arrived.
      return result.ok ? { ...result, delivered: true } : result;
    },
    async close() {
      await smtp?.provider.close();
      smtp = null;
    },
  };
}

function createSandboxDirect(db: Queryable, kind: Exclude<ChannelKind, 'email' | 'webhook'>, settings: Record<string, unknown>): Provider {
  const defaultFrom = typeof settings.from === 'string' && settings.from ? settings.from : null;
  return {
    name: 'sandbox',
    async send(message: Outgoing): Promise<SendResult> {
      const content = message.content;
      if (content.kind !== kind) return { ok: false, permanent: true, reason: `a ${kind} channel cannot send ${content.kind}`, code: 'wrong_kind' };
      const id = uuidv7();
      const base = { workspaceId: message.workspaceId, id, messageId: message.messageId, kind, receivedAt: clock.now(), html: null, raw: null };
      if (content.kind === 'sms') {
        await db.insert(sandboxMessages).values({
          ...base,
          toAddress: message.to,
          fromAddress: content.from || defaultFrom,
          subject: content.title ?? null,
          text: content.text,
          meta: { type: content.type, bytes: content.bytes },
        });
      } else if (content.kind === 'kakao') {
        await db.insert(sandboxMessages).values({
          ...base,
          toAddress: message.to,
          fromAddress: content.pfId || defaultFrom,
          subject: null,
          text: content.text,
          meta: {
            type: content.type,
            buttons: content.buttons,
            templateCode: content.templateCode ?? null,
            // What would go as SMS/LMS if KakaoTalk could not deliver it (대체발송).
            fallback: content.fallback ? { type: content.fallback.type, bytes: content.fallback.bytes, text: content.fallback.text, title: content.fallback.title ?? null } : null,
          },
        });
      } else if (content.kind === 'push') {
        await db.insert(sandboxMessages).values({
          ...base,
          toAddress: pushEndpoint(message.to),
          fromAddress: defaultFrom,
          subject: content.title,
          text: content.body,
          meta: { url: content.url ?? null, icon: content.icon ?? null },
        });
      }
      return { ok: true, providerMessageId: `sandbox:${id}`, delivered: true };
    },
    async close() {},
  };
}

/** The sandbox provider of a channel kind (e-mail, SMS, KakaoTalk, push). */
export function createSandboxProvider(kind: ChannelKind, settings: Record<string, unknown>, deps: { db: Queryable }): Provider {
  if (kind === 'email') return createSandboxEmail(deps.db, settings);
  if (kind === 'webhook') throw new Error('provider: webhooks have no sandbox; use the webhook provider with a URL');
  return createSandboxDirect(deps.db, kind, settings);
}
