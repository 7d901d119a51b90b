// Expected customer lifetime value, the way lifetimes computes it: over each period of the horizon, the
// increase in conditional expected purchases, times the expected spend per purchase, discounted to today.
import { conditionalExpectedPurchases, type BgNbdParams, type RfCustomer } from './bg-nbd.ts';
import { conditionalExpectedSpend, type GammaGammaParams } from './gamma-gamma.ts';
import { paretoNbdConditionalExpectedPurchases, type ParetoNbdParams } from './pareto-nbd.ts';

export type PurchaseModel = { kind: 'bg-nbd'; params: BgNbdParams } | { kind: 'pareto-nbd'; params: ParetoNbdParams };

/** Expected purchases in the next t time units of a customer with this history, under either model. */
export function predictPurchases(model: PurchaseModel, t: number, customer: RfCustomer): number {
  switch (model.kind) {
    case 'bg-nbd':
      return conditionalExpectedPurchases(model.params, t, customer);
    case 'pareto-nbd':
      return paretoNbdConditionalExpectedPurchases(model.params, t, customer);
  }
}

export type ClvHorizon = {
  /** Horizon in the summary's time unit (52 for a year in weeks). */
  horizon: number;
  /** Annual discount rate (0.1 for 10 %); 0 for undiscounted. */
  annualDiscountRate?: number;
  /** Days per time unit of the summary (7: weeks). */
  timeUnitDays?: number;
  /** Length of one discounting period, in time units (default 1: discount every week of a weekly summary). */
  period?: number;
};

const DAYS_PER_YEAR = 365.25;

export type CustomerClvOptions = ClvHorizon & {
  model: PurchaseModel;
  customer: RfCustomer;
  /** Expected spend per purchase (see conditionalExpectedSpend). */
  expectedSpend: number;
};

export function customerLifetimeValue(options: CustomerClvOptions): number {
  const { model, customer, expectedSpend, horizon, annualDiscountRate = 0, timeUnitDays = 7, period = 1 } = options;
  if (!(horizon >= 0) || !(period > 0) || !(annualDiscountRate > -1)) {
    throw new RangeError('customerLifetimeValue: need horizon >= 0, period > 0 and annualDiscountRate > -1');
  }
  const logDiscountPerUnit = (Math.log1p(annualDiscountRate) * timeUnitDays) / DAYS_PER_YEAR;
  let value = 0;
  let previous = 0;
  const steps = Math.ceil(horizon / period - 1e-12);
  for (let k = 1; k <= steps; k++) {
    const t = Math.min(k * period, horizon);
    const expected = predictPurchases(model, t, customer);
    value += ((expected - previous) * expectedSpend) * Math.exp(-logDiscountPerUnit * t);
    previous = expected;
  }
  return value;
}

export type CustomerValue = { customerId: string; expectedPurchases: number; expectedSpend: number; clv: number };

export type LifetimeValuesOptions = ClvHorizon & {
  model: PurchaseModel;
  spend: GammaGammaParams;
  customers: Iterable<RfCustomer & { customerId: string; zbar: number }>;
};

/** CLV of every customer, with the expected purchases over the horizon and the expected spend behind it. */
export function customerLifetimeValues(options: LifetimeValuesOptions): CustomerValue[] {
  const { customers, spend, ...horizon } = options;
  const out: CustomerValue[] = [];
  for (const c of customers) {
    const expectedSpend = conditionalExpectedSpend(spend, c);
    out.push({
      customerId: c.customerId,
      expectedPurchases: predictPurchases(options.model, options.horizon, c),
      expectedSpend,
      clv: customerLifetimeValue({ ...horizon, customer: c, expectedSpend }),
    });
  }
  return out;
}
