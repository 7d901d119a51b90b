// Per-customer behaviour metrics (the `customer_metrics` table): the entry point other areas
// import. The parts live in src/events/metrics/.
export { recordAbandonedCartMetrics, recordOrderMetrics, recordRefundMetrics } from './metrics/orders.ts';
export type { AbandonedCartMetricsInput, OrderMetricsInput, RefundMetricsInput } from './metrics/orders.ts';
