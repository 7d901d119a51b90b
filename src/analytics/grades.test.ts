import { describe, expect, it } from 'vitest';
import { assignGrade, DEFAULT_GRADES, gradeChanges, validateGradeDefinition, type CustomerFacts, type GradeDefinition } from './grades.ts';

describe('assignGrade with DEFAULT_GRADES', () => {
  it.each<[string, CustomerFacts, string]>([
    ['top scores and ₩1M spend', { rfm: { r: 5, f: 4, m: 4 }, spend: 1_000_000, orders: 9 }, 'VIP'],
    ['top scores but less spend', { rfm: { r: 5, f: 4, m: 4 }, spend: 999_999, orders: 9 }, 'Gold'],
    ['R+F+M exactly 10', { rfm: { r: 2, f: 3, m: 5 }, spend: 10, orders: 1 }, 'Gold'],
    ['R+F+M 9 with two orders', { rfm: { r: 3, f: 3, m: 3 }, spend: 10, orders: 2 }, 'Silver'],
    ['one order, low scores', { rfm: { r: 1, f: 1, m: 1 }, spend: 10, orders: 1 }, 'Bronze'],
    ['no RFM scores but big spend', { spend: 5_000_000, orders: 1 }, 'Bronze'],
  ])('%s → %s', (_, facts, grade) => {
    expect(assignGrade(DEFAULT_GRADES, facts)).toBe(grade);
  });

  it('returns null when no grade applies and there is no default', () => {
    const def: GradeDefinition = { grades: [{ name: 'Big', rule: { kind: 'spend', min: 100 } }] };
    expect(assignGrade(def, { spend: 99, orders: 3 })).toBeNull();
    expect(assignGrade(def, { spend: 100, orders: 0 })).toBe('Big');
  });

  it('DEFAULT_GRADES is valid', () => {
    expect(validateGradeDefinition(DEFAULT_GRADES)).toEqual([]);
  });
});

describe('validateGradeDefinition', () => {
  it.each<[string, unknown, string[]]>([
    ['not an object', 'VIP', ['definition: must be an object with a list of grades']],
    ['no grades', { grades: [] }, ['grades: must be a non-empty list']],
    [
      'a negative minimum',
      { grades: [{ name: 'A', rule: { kind: 'orders', min: 3 } }, { name: 'B', rule: { kind: 'orders', min: 1 } }, { name: 'C', rule: { kind: 'spend', min: -1 } }] },
      ['grades[2].rule.min: must be a non-negative number'],
    ],
    ['an RFM sum out of range', { grades: [{ name: 'A', rule: { kind: 'rfm_score', min: 16 } }] }, ['grades[0].rule.min: must be a whole number from 3 to 15 (R + F + M)']],
    ['an unknown kind', { grades: [{ name: 'A', rule: { kind: 'age', min: 1 } }] }, ['grades[0].rule.kind: must be one of rfm_score, spend, orders, all, always']],
    [
      'a duplicate and an empty name',
      { grades: [{ name: 'A', rule: { kind: 'orders', min: 2 } }, { name: 'A', rule: { kind: 'orders', min: 1 } }, { name: ' ', rule: { kind: 'always' } }] },
      ['grades[1].name: "A" is already the name of another grade', 'grades[2].name: must be a name of 1 to 50 characters'],
    ],
    [
      'a default that is not last',
      { grades: [{ name: 'All', rule: { kind: 'always' } }, { name: 'Never', rule: { kind: 'orders', min: 1 } }] },
      ['grades[0].rule.kind: "always" only fits the last grade'],
    ],
    [
      'a bad rule inside all-of',
      { grades: [{ name: 'A', rule: { kind: 'all', rules: [{ kind: 'spend', min: 10 }, { kind: 'orders', min: '2' }] } }] },
      ['grades[0].rule.rules[1].min: must be a non-negative number'],
    ],
    ['an empty all-of', { grades: [{ name: 'A', rule: { kind: 'all', rules: [] } }] }, ['grades[0].rule.rules: must be a non-empty list']],
    ['a missing rule', { grades: [{ name: 'A' }] }, ['grades[0].rule: must be an object']],
  ])('reports %s', (_, definition, errors) => {
    expect(validateGradeDefinition(definition)).toEqual(errors);
  });
});

describe('gradeChanges', () => {
  it('lists moves up, down and new grades, in the order of after, skipping the unchanged', () => {
    const before = new Map<string, string | null>([
      ['a', 'Gold'],
      ['b', 'Gold'],
      ['c', 'Silver'],
      ['d', 'Bronze'],
      ['e', null],
      ['g', 'Platinum'], // a grade since removed from the definition
      ['h', 'Silver'],
    ]);
    const after = new Map<string, string | null>([
      ['a', 'VIP'],
      ['b', 'Silver'],
      ['c', 'Silver'],
      ['d', null],
      ['e', 'Bronze'],
      ['f', 'Gold'],
      ['g', 'Gold'],
    ]);
    expect(gradeChanges({ definition: DEFAULT_GRADES, before, after })).toEqual([
      { customerId: 'a', from: 'Gold', to: 'VIP', direction: 'up' },
      { customerId: 'b', from: 'Gold', to: 'Silver', direction: 'down' },
      { customerId: 'd', from: 'Bronze', to: null, direction: 'down' },
      { customerId: 'e', from: null, to: 'Bronze', direction: 'new' },
      { customerId: 'f', from: null, to: 'Gold', direction: 'new' },
      { customerId: 'g', from: 'Platinum', to: 'Gold', direction: 'new' },
    ]);
  });
});
