import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { detectDelimiter, detectEncoding, isUtf8, openTextStream, resolveEncoding } from './decode.ts';
import { inspectCsv } from './inspect.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-decode-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: Buffer | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const KOREAN_CSV = '이름,이메일,휴대폰,성별\n김민지,minji@naver.com,010-1234-5678,여\n박서준,seojun@gmail.com,010-2222-3333,남\n똠얌꿍,tom@daum.net,010-9999-0000,여\n';

describe('encoding detection', () => {
  it.each([
    ['ASCII', Buffer.from('email,name\na@b.io,Kim\n'), 'utf-8'],
    ['UTF-8 Korean', Buffer.from(KOREAN_CSV, 'utf8'), 'utf-8'],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(KOREAN_CSV)]), 'utf-8'],
    ['CP949 (Korean Excel)', iconv.encode(KOREAN_CSV, 'cp949'), 'cp949'],
    ['EUC-KR', iconv.encode('이름,주소\n홍길동,서울\n', 'euc-kr'), 'cp949'],
    ['UTF-16 with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\tb\n', 'utf16le')]), 'utf-16le'],
  ] as const)('%s → %s', (_name, bytes, expected) => {
    expect(detectEncoding(bytes, true)).toBe(expected);
  });

  it('accepts a UTF-8 sequence cut off at the end of an incomplete head, not of a whole file', () => {
    const bytes = Buffer.from('가나다', 'utf8'); // 3 bytes each
    const cut = bytes.subarray(0, 7);
    expect(isUtf8(cut, false)).toBe(true);
    expect(isUtf8(cut, true)).toBe(false);
    expect(isUtf8(Buffer.from([0x41, 0xc0, 0x80]), false)).toBe(false); // overlong
    expect(isUtf8(Buffer.from([0xed, 0xa0, 0x80]), true)).toBe(false); // surrogate
  });

  it('lets the caller override the detected encoding', async () => {
    const file = write('override.csv', iconv.encode(KOREAN_CSV, 'cp949'));
    expect(await resolveEncoding(file)).toBe('cp949');
    expect(await resolveEncoding(file, 'utf-8')).toBe('utf-8');
  });
});

describe('decoding', () => {
  it('streams a CP949 file as text, counting raw bytes', async () => {
    // Bigger than one read chunk, so multi-byte characters straddle chunk boundaries.
    const text = 'name,city\n' + Array.from({ length: 40_000 }, (_, i) => `김민지${i},서울특별시 강남구`).join('\n') + '\n';
    const bytes = iconv.encode(text, 'cp949');
    const file = write('big-cp949.csv', bytes);
    let read = 0;
    let decoded = '';
    for await (const chunk of openTextStream(file, 'cp949', (n) => (read = n))) decoded += chunk;
    expect(decoded).toBe(text);
    expect(read).toBe(bytes.length);
  });

  it('drops the UTF-8 BOM', async () => {
    const file = write('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('이메일\na@b.io\n')]));
    let decoded = '';
    for await (const chunk of openTextStream(file, 'utf-8')) decoded += chunk;
    expect(decoded).toBe('이메일\na@b.io\n');
  });
});

describe('delimiter detection', () => {
  it.each([
    ['a,b,c\n1,2,3', ','],
    ['a;b;c\n1;2;3', ';'],
    ['a\tb\tc\n1\t2\t3', '\t'],
    ['"x;y",b,c\n', ','],
    ['single\n1', ','],
  ])('%j → %j', (text, expected) => {
    expect(detectDelimiter(text)).toBe(expected);
  });
});

describe('inspectCsv', () => {
  it('reads a CP949 file: encoding, headers, sample rows and a suggested mapping', async () => {
    const file = write('korean.csv', iconv.encode(KOREAN_CSV, 'cp949'));
    const inspection = await inspectCsv(file);
    expect(inspection.encoding).toBe('cp949');
    expect(inspection.delimiter).toBe(',');
    expect(inspection.headers).toEqual(['이름', '이메일', '휴대폰', '성별']);
    expect(inspection.sample).toHaveLength(3);
    expect(inspection.sample[0]).toEqual(['김민지', 'minji@naver.com', '010-1234-5678', '여']);
    expect(inspection.suggestedMapping).toEqual({ 이름: 'name', 이메일: 'email', 휴대폰: 'phone', 성별: 'gender' });
  });

  it('reads semicolon files and names empty or repeated headers', async () => {
    const file = write('semi.csv', 'Email;;Email\na@b.io;x;c@d.io\n');
    const inspection = await inspectCsv(file);
    expect(inspection.delimiter).toBe(';');
    expect(inspection.headers).toEqual(['Email', 'column 2', 'Email (2)']);
  });

  it('refuses an empty file', async () => {
    await expect(inspectCsv(write('empty.csv', ''))).rejects.toThrow(/empty/);
  });
});
