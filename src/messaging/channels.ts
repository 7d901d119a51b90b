// Channels: a kind (email, sms, kakao, push, webhook) and the provider that sends it, with the
// provider's settings and its secrets. Secrets are stored encrypted (AES-256-GCM under the
// server key) and never leave this file in clear except through channelSecrets, which only the
// senders call: answers say which secrets are set, not what they are.
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { AppError } from '../errors.ts';
import { decryptSecret, encryptSecret, serverKey } from '../events/identity-verification.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { checkChannelConfig, SECRET_NAMES } from './channel-settings.ts';
import { channels } from './schema.ts';
import { CHANNEL_KINDS, PROVIDERS, type ChannelKind, type ProviderName } from './types.ts';

export type ChannelRow = typeof channels.$inferSelect;

/** A channel as the API answers it: secrets only as "set or not". */
export type Channel = {
  id: string;
  kind: ChannelKind;
  provider: ProviderName;
  name: string;
  settings: Record<string, unknown>;
  secretsSet: Record<string, boolean>;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
};

type KeyConfig = Pick<Config, 'secretKey' | 'dataDir'>;

export function isChannelKind(value: unknown): value is ChannelKind {
  return typeof value === 'string' && (CHANNEL_KINDS as readonly string[]).includes(value);
}

export function providersOf(kind: ChannelKind): readonly ProviderName[] {
  return PROVIDERS[kind];
}

/** The channel's secrets in clear, for a provider to send with; `{}` when it has none. */
export function channelSecrets(config: KeyConfig, row: Pick<ChannelRow, 'secrets'>): Record<string, string> {
  if (!row.secrets) return {};
  return JSON.parse(decryptSecret(serverKey(config), row.secrets)) as Record<string, string>;
}

function sealSecrets(config: KeyConfig, secrets: Record<string, string>): string | null {
  return Object.keys(secrets).length ? encryptSecret(serverKey(config), JSON.stringify(secrets)) : null;
}

export function toChannel(row: ChannelRow, secretsSet: Record<string, boolean>): Channel {
  return {
    id: row.id,
    kind: row.kind as ChannelKind,
    provider: row.provider as ProviderName,
    name: row.name,
    settings: row.settings,
    secretsSet,
    isDefault: row.isDefault,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    archivedAt: row.archivedAt?.toISOString() ?? null,
  };
}

/** Which of the provider's secrets are set (`{ user: true, password: true, dkimPrivateKey: false }`). */
export function secretsSetOf(config: KeyConfig, row: ChannelRow): Record<string, boolean> {
  const held = channelSecrets(config, row);
  return Object.fromEntries((SECRET_NAMES[row.provider as ProviderName] ?? []).map((name) => [name, Boolean(held[name])]));
}

export async function getChannel(db: Queryable, workspaceId: string, id: string): Promise<ChannelRow | undefined> {
  const [row] = await db.select().from(channels).where(and(eq(channels.workspaceId, workspaceId), eq(channels.id, id)));
  return row;
}

export async function requireChannel(db: Queryable, workspaceId: string, id: string): Promise<ChannelRow> {
  const row = await getChannel(db, workspaceId, id);
  if (!row) throw new AppError('not_found', `channel ${id} not found`);
  return row;
}

/** The channel a message of this kind goes through when the caller names none (not archived). */
export async function defaultChannel(db: Queryable, workspaceId: string, kind: ChannelKind): Promise<ChannelRow | undefined> {
  const [row] = await db
    .select()
    .from(channels)
    .where(and(eq(channels.workspaceId, workspaceId), eq(channels.kind, kind), eq(channels.isDefault, true), isNull(channels.archivedAt)));
  return row;
}

export async function listChannels(db: Queryable, workspaceId: string, opts: { kind?: ChannelKind; archived?: boolean } = {}): Promise<ChannelRow[]> {
  return db
    .select()
    .from(channels)
    .where(
      and(
        eq(channels.workspaceId, workspaceId),
        opts.kind ? eq(channels.kind, opts.kind) : undefined,
        opts.archived ? undefined : isNull(channels.archivedAt),
      ),
    )
    .orderBy(asc(channels.kind), desc(channels.isDefault), asc(channels.name), asc(channels.id));
}

/** Serialises changes to one workspace's channels, so "the first of a kind is its default" holds under concurrent requests. */
async function lockChannels(db: Queryable, workspaceId: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`channels:${workspaceId}`}))`);
}

/** Makes `id` the only default channel of its kind (the unique index allows one). */
async function takeDefault(db: Queryable, workspaceId: string, kind: string, id: string | null): Promise<void> {
  await db
    .update(channels)
    .set({ isDefault: false })
    .where(and(eq(channels.workspaceId, workspaceId), eq(channels.kind, kind), eq(channels.isDefault, true), id ? sql`${channels.id} <> ${id}` : undefined));
}

/** The audit entry's view of a channel: settings and which secrets are set, never their values. */
const auditView = (c: Channel) => ({ kind: c.kind, provider: c.provider, name: c.name, settings: c.settings, secretsSet: c.secretsSet, isDefault: c.isDefault, archivedAt: c.archivedAt });

export type CreateChannelInput = {
  kind: ChannelKind;
  provider: ProviderName;
  name: string;
  settings?: Record<string, unknown>;
  secrets?: Record<string, string>;
  isDefault?: boolean;
};

/**
 * Creates a channel. The first live channel of a kind becomes its default. `generatedSecrets`
 * holds what Rapport made (a webhook's signing secret): shown once, in this answer only.
 */
export async function createChannel(
  db: Queryable,
  config: KeyConfig,
  opts: { workspaceId: string; actor: Actor; input: CreateChannelInput },
): Promise<{ channel: Channel; generatedSecrets: Record<string, string> }> {
  const { workspaceId, input } = opts;
  if (!(PROVIDERS[input.kind] as readonly string[]).includes(input.provider)) {
    throw new AppError('invalid_input', `body.provider: a ${input.kind} channel is sent by ${PROVIDERS[input.kind].join(' or ')}, not ${input.provider}`);
  }
  const checked = checkChannelConfig(input.provider, { settings: input.settings ?? {}, secrets: input.secrets ?? {} });
  return db.transaction(async (tx) => {
    await lockChannels(tx, workspaceId);
    const current = await defaultChannel(tx, workspaceId, input.kind);
    const isDefault = input.isDefault ?? !current;
    if (isDefault) await takeDefault(tx, workspaceId, input.kind, null);
    const now = clock.now();
    const [row] = await tx
      .insert(channels)
      .values({
        workspaceId,
        id: uuidv7(),
        kind: input.kind,
        provider: input.provider,
        name: input.name.trim(),
        settings: checked.settings,
        secrets: sealSecrets(config, checked.secrets),
        isDefault,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const channel = toChannel(row!, secretsSetOf(config, row!));
    await recordAudit(tx, { workspaceId, actor: opts.actor, action: 'channel.create', entityType: 'channel', entityId: channel.id, after: auditView(channel) });
    return { channel, generatedSecrets: checked.generated };
  });
}

export type ChannelPatch = {
  name?: string;
  /** Merged over the current settings; a null value removes the setting. */
  settings?: Record<string, unknown>;
  /** Merged over the current secrets; null removes one. */
  secrets?: Record<string, string | null>;
  isDefault?: boolean;
};

function merge<T>(current: Record<string, T>, patch: Record<string, T | null> | undefined): Record<string, T> {
  const out = { ...current };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Changes a channel; `generatedSecrets` as createChannel's (a removed webhook signing secret is replaced by a new one, shown once). */
export async function updateChannel(
  db: Queryable,
  config: KeyConfig,
  opts: { workspaceId: string; actor: Actor; id: string; patch: ChannelPatch },
): Promise<{ channel: Channel; generatedSecrets: Record<string, string> }> {
  const { workspaceId, patch } = opts;
  return db.transaction(async (tx) => {
    await lockChannels(tx, workspaceId);
    const row = await requireChannel(tx, workspaceId, opts.id);
    if (row.archivedAt) throw new AppError('conflict', `channel ${row.id} is archived: create a new channel instead`);
    const before = toChannel(row, secretsSetOf(config, row));
    const set: Partial<typeof channels.$inferInsert> = { updatedAt: clock.now() };
    let generatedSecrets: Record<string, string> = {};
    if (patch.name !== undefined) set.name = patch.name.trim();
    if (patch.settings !== undefined || patch.secrets !== undefined) {
      const checked = checkChannelConfig(row.provider as ProviderName, {
        settings: merge(row.settings, patch.settings),
        secrets: merge(channelSecrets(config, row), patch.secrets),
      });
      set.settings = checked.settings;
      set.secrets = sealSecrets(config, checked.secrets);
      generatedSecrets = checked.generated;
    }
    if (patch.isDefault === true && !row.isDefault) {
      await takeDefault(tx, workspaceId, row.kind, row.id);
      set.isDefault = true;
    } else if (patch.isDefault === false && row.isDefault) {
      throw new AppError('invalid_input', 'body.isDefault: make another channel of this kind the default instead (each kind keeps one)');
    }
    const [updated] = await tx.update(channels).set(set).where(and(eq(channels.workspaceId, workspaceId), eq(channels.id, row.id))).returning();
    const channel = toChannel(updated!, secretsSetOf(config, updated!));
    await recordAudit(tx, { workspaceId, actor: opts.actor, action: 'channel.update', entityType: 'channel', entityId: channel.id, before: auditView(before), after: auditView(channel) });
    return { channel, generatedSecrets };
  });
}

/**
 * Archives a channel (messages keep pointing at it). When it was its kind's default, the newest
 * other live channel of that kind takes over, so messages of the kind still have somewhere to go.
 */
export async function archiveChannel(db: Queryable, config: KeyConfig, opts: { workspaceId: string; actor: Actor; id: string }): Promise<Channel> {
  const { workspaceId } = opts;
  return db.transaction(async (tx) => {
    await lockChannels(tx, workspaceId);
    const row = await requireChannel(tx, workspaceId, opts.id);
    if (row.archivedAt) return toChannel(row, secretsSetOf(config, row));
    const before = toChannel(row, secretsSetOf(config, row));
    const now = clock.now();
    const [archived] = await tx
      .update(channels)
      .set({ archivedAt: now, isDefault: false, updatedAt: now })
      .where(and(eq(channels.workspaceId, workspaceId), eq(channels.id, row.id)))
      .returning();
    if (row.isDefault) {
      const [next] = await tx
        .select({ id: channels.id })
        .from(channels)
        .where(and(eq(channels.workspaceId, workspaceId), eq(channels.kind, row.kind), isNull(channels.archivedAt)))
        .orderBy(desc(channels.createdAt), desc(channels.id))
        .limit(1);
      if (next) await tx.update(channels).set({ isDefault: true }).where(and(eq(channels.workspaceId, workspaceId), eq(channels.id, next.id)));
    }
    const channel = toChannel(archived!, secretsSetOf(config, archived!));
    await recordAudit(tx, { workspaceId, actor: opts.actor, action: 'channel.archive', entityType: 'channel', entityId: channel.id, before: auditView(before), after: auditView(channel) });
    return channel;
  });
}

const SANDBOX_KINDS = ['email', 'sms', 'kakao', 'push'] as const satisfies readonly ChannelKind[];
const SANDBOX_NAMES: Record<(typeof SANDBOX_KINDS)[number], string> = {
  email: 'Sandbox e-mail',
  sms: 'Sandbox SMS',
  kakao: 'Sandbox KakaoTalk',
  push: 'Sandbox push',
};

/**
 * Gives the workspace a sandbox channel for e-mail, SMS, KakaoTalk and push where it has none,
 * each the default of its kind when the kind has no default: messages then land in the Sandbox
 * inbox until a real provider is set up. Safe to call again (and concurrently).
 */
export async function ensureSandboxChannels(db: Queryable, workspaceId: string): Promise<ChannelRow[]> {
  return db.transaction(async (tx) => {
    await lockChannels(tx, workspaceId);
    const live = await listChannels(tx, workspaceId);
    const out: ChannelRow[] = [];
    const now = clock.now();
    for (const kind of SANDBOX_KINDS) {
      const existing = live.find((c) => c.kind === kind && c.provider === 'sandbox');
      if (existing) {
        out.push(existing);
        continue;
      }
      const hasDefault = live.some((c) => c.kind === kind && c.isDefault);
      const [row] = await tx
        .insert(channels)
        .values({ workspaceId, id: uuidv7(), kind, provider: 'sandbox', name: SANDBOX_NAMES[kind], settings: {}, secrets: null, isDefault: !hasDefault, createdAt: now, updatedAt: now })
        .returning();
      out.push(row!);
    }
    return out;
  });
}
