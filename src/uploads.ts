// Where uploaded files wait to be imported (customer and commerce CSVs): a directory only
// Rapport's user can enter (0700), files only it can read (0600). Under the data directory
// unless RAPPORT_UPLOAD_DIR names another, on either database: never a shared temp directory.
import fs from 'node:fs';
import type { Config } from './config.ts';

export class UnsafeDirectoryError extends Error {
  constructor(dir: string, why: string) {
    super(`${dir} ${why}: Rapport keeps uploaded files (personal data) only in a directory of its own user that no one else can write to. Fix it, or set RAPPORT_UPLOAD_DIR to another directory.`);
    this.name = 'UnsafeDirectoryError';
  }
}

/**
 * Makes `dir` (and missing parents) 0700, or checks an existing one: it must belong to this
 * process's user and be writable by no one else (someone else's directory could be read, or
 * files swapped in it); one of ours that others may read is tightened to 0700.
 */
export function ensurePrivateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.statSync(dir);
  if (!st.isDirectory()) throw new UnsafeDirectoryError(dir, 'is not a directory');
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new UnsafeDirectoryError(dir, `belongs to another user (uid ${st.uid}, Rapport runs as uid ${uid})`);
  if (st.mode & 0o022) throw new UnsafeDirectoryError(dir, `is writable by other users (mode ${(st.mode & 0o7777).toString(8)})`);
  if (st.mode & 0o077) fs.chmodSync(dir, 0o700);
  return dir;
}

/** The upload directory, made or checked (see ensurePrivateDir). */
export function ensureUploadDir(config: Pick<Config, 'uploadDir'>): string {
  return ensurePrivateDir(config.uploadDir);
}

/** A new file in the upload directory that only Rapport's user can read; never an existing one. */
export function createUploadFile(filePath: string): fs.WriteStream {
  return fs.createWriteStream(filePath, { flags: 'wx', mode: 0o600 });
}
