import { describe, expect, it } from 'vitest';
import { parseCdnowTransactions, parseCsvTransactions } from './transaction-files.ts';

const day = (s: string) => new Date(`${s}T00:00:00Z`);

describe('parseCdnowTransactions', () => {
  it('reads the sample (5 columns, customer = sample id) and the master file (header, 4 columns), CRLF or not', () => {
    expect(parseCdnowTransactions(' 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n')).toEqual({
      ok: true,
      transactions: [
        { customerId: '1', at: day('1997-01-01'), amount: 29.33 },
        { customerId: '1', at: day('1997-01-18'), amount: 29.73 },
      ],
    });
    expect(parseCdnowTransactions(' customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\n')).toEqual({
      ok: true,
      transactions: [{ customerId: '1', at: day('1997-01-01'), amount: 11.77 }],
    });
  });
  it.each([
    [' 1 19970101 1\n', 1, /4 or 5/],
    [' 1 1 19970101 1 2\n 1 1 19970231 1 2\n', 2, /not a date/],
    [' 1 19970101 1 $3\n', 1, /not an amount/],
  ])('reports the line of a bad row: %j', (text, line, message) => {
    const result = parseCdnowTransactions(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.line).toBe(line);
      expect(result.message).toMatch(message);
    }
  });
});

describe('parseCsvTransactions', () => {
  it('maps columns, accepts both date forms and quoted fields', () => {
    expect(parseCsvTransactions('id,when,total,other\n"a,1",2024-02-29,3.5,x\nb,20240301,4,y\n', { id: 'id', date: 'when', amount: 'total' })).toEqual({
      ok: true,
      transactions: [
        { customerId: 'a,1', at: day('2024-02-29'), amount: 3.5 },
        { customerId: 'b', at: day('2024-03-01'), amount: 4 },
      ],
    });
  });
  it('names a missing column', () => {
    expect(parseCsvTransactions('customer_id,date\n')).toMatchObject({ ok: false, line: 1, message: expect.stringMatching(/no column "amount"/) });
  });
});
