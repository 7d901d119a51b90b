// Shared by every benchmark: how figures are described and printed (a table, then one JSON line),
// and a fresh PostgreSQL database for a run.
import pg from 'pg';

export type Figure = { name: string; value: number; unit: string; target?: string; ok?: boolean };
export type BenchResult = { bench: string; figures: Figure[]; notes?: string[] };
export type BenchModule = { run(args: string[]): Promise<BenchResult> };

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function printFigures(result: BenchResult): void {
  const rows = result.figures.map((f) => [f.name, fmt(f.value), f.unit, f.target ?? '', f.ok === undefined ? '' : f.ok ? 'ok' : 'MISSED']);
  const header = ['figure', 'value', 'unit', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(`\n${result.bench}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  for (const note of result.notes ?? []) console.log(`note: ${note}`);
  console.log(JSON.stringify({ bench: result.bench, figures: Object.fromEntries(result.figures.map((f) => [f.name, f.value])) }));
}

/** Drops the database of `url` (and, unless `drop`, creates it afresh), from the server's `postgres` database. */
export async function resetDatabase(url: string, drop = false): Promise<void> {
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name.replace(/"/g, '""')}" with (force)`);
    if (!drop) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
