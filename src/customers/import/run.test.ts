// Imports against the database: good rows in, bad rows reported by line and column, matching,
// encodings, consent, progress records and a database-level failure of one row.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { uuidv7 } from '../../db/uuid.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../../db/test-helpers.ts';
import { systemActor, type Actor } from '../../workspaces/audit.ts';
import { auditLog } from '../../workspaces/schema.ts';
import { createAttributeDef } from '../attributes.ts';
import { getConsentHistory, getConsents } from '../consents.ts';
import { createCustomer } from '../customers.ts';
import { customers } from '../schema.ts';
import { createImport, createImportRunner, getImport, markImportRunning } from './imports.ts';
import { importCustomersFromFile, type ImportProgress } from './run.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-import-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileSeq = 0;
function csvFile(content: string | Buffer): string {
  const file = path.join(dir, `import-${++fileSeq}.csv`);
  fs.writeFileSync(file, content);
  return file;
}

const actor: Actor = { type: 'user', id: uuidv7(), label: 'importer@test' };

describeEachDb('customer import', (getDb) => {
  let workspaceId: string;
  const db = () => getDb().db;

  beforeAll(async () => {
    workspaceId = (await createTestWorkspace(getDb(), 'Import shop')).workspace.id;
    await createAttributeDef(db(), { workspaceId, actor: systemActor, input: { key: 'height_cm', label: '키', type: 'number', purpose: 'analytics' } });
    await createAttributeDef(db(), { workspaceId, actor: systemActor, input: { key: 'region', label: '지역', type: 'enum', options: ['서울', '경기'], purpose: 'service' } });
  });

  async function byExternalId(externalId: string, ws = workspaceId) {
    const [row] = await db().select().from(customers).where(and(eq(customers.workspaceId, ws), eq(customers.externalId, externalId)));
    return row;
  }

  const KOREAN = [
    '회원번호,이름,이메일,휴대폰,성별,단계,키,메모',
    'K1,김민지,minji@naver.com,010-1234-5678,여,고객,162,hi',
    'K2,박서준,kim@,010-2222-3333,남,lead,175,',
    'K3,이서연,seoyeon@gmail.com,12,여,lead,160,',
    'K4,최지우,jiwoo@daum.net,010-4444-5555,여,platinum,158,',
    'K5,정하은,haeun@kakao.com,010-5555-6666',
    '"K6","한 ""Q"" 동현",dh@naver.com,010-6666-7777,남,lead,180,"multi',
    'line memo"',
    'K7,윤수아,sua@naver.com,010-7777-8888,여,lead,abc,',
    'K1,김민지,minji.new@naver.com,,,loyal,,',
    'K8,오민준,existing-k@example.com,,,,,',
    ',,,,,,,',
    '"K9,bad"x,k9@naver.com,,,,,',
    'K10,서지호,jiho@naver.com,010-1010-1010,남,,,',
  ].join('\r\n');

  it.each([2, 2000])('imports good rows and reports each bad one by line, column and reason (batch size %i)', async (batchSize) => {
    // Each run in a workspace of its own: the same file, read in batches of 2 and in one batch.
    const ws = (await createTestWorkspace(getDb(), `Import shop ${batchSize}`)).workspace.id;
    await createAttributeDef(db(), { workspaceId: ws, actor: systemActor, input: { key: 'height_cm', label: '키', type: 'number', purpose: 'analytics' } });
    const existing = await createCustomer(db(), { workspaceId: ws, actor, input: { email: 'existing-k@example.com', name: 'Existing' } });

    const progress: ImportProgress[] = [];
    const result = await importCustomersFromFile(db(), { workspaceId: ws, actor, filePath: csvFile(KOREAN), batchSize, onProgress: (p) => progress.push(p) });

    expect(result.errors).toEqual([
      { line: 3, column: '이메일', message: '"kim@" is not an e-mail address' },
      { line: 4, column: '휴대폰', message: expect.stringMatching(/^"12" is not a phone number/) },
      { line: 5, column: '단계', message: expect.stringMatching(/^"platinum" is not a lifecycle stage/) },
      { line: 6, message: 'has 4 values but the header has 8 columns' },
      { line: 9, column: '키', message: '"abc" must be a number' },
      { line: 13, message: expect.stringContaining('after a closing quote') },
    ]);
    // Lines 2, 3, 4, 5, 6, 7–8, 9, 10, 11, 13, 14; line 12 has only empty cells.
    expect(result).toMatchObject({ rowsTotal: 11, rowsCreated: 3, rowsUpdated: 2, rowsFailed: 6 });

    const k1 = await byExternalId('K1', ws);
    expect(k1).toMatchObject({ name: '김민지', email: 'minji.new@naver.com', phone: '+821012345678', gender: 'F', lifecycleStage: 'loyal', attributes: { height_cm: 162 } });
    expect((await byExternalId('K6', ws))?.name).toBe('한 "Q" 동현');
    expect(await byExternalId('K2', ws)).toBeUndefined();
    const matched = await byExternalId('K8', ws);
    expect(matched?.id).toBe(existing.id);
    expect(matched?.name).toBe('오민준');
    expect((await byExternalId('K10', ws))?.phone).toBe('+821010101010');

    expect(progress.at(-1)).toMatchObject({ rowsTotal: 11, bytesRead: fs.statSync(path.join(dir, `import-${fileSeq}.csv`)).size });
    if (batchSize === 2) expect(progress.length).toBeGreaterThan(3);
    const audit = await db().select().from(auditLog).where(and(eq(auditLog.workspaceId, ws), eq(auditLog.action, 'customer.import')));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ rowsTotal: 11, rowsCreated: 3, rowsUpdated: 2, rowsFailed: 6, encoding: 'utf-8' });
    expect(audit[0]!.actorLabel).toBe('importer@test');
  });

  it('names the allowed values when an enum value is unknown', async () => {
    const result = await importCustomersFromFile(db(), {
      workspaceId,
      actor,
      filePath: csvFile('email,성별,지역\nenum1@example.com,zz,서울\nenum2@example.com,여,부산\nenum3@example.com,남,경기\n'),
    });
    expect(result.errors).toEqual([
      { line: 2, column: '성별', message: '"zz" must be one of F, M, X' },
      { line: 3, column: '지역', message: '"부산" must be one of 서울, 경기' },
    ]);
    expect(result).toMatchObject({ rowsCreated: 1, rowsFailed: 2 });
  });

  it('reads a CP949 file (Korean Excel) and joins 성 + 이름', async () => {
    const text = '성,이름,이메일,생년월일,가입일\n김,민지,cp949-minji@naver.com,19940307,2024.05.01\n남궁,민수,cp949-minsu@naver.com,1990.1.2,\n';
    const result = await importCustomersFromFile(db(), { workspaceId, actor, filePath: csvFile(iconv.encode(text, 'cp949')) });
    expect(result).toMatchObject({ rowsTotal: 2, rowsCreated: 2, rowsFailed: 0 });
    const [row] = await db().select().from(customers).where(and(eq(customers.workspaceId, workspaceId), eq(customers.email, 'cp949-minji@naver.com')));
    expect(row).toMatchObject({ name: '김민지', birthday: '1994-03-07' });
    expect(row!.signedUpAt?.toISOString().slice(0, 10)).toBe('2024-05-01');
    const [other] = await db().select().from(customers).where(and(eq(customers.workspaceId, workspaceId), eq(customers.email, 'cp949-minsu@naver.com')));
    expect(other).toMatchObject({ name: '남궁민수', birthday: '1990-01-02' });
  });

  it('rejects rows whose bytes are not in the encoding of the file', async () => {
    // UTF-8 for the first megabyte (so it is detected as UTF-8; a long ignored column fills it), then a row saved as CP949.
    const memo = 'x'.repeat(2000);
    const head = Buffer.from(`email,name,memo\n${Array.from({ length: 600 }, (_, i) => `enc${i}@example.com,n${i},${memo}`).join('\n')}\n`);
    expect(head.length).toBeGreaterThan(1 << 20);
    const file = csvFile(Buffer.concat([head, iconv.encode('cp949@example.com,김민지,\n', 'cp949')]));
    const result = await importCustomersFromFile(db(), { workspaceId, actor, filePath: file });
    expect(result.rowsFailed).toBe(1);
    expect(result.errors).toEqual([{ line: 602, message: expect.stringContaining('not utf-8 text') }]);
  });

  it('reads a HubSpot export: names, lifecycle stages, and matching by e-mail', async () => {
    const text = [
      'Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date',
      '101,Jane,Doe,jane.doe@example.com,+1 415 555 0100,Marketing Qualified Lead,2024-03-01 10:00',
      '102,John,Roe,john.roe@example.com,,Customer,2024-03-02 11:00',
      '103,Ann,Lee,ann.lee@example.com,,Other,2024-03-03 12:00',
    ].join('\n');
    const first = await importCustomersFromFile(db(), { workspaceId, actor, filePath: csvFile(text) });
    expect(first).toMatchObject({ rowsCreated: 2, rowsFailed: 1 });
    expect(first.errors).toEqual([{ line: 4, column: 'Lifecycle Stage', message: expect.stringContaining('"Other" is not a lifecycle stage') }]);
    expect(await byExternalId('101')).toMatchObject({ name: 'Jane Doe', lifecycleStage: 'lead', phone: '+14155550100' });

    // The same people again by e-mail only: updated, not duplicated.
    const again = await importCustomersFromFile(db(), {
      workspaceId,
      actor,
      filePath: csvFile('Email,Lifecycle Stage\nJANE.DOE@example.com,Customer\n'),
      matchBy: 'email',
    });
    expect(again).toMatchObject({ rowsCreated: 0, rowsUpdated: 1 });
    expect(await byExternalId('101')).toMatchObject({ lifecycleStage: 'customer', name: 'Jane Doe' });
  });

  it('records consent columns, and only real changes in the history', async () => {
    const file = () => csvFile('email,이메일 수신동의,SMS 수신동의,야간수신동의\nconsent@example.com,Y,거부,maybe\nconsent2@example.com,동의,N,0\n');
    const first = await importCustomersFromFile(db(), { workspaceId, actor, filePath: file() });
    expect(first.errors).toEqual([{ line: 2, column: '야간수신동의', message: expect.stringContaining('"maybe" is not a consent answer') }]);
    const [row] = await db().select().from(customers).where(and(eq(customers.workspaceId, workspaceId), eq(customers.email, 'consent2@example.com')));
    const consents = await getConsents(db(), { workspaceId, customerId: row!.id });
    const status = (channel: string, purpose: string) => consents.find((c) => c.channel === channel && c.purpose === purpose)!;
    expect(status('email', 'marketing')).toMatchObject({ status: 'granted', source: 'import' });
    expect(status('sms', 'marketing').status).toBe('denied');
    expect(status('sms', 'night_ads').status).toBe('denied');
    expect(await getConsentHistory(db(), { workspaceId, customerId: row!.id })).toHaveLength(3);
    await importCustomersFromFile(db(), { workspaceId, actor, filePath: file() });
    expect(await getConsentHistory(db(), { workspaceId, customerId: row!.id })).toHaveLength(3);
  });

  it('refuses a mapping with an unknown target, naming the header', async () => {
    const file = csvFile('이메일,성별\na@b.io,F\n');
    await expect(importCustomersFromFile(db(), { workspaceId, actor, filePath: file, mapping: { 이메일: 'email', 성별: 'sex' } })).rejects.toThrow(
      /mapping\["성별"\]: "sex" is not an import target/,
    );
    await expect(importCustomersFromFile(db(), { workspaceId, actor, filePath: file, mapping: { 성별: '' } })).rejects.toThrow(/no column is mapped/);
  });

  it('reports rows with nothing to import and required attributes that are missing', async () => {
    const ws = (await createTestWorkspace(getDb(), 'Required shop')).workspace.id;
    await createAttributeDef(db(), { workspaceId: ws, actor: systemActor, input: { key: 'tier', label: 'Tier', type: 'text', purpose: 'service', required: true } });
    const result = await importCustomersFromFile(db(), { workspaceId: ws, actor, filePath: csvFile('email,tier,note\nreq@example.com,,x\n,,only a note\nreq2@example.com,gold,\n') });
    expect(result.errors).toEqual([
      { line: 2, column: 'tier', message: 'is required' },
      { line: 3, message: 'has no value in any imported column' },
    ]);
    expect(result).toMatchObject({ rowsCreated: 1, rowsFailed: 2 });
  });

  it('fails only the row the database refuses, and imports the rest of its batch', async () => {
    // A profile holding an external id without its identity row: the insert hits the unique index.
    await db().execute(sql`insert into customers (workspace_id, id, external_id, name) values (${workspaceId}, ${uuidv7()}, 'ORPHAN-1', 'orphan')`);
    const result = await importCustomersFromFile(db(), {
      workspaceId,
      actor,
      filePath: csvFile('externalId,name\nOK-1,a\nORPHAN-1,b\nOK-2,c\nOK-3,d\n'),
    });
    expect(result).toMatchObject({ rowsTotal: 4, rowsCreated: 3, rowsFailed: 1 });
    expect(result.errors).toEqual([{ line: 3, message: expect.stringContaining('could not be saved') }]);
    expect(await byExternalId('OK-3')).toBeDefined();
  });

  it('stops a running import when its runner stops, and says so', async () => {
    const lines = ['email'];
    for (let i = 0; i < 3000; i++) lines.push(`stop${i}@example.com`);
    const filePath = csvFile(lines.join('\n'));
    const id = uuidv7();
    await createImport(db(), { workspaceId, actor, id, fileName: 'stop.csv', filePath, fileBytes: fs.statSync(filePath).size, encoding: 'utf-8', delimiter: ',', headers: ['email'], matchBy: 'auto' });
    await markImportRunning(db(), { workspaceId, id, mapping: { email: 'email' } });
    const runner = createImportRunner(db(), { batchSize: 100 });
    runner.start({ workspaceId, id, actor });
    await runner.stop();
    const imp = await getImport(db(), { workspaceId, id });
    expect(imp.status).toBe('failed');
    expect(imp.failure).toContain('interrupted');
    expect(imp.rowsTotal).toBeLessThan(3000);
    expect(fs.existsSync(filePath)).toBe(false);
  });

  it('writes progress and every rejected row to the import record as batches commit', async () => {
    const lines = ['email,name'];
    for (let i = 0; i < 25; i++) lines.push(i % 5 === 0 ? `bad-${i}@,n${i}` : `rec${i}@example.com,n${i}`);
    const filePath = csvFile(lines.join('\n'));
    const id = uuidv7();
    await createImport(db(), { workspaceId, actor, id, fileName: 'x.csv', filePath, fileBytes: fs.statSync(filePath).size, encoding: 'utf-8', delimiter: ',', headers: ['email', 'name'], matchBy: 'auto' });
    await markImportRunning(db(), { workspaceId, id, mapping: { email: 'email', name: 'name' } });
    const seen: number[] = [];
    await importCustomersFromFile(db(), {
      workspaceId,
      actor,
      filePath,
      importId: id,
      batchSize: 4,
      onProgress: async () => {
        seen.push((await getImport(db(), { workspaceId, id })).rowsTotal);
      },
    });
    const imp = await getImport(db(), { workspaceId, id });
    expect(imp).toMatchObject({ rowsTotal: 25, rowsCreated: 20, rowsFailed: 5, progress: 1 });
    expect(imp.errors.map((e) => e.line)).toEqual([2, 7, 12, 17, 22]);
    expect(imp.errors[0]).toEqual({ line: 2, column: 'email', message: '"bad-0@" is not an e-mail address' });
  });
});
