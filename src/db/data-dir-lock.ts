// One process at a time in an embedded data directory. The lock is an exclusive flock(2) on
// <data dir>/rapport.lock, which the kernel releases when its holder dies, however it dies
// (kill -9, OOM, pid 1 of a container): a dead owner never blocks a start, and a pid written in a
// file (reused, or our own as pid 1 of a container) decides nothing.
//
// Node has no flock. util-linux's `flock` command takes the lock on a file that a child process
// keeps open, whose standard input is a pipe from this process: when this process ends, by any signal, the kernel
// closes the pipe, the child reads end-of-file and exits, and the lock goes with it. The child
// runs in a session of its own and ignores HUP/INT/TERM, so a Ctrl-C or a SIGTERM to the process
// group does not release the lock while Rapport is still shutting down. Where `flock` is missing
// (macOS), a pid file is the fallback.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export class DatabaseInUseError extends Error {
  constructor(dataDir: string, pid: number | undefined, elsewhere = false) {
    super(
      `The embedded database in ${dataDir} is in use by another Rapport process${pid ? ` (pid ${pid}${elsewhere ? ' in another container or PID namespace' : ''})` : ''}. ` +
        'PGlite allows one process at a time: stop that process first, use the running server through its API, ' +
        'or set DATABASE_URL to use a PostgreSQL server.',
    );
    this.name = 'DatabaseInUseError';
  }
}

/** How long a start waits for the process holding the directory to finish dying. */
export const LOCK_WAIT_MS = 10_000;
const CONFLICT = 75;
const MISSING = 76;

// Directories this process holds: a second open here would corrupt the files just the same.
const heldHere = new Set<string>();

function recordedPid(lockFile: string): number | undefined {
  try {
    const pid = (JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** This process's PID namespace (Linux), so that a pid recorded from another one is said to be so. */
function pidNamespace(): string | undefined {
  try {
    return fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

function inUse(dataDir: string, lockFile: string): DatabaseInUseError {
  let recorded: { pid?: unknown; pidNamespace?: unknown } = {};
  try {
    recorded = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as typeof recorded;
  } catch {
    /* written by a holder that has not got that far */
  }
  const pid = typeof recorded.pid === 'number' && recorded.pid > 0 ? recorded.pid : undefined;
  const ns = pidNamespace();
  return new DatabaseInUseError(dataDir, pid, typeof recorded.pidNamespace === 'string' && ns !== undefined && recorded.pidNamespace !== ns);
}

class FlockUnavailable extends Error {}

/** Takes the flock in a child process; resolves once it holds it, with the function that lets it go. */
function flockChild(dataDir: string, lockFile: string, waitMs: number): Promise<() => void> {
  return new Promise((resolve, reject) => {
    // The shell opens the lock file, `flock` locks that open file and exits, and the shell becomes
    // `cat`, which inherits the locked file: one process holds the lock, reading its pipe from us.
    const script = `trap "" HUP INT TERM; exec 9>>"$0"; command -v flock >/dev/null || exit ${MISSING}; flock --exclusive --timeout ${(waitMs / 1000).toFixed(3)} --conflict-exit-code ${CONFLICT} 9 || exit $?; echo locked; exec cat >/dev/null`;
    const child = spawn('sh', ['-c', script, lockFile], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let locked = false;
    let out = '';
    let err = '';
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new FlockUnavailable() : e));
    child.stdin!.on('error', () => {}); // EPIPE once the child is gone
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (locked || !out.includes('locked\n')) return;
      locked = true;
      // The child lives as long as the lock; it must not keep this process alive.
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
      resolve(() => child.stdin!.end());
    });
    child.on('exit', (code, signal) => {
      if (!locked) {
        if (code === CONFLICT) reject(inUse(dataDir, lockFile));
        else if (code === MISSING) reject(new FlockUnavailable());
        else reject(new Error(`Could not lock ${lockFile} (${signal ?? `exit ${code}`}): ${err.trim()}`));
      }
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Without `flock`: a file made with O_EXCL naming its process, taken over once that process is gone. (Exported for its tests.) */
export async function pidFileLock(dataDir: string, lockFile: string, waitMs: number): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = recordedPid(lockFile);
    // Our own pid is an earlier life of this pid (pid 1 of a container): this process holds nothing yet.
    if (pid && pid !== process.pid && isAlive(pid)) {
      if (Date.now() >= deadline) throw new DatabaseInUseError(dataDir, pid);
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    fs.rmSync(lockFile, { force: true });
  }
}

/**
 * Claims the data directory for this process, waiting up to `waitMs` for a holder that is
 * dying; refuses with DatabaseInUseError if it is still held then. Returns the release.
 */
export async function lockDataDir(dataDir: string, opts: { waitMs?: number } = {}): Promise<() => void> {
  const waitMs = opts.waitMs ?? LOCK_WAIT_MS;
  const key = fs.realpathSync(dataDir);
  if (heldHere.has(key)) throw new DatabaseInUseError(dataDir, process.pid);
  heldHere.add(key);
  const lockFile = path.join(dataDir, 'rapport.lock');
  try {
    let release: () => void;
    try {
      release = await flockChild(dataDir, lockFile, waitMs);
      // Only for the message another starter shows; the flock is the lock.
      fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, pidNamespace: pidNamespace(), startedAt: new Date().toISOString() }));
    } catch (err) {
      if (!(err instanceof FlockUnavailable)) throw err;
      release = await pidFileLock(dataDir, lockFile, waitMs);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      heldHere.delete(key);
      release();
    };
  } catch (err) {
    heldHere.delete(key);
    throw err;
  }
}
