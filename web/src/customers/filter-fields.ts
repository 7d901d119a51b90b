// The fields a list condition can test: the standard ones and every custom attribute, each with
// the kind of value it holds (which decides the operators and the value input).
import type { AttributeDef } from './api.ts';
import { GENDERS, LIFECYCLE_STAGES } from './fields.ts';
import type { Condition, ValueKind } from './list-query.ts';

export type FilterField = { id: string; kind: ValueKind; options: readonly string[] | null; attribute: AttributeDef | null };

const STANDARD: readonly Omit<FilterField, 'attribute'>[] = [
  { id: 'name', kind: 'text', options: null },
  { id: 'email', kind: 'text', options: null },
  { id: 'phone', kind: 'text', options: null },
  { id: 'externalId', kind: 'text', options: null },
  { id: 'gender', kind: 'enum', options: GENDERS },
  { id: 'birthday', kind: 'date', options: null },
  { id: 'lifecycleStage', kind: 'enum', options: LIFECYCLE_STAGES },
  { id: 'source', kind: 'text', options: null },
  { id: 'locale', kind: 'text', options: null },
  { id: 'timeZone', kind: 'text', options: null },
  { id: 'signedUpAt', kind: 'date', options: null },
  { id: 'tags', kind: 'list', options: null },
];

/** Roles without pii.read may not filter on e-mail or phone (the server refuses it). */
const PII_FIELDS = new Set(['email', 'phone']);

export function filterFields(defs: readonly AttributeDef[], opts: { pii: boolean } = { pii: true }): FilterField[] {
  return [
    ...STANDARD.filter((f) => opts.pii || !PII_FIELDS.has(f.id)).map((f) => ({ ...f, attribute: null })),
    ...defs.map((def) => ({ id: `attributes.${def.key}`, kind: def.type, options: def.options, attribute: def })),
  ];
}

export function findFilterField(fields: readonly FilterField[], id: string): FilterField | undefined {
  return fields.find((f) => f.id === id);
}

/** Conditions equal as the API sees them (for "is this condition already there?"). */
export function sameCondition(a: Condition, b: Condition): boolean {
  return a.field === b.field && a.op === b.op && JSON.stringify(a.value) === JSON.stringify(b.value);
}
