// The fields each provider's channel asks for (as src/messaging/channel-settings.ts checks them),
// and how the channel form becomes the API's create or change. Secrets are write-only: an empty
// secret field keeps what is stored. Pure.
import { PROVIDERS } from '../../../src/messaging/types.ts';
import type { Channel, ChannelInput, ChannelKind, ChannelPatch, ProviderName } from './api.ts';
import type { messagingEn } from './strings-en.ts';

export type FieldType = 'text' | 'number' | 'boolean' | 'multiline';
/** A setting or secret of a provider; each has its label in the messaging strings. */
export type FieldKey = keyof typeof messagingEn.channelFields;
export type ProviderField = { key: FieldKey; type: FieldType; required?: boolean; secret?: boolean };

export const PROVIDER_FIELDS: Record<ProviderName, ProviderField[]> = {
  smtp: [
    { key: 'host', type: 'text', required: true },
    { key: 'port', type: 'number', required: true },
    { key: 'secure', type: 'boolean' },
    { key: 'requireTLS', type: 'boolean' },
    { key: 'from', type: 'text', required: true },
    { key: 'replyTo', type: 'text' },
    { key: 'bounceAddress', type: 'text' },
    { key: 'user', type: 'text', secret: true },
    { key: 'password', type: 'text', secret: true },
    { key: 'maxConnections', type: 'number' },
    { key: 'ratePerSecond', type: 'number' },
    { key: 'dkimDomain', type: 'text' },
    { key: 'dkimSelector', type: 'text' },
    { key: 'dkimPrivateKey', type: 'multiline', secret: true },
  ],
  solapi: [
    { key: 'from', type: 'text', required: true },
    { key: 'pfId', type: 'text' },
    { key: 'apiKey', type: 'text', required: true, secret: true },
    { key: 'apiSecret', type: 'text', required: true, secret: true },
    { key: 'apiBase', type: 'text' },
    { key: 'ratePerSecond', type: 'number' },
  ],
  webpush: [
    { key: 'subject', type: 'text', required: true },
    { key: 'vapidPublicKey', type: 'text' },
    { key: 'vapidPrivateKey', type: 'text', secret: true },
  ],
  webhook: [
    { key: 'url', type: 'text', required: true },
    { key: 'signingSecret', type: 'text', secret: true },
    { key: 'ratePerSecond', type: 'number' },
  ],
  sandbox: [{ key: 'from', type: 'text' }],
};

export type ChannelForm = { kind: ChannelKind; provider: ProviderName; name: string; values: Record<string, string | boolean>; isDefault: boolean };

export function providersFor(kind: ChannelKind): readonly ProviderName[] {
  return PROVIDERS[kind];
}

export function newChannelForm(kind: ChannelKind, provider: ProviderName = providersFor(kind)[0]!): ChannelForm {
  return { kind, provider, name: '', values: provider === 'smtp' ? { port: '587' } : {}, isDefault: false };
}

/** The form of a stored channel: its settings as they are, its secrets empty (write-only). */
export function channelForm(c: Channel): ChannelForm {
  const values: Record<string, string | boolean> = {};
  for (const f of PROVIDER_FIELDS[c.provider] ?? []) {
    if (f.secret) continue;
    const v = c.settings[f.key];
    if (v === undefined || v === null) continue;
    values[f.key] = f.type === 'boolean' ? Boolean(v) : String(v);
  }
  return { kind: c.kind, provider: c.provider, name: c.name, values, isDefault: c.isDefault };
}

function settingValue(f: ProviderField, raw: string | boolean | undefined): unknown {
  if (f.type === 'boolean') return raw === true;
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (!text) return undefined;
  if (f.type === 'number') return Number(text);
  return f.type === 'multiline' ? String(raw) : text;
}

export function toCreate(form: ChannelForm): ChannelInput {
  const settings: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const f of PROVIDER_FIELDS[form.provider]) {
    const v = settingValue(f, form.values[f.key]);
    if (v === undefined || v === false) continue;
    if (f.secret) secrets[f.key] = String(v);
    else settings[f.key] = v;
  }
  return { kind: form.kind, provider: form.provider, name: form.name.trim(), settings, secrets, ...(form.isDefault ? { isDefault: true } : {}) };
}

/** A change: settings emptied are removed (null); only secrets typed anew are sent. */
export function toPatch(form: ChannelForm, before: Channel): ChannelPatch {
  const settings: Record<string, unknown | null> = {};
  const secrets: Record<string, string> = {};
  for (const f of PROVIDER_FIELDS[form.provider]) {
    const v = settingValue(f, form.values[f.key]);
    if (f.secret) {
      if (v !== undefined) secrets[f.key] = String(v);
    } else if (f.type === 'boolean') {
      if (Boolean(before.settings[f.key]) !== v) settings[f.key] = v;
    } else if (v === undefined) {
      if (before.settings[f.key] !== undefined) settings[f.key] = null;
    } else if (before.settings[f.key] !== v) settings[f.key] = v;
  }
  return {
    ...(form.name.trim() !== before.name ? { name: form.name.trim() } : {}),
    ...(Object.keys(settings).length ? { settings } : {}),
    ...(Object.keys(secrets).length ? { secrets } : {}),
    ...(form.isDefault && !before.isDefault ? { isDefault: true } : {}),
  };
}

/** The field a server error names (`body.settings.host: …` → `host`), or null. */
export function errorField(message: string): { field: string | null; message: string } {
  const m = /^body\.(?:settings|secrets)\.(\w+): (.+)$/s.exec(message);
  if (m) return { field: m[1]!, message: m[2]! };
  const n = /^body\.name: (.+)$/s.exec(message);
  return n ? { field: 'name', message: n[1]! } : { field: null, message };
}
