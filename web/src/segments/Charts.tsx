// The segment charts, loaded lazily (the chart library is large).
import { Skeleton } from '@mantine/core';
import { lazy, Suspense, type ComponentProps } from 'react';

const LazySparkline = lazy(() => import('./SizeCharts.tsx').then((m) => ({ default: m.SizeSparkline })));
const LazyChart = lazy(() => import('./SizeCharts.tsx').then((m) => ({ default: m.SizeChart })));

export function Sparkline(props: ComponentProps<typeof LazySparkline>) {
  return (
    <Suspense fallback={<Skeleton w={120} h={28} />}>
      <LazySparkline {...props} />
    </Suspense>
  );
}

export function SizeChart(props: ComponentProps<typeof LazyChart>) {
  return (
    <Suspense fallback={<Skeleton h={220} />}>
      <LazyChart {...props} />
    </Suspense>
  );
}
