// RFM piece of the analytics benchmark: scoreRfm, rfmSegment and assignGrade over 1M synthetic
// aggregated customer rows (seeded), as a nightly job would run them. Generation is not timed.
import { assignGrade, DEFAULT_GRADES } from '../../src/analytics/grades.ts';
import { rfmSegment, scoreRfm, type RfmAggregate, type RfmSegment } from '../../src/analytics/rfm.ts';
import { createRandom } from '../../src/demo-data/random.ts';
import type { Figure } from '../harness.ts';

const DAY_MS = 86_400_000;
const TARGET_MS = 1000;

/** Rows shaped like a shop's: most customers ordered once, spend roughly log-normal in KRW. */
export function syntheticRfmRows(o: { count: number; seed: number; asOf: Date }): RfmAggregate[] {
  const rnd = createRandom(o.seed);
  const rows: RfmAggregate[] = new Array(o.count);
  for (let i = 0; i < o.count; i++) {
    const orderCount = rnd.chance(0.6) ? 1 : 1 + Math.floor(-Math.log(1 - rnd.next()) * 3);
    const perOrder = Math.round(Math.exp(10 + 0.8 * (rnd.next() + rnd.next() + rnd.next() - 1.5)) / 100) * 100;
    rows[i] = {
      customerId: `C${String(i).padStart(7, '0')}`,
      lastOrderAt: new Date(o.asOf.getTime() - rnd.int(0, 730) * DAY_MS - rnd.int(0, 86_399) * 1000),
      orderCount,
      totalSpend: perOrder * orderCount,
    };
  }
  return rows;
}

type Timing = { wallMs: number; cpuMs: number };

function timed<T>(fn: () => T): [T, Timing] {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = fn();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return [value, { wallMs, cpuMs: (used.user + used.system) / 1000 }];
}

/** One nightly pass: score, name the segment and assign the DEFAULT_GRADES grade of every row. */
function pass(rows: RfmAggregate[], asOf: Date): { score: Timing; segment: Timing; grade: Timing } {
  const [table, score] = timed(() => scoreRfm(rows, { asOf }));
  const n = rows.length;
  const [, segment] = timed(() => {
    const segments = new Array<RfmSegment>(n);
    for (let i = 0; i < n; i++) segments[i] = rfmSegment({ r: table.r[i]!, f: table.f[i]!, m: table.m[i]! });
    return segments;
  });
  const [, grade] = timed(() => {
    const grades = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const rfm = { r: table.r[i]!, f: table.f[i]!, m: table.m[i]! };
      grades[i] = assignGrade(DEFAULT_GRADES, { rfm, spend: table.monetary[i]!, orders: table.frequency[i]! });
    }
    return grades;
  });
  return { score, segment, grade };
}

/**
 * Wall and CPU time of the first pass over the rows, as a job in a fresh process sees it (JIT
 * warm-up included), and the median wall time of three more. CPU time is the better guide on a
 * busy machine, where the wall clock also counts other processes' turns.
 */
export async function rfmFigures(o: { customers?: number; seed?: number } = {}): Promise<Figure[]> {
  const count = o.customers ?? 1_000_000;
  const asOf = new Date('2026-12-01T00:00:00Z');
  const rows = syntheticRfmRows({ count, seed: o.seed ?? 42, asOf });
  const label = count === 1_000_000 ? '1M' : count.toLocaleString('en-US');

  const first = pass(rows, asOf);
  const repeats = [pass(rows, asOf), pass(rows, asOf), pass(rows, asOf)];
  const total = (p: ReturnType<typeof pass>, k: keyof Timing) => p.score[k] + p.segment[k] + p.grade[k];
  const repeatWall = repeats.map((p) => total(p, 'wallMs')).sort((a, b) => a - b)[1]!;
  const firstWall = total(first, 'wallMs');
  return [
    { name: `rfm scoreRfm, ${label} customers, first run`, value: first.score.wallMs, unit: 'ms' },
    { name: `rfm rfmSegment, ${label} customers, first run`, value: first.segment.wallMs, unit: 'ms' },
    { name: `rfm assignGrade, ${label} customers, first run`, value: first.grade.wallMs, unit: 'ms' },
    { name: `rfm score + segment + grade, ${label} customers, first run`, value: firstWall, unit: 'ms', target: `< ${TARGET_MS} ms`, ok: firstWall < TARGET_MS },
    { name: `rfm score + segment + grade, ${label} customers, first run CPU`, value: total(first, 'cpuMs'), unit: 'ms' },
    { name: `rfm score + segment + grade, ${label} customers, median of 3 more`, value: repeatWall, unit: 'ms', target: `< ${TARGET_MS} ms`, ok: repeatWall < TARGET_MS },
  ];
}
