import { describe, expect, it } from 'vitest';
import { conditionalExpectedPurchases, fitBgNbd } from './bg-nbd.ts';
import { cdnowPublishedSummary } from './cdnow-reference.ts';
import { customerLifetimeValue, customerLifetimeValues, type PurchaseModel } from './clv.ts';
import { conditionalExpectedSpend, fitGammaGamma } from './gamma-gamma.ts';
import { fitParetoNbd } from './pareto-nbd.ts';

const summary = cdnowPublishedSummary();
const bgnbd: PurchaseModel = { kind: 'bg-nbd', params: fitBgNbd(summary) };
const spend = fitGammaGamma(summary);
const customer = { x: 2, tx: 30.43, T: 38.86 };

describe('customerLifetimeValue', () => {
  it('undiscounted, is expected purchases over the horizon times expected spend', () => {
    const clv = customerLifetimeValue({ model: bgnbd, customer, expectedSpend: 20, horizon: 52 });
    expect(clv).toBeCloseTo(20 * conditionalExpectedPurchases(bgnbd.params, 52, customer), 10);
  });
  it('discounting lowers the value, more at a higher rate', () => {
    const base = { model: bgnbd, customer, expectedSpend: 20, horizon: 104 };
    const none = customerLifetimeValue(base);
    const tenPercent = customerLifetimeValue({ ...base, annualDiscountRate: 0.1 });
    const thirtyPercent = customerLifetimeValue({ ...base, annualDiscountRate: 0.3 });
    expect(tenPercent).toBeLessThan(none);
    expect(thirtyPercent).toBeLessThan(tenPercent);
    expect(thirtyPercent).toBeGreaterThan(0);
    // Over two years at 10 % a year, the discount is between 1/1.21 and 1.
    expect(tenPercent / none).toBeGreaterThan(1 / 1.21);
  });
  it('grows with the horizon', () => {
    const values = [0, 4, 13, 26, 52, 104].map((horizon) => customerLifetimeValue({ model: bgnbd, customer, expectedSpend: 20, horizon, annualDiscountRate: 0.1 }));
    expect(values[0]).toBe(0);
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThan(values[i - 1]!);
  });
  it('gives the same undiscounted value in days as in weeks', () => {
    const weeks = customerLifetimeValue({ model: bgnbd, customer, expectedSpend: 20, horizon: 52 });
    const p = bgnbd.params as { r: number; alpha: number; a: number; b: number };
    const days: PurchaseModel = { kind: 'bg-nbd', params: { ...p, alpha: p.alpha * 7 } };
    const dayCustomer = { x: 2, tx: 30.43 * 7, T: 38.86 * 7 };
    expect(customerLifetimeValue({ model: days, customer: dayCustomer, expectedSpend: 20, horizon: 364, timeUnitDays: 1, period: 7 })).toBeCloseTo(weeks, 8);
  });
});

describe('customerLifetimeValues', () => {
  it('values every CDNOW customer with either model; the best customers are frequent, recent, big spenders', () => {
    const horizon = { horizon: 52, annualDiscountRate: 0.1 };
    const values = customerLifetimeValues({ model: bgnbd, spend, customers: summary, ...horizon });
    expect(values).toHaveLength(2357);
    expect(values.every((v) => Number.isFinite(v.clv) && v.clv >= 0)).toBe(true);
    const top = [...values].sort((a, b) => b.clv - a.clv)[0]!;
    const topRow = summary.find((c) => c.customerId === top.customerId)!;
    expect(topRow.x).toBeGreaterThan(5);
    expect(top.expectedSpend).toBeCloseTo(conditionalExpectedSpend(spend, topRow), 10);
    const pareto = customerLifetimeValues({ model: { kind: 'pareto-nbd', params: fitParetoNbd(summary) }, spend, customers: summary, ...horizon });
    const total = (vs: { clv: number }[]) => vs.reduce((s, v) => s + v.clv, 0);
    // The two models were fitted on the same data; their totals agree within a few per cent.
    expect(Math.abs(total(pareto) / total(values) - 1)).toBeLessThan(0.1);
  });
});
