// Test helper for crash tests: runs a script in a child Node process until it says it reached the
// point to crash at (prints STOPPED), then kills it with SIGKILL, as an operator's kill -9 or the
// OOM killer would. The script is a file, not --eval: PGlite's worker thread would inherit --input-type.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { openDatabase, type Database } from './connection.ts';

/** A database a crash test runs on, and how its child process opens it. PGlite is one process's: the test closes it while the child runs (keepOpen false). */
export type KillBackend = { name: 'pglite' | 'postgres'; open: (dataDir: string) => Promise<Database>; child: (dataDir: string) => object; keepOpen: boolean };

/** PGlite in a data directory, and the PostgreSQL server when TEST_DATABASE_URL is set. */
export function killTestBackends(): KillBackend[] {
  const list: KillBackend[] = [{ name: 'pglite', open: (dataDir) => openDatabase({ kind: 'pglite', dataDir }), child: (dataDir) => ({ kind: 'pglite', dataDir }), keepOpen: false }];
  const url = process.env.TEST_DATABASE_URL;
  if (url) list.push({ name: 'postgres', open: () => openDatabase({ kind: 'postgres', url, max: 4 }), child: () => ({ kind: 'postgres', url, max: 4 }), keepOpen: true });
  return list;
}

/** Writes `script` to `scriptFile`, runs it (with tsx) in `cwd`, kills it once it prints STOPPED; its output. */
export async function runUntilStoppedThenKill(scriptFile: string, script: string, cwd: string): Promise<string> {
  fs.writeFileSync(scriptFile, script);
  const child = spawn(process.execPath, ['--import', 'tsx', scriptFile], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('STOPPED')) resolve();
    });
    void exited.then(() => reject(new Error(`the child ended before it was stopped:\n${output}`)));
  });
  child.kill('SIGKILL');
  await exited;
  return output;
}
