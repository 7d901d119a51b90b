import { describe, expect, it } from 'vitest';
import { CONSENT_TARGETS, FIELD_TARGETS, importTargets, initialMapping, isKnownTarget, mapsIdentity, repeatedTargets } from './import-targets.ts';

const attributes = [{ key: 'region' }, { key: 'height_cm' }];

describe('import targets', () => {
  it('lists the documented fields, the attributes and every consent cell', () => {
    const groups = importTargets(attributes);
    expect(groups.map((g) => g.group)).toEqual(['fields', 'attributes', 'consent']);
    expect(groups[0]!.targets).toEqual([...FIELD_TARGETS]);
    expect(groups[0]!.targets).toEqual(expect.arrayContaining(['externalId', 'email', 'phone', 'firstName', 'lastName', 'tags', 'lifecycleStage']));
    expect(groups[1]!.targets).toEqual(['attributes.region', 'attributes.height_cm']);
    expect(CONSENT_TARGETS).toHaveLength(16);
    expect(CONSENT_TARGETS).toContain('consent.kakao.night_ads');
  });

  it('leaves out the attribute group when there are none', () => {
    expect(importTargets([]).map((g) => g.group)).toEqual(['fields', 'consent']);
  });

  it.each([
    ['', true],
    ['email', true],
    ['attributes.region', true],
    ['attributes.shoe_size', false],
    ['consent.sms.marketing', true],
    ['consent.fax.marketing', false],
    ['password', false],
  ])('%s known: %s', (target, expected) => {
    expect(isKnownTarget(target, attributes)).toBe(expected);
  });
});

describe('mapping', () => {
  it('starts from the suggestion, ignoring unknown targets and unsuggested headers', () => {
    expect(initialMapping(['Email', '이름', 'Shoe', 'Notes'], { Email: 'email', 이름: 'name', Shoe: 'attributes.shoe_size' }, attributes)).toEqual({
      Email: 'email',
      이름: 'name',
      Shoe: '',
      Notes: '',
    });
  });

  it('finds targets used twice (tags may take several columns)', () => {
    expect(repeatedTargets({ a: 'email', b: 'email', c: 'tags', d: 'tags', e: '', f: '' })).toEqual(['email']);
  });

  it('knows whether customers can be recognised', () => {
    expect(mapsIdentity({ a: 'name', b: 'phone' })).toBe(true);
    expect(mapsIdentity({ a: 'name', b: '' })).toBe(false);
  });
});
