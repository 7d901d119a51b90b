// Per-customer behaviour metrics (the `customer_metrics` table): the entry point other areas
// import. The parts live in src/events/metrics/: the pure fold (fold.ts), the incremental update
// on ingestion (update.ts), the order side (orders.ts), the rebuild from history (recompute.ts)
// and the read with derived figures (read.ts).
export { recordAbandonedCartMetrics, recordOrderMetrics, recordRefundMetrics } from './metrics/orders.ts';
export type { AbandonedCartMetricsInput, OrderMetricsInput, RefundMetricsInput } from './metrics/orders.ts';
export { updateMetricsForEvents } from './metrics/update.ts';
export { PRODUCT_DWELL_EVENT, SESSION_GAP_MS } from './metrics/fold.ts';
export { getCustomerMetrics, type CustomerMetrics } from './metrics/read.ts';
export { recomputeCustomerMetrics, recomputeCustomers, recomputeIfStale, nextCustomerRange } from './metrics/recompute.ts';
export { enqueueMetricsRecompute, runMetricsRecomputeJob, METRICS_RECOMPUTE_JOB } from './metrics/jobs.ts';
