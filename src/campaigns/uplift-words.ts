// The one sentence a marketer reads under a campaign report's uplift figures, in Korean or English,
// and a verdict the UI colours. The interval decides the verdict, so words and figures never disagree.
import type { ConversionUplift, RevenueUplift } from './uplift.ts';

export type UpliftVerdict = 'better' | 'worse' | 'unclear' | 'not_enough_data';
export type UpliftWords = { verdict: UpliftVerdict; text: string };

export type UpliftWordsOptions = {
  locale: 'ko' | 'en';
  /** The variant, as the sentence names it: "B", "변형 B". */
  treatedLabel: string;
  /** The comparison group: "the holdout" in English, "홀드아웃" in Korean. */
  controlLabel: string;
};

export type RevenueWordsOptions = UpliftWordsOptions & {
  /** ISO 4217 code; amounts get that currency's usual decimals (none for KRW). */
  currency: 'KRW' | string;
};

/** Fewer recipients than this in either group and nothing can be said (a variance needs two). */
export const MIN_RECIPIENTS = 2;

type Interval = { treatedN: number; controlN: number; diff: number | null; low: number | null; high: number | null };

export function upliftVerdict(result: Interval): UpliftVerdict {
  const { low, high, diff } = result;
  if (result.treatedN < MIN_RECIPIENTS || result.controlN < MIN_RECIPIENTS || low === null || high === null || diff === null) return 'not_enough_data';
  if (low > 0) return 'better';
  if (high < 0) return 'worse';
  return 'unclear';
}

export function describeConversionUplift(result: ConversionUplift, options: UpliftWordsOptions): UpliftWords {
  const verdict = upliftVerdict(result);
  if (verdict === 'not_enough_data') return { verdict, text: notEnoughData(options) };
  const points = (value: number, sign: boolean) => formatPoints(value * 100, options.locale, sign);
  const diff = result.diff ?? 0;
  const ci = { level: formatLevel(result.level, options.locale), low: points(result.low ?? 0, true), high: points(result.high ?? 0, true) };
  const { treatedLabel: t, controlLabel: c } = options;
  if (options.locale === 'ko') {
    const interval = `${ci.level} 신뢰구간 ${ci.low}~${ci.high}%p`;
    if (verdict === 'unclear') return { verdict, text: `${withParticle(t, '과', '와')} ${c} 사이에 뚜렷한 차이가 없습니다 (전환율 ${points(diff, true)}%p, ${interval})` };
    const direction = verdict === 'better' ? '높습니다' : '낮습니다';
    return { verdict, text: `${withParticle(t, '이', '가')} ${c}보다 전환율이 ${points(Math.abs(diff), false)}%p ${direction} (${interval})` };
  }
  const figures = `${points(diff, true)} pp conversion (${ci.level} CI ${ci.low} to ${ci.high} pp)`;
  return { verdict, text: `${englishHeadline(verdict, t, c)}: ${figures}` };
}

export function describeRevenueUplift(result: RevenueUplift, options: RevenueWordsOptions): UpliftWords {
  const verdict = upliftVerdict(result);
  if (verdict === 'not_enough_data') return { verdict, text: notEnoughData(options) };
  const money = (value: number, sign: boolean) => formatMoney(value, options.locale, options.currency, sign);
  const diff = result.diff ?? 0;
  const ci = { level: formatLevel(result.level, options.locale), low: money(result.low ?? 0, true), high: money(result.high ?? 0, true) };
  const { treatedLabel: t, controlLabel: c } = options;
  if (options.locale === 'ko') {
    const interval = `${ci.level} 신뢰구간 ${ci.low}~${ci.high}`;
    if (verdict === 'unclear') return { verdict, text: `${withParticle(t, '과', '와')} ${c} 사이에 뚜렷한 차이가 없습니다 (수신자 1인당 매출 ${money(diff, true)}, ${interval})` };
    const direction = verdict === 'better' ? '높습니다' : '낮습니다';
    return { verdict, text: `${withParticle(t, '이', '가')} ${c}보다 수신자 1인당 매출이 ${money(Math.abs(diff), false)} ${direction} (${interval})` };
  }
  const figures = `${money(diff, true)} revenue per recipient (${ci.level} CI ${ci.low} to ${ci.high})`;
  return { verdict, text: `${englishHeadline(verdict, t, c)}: ${figures}` };
}

function englishHeadline(verdict: 'better' | 'worse' | 'unclear', treated: string, control: string): string {
  if (verdict === 'better') return `${treated} beats ${control}`;
  if (verdict === 'worse') return `${treated} does worse than ${control}`;
  return `No clear difference between ${treated} and ${control}`;
}

function notEnoughData({ locale, treatedLabel, controlLabel }: UpliftWordsOptions): string {
  if (locale === 'ko') return `수신자가 너무 적어 아직 ${withParticle(treatedLabel, '과', '와')} ${withParticle(controlLabel, '을', '를')} 비교할 수 없습니다`;
  return `Too few recipients to compare ${treatedLabel} with ${controlLabel} yet`;
}

/** Intl writes a hyphen-minus; the text shows a real minus sign. */
const withMinus = (text: string) => text.replace('-', '\u2212');

function formatPoints(value: number, locale: 'ko' | 'en', sign: boolean): string {
  const format = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: sign ? 'exceptZero' : 'auto' });
  return withMinus(format.format(value));
}

function formatMoney(value: number, locale: 'ko' | 'en', currency: string, sign: boolean): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency, signDisplay: sign ? 'exceptZero' : 'auto' });
  return withMinus(format.format(value));
}

function formatLevel(level: number, locale: 'ko' | 'en'): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(level);
}

/**
 * The label with the Korean particle its last sound takes: 이/가, 과/와, 을/를 after a final
 * consonant or not. A Latin letter or digit is read as Koreans say it (엘, 엠, 엔, 알 and 영, 일, 삼,
 * 육, 칠, 팔 end in a consonant), but only when it stands alone ("B", "Variant B", "2"); for other
 * endings ("Spring sale") the sound is unknown and both particles are written: "이(가)".
 */
export function withParticle(label: string, afterConsonant: string, afterVowel: string): string {
  const final = endsInConsonant(label.trim());
  if (final === null) return `${label}${afterConsonant}(${afterVowel})`;
  return `${label}${final ? afterConsonant : afterVowel}`;
}

function endsInConsonant(label: string): boolean | null {
  const last = label.at(-1);
  if (last === undefined) return null;
  const code = last.charCodeAt(0);
  if (code >= 0xac00 && code <= 0xd7a3) return (code - 0xac00) % 28 !== 0;
  const alone = /(^|[^A-Za-z0-9])([A-Za-z]|[0-9])$/.exec(label);
  if (!alone) return null;
  const char = alone[2]!.toUpperCase();
  return /[0-9]/.test(char) ? '013678'.includes(char) : 'LMNR'.includes(char);
}
