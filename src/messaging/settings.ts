// The workspace's sending rules: the sender name and free opt-out number that Korean law puts on
// every ad, the night-time quiet hours and what happens to an ad that falls in them, frequency
// caps, and the fallback "best hour". One row per workspace; defaults when there is none.
import { eq } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { messagingSettings } from './schema.ts';
import { CHANNEL_KINDS, MESSAGE_PURPOSES, type ChannelKind, type MessagePurpose } from './types.ts';

const OneOf = (values: readonly string[]) => Type.String({ enum: [...values] });
const HourMinute = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, 24-hour clock' });

export const CapSchema = Type.Object(
  {
    purpose: OneOf(MESSAGE_PURPOSES),
    channel: Type.Union([OneOf(CHANNEL_KINDS), Type.Null()], { description: 'A channel kind, or null for all channels together' }),
    per: OneOf(['day', 'week']),
    max: Type.Integer({ minimum: 0, maximum: 1000 }),
  },
  { additionalProperties: false },
);
export type Cap = { purpose: MessagePurpose; channel: ChannelKind | null; per: 'day' | 'week'; max: number };

/** PUT /api/messaging/settings: any of the fields; the others stay as they are. */
export const MessagingSettingsInput = Type.Object(
  {
    senderName: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 40, pattern: '\\S' }), Type.Null()], { description: 'Shown after (광고) on ads: the shop’s name' })),
    optOutNumber: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()], { description: 'The free opt-out number on SMS/LMS/FriendTalk ads, e.g. 080-123-4567' })),
    quietHours: Type.Optional(Type.Object({ start: HourMinute, end: HourMinute }, { additionalProperties: false, description: 'Night-time ads need night_ads consent between start and end, in the customer’s time zone' })),
    nightPolicy: Type.Optional(Type.Union([Type.Literal('defer'), Type.Literal('skip')], { description: 'defer: send at the end of the quiet hours; skip: suppress' })),
    caps: Type.Optional(Type.Array(CapSchema, { maxItems: 20 })),
    bestHour: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 23 }), Type.Null()], { description: 'Workspace time; used for "best hour" when a customer has none' })),
  },
  { additionalProperties: false },
);
export type MessagingSettingsInput = Static<typeof MessagingSettingsInput>;

export type MessagingSettings = {
  senderName: string | null;
  optOutNumber: string | null;
  quietHours: { start: string; end: string };
  /** The same quiet hours as minutes of the day (what the gate compares with). */
  quietStartMinute: number;
  quietEndMinute: number;
  nightPolicy: 'defer' | 'skip';
  caps: Cap[];
  bestHour: number | null;
  updatedAt: string | null;
};

export const DEFAULT_CAPS: Cap[] = [
  { purpose: 'marketing', channel: null, per: 'day', max: 2 },
  { purpose: 'marketing', channel: null, per: 'week', max: 5 },
];

const pad = (n: number) => String(n).padStart(2, '0');
export const minuteToText = (m: number) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
export const textToMinute = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

function settingsOf(row: typeof messagingSettings.$inferSelect | undefined): MessagingSettings {
  const start = row?.quietStartMinute ?? 21 * 60;
  const end = row?.quietEndMinute ?? 8 * 60;
  return {
    senderName: row?.senderName ?? null,
    optOutNumber: row?.optOutNumber ?? null,
    quietHours: { start: minuteToText(start), end: minuteToText(end) },
    quietStartMinute: start,
    quietEndMinute: end,
    nightPolicy: row?.nightPolicy === 'skip' ? 'skip' : 'defer',
    caps: (row?.caps as Cap[] | undefined) ?? DEFAULT_CAPS.map((c) => ({ ...c })),
    bestHour: row?.bestHour ?? null,
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

export async function getMessagingSettings(db: Queryable, workspaceId: string): Promise<MessagingSettings> {
  const [row] = await db.select().from(messagingSettings).where(eq(messagingSettings.workspaceId, workspaceId));
  return settingsOf(row);
}

/**
 * The free opt-out number as it will be printed (`080-123-4567`): a Korean number, written with
 * digits and hyphens only, since it is shown to customers as typed.
 */
export function checkOptOutNumber(value: string, path = 'body.optOutNumber'): string {
  const shown = value.trim();
  const digits = shown.replace(/-/g, '');
  if (!/^[\d-]+$/.test(shown) || !/^(?:0\d{8,10}|1[5-9]\d{6})$/.test(digits)) {
    throw new AppError('invalid_input', `${path}: must be a Korean phone number such as 080-123-4567 (digits and hyphens)`);
  }
  return shown;
}

function checkCaps(caps: Cap[]): void {
  const seen = new Set<string>();
  caps.forEach((cap, i) => {
    const key = `${cap.purpose}/${cap.channel ?? '*'}/${cap.per}`;
    if (seen.has(key)) throw new AppError('invalid_input', `body.caps[${i}]: a cap for ${cap.purpose} on ${cap.channel ?? 'all channels'} per ${cap.per} is already given`);
    seen.add(key);
  });
}

export async function setMessagingSettings(db: Queryable, opts: { workspaceId: string; actor: Actor; input: MessagingSettingsInput }): Promise<MessagingSettings> {
  const { workspaceId, input } = opts;
  let optOutNumber: string | null | undefined;
  if (input.optOutNumber !== undefined) optOutNumber = input.optOutNumber === null || input.optOutNumber.trim() === '' ? null : checkOptOutNumber(input.optOutNumber);
  if (input.caps) checkCaps(input.caps as Cap[]);
  if (input.quietHours && input.quietHours.start === input.quietHours.end) {
    throw new AppError('invalid_input', 'body.quietHours.end: must differ from start (for no quiet hours, there is no such setting: ads at night need night_ads consent by law)');
  }
  return db.transaction(async (tx) => {
    const before = await getMessagingSettings(tx, workspaceId);
    const values = {
      senderName: input.senderName === undefined ? before.senderName : (input.senderName?.trim() ?? null),
      optOutNumber: optOutNumber === undefined ? before.optOutNumber : optOutNumber,
      quietStartMinute: input.quietHours ? textToMinute(input.quietHours.start) : before.quietStartMinute,
      quietEndMinute: input.quietHours ? textToMinute(input.quietHours.end) : before.quietEndMinute,
      nightPolicy: input.nightPolicy ?? before.nightPolicy,
      caps: (input.caps as Cap[] | undefined) ?? before.caps,
      bestHour: input.bestHour === undefined ? before.bestHour : input.bestHour,
      updatedAt: clock.now(),
    };
    const [row] = await tx
      .insert(messagingSettings)
      .values({ workspaceId, ...values })
      .onConflictDoUpdate({ target: messagingSettings.workspaceId, set: values })
      .returning();
    const after = settingsOf(row);
    const view = ({ updatedAt: _u, quietStartMinute: _s, quietEndMinute: _e, ...rest }: MessagingSettings) => rest;
    await recordAudit(tx, { workspaceId, actor: opts.actor, action: 'messaging.settings', entityType: 'messaging_settings', entityId: null, before: view(before), after: view(after) });
    return after;
  });
}
