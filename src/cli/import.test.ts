import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { customers } from '../customers/schema.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { importCustomersCommand, parseImportArgs } from './import.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cli-import-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('rapport import arguments', () => {
  it('reads the file, workspace, encoding, match-by and mapping', () => {
    expect(parseImportArgs(['customers', 'a.csv', '--workspace', 'w', '--encoding', 'cp949', '--match-by', 'email', '--mapping', '{"이메일":"email"}'])).toEqual({
      file: 'a.csv',
      workspace: 'w',
      encoding: 'cp949',
      matchBy: 'email',
      mapping: { 이메일: 'email' },
    });
    expect(parseImportArgs(['customers', 'a.csv'])).toMatchObject({ encoding: 'auto', matchBy: 'auto', mapping: undefined });
  });

  it.each([
    [['orders', 'a.csv'], /import customers FILE.csv/],
    [['customers'], /name one CSV file/],
    [['customers', 'a.csv', '--encoding', 'latin1'], /--encoding/],
    [['customers', 'a.csv', '--match-by', 'name'], /--match-by/],
    [['customers', 'a.csv', '--mapping', '{'], /--mapping: is not JSON/],
    [['customers', 'a.csv', '--mapping', '["email"]'], /--mapping: must be a JSON object/],
  ])('refuses %j', (args, message) => {
    expect(() => parseImportArgs(args)).toThrow(message);
  });
});

describeEachDb('rapport import customers', (getDb) => {
  it('imports a file into the given workspace and prints progress, a summary and the first problems', async () => {
    const ws = await createTestWorkspace(getDb(), 'CLI shop');
    const file = path.join(dir, 'cli.csv');
    fs.writeFileSync(file, iconv.encode('이름,이메일,휴대전화\n김민지,cli-minji@naver.com,010-1234-5678\n박서준,bad@,010-2222-3333\n', 'cp949'));
    const lines: string[] = [];
    const code = await importCustomersCommand(getDb(), parseImportArgs(['customers', file, '--workspace', ws.workspace.id]), (l) => lines.push(l));
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(/Imported .*cli\.csv into workspace .*: 2 rows, 1 created, 0 updated, 1 failed/);
    expect(lines).toContain('  line 3, column "이메일": "bad@" is not an e-mail address');
    const [row] = await getDb()
      .db.select()
      .from(customers)
      .where(and(eq(customers.workspaceId, ws.workspace.id), eq(customers.email, 'cli-minji@naver.com')));
    expect(row?.name).toBe('김민지');
  });

  it('exits with 1 when the file cannot be read', async () => {
    const lines: string[] = [];
    const code = await importCustomersCommand(getDb(), parseImportArgs(['customers', path.join(dir, 'missing.csv')]), (l) => lines.push(l));
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/cannot read .*missing\.csv: no such file/);
  });
});
