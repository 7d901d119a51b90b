// Unit tests of the pure field rules: normalisation, masking, search text and match keys.
import { describe, expect, it } from 'vitest';
import { canonicalEmail, maskEmail, nameGramsOf, maskPhone, matchKeysOf, nameKey, nationalDigits, normaliseEmail, normalisePhone, parseGender, searchTerm, searchTextOf } from './fields.ts';

describe('customer fields', () => {
  it.each([
    ['  Kim.MinJi@Naver.COM ', 'kim.minji@naver.com'],
    ['a@b.co', 'a@b.co'],
    ['no-at-sign', undefined],
    ['two@@signs.com', undefined],
    ['space in@mail.com', undefined],
    ['trailing@dot.', undefined],
  ])('normaliseEmail(%j) = %j', (raw, expected) => {
    expect(normaliseEmail(raw)).toBe(expected);
  });

  it.each([
    ['010-1234-5678', '+821012345678'],
    ['01012345678', '+821012345678'],
    ['+82 10 1234 5678', '+821012345678'],
    ['(02) 312-3456', '+8223123456'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['12', undefined],
    ['010-12', undefined],
    ['call me', undefined],
  ])('normalisePhone(%j) = %j', (raw, expected) => {
    expect(normalisePhone(raw)).toBe(expected);
  });

  it.each([
    ['Ha.Eun.Jung@gmail.com', 'haeunjung@gmail.com'],
    ['haeunjung+shop@googlemail.com', 'haeunjung@gmail.com'],
    ['kim.minji+news@naver.com', 'kim.minji@naver.com'],
  ])('canonicalEmail(%j) = %j', (raw, expected) => {
    expect(canonicalEmail(raw)).toBe(expected);
  });

  it('masks e-mail and phone, keeping enough to tell customers apart', () => {
    expect(maskEmail('minji.kim@naver.com')).toBe('mi***@naver.com');
    expect(maskEmail('a@b.co')).toBe('a***@b.co');
    expect(maskPhone('+821012345678')).toBe('+8210****5678');
    expect(maskEmail(null)).toBeNull();
  });

  it('searches phones in the national form people type and by digits', () => {
    expect(nationalDigits('+821012345678')).toBe('01012345678');
    const text = searchTextOf({ name: 'Kim Minji', email: 'mj@naver.com', phone: '+821012345678' });
    expect(text).toContain('kim minji');
    expect(text).toContain('01012345678');
    expect(searchTextOf({ phone: '+14155552671' })).toBe('14155552671 4155552671');
    expect(searchTerm('010-1234')).toBe('0101234');
    expect(searchTerm('+82 10-1234-5678')).toBe('01012345678');
    expect(searchTerm('821012345678')).toBe('01012345678');
    expect(searchTerm(' MJ@Naver ')).toBe('mj@naver');
  });

  it('cuts names into two-character pieces for short searches', () => {
    expect(nameGramsOf('김민지')).toEqual(['김민', '민지']);
    expect(nameGramsOf('Kim Ha')).toEqual(['ki', 'im', 'mh', 'ha']);
    expect(nameGramsOf(null)).toEqual([]);
  });

  it('builds match keys two profiles of one person share', () => {
    expect(nameKey('Minji Kim')).toBe(nameKey('kim  minji'));
    expect(nameKey('김 민지')).toBe('김민지');
    const a = matchKeysOf({ name: '김민지', email: 'Min.Ji@gmail.com', phone: '+821012345678', birthday: '1994-03-07' });
    expect(a).toEqual(['e:minji@gmail.com', 'p:+821012345678', 'nb:김민지|1994-03-07', 'nt:김민지|5678']);
    expect(matchKeysOf({ name: '김', birthday: '1994-03-07' })).toEqual([]);
  });

  it.each([
    ['여', 'F'],
    ['Female', 'F'],
    ['남성', 'M'],
    ['m', 'M'],
    ['선택안함', 'X'],
    ['robot', undefined],
  ])('parseGender(%j) = %j', (raw, expected) => {
    expect(parseGender(raw)).toBe(expected);
  });
});
