// Where a CSV column can go in an import (docs/customers.md, "Import mapping targets"), and
// checks of a mapping before it starts. Pure.
import type { AttributeDef } from './api.ts';
import { CHANNELS, PURPOSES } from './fields.ts';

import { FIELD_TARGETS, type FieldTarget } from '../../../src/customers/vocabulary.ts';
export { FIELD_TARGETS, type FieldTarget };

export const IDENTITY_TARGETS: readonly FieldTarget[] = ['externalId', 'email', 'phone'];

export const CONSENT_TARGETS: readonly string[] = CHANNELS.flatMap((ch) => PURPOSES.map((p) => `consent.${ch}.${p}`));

export type TargetGroup = { group: 'fields' | 'attributes' | 'consent'; targets: string[] };

export function isFieldTarget(value: string): value is FieldTarget {
  return (FIELD_TARGETS as readonly string[]).includes(value);
}

/** Every target, grouped for the select; "" (ignore the column) is not listed here. */
export function importTargets(attributes: readonly Pick<AttributeDef, 'key'>[]): TargetGroup[] {
  return [
    { group: 'fields', targets: [...FIELD_TARGETS] },
    { group: 'attributes', targets: attributes.map((a) => `attributes.${a.key}`) },
    { group: 'consent', targets: [...CONSENT_TARGETS] },
  ].filter((g): g is TargetGroup => g.targets.length > 0);
}

export function isKnownTarget(target: string, attributes: readonly Pick<AttributeDef, 'key'>[]): boolean {
  return target === '' || isFieldTarget(target) || CONSENT_TARGETS.includes(target) || attributes.some((a) => target === `attributes.${a.key}`);
}

/** The mapping to start from: each header to the server's suggestion, if it is a target we know, else ignored. */
export function initialMapping(headers: readonly string[], suggested: Record<string, string> | null | undefined, attributes: readonly Pick<AttributeDef, 'key'>[]): Record<string, string> {
  return Object.fromEntries(headers.map((h) => {
    const s = suggested?.[h] ?? '';
    return [h, isKnownTarget(s, attributes) ? s : ''];
  }));
}

/** Targets two or more columns point at (the import would keep only one of them). */
export function repeatedTargets(mapping: Record<string, string>): string[] {
  const seen = new Map<string, number>();
  for (const target of Object.values(mapping)) if (target && target !== 'tags') seen.set(target, (seen.get(target) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([t]) => t);
}

/** Does the mapping say how to recognise a customer (external id, e-mail or phone)? */
export function mapsIdentity(mapping: Record<string, string>): boolean {
  return Object.values(mapping).some((t) => IDENTITY_TARGETS.includes(t as FieldTarget));
}
