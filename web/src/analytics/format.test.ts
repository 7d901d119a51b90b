import { describe, expect, it } from 'vitest';
import { formatCount, formatDecimal, formatParam, isPriceBand, formatPercent, formatRunDuration, knownReasons, modelKey, moneyOrDash, moneyRangeLabel, percentRangeLabel, segmentColor, segmentKey, weightShares } from './format.ts';

describe('analytics formatting', () => {
  it.each([
    [0.1234, 'en', '12.3%'],
    [1, 'en', '100%'],
    [0, 'ko', '0%'],
    [null, 'en', '—'],
    [Number.NaN, 'en', '—'],
  ])('percent %s in %s → %s', (v, lang, expected) => {
    expect(formatPercent(v, lang)).toBe(expected);
  });

  it('formats decimals and counts, with a dash for nothing', () => {
    expect(formatDecimal(4.41412, 'en', 3)).toBe('4.414');
    expect(formatDecimal(1234.5, 'ko')).toBe('1,234.5');
    expect(formatDecimal(undefined, 'en')).toBe('—');
    expect(formatCount(12345, 'en')).toBe('12,345');
    expect(formatCount(null, 'en')).toBe('—');
  });

  it('formats money in minor units with the currency', () => {
    expect(moneyOrDash(39000, 'KRW', 'en')).toBe('₩39,000');
    expect(moneyOrDash(1299, 'USD', 'en')).toBe('$12.99');
    expect(moneyOrDash(1299.6, 'KRW', 'en')).toBe('₩1,300');
    expect(moneyOrDash(null, 'KRW', 'en')).toBe('—');
  });

  it('labels histogram buckets', () => {
    expect(moneyRangeLabel(0, 10000, 'KRW', 'en')).toBe('₩0 – ₩10,000');
    expect(moneyRangeLabel(90000, null, 'KRW', 'en')).toBe('₩90,000+');
    expect(percentRangeLabel(0.1, 0.2, 'en')).toBe('10–20%');
  });

  it('says run durations in a fitting unit', () => {
    expect(formatRunDuration(850, 'en')).toBe('850 ms');
    expect(formatRunDuration(12_400, 'en')).toBe('12.4 s');
    expect(formatRunDuration(192_000, 'en')).toBe('3.2 min');
    expect(formatRunDuration(null, 'en')).toBe('—');
  });

  it.each([
    ['Champions', 'champions', 'green'],
    ["Can't Lose Them", 'cantLoseThem', 'pink'],
    ['Potential Loyalist', 'potentialLoyalist', 'cyan'],
    ['Lost', 'lost', 'gray'],
    ['Something else', null, 'gray'],
    [null, null, 'gray'],
  ])('segment %s → key %s, colour %s', (name, key, color) => {
    expect(segmentKey(name)).toBe(key);
    expect(segmentColor(name)).toBe(color);
  });

  it('names the recommenders', () => {
    expect(modelKey('item-knn')).toBe('itemKnn');
    expect(modelKey('blended')).toBe('blended');
    expect(modelKey('other')).toBeNull();
  });
});

describe('model parameters', () => {
  it('reads small values as decimals and huge ones in scientific notation', () => {
    expect(formatParam(0.24312, 'en')).toBe('0.243');
    expect(formatParam(-253.5821, 'en')).toBe('-253.582');
    expect(formatParam(1_118_797_277.61, 'en')).toBe('1.119E9');
    expect(formatParam(null, 'en')).toBe('—');
  });

  it('knows the named price bands', () => {
    expect(isPriceBand('luxury')).toBe(true);
    expect(isPriceBand('band7')).toBe(false);
  });
});

describe('weights and reasons', () => {
  it('scales weights to the largest', () => {
    expect(weightShares([{ key: 'a', weight: 2 }, { key: 'b', weight: 0.5 }]).map((w) => w.share)).toEqual([1, 0.25]);
    expect(weightShares([{ key: 'a', weight: 0 }]).map((w) => w.share)).toEqual([0]);
    expect(weightShares([])).toEqual([]);
  });

  it('keeps the reasons it can name, in a fixed order', () => {
    expect(knownReasons(['popular', 'co_purchase', 'weird', 'popular'])).toEqual(['co_purchase', 'popular']);
  });
});
