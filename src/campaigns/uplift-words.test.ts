import { describe, expect, it } from 'vitest';
import { conversionUplift, meanUplift, type ConversionUplift, type RevenueUplift } from './uplift.ts';
import { describeConversionUplift, describeRevenueUplift, upliftVerdict, withParticle } from './uplift-words.ts';

// Results written out by hand, so each sentence below follows from the figures in front of it.
const conversion = (diff: number, low: number, high: number, extra: Partial<ConversionUplift> = {}): ConversionUplift => ({
  level: 0.95,
  treatedN: 9000,
  controlN: 1000,
  treatedRate: 0.05 + diff,
  controlRate: 0.05,
  diff,
  low,
  high,
  significant: low > 0 || high < 0,
  pValue: 0.5,
  ...extra,
});

const revenue = (diff: number, low: number, high: number, extra: Partial<RevenueUplift> = {}): RevenueUplift => ({
  level: 0.95,
  treatedN: 9000,
  controlN: 1000,
  treatedMean: 5000 + diff,
  controlMean: 5000,
  diff,
  low,
  high,
  df: 1200,
  significant: low > 0 || high < 0,
  pValue: 0.5,
  ...extra,
});

const en = { locale: 'en', treatedLabel: 'B', controlLabel: 'the holdout' } as const;
const ko = { locale: 'ko', treatedLabel: 'B', controlLabel: '홀드아웃' } as const;

describe('conversion uplift in words', () => {
  it.each([
    [0.018, 0.006, 0.03, 'better', 'B beats the holdout: +1.8 pp conversion (95% CI +0.6 to +3.0 pp)'],
    [0.004, -0.008, 0.016, 'unclear', 'No clear difference between B and the holdout: +0.4 pp conversion (95% CI −0.8 to +1.6 pp)'],
    [-0.012, -0.02, -0.004, 'worse', 'B does worse than the holdout: −1.2 pp conversion (95% CI −2.0 to −0.4 pp)'],
  ])('English: %f (%f to %f) is %s', (diff, low, high, verdict, text) => {
    expect(describeConversionUplift(conversion(diff, low, high), en)).toEqual({ verdict, text });
  });

  it.each([
    [0.018, 0.006, 0.03, 'better', 'B가 홀드아웃보다 전환율이 1.8%p 높습니다 (95% 신뢰구간 +0.6~+3.0%p)'],
    [0.004, -0.008, 0.016, 'unclear', 'B와 홀드아웃 사이에 뚜렷한 차이가 없습니다 (전환율 +0.4%p, 95% 신뢰구간 −0.8~+1.6%p)'],
    [-0.012, -0.02, -0.004, 'worse', 'B가 홀드아웃보다 전환율이 1.2%p 낮습니다 (95% 신뢰구간 −2.0~−0.4%p)'],
  ])('Korean: %f (%f to %f) is %s', (diff, low, high, verdict, text) => {
    expect(describeConversionUplift(conversion(diff, low, high), ko)).toEqual({ verdict, text });
  });

  it('shows the level the interval was computed at, and no sign on a difference that rounds to zero', () => {
    const r = conversion(-0.0003, -0.01, 0.0094, { level: 0.9 });
    expect(describeConversionUplift(r, en).text).toBe('No clear difference between B and the holdout: 0.0 pp conversion (90% CI −1.0 to +0.9 pp)');
    expect(describeConversionUplift(r, ko).text).toContain('(전환율 0.0%p, 90% 신뢰구간 −1.0~+0.9%p)');
  });

  it('names the groups with the particles their last sound takes', () => {
    const r = conversion(0.004, -0.008, 0.016);
    expect(describeConversionUplift(r, { locale: 'ko', treatedLabel: '변형 L', controlLabel: '대조군' }).text).toMatch(/^변형 L과 대조군 사이에/);
    expect(describeConversionUplift(conversion(0.018, 0.006, 0.03), { locale: 'ko', treatedLabel: '봄 세일 문자', controlLabel: '대조군' }).text).toMatch(/^봄 세일 문자가 대조군보다/);
  });
});

describe('revenue uplift in words', () => {
  it.each([
    [en, 1234.4, 120, 2350.2, 'better', 'B beats the holdout: +₩1,234 revenue per recipient (95% CI +₩120 to +₩2,350)'],
    [ko, 1234.4, 120, 2350.2, 'better', 'B가 홀드아웃보다 수신자 1인당 매출이 ₩1,234 높습니다 (95% 신뢰구간 +₩120~+₩2,350)'],
    [en, -1234.6, -2000, -300, 'worse', 'B does worse than the holdout: −₩1,235 revenue per recipient (95% CI −₩2,000 to −₩300)'],
    [ko, -1234.6, -2000, -300, 'worse', 'B가 홀드아웃보다 수신자 1인당 매출이 ₩1,235 낮습니다 (95% 신뢰구간 −₩2,000~−₩300)'],
    [ko, 400, -800, 1600, 'unclear', 'B와 홀드아웃 사이에 뚜렷한 차이가 없습니다 (수신자 1인당 매출 +₩400, 95% 신뢰구간 −₩800~+₩1,600)'],
  ])('%j: %f (%f to %f) is %s', (options, diff, low, high, verdict, text) => {
    expect(describeRevenueUplift(revenue(diff, low, high), { ...options, currency: 'KRW' })).toEqual({ verdict, text });
  });

  it('gives other currencies their own decimals', () => {
    const words = describeRevenueUplift(revenue(0.5, -1.25, 2.26), { ...en, currency: 'USD' });
    expect(words).toEqual({ verdict: 'unclear', text: 'No clear difference between B and the holdout: +$0.50 revenue per recipient (95% CI −$1.25 to +$2.26)' });
  });
});

describe('too little data', () => {
  it.each([
    ['no holdout recipients', conversion(0, 0, 0, { controlN: 0, controlRate: null, diff: null, low: null, high: null })],
    ['one variant recipient', conversion(0.95, -0.2, 0.98, { treatedN: 1 })],
  ])('%s: says so plainly in both languages', (_, r) => {
    expect(describeConversionUplift(r, en)).toEqual({ verdict: 'not_enough_data', text: 'Too few recipients to compare B with the holdout yet' });
    expect(describeConversionUplift(r, ko)).toEqual({ verdict: 'not_enough_data', text: '수신자가 너무 적어 아직 B와 홀드아웃을 비교할 수 없습니다' });
  });

  it('a revenue result without an interval has no verdict', () => {
    const r = meanUplift({ n: 1, sum: 50_000, sumSquares: 2.5e9 }, { n: 30, sum: 0, sumSquares: 0 });
    expect(describeRevenueUplift(r, { ...ko, currency: 'KRW' })).toEqual({ verdict: 'not_enough_data', text: '수신자가 너무 적어 아직 B와 홀드아웃을 비교할 수 없습니다' });
  });
});

describe('verdicts agree with the statistics', () => {
  it('the verdict is "better" or "worse" exactly when the interval excludes 0, on that side', () => {
    for (const [x1, x0] of [[60, 40], [40, 60], [52, 48], [50, 50], [0, 0], [100, 100]] as const) {
      const r = conversionUplift({ n: 1000, conversions: x1 }, { n: 1000, conversions: x0 });
      const expected = !r.significant ? 'unclear' : r.diff! > 0 ? 'better' : 'worse';
      expect(upliftVerdict(r)).toBe(expected);
    }
  });

  it('every number in a sentence uses a real minus sign', () => {
    const texts = [describeConversionUplift(conversion(-0.012, -0.02, -0.004), en).text, describeRevenueUplift(revenue(-1234.6, -2000, -300), { ...ko, currency: 'KRW' }).text];
    for (const text of texts) {
      expect(text).not.toContain('-');
      expect(text).toContain('\u2212');
    }
  });
});

describe('Korean particles', () => {
  it.each([
    ['B', '이', '가', 'B가'],
    ['홀드아웃', '을', '를', '홀드아웃을'],
    ['대조군', '과', '와', '대조군과'],
    ['메일', '이', '가', '메일이'],
    ['문자', '과', '와', '문자와'],
    ['변형 M', '이', '가', '변형 M이'],
    ['Variant 2', '이', '가', 'Variant 2가'],
    ['Variant 3', '이', '가', 'Variant 3이'],
    ['Spring sale', '이', '가', 'Spring sale이(가)'],
  ])('%s + %s/%s → %s', (label, afterConsonant, afterVowel, expected) => {
    expect(withParticle(label, afterConsonant, afterVowel)).toBe(expected);
  });
});
