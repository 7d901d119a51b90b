// What each provider's channel settings and secrets may hold, checked at save time so a wrong
// port or a missing API key is a 400 naming the field, not a failed send hours later. Pure
// (apart from generating keys that were not given).
import crypto from 'node:crypto';
import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import webpush from 'web-push';
import { AppError } from '../errors.ts';
import type { ProviderName } from './types.ts';

const Str = (max = 500) => Type.String({ minLength: 1, maxLength: max });
const Rate = Type.Number({ exclusiveMinimum: 0, maximum: 10_000, description: 'At most this many messages per second' });
const Bool = Type.Boolean();
const Opt = Type.Optional;

const SETTINGS: Record<ProviderName, TSchema> = {
  smtp: Type.Object(
    {
      host: Str(253),
      port: Type.Integer({ minimum: 1, maximum: 65_535 }),
      secure: Opt(Bool),
      requireTLS: Opt(Bool),
      from: Str(320),
      replyTo: Opt(Str(320)),
      bounceAddress: Opt(Str(320)),
      maxConnections: Opt(Type.Integer({ minimum: 1, maximum: 100 })),
      ratePerSecond: Opt(Rate),
      dkimDomain: Opt(Str(253)),
      dkimSelector: Opt(Str(63)),
    },
    { additionalProperties: false },
  ),
  solapi: Type.Object({ from: Str(20), pfId: Opt(Str(100)), apiBase: Opt(Str(300)), ratePerSecond: Opt(Rate) }, { additionalProperties: false }),
  webpush: Type.Object({ vapidPublicKey: Opt(Str(200)), subject: Str(300) }, { additionalProperties: false }),
  webhook: Type.Object({ url: Str(2000), ratePerSecond: Opt(Rate) }, { additionalProperties: false }),
  sandbox: Type.Object({ from: Opt(Str(320)) }, { additionalProperties: false }),
};

const SECRETS: Record<ProviderName, TSchema> = {
  smtp: Type.Object({ user: Opt(Str(320)), password: Opt(Str(1000)), dkimPrivateKey: Opt(Str(20_000)) }, { additionalProperties: false }),
  solapi: Type.Object({ apiKey: Str(200), apiSecret: Str(200) }, { additionalProperties: false }),
  webpush: Type.Object({ vapidPrivateKey: Opt(Str(200)) }, { additionalProperties: false }),
  webhook: Type.Object({ signingSecret: Opt(Type.String({ minLength: 16, maxLength: 500 })) }, { additionalProperties: false }),
  sandbox: Type.Object({}, { additionalProperties: false }),
};

/** The secret names a provider knows, for the answer's `secretsSet`. */
export const SECRET_NAMES: Record<ProviderName, string[]> = Object.fromEntries(
  Object.entries(SECRETS).map(([provider, schema]) => [provider, Object.keys((schema as { properties: Record<string, unknown> }).properties)]),
) as Record<ProviderName, string[]>;

/** The first problem of a value against a schema, as `path.field: message`. */
function firstProblem(schema: TSchema, value: unknown, path: string): string | undefined {
  for (const e of Value.Errors(schema, value)) {
    const at = path + e.instancePath.replace(/\//g, '.');
    if (e.keyword === 'required') {
      const missing = (e.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      return `${at}.${missing[0] ?? ''}: is required`;
    }
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      return `${at}.${extra[0] ?? ''}: is not a setting of this provider`;
    }
    if (e.keyword === 'boolean') continue; // the additionalProperties error above says it better
    return `${at}: ${e.message}`;
  }
  return undefined;
}

const bad = (message: string) => new AppError('invalid_input', message);

/** `shop@example.com` or `Shop <shop@example.com>`. */
const ADDRESS = /^(?:[^<>\r\n]*<)?[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]{2,}>?$/;
const PLAIN_ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]{2,}$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** A Korean sender number as carriers register it: mobile or landline (0…) or a 15xx/16xx/18xx representative number. */
const KOREAN_SENDER = /^(?:0\d{8,10}|1[5-9]\d{6})$/;

function httpUrl(value: string, path: string, opts: { https?: boolean } = {}): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad(`${path}: is not a URL`);
  }
  if (!(url.protocol === 'https:' || (!opts.https && url.protocol === 'http:'))) throw bad(`${path}: must be an ${opts.https ? 'https' : 'http or https'} URL`);
  if (url.username || url.password) throw bad(`${path}: must not hold a user name or password (put those in the secrets)`);
  return url.toString();
}

/** Digits of a Korean sender number (`010-1234-5678` → `01012345678`), or a 400 naming the field. */
export function koreanSenderNumber(value: string, path: string): string {
  const digits = value.replace(/[\s\-().]/g, '').replace(/^\+82/, '0');
  if (!/^\d+$/.test(digits) || !KOREAN_SENDER.test(digits)) throw bad(`${path}: must be a Korean phone number (e.g. 02-123-4567, 010-1234-5678 or 1588-1234)`);
  return digits;
}

export type Checked = { settings: Record<string, unknown>; secrets: Record<string, string>; generated: Record<string, string> };

/**
 * Checks a channel's settings and secrets for its provider and returns them normalised, with the
 * secrets Rapport made because they were not given (a webhook's signing secret, a VAPID key pair).
 * `secrets` are the channel's secrets after the change (kept ones merged with new ones).
 */
export function checkChannelConfig(provider: ProviderName, input: { settings: Record<string, unknown>; secrets: Record<string, string> }): Checked {
  const settings = { ...input.settings };
  const secrets = { ...input.secrets };
  const generated: Record<string, string> = {};
  const settingsProblem = firstProblem(SETTINGS[provider], settings, 'body.settings');
  if (settingsProblem) throw bad(settingsProblem);
  const secretsProblem = firstProblem(SECRETS[provider], secrets, 'body.secrets');
  if (secretsProblem) throw bad(secretsProblem);

  switch (provider) {
    case 'smtp': {
      if (!HOSTNAME.test(String(settings.host))) throw bad('body.settings.host: is not a host name');
      for (const field of ['from', 'replyTo'] as const) {
        if (settings[field] !== undefined && !ADDRESS.test(String(settings[field]))) throw bad(`body.settings.${field}: is not an e-mail address (shop@example.com or Shop <shop@example.com>)`);
      }
      if (settings.bounceAddress !== undefined && !PLAIN_ADDRESS.test(String(settings.bounceAddress))) throw bad('body.settings.bounceAddress: is not an e-mail address');
      if ((settings.dkimDomain === undefined) !== (settings.dkimSelector === undefined)) throw bad('body.settings.dkimSelector: DKIM needs both dkimDomain and dkimSelector');
      if (settings.dkimDomain !== undefined) {
        if (!HOSTNAME.test(String(settings.dkimDomain))) throw bad('body.settings.dkimDomain: is not a domain name');
        if (!secrets.dkimPrivateKey) throw bad('body.secrets.dkimPrivateKey: is required when DKIM is set (dkimDomain)');
      }
      if (secrets.dkimPrivateKey) {
        try {
          crypto.createPrivateKey(secrets.dkimPrivateKey);
        } catch {
          throw bad('body.secrets.dkimPrivateKey: is not a private key in PEM form');
        }
      }
      if ((secrets.user === undefined) !== (secrets.password === undefined)) throw bad(`body.secrets.${secrets.user === undefined ? 'user' : 'password'}: SMTP login needs both user and password`);
      break;
    }
    case 'solapi': {
      settings.from = koreanSenderNumber(String(settings.from), 'body.settings.from');
      if (settings.apiBase !== undefined) settings.apiBase = httpUrl(String(settings.apiBase), 'body.settings.apiBase').replace(/\/$/, '');
      break;
    }
    case 'webpush': {
      if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(String(settings.subject))) throw bad('body.settings.subject: must be a mailto: or https: URL (push services contact you there)');
      const hasPublic = settings.vapidPublicKey !== undefined;
      const hasPrivate = secrets.vapidPrivateKey !== undefined;
      if (!hasPublic && !hasPrivate) {
        const keys = webpush.generateVAPIDKeys();
        settings.vapidPublicKey = keys.publicKey;
        secrets.vapidPrivateKey = keys.privateKey;
      } else if (hasPublic !== hasPrivate) {
        throw bad(hasPublic ? 'body.secrets.vapidPrivateKey: is required with settings.vapidPublicKey (or give neither and Rapport makes the pair)' : 'body.settings.vapidPublicKey: is required with secrets.vapidPrivateKey');
      } else {
        try {
          webpush.setVapidDetails(String(settings.subject), String(settings.vapidPublicKey), secrets.vapidPrivateKey!);
        } catch (err) {
          throw bad(`body.settings.vapidPublicKey: the VAPID key pair is not valid (${(err as Error).message})`);
        }
      }
      break;
    }
    case 'webhook': {
      settings.url = httpUrl(String(settings.url), 'body.settings.url');
      if (!secrets.signingSecret) {
        secrets.signingSecret = `whsec_${crypto.randomBytes(24).toString('base64url')}`;
        generated.signingSecret = secrets.signingSecret;
      }
      break;
    }
    case 'sandbox': {
      if (settings.from !== undefined && !ADDRESS.test(String(settings.from)) && !/^[\d\-+ ]{3,20}$/.test(String(settings.from))) {
        throw bad('body.settings.from: is not an e-mail address or a phone number');
      }
      break;
    }
  }
  return { settings, secrets, generated };
}
