// The profile edit form's values and the PATCH they make: only what changed, `null` to clear.
import type { AttributeDef, AttributeValue, Customer, CustomerPatch } from './api.ts';
import type { Gender, LifecycleStage } from './fields.ts';

export const EDITABLE_FIELDS = ['name', 'email', 'phone', 'externalId', 'birthday', 'gender', 'locale', 'timeZone', 'lifecycleStage', 'source'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

export type ProfileDraft = {
  [K in EditableField]: string;
} & { tags: string[]; attributes: Record<string, AttributeValue | null> };

export function draftOf(c: Customer): ProfileDraft {
  return {
    name: c.name ?? '',
    email: c.email ?? '',
    phone: c.phone ?? '',
    externalId: c.externalId ?? '',
    birthday: c.birthday ?? '',
    gender: c.gender ?? '',
    locale: c.locale ?? '',
    timeZone: c.timeZone ?? '',
    lifecycleStage: c.lifecycleStage ?? '',
    source: c.source ?? '',
    tags: [...c.tags],
    attributes: { ...c.attributes },
  };
}

/** An attribute value as stored: empty text and empty lists mean "no value". */
export function normaliseAttribute(value: AttributeValue | null | undefined): AttributeValue | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (Array.isArray(value)) return value.length ? value : null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The PATCH body that turns `c` into `draft`. Masked e-mail and phone are never sent back
 * (they are not the real values); attributes go key by key, `null` removing one.
 */
export function patchOf(c: Customer, draft: ProfileDraft, defs: readonly AttributeDef[]): CustomerPatch {
  const patch: CustomerPatch = {};
  const before = draftOf(c);
  for (const field of EDITABLE_FIELDS) {
    if (c.masked && (field === 'email' || field === 'phone')) continue;
    const next = draft[field].trim();
    if (next === before[field].trim()) continue;
    const value = next === '' ? null : next;
    if (field === 'gender') patch.gender = value as Gender | null;
    else if (field === 'lifecycleStage') patch.lifecycleStage = value as LifecycleStage | null;
    else patch[field] = value;
  }
  const tags = [...new Set(draft.tags.map((t) => t.trim()).filter(Boolean))];
  if (!same(tags, c.tags)) patch.tags = tags;
  const attributes: Record<string, AttributeValue | null> = {};
  for (const def of defs) {
    const next = normaliseAttribute(draft.attributes[def.key]);
    const prev = normaliseAttribute(c.attributes[def.key]);
    if (!same(next, prev)) attributes[def.key] = next;
  }
  if (Object.keys(attributes).length) patch.attributes = attributes;
  return patch;
}
