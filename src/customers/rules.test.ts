// Unit tests of the pure rules: attribute validation, input normalisation, merge conflicts, duplicate scores.
import { describe, expect, it } from 'vitest';
import { coerceAttributeValue, validateAttributes, type AttributeDef } from './attributes.ts';
import { duplicateScore } from './duplicates.ts';
import { mergeProfiles } from './merge.ts';
import { applyChanges, EMPTY_PROFILE, missingRequired, normaliseCustomerInput } from './profile-input.ts';

const def = (key: string, type: AttributeDef['type'], extra: Partial<AttributeDef> = {}): AttributeDef => ({
  key,
  label: key,
  type,
  options: null,
  purpose: 'service',
  description: null,
  required: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});
const defs = [def('region', 'enum', { options: ['서울', '경기'] }), def('height', 'number'), def('vip', 'boolean'), def('since', 'date'), def('styles', 'list', { options: ['minimal', 'casual'] }), def('memo', 'text')];

describe('custom attribute values', () => {
  it.each([
    ['height', 162, false, { value: 162 }],
    ['height', '1,620', true, { value: 1620 }],
    ['height', '1,620', false, { error: 'must be a number' }],
    ['vip', '예', true, { value: true }],
    ['vip', 'no', true, { value: false }],
    ['vip', 'maybe', true, { error: 'must be true or false' }],
    ['since', '2024-02-29', false, { value: '2024-02-29' }],
    ['since', '2023-02-29', false, { error: 'must be a date (YYYY-MM-DD)' }],
    ['region', '서울', false, { value: '서울' }],
    ['region', '부산', false, { error: 'must be one of 서울, 경기' }],
    ['styles', 'minimal|casual|minimal', true, { value: ['minimal', 'casual'] }],
    ['styles', ['street'], false, { error: '"street" is not one of minimal, casual' }],
    ['memo', 42, false, { error: 'must be text' }],
    ['memo', null, false, { value: null }],
  ] as const)('%s ← %j (fromText %s)', (key, value, fromText, expected) => {
    expect(coerceAttributeValue(defs.find((d) => d.key === key)!, value, fromText)).toEqual(expected);
  });

  it('reports unknown keys and collects every problem', () => {
    const { values, issues } = validateAttributes(defs, { region: '경기', shoe: 240, height: 'x' });
    expect(values).toEqual({ region: '경기' });
    expect(issues).toEqual([
      { path: 'attributes.shoe', message: 'is not a defined custom attribute' },
      { path: 'attributes.height', message: 'must be a number' },
    ]);
    expect(missingRequired([def('consent_doc', 'text', { required: true })], {})).toEqual([{ path: 'attributes.consent_doc', message: 'is required' }]);
  });
});

describe('customer input', () => {
  const now = new Date('2026-11-23T00:00:00Z');
  it('normalises CSV text forms and names each problem by its path', () => {
    const { value, issues } = normaliseCustomerInput(
      { email: 'A@B.CO', phone: '010 1234 5678', gender: '여', birthday: '1990.05.01', lifecycleStage: 'Customer', tags: [' a ', 'a', 'b'], attributes: { vip: 'yes' } },
      defs,
      { fromText: true, prefix: 'line 3', now },
    );
    expect(issues).toEqual([]);
    expect(value.fields).toMatchObject({ email: 'a@b.co', phone: '+821012345678', gender: 'F', birthday: '1990-05-01', lifecycleStage: 'customer', tags: ['a', 'b'], attributes: { vip: true } });
    const bad = normaliseCustomerInput({ email: 'x', signedUpAt: '2030-01-01', consents: [{ channel: 'fax', purpose: 'marketing', status: 'granted' }] }, defs, { prefix: 'body', now });
    expect(bad.issues.map((i) => i.path)).toEqual(['body.email', 'body.signedUpAt', 'body.consents[0].channel']);
  });

  it('applies changes: given fields replace, null clears, attributes merge and remove', () => {
    const start = applyChanges(EMPTY_PROFILE, normaliseCustomerInput({ name: 'A', attributes: { region: '서울', height: 170 } }, defs).value);
    const next = applyChanges(start, normaliseCustomerInput({ name: null, attributes: { height: null, vip: true } }, defs).value);
    expect(next).toMatchObject({ name: null, attributes: { region: '서울', vip: true } });
    expect(next.attributes).not.toHaveProperty('height');
  });
});

describe('merge conflicts', () => {
  const older = { fields: { ...EMPTY_PROFILE, name: 'Old name', email: 'old@x.io', tags: ['a'], attributes: { region: '서울', height: 170 } }, updatedAt: new Date('2026-01-01') };
  const newer = { fields: { ...EMPTY_PROFILE, name: 'New name', phone: '+821011112222', tags: ['b'], attributes: { region: '경기' } }, updatedAt: new Date('2026-06-01') };

  it('takes the newest non-empty value per field and unites tags', () => {
    const merged = mergeProfiles(older, newer);
    expect(merged).toMatchObject({ name: 'New name', email: 'old@x.io', phone: '+821011112222', attributes: { region: '경기', height: 170 } });
    expect(merged.tags).toEqual(['a', 'b']);
    // Symmetric: which profile survives does not change the values.
    expect(mergeProfiles(newer, older)).toMatchObject({ name: 'New name', email: 'old@x.io', attributes: { region: '경기', height: 170 } });
  });

  it('follows a per-field choice', () => {
    expect(mergeProfiles(older, newer, { name: 'survivor', tags: 'other' })).toMatchObject({ name: 'Old name', tags: ['b'] });
  });
});

describe('duplicate score', () => {
  it.each([
    [['email'], 0.95],
    [['name_birthday'], 0.8],
    [['email', 'name_birthday'], 0.99],
    [['phone', 'name_phone_tail'], 0.97],
  ] as const)('%j → %d', (reasons, score) => {
    expect(duplicateScore(reasons)).toBeCloseTo(score, 3);
  });
});
