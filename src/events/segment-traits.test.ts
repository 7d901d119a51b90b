// Unit tests of mapping Segment identify traits to profile fields (no database).
import { describe, expect, it } from 'vitest';
import type { AttributeDef } from '../customers/attributes.ts';
import { profileFromTraits } from './segment-traits.ts';
import { DATE_RANGE_TEXT } from '../dates.ts';

const now = new Date('2024-05-01T12:00:00Z');
const def = (key: string, type: AttributeDef['type'], options: string[] | null = null): AttributeDef => ({
  key,
  label: key,
  type,
  options,
  purpose: 'marketing',
  description: null,
  required: false,
  createdAt: now.toISOString(),
});
const defs = [def('region', 'enum', ['서울', '부산']), def('height_cm', 'number')];
const map = (traits: Record<string, unknown>) => profileFromTraits(traits, defs, { path: 'batch[2].traits', now });

describe('profileFromTraits', () => {
  it('maps the reserved traits and the workspace attributes, ignoring the rest', () => {
    const result = map({
      email: ' MinJi@Example.COM ',
      phone: '010-1234-5678',
      firstName: 'Minji',
      lastName: 'Kim',
      birthday: '1994-03-07T00:00:00.000Z',
      gender: 'female',
      createdAt: '2023-01-02T03:04:05Z',
      region: '서울',
      height_cm: 162,
      plan: 'gold',
    });
    expect(result.issues).toEqual([]);
    expect(result.input).toEqual({
      email: ' MinJi@Example.COM ',
      phone: '010-1234-5678',
      name: 'Minji Kim',
      birthday: '1994-03-07',
      gender: 'F',
      signedUpAt: '2023-01-02T03:04:05Z',
      attributes: { region: '서울', height_cm: 162 },
    });
    expect(result.email).toBe('minji@example.com');
    expect(result.phone).toBe('+821012345678');
  });

  it('writes a Korean name family name first', () => {
    expect(map({ firstName: '민지', lastName: '김' }).input.name).toBe('김민지');
    expect(map({ name: '이서연', firstName: '민지' }).input.name).toBe('이서연');
  });

  it('reads createdAt in Unix seconds', () => {
    expect(map({ createdAt: 1_700_000_000 }).input.signedUpAt).toEqual(new Date(1_700_000_000_000));
  });

  it('reports invalid traits by their trait name and keeps the valid ones', () => {
    const result = map({ email: 'not-an-email', createdAt: 'soon', name: '박지훈', region: '대구', height_cm: 'tall' });
    expect(result.input).toEqual({ name: '박지훈' });
    expect(result.email).toBeUndefined();
    expect(result.issues).toEqual([
      'batch[2].traits.email: "not-an-email" is not an e-mail address',
      `batch[2].traits.createdAt: must be a date or time (ISO 8601) ${DATE_RANGE_TEXT}, not in the future`,
      'batch[2].traits.region: must be one of 서울, 부산',
      'batch[2].traits.height_cm: must be a number',
    ]);
  });

  it('gives nothing for traits that are not profile fields', () => {
    expect(map({ plan: 'pro', logins: 3 })).toEqual({ input: {}, email: undefined, phone: undefined, issues: [] });
  });
});
