// Timeline entries in words: which kind of entry it is and the detail worth a line. Pure.
import { describeDiff, type Change } from '../workspaces/audit-format.ts';
import { isChannel, isConsentPurpose, isConsentStatus, type Channel, type ConsentPurpose, type ConsentStatus } from './fields.ts';

export const TIMELINE_KINDS = [
  'profile.created',
  'profile.updated',
  'profile.first_seen',
  'profile.delete',
  'profile.restore',
  'profile.merge',
  'profile.merge_undo',
  'profile.merged_into',
  'profile.identity_add',
  'profile.identity_remove',
  'profile.identify',
  'profile.note_delete',
  'profile.erase',
  'profile.duplicate_dismiss',
  'profile.preferences',
  'note',
  'consent',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];
/** The i18n key of a kind: `profile.merge_undo` → `profile_merge_undo`. */
export type TimelineKindKey = TimelineKind extends infer K ? (K extends `${infer A}.${infer B}` ? `${A}_${B}` : K) : never;

export function timelineKindKey(kind: string): TimelineKindKey | null {
  return (TIMELINE_KINDS as readonly string[]).includes(kind) ? (kind.replace('.', '_') as TimelineKindKey) : null;
}

export type TimelineDetail =
  | { kind: 'consent'; channel: Channel; purpose: ConsentPurpose; status: ConsentStatus; previousStatus: ConsentStatus | null }
  | { kind: 'note'; body: string }
  | { kind: 'changes'; changes: Change[] }
  | { kind: 'none' };

const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Housekeeping fields every change touches. */
const QUIET_FIELDS = new Set(['updatedAt', 'createdAt', 'searchText', 'matchKeys', 'id']);

export function timelineDetail(item: { kind: string; data: unknown }): TimelineDetail {
  const data = record(item.data);
  if (item.kind === 'consent' && isChannel(data.channel) && isConsentPurpose(data.purpose) && isConsentStatus(data.status)) {
    return { kind: 'consent', channel: data.channel, purpose: data.purpose, status: data.status, previousStatus: isConsentStatus(data.previousStatus) ? data.previousStatus : null };
  }
  if (item.kind === 'note' && typeof data.body === 'string') return { kind: 'note', body: data.body };
  const changes = describeDiff(data.diff).filter((c) => !QUIET_FIELDS.has(c.field));
  return changes.length ? { kind: 'changes', changes } : { kind: 'none' };
}

/** Who did it, when the entry says. */
export function timelineActor(item: { data: unknown }): string | null {
  const data = record(item.data);
  const actor = data.actor ?? data.author;
  return typeof actor === 'string' && actor ? actor : null;
}
