// `rapport clv fit`: fits the lifetime-value models (BG/NBD, Pareto/NBD, Gamma-Gamma) to a purchase file
// and prints their parameters, as a table or as one JSON object.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { fitBgNbd } from '../analytics/bg-nbd.ts';
import { summarizeTransactions, utcDay } from '../analytics/clv-summary.ts';
import { fitGammaGamma } from '../analytics/gamma-gamma.ts';
import { fitParetoNbd } from '../analytics/pareto-nbd.ts';
import { parseCdnowTransactions, parseCsvTransactions } from '../analytics/transaction-files.ts';

export type ClvCommandOptions = { print?: (line: string) => void; printError?: (line: string) => void };

const USAGE =
  'usage: rapport clv fit --transactions FILE --format cdnow|csv [--calibration-end YYYY-MM-DD] [--time-unit-days 7] [--json]\n' +
  '       [--id-column customer_id] [--date-column date] [--amount-column amount]';

export async function clvCommand(args: string[], options: ClvCommandOptions = {}): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const printError = options.printError ?? ((line: string) => console.error(line));
  const fail = (message: string) => {
    printError(`Error: ${message}`);
    return 1;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        transactions: { type: 'string' },
        format: { type: 'string' },
        'calibration-end': { type: 'string' },
        'time-unit-days': { type: 'string' },
        json: { type: 'boolean' },
        'id-column': { type: 'string' },
        'date-column': { type: 'string' },
        'amount-column': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals[0] !== 'fit' || positionals.length > 1) return fail(`clv: unknown subcommand "${positionals.join(' ')}"\n${USAGE}`);
  const file = values.transactions;
  if (!file) return fail(`clv fit: --transactions FILE is required\n${USAGE}`);
  const format = values.format ?? 'csv';
  if (format !== 'cdnow' && format !== 'csv') return fail(`--format: must be cdnow or csv (not "${format}")`);
  const timeUnitDays = Number(values['time-unit-days'] ?? 7);
  if (!(timeUnitDays > 0)) return fail(`--time-unit-days: must be a positive number of days (not "${values['time-unit-days']}")`);
  let calibrationEnd: Date | undefined;
  if (values['calibration-end'] !== undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(values['calibration-end']);
    calibrationEnd = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!calibrationEnd || Number.isNaN(calibrationEnd.getTime())) return fail(`--calibration-end: "${values['calibration-end']}" is not a date (YYYY-MM-DD)`);
  }

  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const result =
    format === 'cdnow'
      ? parseCdnowTransactions(text)
      : parseCsvTransactions(text, { id: values['id-column'], date: values['date-column'], amount: values['amount-column'] });
  if (!result.ok) return fail(`${file}, line ${result.line}: ${result.message}`);
  if (result.transactions.length === 0) return fail(`${file}: no transactions`);
  // A loop, not Math.max(...days): spreading a million arguments overflows the stack.
  let lastDay = -Infinity;
  for (const t of result.transactions) lastDay = Math.max(lastDay, utcDay(t.at));
  const end = calibrationEnd ?? new Date(lastDay * 86_400_000);

  const { customers } = summarizeTransactions({ transactions: result.transactions, calibrationEnd: end, timeUnitDays });
  if (customers.length === 0) return fail(`${file}: no customer bought on or before ${end.toISOString().slice(0, 10)}`);
  if (!customers.some((c) => c.x > 0)) return fail(`${file}: no customer bought twice by ${end.toISOString().slice(0, 10)}; the models need repeat purchases`);
  const bg = fitBgNbd(customers);
  const pareto = fitParetoNbd(customers);
  const gg = fitGammaGamma(customers);
  const out = {
    customers: customers.length,
    repeatBuyers: customers.filter((c) => c.x > 0).length,
    calibrationEnd: end.toISOString().slice(0, 10),
    timeUnitDays,
    bgnbd: { r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b, logLikelihood: bg.logLikelihood },
    paretoNbd: { r: pareto.r, alpha: pareto.alpha, s: pareto.s, beta: pareto.beta, logLikelihood: pareto.logLikelihood },
    gammaGamma: { p: gg.p, q: gg.q, v: gg.v, logLikelihood: gg.logLikelihood },
  };
  if (values.json) {
    print(JSON.stringify(out));
    return 0;
  }
  // Degenerate fits (no dropout in the data) send parameters towards 0 or infinity; show those legibly.
  const f = (v: number) => (v >= 1e-3 && v < 1e6 ? v.toFixed(4) : v.toExponential(3));
  print(`${out.customers} customers (${out.repeatBuyers} repeat buyers), calibration to ${out.calibrationEnd}, time unit ${timeUnitDays} day(s)`);
  print('');
  print('model        parameters                                                  log-likelihood');
  print(`BG/NBD       r=${f(bg.r)}  alpha=${f(bg.alpha)}  a=${f(bg.a)}  b=${f(bg.b)}`.padEnd(73) + bg.logLikelihood.toFixed(2));
  print(`Pareto/NBD   r=${f(pareto.r)}  alpha=${f(pareto.alpha)}  s=${f(pareto.s)}  beta=${f(pareto.beta)}`.padEnd(73) + pareto.logLikelihood.toFixed(2));
  print(`Gamma-Gamma  p=${f(gg.p)}  q=${f(gg.q)}  v=${f(gg.v)}`.padEnd(73) + gg.logLikelihood.toFixed(2));
  return 0;
}
