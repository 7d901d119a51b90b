// The analytics settings form: the grade editor's rules, spend in major units of the currency,
// and the server's 400 messages ("body.grades[2].rule.min: …") placed at their fields. Pure.
import { currencyExponent } from '../../../src/commerce/money.ts';

export type GradeRule =
  | { kind: 'rfm_score'; min: number }
  | { kind: 'spend'; min: number }
  | { kind: 'orders'; min: number }
  | { kind: 'all'; rules: GradeRule[] }
  | { kind: 'always' };
export type RuleKind = GradeRule['kind'];
export type Grade = { name: string; rule: GradeRule };

export type AnalyticsSettings = {
  rfmWindowDays: number | null;
  grades: Grade[];
  churnPAlive: number;
  churnRecencyDays: number;
  dormantDays: number;
  predictionDays: number;
  clvHorizonDays: number;
  clvDiscountRate: number;
};

export const NUMBER_FIELDS = ['churnPAlive', 'churnRecencyDays', 'dormantDays', 'predictionDays', 'clvHorizonDays', 'clvDiscountRate'] as const;
export const RULE_KINDS: readonly RuleKind[] = ['rfm_score', 'spend', 'orders', 'all', 'always'];

/** A fresh rule of a kind, keeping the old one's minimum where both have one. */
export function ruleOfKind(kind: RuleKind, previous?: GradeRule): GradeRule {
  const min = previous && 'min' in previous ? previous.min : undefined;
  switch (kind) {
    case 'rfm_score':
      return { kind, min: min !== undefined && min >= 3 && min <= 15 ? min : 10 };
    case 'spend':
      return { kind, min: min ?? 0 };
    case 'orders':
      return { kind, min: min ?? 1 };
    case 'all':
      return { kind, rules: previous && previous.kind !== 'always' && previous.kind !== 'all' ? [previous] : [{ kind: 'rfm_score', min: 10 }] };
    case 'always':
      return { kind };
  }
}

/** Spend is stored in minor units; people type major ones (KRW has none, USD two). */
export function spendToMajor(minor: number, currency: string): number {
  return minor / 10 ** currencyExponent(currency);
}

export function spendToMinor(major: number, currency: string): number {
  return Math.round(major * 10 ** currencyExponent(currency));
}

/** Moves grade `i` up (−1) or down (+1); the list is ordered highest first. */
export function moveGrade(grades: readonly Grade[], i: number, by: -1 | 1): Grade[] {
  const j = i + by;
  if (j < 0 || j >= grades.length) return [...grades];
  const out = [...grades];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

/** A name for a new grade that no other grade has: "Grade 5", "Grade 6"… */
export function newGradeName(grades: readonly Grade[], base: string): string {
  for (let n = grades.length + 1; ; n++) {
    const name = `${base} ${n}`;
    if (!grades.some((g) => g.name === name)) return name;
  }
}

/** A new grade goes just above a final "always" grade, which must stay last. */
export function addGrade(grades: readonly Grade[], name: string): Grade[] {
  const grade: Grade = { name, rule: { kind: 'orders', min: 1 } };
  const last = grades.at(-1);
  if (last?.rule.kind === 'always') return [...grades.slice(0, -1), grade, last];
  return [...grades, grade];
}

export type FieldErrors = { byPath: Map<string, string>; unplaced: string[] };

/**
 * Splits the server's message ("body.grades[2].rule.min: must be …; body.dormantDays: …") into
 * the fields it names. Those not among `known` paths (and text with no path) stay for an alert.
 */
export function placeErrors(message: string, known: ReadonlySet<string>): FieldErrors {
  const byPath = new Map<string, string>();
  const unplaced: string[] = [];
  for (const part of message.split(/;\s+(?=body[.\s:])/)) {
    const m = /^(body(?:\.[\w]+|\[\d+\])*)\s*:\s*(.+)$/s.exec(part.trim());
    if (m && known.has(m[1]!)) {
      const previous = byPath.get(m[1]!);
      byPath.set(m[1]!, previous ? `${previous}; ${m[2]!}` : m[2]!);
    } else if (part.trim()) {
      unplaced.push(part.trim());
    }
  }
  return { byPath, unplaced };
}

function rulePaths(rule: GradeRule, path: string, out: Set<string>): void {
  out.add(path);
  out.add(`${path}.kind`);
  if (rule.kind === 'all') {
    out.add(`${path}.rules`);
    rule.rules.forEach((r, i) => rulePaths(r, `${path}.rules[${i}]`, out));
  } else if (rule.kind !== 'always') {
    out.add(`${path}.min`);
  }
}

/** Every field path the form shows, as the server names them. */
export function formPaths(settings: AnalyticsSettings): Set<string> {
  const out = new Set<string>(['body.rfmWindowDays', 'body.grades', ...NUMBER_FIELDS.map((f) => `body.${f}`)]);
  settings.grades.forEach((g, i) => {
    out.add(`body.grades[${i}]`);
    out.add(`body.grades[${i}].name`);
    rulePaths(g.rule, `body.grades[${i}].rule`, out);
  });
  return out;
}
