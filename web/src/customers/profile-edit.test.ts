import { describe, expect, it } from 'vitest';
import type { AttributeDef } from './api.ts';
import { draftOf, normaliseAttribute, patchOf } from './profile-edit.ts';
import { customerFixture } from './test-data.ts';

const def = (key: string, type: AttributeDef['type']): AttributeDef => ({
  key,
  label: key,
  type,
  options: null,
  purpose: 'service',
  description: null,
  required: false,
  createdAt: '2025-01-01T00:00:00.000Z',
});
const defs = [def('region', 'text'), def('height_cm', 'number'), def('styles', 'list'), def('newsletter', 'boolean')];

describe('patchOf', () => {
  const c = customerFixture({ name: '김민지', email: 'minji@naver.com', tags: ['vip'], attributes: { region: '서울', height_cm: 162, styles: ['casual'] } });

  it('is empty when nothing changed', () => {
    expect(patchOf(c, draftOf(c), defs)).toEqual({});
  });

  it('sends changed fields only, blanks as null', () => {
    const draft = { ...draftOf(c), name: ' 김민지2 ', email: '', gender: 'F', lifecycleStage: 'loyal' };
    expect(patchOf(c, draft, defs)).toEqual({ name: '김민지2', email: null, gender: 'F', lifecycleStage: 'loyal' });
  });

  it('sends tags when they changed', () => {
    expect(patchOf(c, { ...draftOf(c), tags: ['vip', ' new ', 'vip'] }, defs)).toEqual({ tags: ['vip', 'new'] });
  });

  it('sends attributes key by key, null to remove', () => {
    const draft = draftOf(c);
    draft.attributes = { region: '', height_cm: 165, styles: ['casual'], newsletter: true };
    expect(patchOf(c, draft, defs)).toEqual({ attributes: { region: null, height_cm: 165, newsletter: true } });
  });

  it('never sends masked e-mail or phone back', () => {
    const masked = customerFixture({ email: 'mi***@naver.com', phone: '+8210****5678', masked: true });
    expect(patchOf(masked, { ...draftOf(masked), email: 'x@y.kr', phone: '', name: 'Kim' }, defs)).toEqual({ name: 'Kim' });
  });
});

describe('normaliseAttribute', () => {
  it.each([
    [undefined, null],
    ['  ', null],
    [' a ', 'a'],
    [[], null],
    [Number.NaN, null],
    [0, 0],
    [false, false],
  ] as const)('%j → %j', (value, expected) => {
    expect(normaliseAttribute(value as never)).toEqual(expected);
  });
});
