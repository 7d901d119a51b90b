// The web push provider: `web-push` (RFC 8030 push, RFC 8291 aes128gcm payload encryption, RFC
// 8292 VAPID). The message's `to` is the browser's subscription as JSON ({endpoint, keys:
// {p256dh, auth}}), as the tracker captured it (src/messaging/push-subscriptions.ts).
//
// Channel settings: vapidPublicKey, subject (mailto: or https:, where push services can reach the
// sender), ttlSeconds (default 24 h: a sale notification a day late is worth little), urgency
// (very-low | low | normal | high; default normal, high for transactional). Secrets: vapidPrivateKey.
//
// Outcomes: 201/2xx accepted; 404 and 410 mean the browser dropped the subscription: permanent with
// code 'subscription_gone' (the pipeline revokes it); 400/403/413 other permanent; 429, 5xx,
// timeouts and connection errors temporary.
import type https from 'node:https';
import webpush from 'web-push';
import type { Outgoing, Provider, SendResult } from '../types.ts';

export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';
export type WebpushSettings = { vapidPublicKey: string; subject: string; ttlSeconds?: number; urgency?: PushUrgency };

/** What the service worker of the shop's site receives and shows (see the tracker's push worker). */
export type PushPayload = { title: string; body: string; url?: string; icon?: string; messageId: string };

type Subscription = { endpoint: string; keys: { p256dh: string; auth: string } };

function parseSubscription(to: string): Subscription | null {
  try {
    const parsed = JSON.parse(to) as Partial<Subscription>;
    if (typeof parsed.endpoint === 'string' && typeof parsed.keys?.p256dh === 'string' && typeof parsed.keys.auth === 'string') {
      return { endpoint: parsed.endpoint, keys: { p256dh: parsed.keys.p256dh, auth: parsed.keys.auth } };
    }
  } catch {
    // not JSON
  }
  return null;
}

export function createWebpushProvider(
  settings: WebpushSettings,
  secrets: { vapidPrivateKey?: string },
  /** A push service reached through its own TLS settings (a private CA in tests). */
  opts: { agent?: https.Agent; timeoutMs?: number } = {},
): Provider {
  if (!secrets.vapidPrivateKey) throw new Error('secrets.vapidPrivateKey: a web push channel needs its VAPID private key');
  const vapidDetails = { subject: settings.subject, publicKey: settings.vapidPublicKey, privateKey: secrets.vapidPrivateKey };
  return {
    name: 'webpush',
    async send(message: Outgoing): Promise<SendResult> {
      const content = message.content;
      if (content.kind !== 'push') return { ok: false, permanent: true, reason: `a push channel cannot send ${content.kind}`, code: 'wrong_kind' };
      const subscription = parseSubscription(message.to);
      if (!subscription) return { ok: false, permanent: true, reason: 'the push subscription is not {endpoint, keys: {p256dh, auth}}', code: 'subscription_invalid' };
      const payload: PushPayload = { title: content.title, body: content.body, url: content.url, icon: content.icon, messageId: message.messageId };
      try {
        const response = await webpush.sendNotification(subscription, JSON.stringify(payload), {
          vapidDetails,
          TTL: settings.ttlSeconds ?? 86_400,
          urgency: settings.urgency ?? 'normal',
          contentEncoding: 'aes128gcm',
          timeout: opts.timeoutMs ?? 15_000,
          ...(opts.agent ? { agent: opts.agent } : {}),
        });
        // Push services answer 201 with the message's URL in Location (RFC 8030 §5).
        const location = response.headers.location ?? response.headers.Location;
        return { ok: true, providerMessageId: typeof location === 'string' && location ? location : `webpush:${message.messageId}` };
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        const body = String((error as { body?: unknown }).body ?? '').slice(0, 200);
        if (typeof status !== 'number') return { ok: false, permanent: false, reason: (error as Error).message, code: 'connection' };
        const reason = `HTTP ${status}${body ? `: ${body}` : ''}`;
        if (status === 404 || status === 410) return { ok: false, permanent: true, reason, code: 'subscription_gone' };
        if (status === 429 || status >= 500) return { ok: false, permanent: false, reason, code: `http_${status}` };
        if (status >= 400) return { ok: false, permanent: true, reason, code: `http_${status}` };
        return { ok: false, permanent: false, reason, code: `http_${status}` };
      }
    },
    async close() {},
  };
}
