// Reading a static segment's CSV: encodings, delimiters, header names and per-line errors. Pure.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readUploadRows } from './upload.ts';

describe('readUploadRows', () => {
  it('reads CP949 with Korean headers and names bad lines', () => {
    const text = '이름,이메일,휴대폰\r\n김민지,MINJI@Example.com,\r\n이서준,,010-1234-5678\r\n박하늘,잘못된주소,\r\n최유나,,\r\n';
    const { keys, errors } = readUploadRows(iconv.encode(text, 'cp949'));
    expect(keys).toEqual([
      { line: 2, key: { kind: 'email', value: 'minji@example.com' } },
      { line: 3, key: { kind: 'phone', value: '+821012345678' } },
    ]);
    expect(errors).toEqual([
      { line: 4, message: 'email "잘못된주소" is not an e-mail address' },
      { line: 5, message: 'no email, phone or external id' },
    ]);
  });

  it.each([
    ['semicolons', 'external_id;email\nC-1;\n'],
    ['tabs', 'external_id\temail\nC-1\t\n'],
    ['UTF-8 with BOM', '\uFEFFexternal_id,email\nC-1,\n'],
  ])('reads %s', (_name, text) => {
    expect(readUploadRows(Buffer.from(text, 'utf8')).keys).toEqual([{ line: 2, key: { kind: 'external_id', value: 'C-1' } }]);
  });

  it('numbers a record that spans lines (a quoted line break) by its last line', () => {
    const { keys } = readUploadRows(Buffer.from('note,email\n"two\nlines",a@example.com\nx,b@example.com\n', 'utf8'));
    expect(keys.map((k) => k.line)).toEqual([3, 4]);
  });

  it.each([
    ['', 'the CSV is empty'],
    ['name,city\nA,Seoul\n', 'line 1: no email, phone or external_id column'],
  ])('refuses %j', (text, message) => {
    expect(() => readUploadRows(Buffer.from(text, 'utf8'))).toThrow(message);
  });
});
