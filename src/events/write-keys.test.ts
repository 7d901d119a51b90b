// Unit tests of reading the key a Segment library sends.
import { describe, expect, it } from 'vitest';
import { keyFromRequest } from './write-keys.ts';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('keyFromRequest', () => {
  it.each([
    [basic('wk_abc:'), null, 'wk_abc'],
    [basic('wk_abc'), null, 'wk_abc'],
    [basic('wk_abc:ignored'), 'wk_body', 'wk_abc'],
    ['Bearer rk_secret', null, 'rk_secret'],
    ['bearer   rk_secret ', null, 'rk_secret'],
    [undefined, 'wk_body', 'wk_body'],
    [basic(':'), 'wk_body', 'wk_body'],
    ['Digest xyz', null, undefined],
    [undefined, null, undefined],
  ])('%s with body key %s → %s', (header, bodyKey, expected) => {
    expect(keyFromRequest(header, bodyKey)).toBe(expected);
  });
});
