// fast-check arbitraries from the JSON schemas of /api/openapi.json (OpenAPI 3.0: nullable,
// anyOf, enum, formats): values the schema allows, and values it may not (wrong types, out of
// range, missing or unknown fields, strings that have broken Rapport before).
import fc from 'fast-check';

export type Schema = {
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  default?: unknown;
};

/** Strings that broke Rapport or commonly break servers: NUL, lone surrogates, odd dates, object keys, SQL. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '__proto__',
  'constructor',
  "'; drop table customers; --",
  '%_\\',
  '0000-01-01T00:00:00Z',
  '99999-01-01',
  '+099999-01-01T00:00:00Z',
  '1899-12-31',
  '9999-12-31T23:59:59Z',
  '2023-02-30',
  'NaN',
  '-1',
  '1e309',
  'null',
  '[]',
  '{}',
  '[{"field":"__proto__","op":"eq","value":1}]',
  '고객 🙂',
  'x'.repeat(5000),
];

/** Times around the accepted range's edges and now. */
const timeArb = fc.oneof(
  fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(9999, 11, 31) }).map((t) => new Date(t)),
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((t) => new Date(t)),
  fc.constantFrom(new Date(Date.UTC(1900, 0, 1)), new Date(Date.UTC(9999, 11, 31, 23, 59, 59)), new Date(Date.UTC(1970, 0, 1))),
);

/** Times Date and PostgreSQL read differently, or not at all. */
const ODD_TIMES = ['0000-01-01T00:00:00Z', '0000-01-01 00:00:00+00', '-000001-01-01T00:00:00Z', '+099999-01-01T00:00:00Z', '1899-12-31T23:59:59Z', '9999-12-31T23:59:59-05:00', '2024-02-30', '2024-01-01T24:00:00Z', '2024-01-01', '1'];

export type Pools = { uuids: () => string[] };

function stringArb(s: Schema, pools: Pools): fc.Arbitrary<string> {
  const max = Math.min(s.maxLength ?? 40, 40);
  const min = Math.min(s.minLength ?? 0, max);
  switch (s.format) {
    case 'uuid': {
      const real = pools.uuids();
      return real.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: fc.uuid() }) : fc.uuid();
    }
    case 'date-time':
      return fc.oneof(
        timeArb.map((d) => d.toISOString()),
        timeArb.map((d) => new Date(Math.min(Math.max(d.getTime(), Date.UTC(1900, 0, 2)), Date.UTC(9999, 11, 30))).toISOString().replace('Z', '+09:00')),
      );
    case 'date':
      return timeArb.map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress().filter((e) => e.length <= (s.maxLength ?? 320));
  }
  const fits = (x: string) => x.length >= min && x.length <= (s.maxLength ?? Infinity);
  // Generated from the pattern: filtering random strings by it never ends for a pattern such as
  // ^([01]\d|2[0-3]):[0-5]\d$ (fast-check retries a filter forever).
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: max }) },
    { weight: 2, arbitrary: fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }) },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS).filter(fits) },
    // Many plain strings are dates (placedAt, from, signedUpAt): good ones, edge ones and impossible ones.
    { weight: 1, arbitrary: fc.oneof(timeArb.map((d) => d.toISOString()), fc.constantFrom(...ODD_TIMES)).filter(fits) },
  );
}

function numberArb(s: Schema, integer: boolean): fc.Arbitrary<number> {
  const lo = s.minimum ?? (typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + (integer ? 1 : 1e-9) : undefined);
  const hi = s.maximum ?? (typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - (integer ? 1 : 1e-9) : undefined);
  if (integer) {
    const min = Math.max(lo ?? -1_000_000, Number.MIN_SAFE_INTEGER);
    const max = Math.min(hi ?? 1_000_000_000, Number.MAX_SAFE_INTEGER);
    return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
  }
  return fc.double({ min: lo ?? -1e9, max: hi ?? 1e12, noNaN: true, noDefaultInfinity: true });
}

/** A value `s` allows (mostly: patterns and formats are approximated). */
export function validOf(s: Schema, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  const arb = validInner(s, pools, depth);
  return s.nullable ? fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) }) : arb;
}

function validInner(s: Schema, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => validOf(a, pools, depth)));
  if (s.allOf) return validOf(Object.assign({}, ...s.allOf), pools, depth);
  switch (s.type) {
    case 'string':
      return stringArb(s, pools);
    case 'integer':
      return numberArb(s, true);
    case 'number':
      return numberArb(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const maxLength = Math.min(s.maxItems ?? 4, 4, depth > 3 ? 1 : 4);
      return fc.array(s.items ? validOf(s.items, pools, depth + 1) : anything(depth + 1), { minLength: Math.min(s.minItems ?? 0, maxLength), maxLength });
    }
    case 'object':
      return objectArb(s, pools, depth, false);
  }
  return anything(depth);
}

function objectArb(s: Schema, pools: Pools, depth: number, invalid: boolean): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(props)) record[key] = invalid ? fc.oneof(validOf(sub, pools, depth + 1), invalidOf(sub, pools, depth + 1)) : validOf(sub, pools, depth + 1);
  const requiredKeys = [...required].filter((k) => k in props);
  let arb: fc.Arbitrary<Record<string, unknown>> = fc.record(record, { requiredKeys });
  const extra = s.additionalProperties === true || (typeof s.additionalProperties === 'object' && depth < 3);
  if (extra && depth < 3) {
    const value = typeof s.additionalProperties === 'object' ? validOf(s.additionalProperties, pools, depth + 1) : anything(depth + 1);
    arb = fc.tuple(arb, fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('email', 'phone', '__proto__', 'constructor')), value, { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...a }));
  }
  return arb;
}

/** Any JSON value, small. */
export function anything(depth = 0): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...NASTY_STRINGS.slice(0, -1)), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
  if (depth > 2) return leaf;
  return fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: fc.array(anything(depth + 1), { maxLength: 3 }) }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), anything(depth + 1), { maxKeys: 3 }) });
}

/** A value `s` most likely refuses: another type, out of range, a required field missing, a field it does not know. */
export function invalidOf(s: Schema, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  const wrong: fc.Arbitrary<unknown>[] = [anything(depth + 1), fc.constantFrom(...NASTY_STRINGS)];
  const type = s.type ?? (s.enum ? typeof s.enum[0] : undefined);
  if (type === 'string') {
    if (s.maxLength !== undefined) wrong.push(fc.constant('x'.repeat(Math.min(s.maxLength + 1, 100_000))));
    if (s.format) wrong.push(fc.constantFrom('not-a-' + s.format, '0000-01-01T00:00:00Z', '99999-01-01', '01900000-0000-7000-8000-00000000000g'));
  }
  if (type === 'integer' || type === 'number') {
    wrong.push(fc.constantFrom(1.5, -1, 2 ** 53, -(2 ** 63), 1e308, '12', 'NaN'));
    if (s.maximum !== undefined) wrong.push(fc.constant(s.maximum + 1));
    if (s.minimum !== undefined) wrong.push(fc.constant(s.minimum - 1));
  }
  if (type === 'object' && depth < 3) {
    wrong.push(objectArb(s, pools, depth, true));
    if (s.required?.length) wrong.push(validOf(s, pools, depth).map((o) => (o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).slice(1)) : o)));
    wrong.push(validOf(s, pools, depth).map((o) => (o && typeof o === 'object' && !Array.isArray(o) ? { ...o, unknownField: 1 } : o)));
  }
  if (type === 'array' && s.items && depth < 3) wrong.push(fc.array(invalidOf(s.items, pools, depth + 1), { minLength: 1, maxLength: 3 }));
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives && depth < 3) wrong.push(...alternatives.map((a) => invalidOf(a, pools, depth + 1)));
  return fc.oneof(...wrong);
}

/** Mostly valid values with some invalid ones: what a request carries for one field or body. */
export function inputOf(s: Schema, pools: Pools, invalidRate: number): fc.Arbitrary<unknown> {
  const weight = Math.round(invalidRate * 10);
  return fc.oneof({ weight: 10 - weight, arbitrary: validOf(s, pools) }, { weight, arbitrary: invalidOf(s, pools) });
}

