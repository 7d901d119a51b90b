// Money as Rapport stores it: integer minor units of an ISO 4217 currency. Converts the decimal
// amounts shops send (Segment `price: 12.99`, a CSV's "89,000") and formats amounts for titles.

/** ISO 4217 minor-unit exponents that are not 2 (every other currency has 2). */
const EXPONENTS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** The number of minor-unit digits of `currency` (KRW 0, USD 2, KWD 3). */
export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/** An upper-case ISO code, or undefined when `value` is not one. */
export function normaliseCurrency(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const code = value.trim().toUpperCase();
  return CURRENCY_PATTERN.test(code) ? code : undefined;
}

/**
 * A decimal amount in major units (a number, or text such as "12.99", "₩89,000", "1 234.5")
 * as integer minor units of `currency`, rounded half away from zero; undefined when it is not
 * a finite amount that fits a safe integer.
 */
export function toMinorUnits(amount: unknown, currency: string): number | undefined {
  let text: string;
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) return undefined;
    text = String(amount);
  } else if (typeof amount === 'string') {
    // Currency signs, codes, spaces and thousands separators are decoration.
    text = amount.trim().replace(/[\s,_'\u00a0]/g, '').replace(/^[A-Za-z]{3}|[A-Za-z]{3}$/g, '').replace(/[₩$€¥£₫₹원円元]/g, '');
  } else {
    return undefined;
  }
  const exp = currencyExponent(currency);
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && !m[3])) {
    // Scientific notation and the like: numbers only.
    if (typeof amount !== 'number') return undefined;
    const v = Math.round(amount * 10 ** exp);
    return Number.isSafeInteger(v) ? v : undefined;
  }
  const [, sign, whole = '', frac = ''] = m;
  const digits = `${whole}${frac.slice(0, exp).padEnd(exp, '0')}`;
  let value = Number(digits || '0');
  if (Number(frac.charAt(exp) || '0') >= 5) value += 1;
  if (!Number.isSafeInteger(value)) return undefined;
  return sign === '-' && value !== 0 ? -value : value;
}

/** Minor units back to a decimal number of major units (for events and CSV). */
export function fromMinorUnits(minor: number, currency: string): number {
  const exp = currencyExponent(currency);
  return exp === 0 ? minor : Number((minor / 10 ** exp).toFixed(exp));
}

/** "₩89,000", "$12.99", "€0.50": for titles and messages. */
export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  const exp = currencyExponent(currency);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: exp, maximumFractionDigits: exp }).format(minor / 10 ** exp);
  } catch {
    return `${(minor / 10 ** exp).toFixed(exp)} ${currency}`;
  }
}
