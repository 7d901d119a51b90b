// The webhook provider: POSTs the message's JSON to the channel's URL, signed so the receiver can
// tell it came from Rapport and was not replayed later.
//
//   X-Rapport-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(signingSecret, `${t}.${body}`)>
//   X-Rapport-Message: <message id>   (the same on every attempt: the receiver's idempotency key)
//
// A receiver recomputes v1 over the raw body with the channel's signing secret, compares in
// constant time, and refuses a t older than a few minutes (see verifyWebhookSignature).
// Channel settings: url, timeoutSeconds (default 10). Secrets: signingSecret.
// Outcomes: 2xx delivered; 4xx permanent except 408 and 429; anything else (3xx, 5xx, timeout,
// refused connection) temporary, retried with backoff by the pipeline.
import crypto from 'node:crypto';
import { clock } from '../../clock.ts';
import type { Outgoing, Provider, SendResult } from '../types.ts';

export type WebhookSettings = { url: string; timeoutSeconds?: number };

export function webhookSignature(secret: string, unixSeconds: number, body: string): string {
  const v1 = crypto.createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** For receivers (and tests): true when the header signs this body with this secret within `toleranceSeconds` of now. */
export function verifyWebhookSignature(secret: string, header: string, body: string, opts: { nowSeconds: number; toleranceSeconds?: number }): boolean {
  const parts = new Map(header.split(',').map((p) => [p.slice(0, p.indexOf('=')).trim(), p.slice(p.indexOf('=') + 1).trim()]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(opts.nowSeconds - t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(webhookSignature(secret, t, body).split('v1=')[1]!, 'hex');
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

export function createWebhookProvider(settings: WebhookSettings, secrets: { signingSecret?: string }): Provider {
  if (!secrets.signingSecret) throw new Error('secrets.signingSecret: a webhook channel needs a signing secret');
  const secret = secrets.signingSecret;
  const timeoutMs = (settings.timeoutSeconds ?? 10) * 1000;
  return {
    name: 'webhook',
    async send(message: Outgoing): Promise<SendResult> {
      if (message.content.kind !== 'webhook') return { ok: false, permanent: true, reason: `a webhook channel cannot send ${message.content.kind}`, code: 'wrong_kind' };
      // The channel's URL, checked when the channel was saved; a per-message address is not followed.
      const body = JSON.stringify(message.content.body);
      const t = Math.floor(clock.nowMs() / 1000);
      let response: Response;
      try {
        response = await fetch(settings.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Rapport-Webhook/1',
            'x-rapport-signature': webhookSignature(secret, t, body),
            'x-rapport-message': message.messageId,
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const err = error as Error & { cause?: { code?: string } };
        const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
        return { ok: false, permanent: false, reason: timedOut ? `no answer within ${timeoutMs / 1000} s` : (err.cause?.code ?? err.message), code: timedOut ? 'timeout' : 'connection' };
      }
      const text = (await response.text().catch(() => '')).slice(0, 200);
      if (response.status >= 200 && response.status < 300) return { ok: true, providerMessageId: `webhook:${message.messageId}`, delivered: true };
      const reason = `HTTP ${response.status}${text ? `: ${text}` : ''}`;
      const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
      return { ok: false, permanent, reason, code: `http_${response.status}` };
    },
    async close() {},
  };
}
