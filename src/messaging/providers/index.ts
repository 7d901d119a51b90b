// One provider per channel and lane, made from the channel's settings and secrets and kept while
// the channel is unchanged, so the SMTP pool's connections are reused from one batch to the next.
// The transactional lane has a provider of its own (for SMTP: its own pool of at most 2
// connections besides the channel's maxConnections), so an order confirmation never queues behind
// a campaign's messages in a shared pool. A changed channel (a new updatedAt) gets a new provider;
// the old one's connections are closed.
import type { Config } from '../../config.ts';
import type { Queryable } from '../../db/connection.ts';
import type { channels } from '../schema.ts';
import type { ChannelKind, Lane, Outgoing, Provider, ProviderName, SendResult } from '../types.ts';
import { createSandboxProvider } from './sandbox.ts';
import { createSmtpProvider, smtpSettings } from './smtp.ts';
import { stopSmtpThread, warmSmtpThread } from './smtp-thread.ts';
import { createSolapiProvider } from './solapi.ts';
import { createWebhookProvider } from './webhook.ts';
import { createWebpushProvider, type PushUrgency } from './webpush.ts';

type ChannelRow = typeof channels.$inferSelect;
export type ProviderDeps = { db: Queryable; config?: Config };

const str = (settings: Record<string, unknown>, key: string): string | undefined => (typeof settings[key] === 'string' && settings[key] !== '' ? (settings[key] as string) : undefined);
const num = (settings: Record<string, unknown>, key: string): number | undefined => (typeof settings[key] === 'number' ? (settings[key] as number) : undefined);

/** Makes the provider a channel names, from its settings and its secrets in clear. Throws naming the missing field. */
export function createProvider(row: Pick<ChannelRow, 'kind' | 'provider' | 'settings'>, secrets: Record<string, string>, deps: ProviderDeps, lane: Lane = 'bulk'): Provider {
  const settings = row.settings ?? {};
  const provider = row.provider as ProviderName;
  switch (provider) {
    case 'smtp': {
      const smtp = smtpSettings(settings);
      if (lane === 'transactional') smtp.maxConnections = Math.min(2, smtp.maxConnections ?? 4);
      return createSmtpProvider(smtp, secrets);
    }
    case 'sandbox':
      return createSandboxProvider(row.kind as ChannelKind, settings, { db: deps.db });
    case 'solapi': {
      const from = str(settings, 'from');
      if (!from) throw new Error('settings.from: a SOLAPI channel needs its registered sender number');
      return createSolapiProvider({ from, pfId: str(settings, 'pfId'), apiBase: str(settings, 'apiBase'), timeoutSeconds: num(settings, 'timeoutSeconds') }, secrets);
    }
    case 'webpush': {
      const vapidPublicKey = str(settings, 'vapidPublicKey');
      const subject = str(settings, 'subject');
      if (!vapidPublicKey || !subject) throw new Error(`settings.${vapidPublicKey ? 'subject' : 'vapidPublicKey'}: a web push channel needs it`);
      return createWebpushProvider({ vapidPublicKey, subject, ttlSeconds: num(settings, 'ttlSeconds'), urgency: str(settings, 'urgency') as PushUrgency | undefined }, secrets);
    }
    case 'webhook': {
      const url = str(settings, 'url');
      if (!url) throw new Error('settings.url: a webhook channel needs its URL');
      return createWebhookProvider({ url, timeoutSeconds: num(settings, 'timeoutSeconds') }, secrets);
    }
    default:
      throw new Error(`provider: unknown provider ${String(row.provider)}`);
  }
}

/**
 * A channel whose set-up is incomplete (a secret missing, a setting removed by hand) answers every
 * send with a temporary failure naming what is wrong, so the pipeline retries with backoff while
 * someone fixes the channel, instead of crashing the batch.
 */
function misconfigured(name: ProviderName, reason: string): Provider {
  return {
    name,
    async send(_message: Outgoing): Promise<SendResult> {
      return { ok: false, permanent: false, reason, code: 'channel_config' };
    },
    async close() {},
  };
}

const cache = new Map<string, { updatedAt: number; provider: Provider }>();

/** The provider of a channel for a lane, made once per channel version (id + updatedAt) and lane. */
export function providerFor(row: ChannelRow, secrets: Record<string, string>, deps: ProviderDeps, lane: Lane = 'bulk'): Provider {
  const key = `${row.workspaceId}:${row.id}:${lane}`;
  const updatedAt = row.updatedAt.getTime();
  const cached = cache.get(key);
  if (cached && cached.updatedAt === updatedAt) return cached.provider;
  if (cached && cached.updatedAt > updatedAt) return cached.provider; // a stale row read by a slower batch
  if (cached) void cached.provider.close();
  let provider: Provider;
  try {
    provider = createProvider(row, secrets, deps, lane);
  } catch (error) {
    provider = misconfigured(row.provider as ProviderName, (error as Error).message);
  }
  cache.set(key, { updatedAt, provider });
  return provider;
}

/** Gets ready to send: the SMTP thread loads (once; a send after it died starts a new one). */
export function warmProviders(): void {
  warmSmtpThread();
}

/** Closes every provider's connections (on shutdown, and between tests). */
export async function closeProviders(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.allSettled(all.map((c) => c.provider.close()));
  await stopSmtpThread();
}
