// The segment charts (a row's sparkline, the page's size over time). Their own module: the chart
// library loads with the first chart shown (see Charts.tsx).
import '@mantine/charts/styles.css';
import { AreaChart, Sparkline } from '@mantine/charts';

export function SizeSparkline({ values, testId }: { values: number[]; testId: string }) {
  return (
    <div data-testid={testId} data-points={values.length}>
      <Sparkline w={120} h={28} data={values} curveType="linear" color="blue" fillOpacity={0.2} strokeWidth={1.5} />
    </div>
  );
}

export function SizeChart({ data, label, testId }: { data: { at: string; size: number }[]; label: string; testId: string }) {
  return (
    <div data-testid={testId} data-points={data.length}>
      <AreaChart h={220} data={data} dataKey="at" series={[{ name: 'size', label, color: 'blue.6' }]} curveType="stepAfter" withDots={data.length < 40} tickLine="y" yAxisProps={{ allowDecimals: false }} />
    </div>
  );
}
