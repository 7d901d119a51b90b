// `rapport demo`: loads the demo customers into a workspace (the first one unless --workspace).
import type { Database } from '../db/connection.ts';
import { loadDemoCustomers } from '../customers/demo.ts';
import { AppError } from '../errors.ts';
import { pickWorkspace } from './admin.ts';

export async function demoCommand(
  database: Database,
  o: { customers?: string; workspace?: string; seed?: string },
  defaultCount: number,
): Promise<string> {
  const count = o.customers === undefined ? defaultCount : Number(o.customers);
  if (!Number.isInteger(count) || count < 1 || count > 10_000_000) throw new AppError('invalid_input', `--customers: must be a whole number from 1 to 10000000, got "${o.customers}"`);
  const seed = o.seed === undefined ? 42 : Number(o.seed);
  if (!Number.isInteger(seed)) throw new AppError('invalid_input', `--seed: must be a whole number, got "${o.seed}"`);
  const workspaceId = await pickWorkspace(database, o.workspace);
  const started = performance.now();
  const r = await loadDemoCustomers(database.db, { workspaceId, actor: { type: 'system', label: 'demo data (cli)' }, count, seed });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return [
    `Loaded demo data into workspace ${workspaceId} in ${seconds} s:`,
    `  ${r.created} customers created, ${r.updated} updated${r.failed ? `, ${r.failed} refused` : ''}`,
    `  ${r.duplicates.length} planted duplicates, ${r.notes} notes${r.attributesCreated.length ? `, attributes ${r.attributesCreated.join(', ')}` : ''}`,
  ].join('\n');
}
