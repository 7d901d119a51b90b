// The embedded data directory's lock: a kernel lock that a dead holder never keeps, whatever pid
// it had, and that a second live process never shares.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './connection.ts';
import { DatabaseInUseError, lockDataDir, pidFileLock } from './data-dir-lock.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
function tmpDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Another process holding the directory's lock, as a second Rapport would. */
async function holder(dir: string): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const script = `
    const { register } = await import('tsx/esm/api'); register();
    const { lockDataDir } = await import(${JSON.stringify(path.join(root, 'src/db/data-dir-lock.ts'))});
    await lockDataDir(${JSON.stringify(dir)}, { waitMs: 0 });
    console.log('held');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('held') && resolve());
    child.once('exit', (code) => reject(new Error(`holder exited (${code})`)));
  });
  return { child, exited };
}

/** Processes below `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const p of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      parentOf.set(Number(p), Number(fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  for (let frontier = [pid]; frontier.length; ) {
    const next = [...parentOf].filter(([, ppid]) => frontier.includes(ppid)).map(([p]) => p);
    out.push(...next);
    frontier = next;
  }
  return out;
}

describe('data directory lock', () => {
  it('starts on a lock file that names this very process (pid 1 of a container, restarted after kill -9)', async () => {
    const dir = tmpDir();
    // What a killed pid 1 leaves for the next pid 1: a lock file naming pid 1, which is now us.
    fs.writeFileSync(path.join(dir, 'rapport.lock'), JSON.stringify({ pid: process.pid, startedAt: '2026-01-01T00:00:00Z' }));
    const database = await openDatabase({ kind: 'pglite', dataDir: dir });
    await database.close();
  }, 60_000);

  it('refuses a second live process at once, with a message naming the holder and what to do', async () => {
    const dir = tmpDir();
    const { child } = await holder(dir);
    const err = await lockDataDir(dir, { waitMs: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseInUseError);
    expect((err as Error).message).toContain(`in use by another Rapport process (pid ${child.pid})`);
    expect((err as Error).message).toMatch(/stop that process first.*DATABASE_URL/);
  });

  it('refuses a second open in the same process without waiting', async () => {
    const dir = tmpDir();
    const release = await lockDataDir(dir);
    try {
      await expect(lockDataDir(dir)).rejects.toBeInstanceOf(DatabaseInUseError);
    } finally {
      release();
    }
    (await lockDataDir(dir))(); // free again once released
  });

  it('waits for a holder that is dying and takes the lock as soon as the kernel releases it', async () => {
    const dir = tmpDir();
    const { child, exited } = await holder(dir);
    const taking = lockDataDir(dir, { waitMs: 30_000 });
    child.kill('SIGKILL');
    await exited;
    const release = await taking;
    release();
  });

  it('is not released by signals sent to the process group while its owner shuts down', async () => {
    const dir = tmpDir();
    const { child } = await holder(dir);
    // A terminal's Ctrl-C or a SIGTERM to the group reaches every process in it; the lock's child is in another session.
    const lockChildren = descendants(child.pid!);
    expect(lockChildren.length).toBeGreaterThan(0);
    for (const pid of lockChildren) process.kill(pid, 'SIGTERM');
    await expect(lockDataDir(dir, { waitMs: 300 })).rejects.toBeInstanceOf(DatabaseInUseError);
  });
});

describe('pid file lock (where the flock command is missing)', () => {
  it('takes a file naming this very pid or a dead one, and waits for then refuses a live one', async () => {
    const dir = tmpDir();
    const lockFile = path.join(dir, 'rapport.lock');
    fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid }));
    (await pidFileLock(dir, lockFile, 0))();
    fs.writeFileSync(lockFile, JSON.stringify({ pid: 2 ** 22 + 12345 }));
    (await pidFileLock(dir, lockFile, 0))();

    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(other);
    const exited = new Promise((resolve) => other.once('exit', resolve));
    fs.writeFileSync(lockFile, JSON.stringify({ pid: other.pid }));
    await expect(pidFileLock(dir, lockFile, 200)).rejects.toThrow(`in use by another Rapport process (pid ${other.pid})`);
    const taking = pidFileLock(dir, lockFile, 30_000);
    other.kill('SIGKILL');
    await exited;
    (await taking)();
    expect(fs.existsSync(lockFile)).toBe(false);
  });
});
