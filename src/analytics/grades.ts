// Customer grades (tiers) a workspace defines: an ordered list, highest first, each with a rule
// over the customer's RFM scores, spend and orders. A customer gets the first grade whose rule
// holds. Pure: the caller passes the facts in and stores the result.

export type GradeRule =
  /** R + F + M (3 to 15) at least `min`. The sum, not the "555" code: codes do not order well (511 > 355). */
  | { kind: 'rfm_score'; min: number }
  /** Spend over the scoring window, in minor units, at least `min`. */
  | { kind: 'spend'; min: number }
  /** Orders over the scoring window, at least `min`. */
  | { kind: 'orders'; min: number }
  /** Every rule in the list holds. */
  | { kind: 'all'; rules: GradeRule[] }
  /** Always holds: the lowest, default grade (only allowed last). */
  | { kind: 'always' };

export type Grade = { name: string; rule: GradeRule };
export type GradeDefinition = { grades: Grade[] };

/** What a rule looks at. `rfm` is absent for a customer who was not scored (no orders). */
export type CustomerFacts = { rfm?: { r: number; f: number; m: number }; spend: number; orders: number };

/** An example, in KRW-sized minor units (₩1,000,000 is 1,000,000). */
export const DEFAULT_GRADES: GradeDefinition = {
  grades: [
    { name: 'VIP', rule: { kind: 'all', rules: [{ kind: 'rfm_score', min: 13 }, { kind: 'spend', min: 1_000_000 }] } },
    { name: 'Gold', rule: { kind: 'rfm_score', min: 10 } },
    { name: 'Silver', rule: { kind: 'orders', min: 2 } },
    { name: 'Bronze', rule: { kind: 'always' } },
  ],
};

function holds(rule: GradeRule, facts: CustomerFacts): boolean {
  switch (rule.kind) {
    case 'rfm_score':
      return facts.rfm !== undefined && facts.rfm.r + facts.rfm.f + facts.rfm.m >= rule.min;
    case 'spend':
      return facts.spend >= rule.min;
    case 'orders':
      return facts.orders >= rule.min;
    case 'all':
      return rule.rules.every((r) => holds(r, facts));
    case 'always':
      return true;
  }
}

/** The name of the first (highest) grade whose rule holds, or null when none does. */
export function assignGrade(definition: GradeDefinition, facts: CustomerFacts): string | null {
  for (const grade of definition.grades) if (holds(grade.rule, facts)) return grade.name;
  return null;
}

const MAX_GRADES = 20;
const MAX_DEPTH = 3;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function validateRule(rule: unknown, path: string, depth: number, errors: string[]): void {
  if (!isRecord(rule)) {
    errors.push(`${path}: must be an object`);
    return;
  }
  switch (rule.kind) {
    case 'rfm_score':
      if (typeof rule.min !== 'number' || !Number.isInteger(rule.min) || rule.min < 3 || rule.min > 15) errors.push(`${path}.min: must be a whole number from 3 to 15 (R + F + M)`);
      return;
    case 'spend':
    case 'orders':
      if (typeof rule.min !== 'number' || !Number.isSafeInteger(rule.min) || rule.min < 0) errors.push(`${path}.min: must be a non-negative number`);
      return;
    case 'all':
      if (depth >= MAX_DEPTH) errors.push(`${path}: rules may nest at most ${MAX_DEPTH} deep`);
      else if (!Array.isArray(rule.rules) || rule.rules.length === 0) errors.push(`${path}.rules: must be a non-empty list`);
      else rule.rules.forEach((r, i) => validateRule(r, `${path}.rules[${i}]`, depth + 1, errors));
      return;
    case 'always':
      return;
    default:
      errors.push(`${path}.kind: must be one of rfm_score, spend, orders, all, always`);
  }
}

/**
 * What is wrong with a grade definition received as JSON, one message per problem, each starting
 * with the path of the field (`grades[2].rule.min: must be a non-negative number`); empty when
 * the definition is valid.
 */
export function validateGradeDefinition(definition: unknown): string[] {
  const errors: string[] = [];
  if (!isRecord(definition)) return ['definition: must be an object with a list of grades'];
  const grades = definition.grades;
  if (!Array.isArray(grades) || grades.length === 0) return ['grades: must be a non-empty list'];
  if (grades.length > MAX_GRADES) errors.push(`grades: at most ${MAX_GRADES} grades`);
  const seen = new Set<string>();
  grades.forEach((grade: unknown, i) => {
    const path = `grades[${i}]`;
    if (!isRecord(grade)) {
      errors.push(`${path}: must be an object`);
      return;
    }
    if (typeof grade.name !== 'string' || grade.name.trim() === '' || grade.name.length > 50) errors.push(`${path}.name: must be a name of 1 to 50 characters`);
    else if (seen.has(grade.name)) errors.push(`${path}.name: "${grade.name}" is already the name of another grade`);
    else seen.add(grade.name);
    validateRule(grade.rule, `${path}.rule`, 0, errors);
    // A grade after an "always" one could never be given.
    if (isRecord(grade.rule) && grade.rule.kind === 'always' && i < grades.length - 1) errors.push(`${path}.rule.kind: "always" only fits the last grade`);
  });
  return errors;
}

export type GradeChange = { customerId: string; from: string | null; to: string | null; direction: 'up' | 'down' | 'new' };

/**
 * What changed between two gradings, for the customer timeline, in the order of `after`.
 * Customers missing from `after` were not regraded and are left out. A customer with no grade
 * before (or a grade the definition no longer has) who gets one is 'new'; losing every grade is
 * 'down'.
 */
export function gradeChanges(o: { definition: GradeDefinition; before: ReadonlyMap<string, string | null>; after: ReadonlyMap<string, string | null> }): GradeChange[] {
  // Rank 0 is the highest grade.
  const rank = new Map(o.definition.grades.map((g, i) => [g.name, i]));
  const changes: GradeChange[] = [];
  for (const [customerId, to] of o.after) {
    const from = o.before.get(customerId) ?? null;
    if (from === to) continue;
    const fromRank = from === null ? undefined : rank.get(from);
    const toRank = to === null ? undefined : rank.get(to);
    let direction: GradeChange['direction'];
    if (fromRank === undefined) direction = toRank === undefined && to === null ? 'down' : 'new';
    else if (toRank === undefined) direction = 'down';
    else direction = toRank < fromRank ? 'up' : 'down';
    changes.push({ customerId, from, to, direction });
  }
  return changes;
}
