import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { orders, products } from '../commerce/schema.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { importCommerceCommand, isCommerceImport, parseCommerceImportArgs } from './commerce-import.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cli-commerce-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('rapport import products|orders arguments', () => {
  it('reads the kind, file, workspace and encoding', () => {
    expect(isCommerceImport(['products', 'a.csv'])).toBe(true);
    expect(isCommerceImport(['customers', 'a.csv'])).toBe(false);
    expect(parseCommerceImportArgs(['orders', 'o.csv', '--workspace', 'w', '--encoding', 'CP949'])).toEqual({ kind: 'orders', file: 'o.csv', workspace: 'w', encoding: 'cp949' });
    expect(parseCommerceImportArgs(['products', 'p.csv'])).toEqual({ kind: 'products', file: 'p.csv', workspace: undefined, encoding: undefined });
  });
  it.each([
    [['products'], /name one CSV file/],
    [['orders', 'a.csv', 'b.csv'], /name one CSV file/],
    [['products', 'a.csv', '--encoding', 'latin1'], /--encoding/],
    [['stock', 'a.csv'], /import products FILE.csv/],
  ])('refuses %j', (args, message) => {
    expect(() => parseCommerceImportArgs(args)).toThrow(message);
  });
});

describeEachDb('rapport import products|orders', (getDb) => {
  it('imports products, then orders, into the given workspace and prints the counts and problems', async () => {
    const ws = await createTestWorkspace(getDb(), 'CLI commerce');
    const productsFile = path.join(dir, 'products.csv');
    fs.writeFileSync(productsFile, iconv.encode('상품코드,상품명,판매가\nCLI-1,린넨 셔츠,"59,000"\nCLI-2,모자,공짜\n', 'cp949'));
    const lines: string[] = [];
    expect(await importCommerceCommand(getDb(), parseCommerceImportArgs(['products', productsFile, '--workspace', ws.workspace.id]), (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/Imported .*products\.csv \(cp949\) into workspace .*: 2 rows, 1 created, 0 updated, 1 rows failed/);
    expect(lines).toContain('  line 3, column "판매가": "공짜" is not an amount (write 12.99 or 89,000)');
    const [p] = await getDb().db.select().from(products).where(and(eq(products.workspaceId, ws.workspace.id), eq(products.sku, 'CLI-1')));
    expect(p).toMatchObject({ name: '린넨 셔츠', price: 59000 });

    const ordersFile = path.join(dir, 'orders.csv');
    fs.writeFileSync(ordersFile, 'order_id,sku,quantity,unit_price\nCLI-O1,CLI-1,1,59000\nCLI-O1,CLI-2,2,1000\n');
    const out: string[] = [];
    expect(await importCommerceCommand(getDb(), parseCommerceImportArgs(['orders', ordersFile, '--workspace', ws.workspace.id]), (l) => out.push(l))).toBe(0);
    expect(out[0]).toMatch(/2 rows, 1 orders created, 0 already stored, 0 rows failed/);
    const [o] = await getDb().db.select().from(orders).where(and(eq(orders.workspaceId, ws.workspace.id), eq(orders.externalId, 'CLI-O1')));
    expect(o).toMatchObject({ total: 61000, source: 'import' });
  });

  it('exits with 1 when the file cannot be read', async () => {
    const lines: string[] = [];
    expect(await importCommerceCommand(getDb(), parseCommerceImportArgs(['orders', path.join(dir, 'missing.csv')]), (l) => lines.push(l))).toBe(1);
    expect(lines[0]).toMatch(/cannot read .*missing\.csv: no such file/);
  });
});
