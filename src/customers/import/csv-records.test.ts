import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { createCsvSplitter, type CsvRecord } from './csv-records.ts';

/** Splits `text` fed in chunks of `size` characters. */
function split(text: string, size = text.length || 1, delimiter = ','): CsvRecord[] {
  const s = createCsvSplitter({ delimiter });
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...s.push(text.slice(i, i + size)));
  out.push(...s.end());
  return out;
}

describe('CSV records', () => {
  it('numbers each record by the line it starts on, across quoted newlines and blank lines', () => {
    const text = 'a,b\r\n1,2\r\n"multi\r\nline ""quoted""",3\n\n4,"x,y"\n5,6';
    for (const size of [1, 2, 5, 1000]) {
      expect(split(text, size)).toEqual([
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['1', '2'] },
        { line: 3, fields: ['multi\r\nline "quoted"', '3'] },
        { line: 6, fields: ['4', 'x,y'] },
        { line: 7, fields: ['5', '6'] },
      ]);
    }
  });

  it('reports a broken quote as an error of that record and reads on from its next line', () => {
    const text = 'a,b,c\n1,"bad"x,3\n2,"never closed,3\n4,5,6\n7,ab"c,9\n10,11,12\n';
    for (const size of [1, 3, 1000]) {
      const records = split(text, size);
      expect(records.map((r) => [r.line, r.error ? 'error' : r.fields!.join('|')])).toEqual([
        [1, 'a|b|c'],
        [2, 'error'],
        [3, 'error'],
        [4, '4|5|6'],
        [5, 'error'],
        [6, '10|11|12'],
      ]);
      expect(records[1]!.error).toContain('after a closing quote');
      // The quote opened on line 3 closes on line 5 (ab"), followed by c: an error of line 3.
      expect(records[2]!.error).toContain('after a closing quote');
      expect(records[4]!.error).toContain('not quoted');
    }
  });

  it('reports a quote still open at the end of the file on its line and keeps the lines after it', () => {
    for (const size of [1, 4, 1000]) {
      expect(split('a,b\n1,"open\n2,3\n4,5\n', size)).toEqual([
        { line: 1, fields: ['a', 'b'] },
        { line: 2, error: 'column 2: a quoted value that starts on this line is never closed' },
        { line: 3, fields: ['2', '3'] },
        { line: 4, fields: ['4', '5'] },
      ]);
    }
  });

  it('bounds the memory a quote that is never closed can take', () => {
    const s = createCsvSplitter({ delimiter: ',', maxRecordChars: 100 });
    const out = s.push(`a\n"${'x'.repeat(50)}\n${'y'.repeat(60)}\nz\n`);
    out.push(...s.end());
    expect(out.map((r) => [r.line, r.error ? 'error' : r.fields!.join('|')])).toEqual([
      [1, 'a'],
      [2, 'error'],
      [3, 'y'.repeat(60)],
      [4, 'z'],
    ]);
  });

  it('reads tab- and semicolon-separated text', () => {
    expect(split('a\tb\n"1\t2"\t3', undefined, '\t')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1\t2', '3'] },
    ]);
    expect(split('a;b\n1;2', undefined, ';')[1]).toEqual({ line: 2, fields: ['1', '2'] });
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(split('a,,c,\n,,,\n')).toEqual([
      { line: 1, fields: ['a', '', 'c', ''] },
      { line: 2, fields: ['', '', '', ''] },
    ]);
  });

  it('reads whatever csv-stringify writes, as csv-parse does, in any chunking', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', '김', ',', '"', '\n', '\r\n', ' ', 'x') });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 20 }), (rows, size) => {
        const text = stringify(rows, { quoted_empty: true });
        const expected = parse(text, { relax_column_count: true }) as string[][];
        const got = split(text, size);
        expect(got.every((r) => !r.error)).toBe(true);
        expect(got.map((r) => r.fields)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
