// `rapport rfm --orders FILE.csv --as-of YYYY-MM-DD`: RFM scores and segments of the customers
// in an orders CSV, with no database. Bad rows stop the run (exit 1) with the line and column of
// each problem: scores over silently partial data would look right and be wrong.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { createRfmAccumulator, RFM_SEGMENTS, rfmSegment, scoredRows, scoreRfm, type RfmSegment } from '../analytics/rfm.ts';
import { unreadable } from './import.ts';

const USAGE = 'usage: rapport rfm --orders FILE.csv --as-of YYYY-MM-DD [--window-days N] [--id-column customer_id] [--date-column date] [--amount-column amount] [--json]';
const MAX_PROBLEMS = 20;

type RfmArgs = { file: string; asOf: string; windowDays?: number; idColumn: string; dateColumn: string; amountColumn: string; json: boolean };

function readArgs(args: string[]): RfmArgs | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        orders: { type: 'string' },
        'as-of': { type: 'string' },
        'window-days': { type: 'string' },
        'id-column': { type: 'string' },
        'date-column': { type: 'string' },
        'amount-column': { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    return `${(err as Error).message}\n${USAGE}`;
  }
  if (!values.orders) return `--orders: name the orders CSV\n${USAGE}`;
  if (!values['as-of'] || !isDate(values['as-of'])) return `--as-of: must be a date YYYY-MM-DD\n${USAGE}`;
  let windowDays: number | undefined;
  if (values['window-days'] !== undefined) {
    windowDays = Number(values['window-days']);
    if (!/^\d+$/.test(values['window-days']) || windowDays < 1) return '--window-days: must be a whole number of days, at least 1';
  }
  return {
    file: values.orders,
    asOf: values['as-of'],
    windowDays,
    idColumn: values['id-column'] ?? 'customer_id',
    dateColumn: values['date-column'] ?? 'date',
    amountColumn: values['amount-column'] ?? 'amount',
    json: values.json ?? false,
  };
}

const isDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date `2026-03-01` or date-time `2026-03-01T10:00:00+09:00`; without an offset, UTC. */
function parseDate(text: string): Date | undefined {
  const m = DATE_TIME.exec(text);
  if (!m || !isDate(m[1]!)) return undefined;
  const at = new Date(m[2] ? `${m[1]}T${m[2]}${m[3] ?? 'Z'}` : `${m[1]}T00:00:00Z`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

// Order exports repeat the same dates (or date-times to the second) many times over.
const dateCache = new Map<string, Date | undefined>();
function parseDateCached(text: string): Date | undefined {
  if (dateCache.has(text)) return dateCache.get(text);
  if (dateCache.size >= 100_000) dateCache.clear();
  const at = parseDate(text);
  dateCache.set(text, at);
  return at;
}

/** An amount such as `59000`, `59,000` or `12.99`, as given (major or minor units alike). */
function parseAmount(text: string): number | undefined {
  const plain = text.replace(/[,\s]/g, '');
  return /^\d+(\.\d+)?$/.test(plain) ? Number(plain) : undefined;
}

// Sums of decimal amounts pick up binary noise (0.1 + 0.2); no currency has more than 4 decimals.
const tidy = (x: number) => Math.round(x * 1e6) / 1e6;

type CsvRecord = { record: string[]; info: { lines: number } };

export async function rfmCommand(args: string[], print: (line: string) => void = console.log): Promise<number> {
  const o = readArgs(args);
  if (typeof o === 'string') {
    print(`Error: ${o}`);
    return 1;
  }
  const problem = await unreadable(o.file);
  if (problem) {
    print(`Error: ${problem}`);
    return 1;
  }
  // The end of the as-of day, so its own orders count, with recency 0.
  const asOf = new Date(Date.parse(`${o.asOf}T00:00:00Z`) + 86_400_000 - 1);
  const accumulator = createRfmAccumulator({ asOf, windowDays: o.windowDays });
  const problems: string[] = [];
  let columns: { id: number; date: number; amount: number } | undefined;
  const parser = fs.createReadStream(o.file).pipe(parse({ bom: true, info: true, skip_empty_lines: true, trim: true, relax_column_count: true }));
  try {
    for await (const { record, info } of parser as AsyncIterable<CsvRecord>) {
      if (!columns) {
        const index = (name: string, flag: string) => {
          const i = record.indexOf(name);
          if (i < 0) problems.push(`line ${info.lines}: no column "${name}" in the header (${record.join(', ')}); name it with ${flag}`);
          return i;
        };
        columns = { id: index(o.idColumn, '--id-column'), date: index(o.dateColumn, '--date-column'), amount: index(o.amountColumn, '--amount-column') };
        if (problems.length) break;
        continue;
      }
      const id = record[columns.id] ?? '';
      const at = parseDateCached(record[columns.date] ?? '');
      const amount = parseAmount(record[columns.amount] ?? '');
      const bad = (column: string, message: string) => problems.length < MAX_PROBLEMS && problems.push(`line ${info.lines}, column "${column}": ${message}`);
      if (!id) bad(o.idColumn, 'is empty');
      if (!at) bad(o.dateColumn, `${JSON.stringify(record[columns.date] ?? '')} is not a date (YYYY-MM-DD or an ISO 8601 date-time)`);
      if (amount === undefined) bad(o.amountColumn, `${JSON.stringify(record[columns.amount] ?? '')} is not an amount of 0 or more`);
      if (problems.length >= MAX_PROBLEMS) break;
      if (id && at && amount !== undefined) accumulator.add({ customerId: id, at, amount });
    }
  } catch (err) {
    problems.push(`${o.file}: ${(err as Error).message}`);
  }
  if (!columns) problems.push(`${o.file}: the file is empty (expected a header row)`);
  if (problems.length) {
    print(`Error: ${o.file} has problems, nothing was scored${problems.length >= MAX_PROBLEMS ? ` (the first ${MAX_PROBLEMS})` : ''}:`);
    for (const p of problems) print(`  ${p}`);
    return 1;
  }

  const values = accumulator.values();
  const table = scoreRfm(values, { asOf });
  const { cutPoints } = table;
  const customers = scoredRows(table);
  const segments = Object.fromEntries(RFM_SEGMENTS.map((s) => [s, 0])) as Record<RfmSegment, number>;
  for (const c of customers) {
    const segment = rfmSegment(c);
    segments[segment]++;
    if (o.json) {
      const { customerId, recency, frequency, monetary, r, f, m, score } = c;
      print(JSON.stringify({ customerId, recency, frequency, monetary: tidy(monetary), r, f, m, score, segment }));
    }
  }
  const tidyCuts = { ...cutPoints, monetary: cutPoints.monetary.map((c) => (c === null ? null : tidy(c))) };
  if (o.json) {
    print(JSON.stringify({ summary: { customers: customers.length, orders: accumulator.counted(), asOf: o.asOf, windowDays: o.windowDays ?? null, cutPoints: tidyCuts, segments } }));
    return 0;
  }
  const window = o.windowDays ? `, frequency and monetary over the last ${o.windowDays} days` : '';
  print(`RFM as of ${o.asOf}: ${customers.length.toLocaleString('en-US')} customers, ${accumulator.counted().toLocaleString('en-US')} orders${window}`);
  print('');
  const width = Math.max(...RFM_SEGMENTS.map((s) => s.length));
  print(`${'segment'.padEnd(width)}  ${'customers'.padStart(9)}  ${'share'.padStart(6)}`);
  for (const s of RFM_SEGMENTS) {
    const share = customers.length ? `${((100 * segments[s]) / customers.length).toFixed(1)}%` : '-';
    print(`${s.padEnd(width)}  ${segments[s].toLocaleString('en-US').padStart(9)}  ${share.padStart(6)}`);
  }
  const show = (cuts: (number | null)[]) => cuts.map((c) => (c === null ? '-' : String(c))).join(' / ');
  print('');
  print('Cut points for the scores 2 / 3 / 4 / 5 (- where no customer reached the score):');
  print(`  recency at most ${show(tidyCuts.recency)} days`);
  print(`  frequency at least ${show(tidyCuts.frequency)} orders`);
  print(`  monetary at least ${show(tidyCuts.monetary)}`);
  return 0;
}
