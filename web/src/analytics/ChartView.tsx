// The bar chart, loaded lazily (the chart library is large).
import { lazy, Suspense, type ComponentProps } from 'react';
import { PageLoader } from '../app/QueryState.tsx';

const Lazy = lazy(() => import('./BarChartView.tsx').then((m) => ({ default: m.BarChartView })));

export function ChartView(props: ComponentProps<typeof Lazy>) {
  return (
    <Suspense fallback={<PageLoader />}>
      <Lazy {...props} />
    </Suspense>
  );
}
