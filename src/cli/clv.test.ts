import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cdnowPath } from '../analytics/cdnow-reference.ts';
import { clvCommand } from './clv.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cli-clv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await clvCommand(args, { print: (l) => out.push(l), printError: (l) => err.push(l) });
  return { code, out, err };
}

const sig3 = (v: number) => Number(v.toPrecision(3));

describe('rapport clv fit', () => {
  it('fits CDNOW_sample.txt to the published parameters and prints one JSON object', async () => {
    const { code, out } = await run(['fit', '--transactions', cdnowPath('CDNOW_sample.txt'), '--format', 'cdnow', '--calibration-end', '1997-09-30', '--json']);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const json = JSON.parse(out[0]!) as {
      customers: number;
      bgnbd: { r: number; alpha: number; a: number; b: number };
      paretoNbd: { r: number; alpha: number; s: number; beta: number };
      gammaGamma: { p: number; q: number; v: number };
    };
    expect(json.customers).toBe(2357);
    expect([json.bgnbd.r, json.bgnbd.alpha, json.bgnbd.a, json.bgnbd.b].map(sig3)).toEqual([0.243, 4.41, 0.793, 2.43]);
    expect([json.paretoNbd.r, json.paretoNbd.alpha, json.paretoNbd.s, json.paretoNbd.beta].map(sig3)).toEqual([0.553, 10.6, 0.606, 11.7]);
    expect([json.gammaGamma.p, json.gammaGamma.q, json.gammaGamma.v].map(sig3)).toEqual([6.25, 3.74, 15.4]);
  });

  it('reads a CSV with other column names and YYYYMMDD dates, defaulting the calibration end to the last purchase', async () => {
    const lines = ['client,day,total'];
    const sample = fs.readFileSync(cdnowPath('CDNOW_sample.txt'), 'utf8').split(/\r?\n/).filter((l) => l.trim());
    for (const l of sample) {
      const [, id, date, , dollars] = l.trim().split(/\s+/);
      if (date! <= '19970930') lines.push(`c${id},${date},${dollars}`);
    }
    const file = path.join(dir, 'orders.csv');
    fs.writeFileSync(file, lines.join('\r\n'));
    const { code, out } = await run(['fit', '--transactions', file, '--format', 'csv', '--id-column', 'client', '--date-column', 'day', '--amount-column', 'total']);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/2357 customers .*calibration to 1997-09-30/);
    expect(out.join('\n')).toMatch(/BG\/NBD +r=0\.24\d\d +alpha=4\.41\d\d/);
  });

  it.each([
    [['fit', '--transactions', '/nonexistent/orders.csv', '--format', 'csv'], /cannot read \/nonexistent\/orders\.csv: no such file/],
    [['fit', '--format', 'csv'], /--transactions FILE is required/],
    [['fit', '--transactions', 'x', '--format', 'xml'], /--format: must be cdnow or csv/],
    [['fit', '--transactions', 'x', '--bogus'], /Unknown option/],
  ])('refuses %j with exit code 1', async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(message);
  });

  it('names the file and line of an unparseable row', async () => {
    const file = path.join(dir, 'bad.txt');
    fs.writeFileSync(file, ' 00001 0001 19970101  1  11.77\r\n 00002 0002 1997013x  1  12.00\r\n');
    const { code, err } = await run(['fit', '--transactions', file, '--format', 'cdnow']);
    expect(code).toBe(1);
    expect(err.join('\n')).toContain(`${file}, line 2: "1997013x" is not a date`);
    const csv = path.join(dir, 'bad.csv');
    fs.writeFileSync(csv, 'customer_id,date,amount\na,2024-01-01,3\nb,2024-01-02,lots\n');
    const second = await run(['fit', '--transactions', csv, '--format', 'csv']);
    expect(second.code).toBe(1);
    expect(second.err.join('\n')).toContain(`${csv}, line 3: column "amount": "lots" is not an amount`);
  });
});
