// The merge dialog's rules, as the server applies them (src/customers/merge.ts): per field the
// choice made, else the newest non-empty value; tags are united and attributes combined key by
// key unless one side is chosen as a whole. `fields` sends only the choices that matter.
import type { Customer, MergeChoice } from './api.ts';

export const MERGE_FIELDS = ['name', 'email', 'phone', 'externalId', 'birthday', 'gender', 'locale', 'timeZone', 'signedUpAt', 'lifecycleStage', 'source', 'ownerUserId'] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

/** A field both profiles fill differently, or the tags / attributes when they differ. */
export type MergeConflict =
  | { field: MergeField; kind: 'value'; survivor: unknown; other: unknown }
  | { field: 'tags'; kind: 'tags'; survivor: string[]; other: string[] }
  | { field: 'attributes'; kind: 'attributes'; keys: string[]; survivor: Customer['attributes']; other: Customer['attributes'] };

/** `combine`: no choice sent, so tags are united and attributes merged key by key. */
export type MergeSelection = MergeChoice | 'combine';

const empty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Attribute keys both profiles fill with different values. */
export function conflictingAttributeKeys(survivor: Customer, other: Customer): string[] {
  const keys = [...new Set([...Object.keys(survivor.attributes), ...Object.keys(other.attributes)])].sort();
  return keys.filter((k) => !empty(survivor.attributes[k]) && !empty(other.attributes[k]) && !same(survivor.attributes[k], other.attributes[k]));
}

export function mergeConflicts(survivor: Customer, other: Customer): MergeConflict[] {
  const out: MergeConflict[] = [];
  for (const field of MERGE_FIELDS) {
    const a = survivor[field];
    const b = other[field];
    if (!empty(a) && !empty(b) && !same(a, b)) out.push({ field, kind: 'value', survivor: a, other: b });
  }
  const tagsA = [...survivor.tags].sort();
  const tagsB = [...other.tags].sort();
  if (tagsA.length && tagsB.length && !same(tagsA, tagsB)) out.push({ field: 'tags', kind: 'tags', survivor: survivor.tags, other: other.tags });
  const keys = conflictingAttributeKeys(survivor, other);
  if (keys.length) out.push({ field: 'attributes', kind: 'attributes', keys, survivor: survivor.attributes, other: other.attributes });
  return out;
}

/**
 * What happens without a choice: a field takes the value of the profile changed last (named
 * explicitly so the dialog shows it); tags and attributes combine.
 */
export function defaultChoices(conflicts: readonly MergeConflict[], survivor: Customer, other: Customer): Record<string, MergeSelection> {
  const newer: MergeChoice = Date.parse(other.updatedAt) > Date.parse(survivor.updatedAt) ? 'other' : 'survivor';
  return Object.fromEntries(conflicts.map((c) => [c.field, c.kind === 'value' ? newer : 'combine']));
}

/** The `fields` map of POST /merge. */
export function mergeFields(conflicts: readonly MergeConflict[], choices: Record<string, MergeSelection>): Record<string, MergeChoice> {
  const out: Record<string, MergeChoice> = {};
  for (const c of conflicts) {
    const choice = choices[c.field] ?? (c.kind === 'value' ? 'survivor' : 'combine');
    if (choice !== 'combine') out[c.field] = choice;
  }
  return out;
}

/** Fields only the other profile fills: they carry over without asking. */
export function filledOnlyByOther(survivor: Customer, other: Customer): MergeField[] {
  return MERGE_FIELDS.filter((f) => empty(survivor[f]) && !empty(other[f]));
}

export function undoable(merge: { undoableUntil: string; undoneAt: string | null }, now: Date): boolean {
  return !merge.undoneAt && Date.parse(merge.undoableUntil) > now.getTime();
}
