import { describe, expect, it } from 'vitest';
import { addGrade, formPaths, moveGrade, newGradeName, placeErrors, ruleOfKind, spendToMajor, spendToMinor, type AnalyticsSettings, type Grade } from './settings-form.ts';

const grades: Grade[] = [
  { name: 'VIP', rule: { kind: 'all', rules: [{ kind: 'rfm_score', min: 13 }, { kind: 'spend', min: 1_000_000 }] } },
  { name: 'Gold', rule: { kind: 'rfm_score', min: 10 } },
  { name: 'Bronze', rule: { kind: 'always' } },
];
const settings: AnalyticsSettings = { rfmWindowDays: null, grades, churnPAlive: 0.5, churnRecencyDays: 120, dormantDays: 30, predictionDays: 90, clvHorizonDays: 365, clvDiscountRate: 0.1 };

describe('grade editing', () => {
  it('changes a rule’s kind keeping its minimum where it fits', () => {
    expect(ruleOfKind('orders', { kind: 'spend', min: 5 })).toEqual({ kind: 'orders', min: 5 });
    expect(ruleOfKind('rfm_score', { kind: 'spend', min: 500 })).toEqual({ kind: 'rfm_score', min: 10 });
    expect(ruleOfKind('all', { kind: 'orders', min: 2 })).toEqual({ kind: 'all', rules: [{ kind: 'orders', min: 2 }] });
    expect(ruleOfKind('always', { kind: 'orders', min: 2 })).toEqual({ kind: 'always' });
  });

  it('moves grades within bounds', () => {
    expect(moveGrade(grades, 1, -1).map((g) => g.name)).toEqual(['Gold', 'VIP', 'Bronze']);
    expect(moveGrade(grades, 0, -1).map((g) => g.name)).toEqual(['VIP', 'Gold', 'Bronze']);
    expect(moveGrade(grades, 2, 1).map((g) => g.name)).toEqual(['VIP', 'Gold', 'Bronze']);
  });

  it('adds a grade above a final "always" one, under a free name', () => {
    const name = newGradeName(grades, 'Grade');
    expect(name).toBe('Grade 4');
    expect(addGrade(grades, name).map((g) => g.name)).toEqual(['VIP', 'Gold', 'Grade 4', 'Bronze']);
    expect(addGrade(grades.slice(0, 2), 'X').map((g) => g.name)).toEqual(['VIP', 'Gold', 'X']);
    expect(newGradeName([{ name: 'Grade 2', rule: { kind: 'always' } }], 'Grade')).toBe('Grade 3');
  });

  it('converts spend between minor and major units', () => {
    expect(spendToMajor(1_000_000, 'KRW')).toBe(1_000_000);
    expect(spendToMajor(1299, 'USD')).toBe(12.99);
    expect(spendToMinor(12.99, 'USD')).toBe(1299);
    expect(spendToMinor(5000, 'KRW')).toBe(5000);
  });
});

describe('placeErrors', () => {
  const known = formPaths(settings);

  it('knows the paths of every field the form shows', () => {
    expect(known.has('body.grades[0].rule.rules[1].min')).toBe(true);
    expect(known.has('body.grades[1].rule.min')).toBe(true);
    expect(known.has('body.grades[2].rule.min')).toBe(false);
    expect(known.has('body.grades[2].rule.kind')).toBe(true);
    expect(known.has('body.dormantDays')).toBe(true);
  });

  it('puts each problem at its field and keeps the rest for an alert', () => {
    const out = placeErrors(
      'body.grades[1].rule.min: must be a whole number from 3 to 15 (R + F + M); body.grades[0].name: "Gold" is already the name of another grade; body.grades[9].name: x; something odd',
      known,
    );
    expect(Object.fromEntries(out.byPath)).toEqual({
      'body.grades[1].rule.min': 'must be a whole number from 3 to 15 (R + F + M)',
      'body.grades[0].name': '"Gold" is already the name of another grade',
    });
    expect(out.unplaced).toEqual(['body.grades[9].name: x; something odd']);
  });

  it('reads schema messages of plain fields', () => {
    const out = placeErrors('body.churnPAlive: must be <= 1', known);
    expect(out.byPath.get('body.churnPAlive')).toBe('must be <= 1');
    expect(out.unplaced).toEqual([]);
  });

  it('keeps a message with no path whole', () => {
    expect(placeErrors('The server answered 500', known)).toEqual({ byPath: new Map(), unplaced: ['The server answered 500'] });
  });
});
