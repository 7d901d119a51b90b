// Parses purchase files into transactions: the CDNOW text files (as shipped with the papers and lifetimes)
// and CSV exports with a customer, a date and an amount column. Pure: text in, transactions or a problem out.
import type { Transaction } from './clv-summary.ts';

export type ParseResult = { ok: true; transactions: Transaction[] } | { ok: false; line: number; message: string };

function parseDate(text: string): Date | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC rolls 1997-02-30 over into March; a real calendar date round-trips.
  return at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d ? at : undefined;
}

/**
 * CDNOW_sample.txt (master_id sample_id date cds dollars, no header) or CDNOW_master.txt (a header, then
 * id date cds dollars). The sample's customer is its sample id, as in the published summaries.
 */
export function parseCdnowTransactions(text: string): ParseResult {
  const transactions: Transaction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i]!.trim().split(/\s+/).filter(Boolean);
    if (fields.length === 0) continue;
    if (i === 0 && fields.some((f) => /[a-z]/i.test(f))) continue;
    if (fields.length !== 4 && fields.length !== 5) return { ok: false, line: i + 1, message: `expected 4 or 5 whitespace-separated columns, found ${fields.length}` };
    const [id, date, , amount] = fields.length === 5 ? fields.slice(1) : fields;
    const at = parseDate(date!);
    if (!at) return { ok: false, line: i + 1, message: `"${date}" is not a date (YYYYMMDD)` };
    const value = Number(amount);
    if (!Number.isFinite(value)) return { ok: false, line: i + 1, message: `"${amount}" is not an amount` };
    transactions.push({ customerId: String(Number(id)), at, amount: value });
  }
  return { ok: true, transactions };
}

export type CsvColumns = { id?: string; date?: string; amount?: string };

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') out.push(field), (field = '');
    else field += ch;
  }
  out.push(field);
  return out;
}

/** A CSV with a header row; columns customer_id, date, amount unless named otherwise. Dates YYYY-MM-DD or YYYYMMDD. */
export function parseCsvTransactions(text: string, columns: CsvColumns = {}): ParseResult {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const names = { id: columns.id ?? 'customer_id', date: columns.date ?? 'date', amount: columns.amount ?? 'amount' };
  const index = { id: header.indexOf(names.id), date: header.indexOf(names.date), amount: header.indexOf(names.amount) };
  for (const key of ['id', 'date', 'amount'] as const) {
    if (index[key] < 0) return { ok: false, line: 1, message: `no column "${names[key]}" in the header (${header.join(', ')})` };
  }
  const transactions: Transaction[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const fields = splitCsvLine(lines[i]!);
    const id = fields[index.id]?.trim();
    const dateText = fields[index.date] ?? '';
    const amountText = fields[index.amount]?.trim() ?? '';
    if (!id) return { ok: false, line: i + 1, message: `column "${names.id}" is empty` };
    const at = parseDate(dateText);
    if (!at) return { ok: false, line: i + 1, message: `column "${names.date}": "${dateText}" is not a date (YYYY-MM-DD or YYYYMMDD)` };
    const amount = Number(amountText);
    if (amountText === '' || !Number.isFinite(amount)) return { ok: false, line: i + 1, message: `column "${names.amount}": "${amountText}" is not an amount` };
    transactions.push({ customerId: id, at, amount });
  }
  return { ok: true, transactions };
}
