// A ready-made embedded database: a PGlite data directory, created and migrated once (by
// `npm start`'s build step or the test set-up) and saved as a tarball. A new data directory is
// unpacked from it in under a second instead of running initdb (3–4 s) and every migration.
// The tarball is only used when it was built from exactly this PGlite and these migrations.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { migrationsFolder } from './migrate.ts';

/** Where `npm start` keeps the template (dist/ is the build output, rebuilt as needed). */
export const defaultTemplatePath = fileURLToPath(new URL('../../dist/pglite-template.tgz', import.meta.url));

function pgliteVersion(): string {
  const pkg = fileURLToPath(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url));
  try {
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Identifies what a template holds: the PGlite version, its settings and every migration file. */
export function templateKey(): string {
  const hash = createHash('sha256').update(`pglite ${pgliteVersion()}\n`);
  for (const file of ['meta/_journal.json', ...fs.readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).sort()]) {
    hash.update(`${file}\n`).update(fs.readFileSync(path.join(migrationsFolder, file)));
  }
  return hash.digest('hex').slice(0, 24);
}

/** The file beside a template that holds its key (templateKey). */
export const keyFile = (templatePath: string) => `${templatePath}.key`;

/** The template's path when it exists and matches this code, else undefined. */
export function usableTemplate(templatePath = defaultTemplatePath): string | undefined {
  try {
    if (fs.readFileSync(keyFile(templatePath), 'utf8').trim() !== templateKey()) return undefined;
    return fs.existsSync(templatePath) ? templatePath : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Unpacks the template into an empty data directory. PGlite can load a tarball itself, but its
 * memory then stays grown for the life of the thread (~+70 MB); files unpacked here open like
 * any existing database. Streamed in small pieces: holding the 40 MB archive in one buffer
 * would stay in the process's memory. The tarball is PGlite's own ustar dump: names under
 * 100 bytes, directories and regular files only.
 */
export async function unpackTemplate(templatePath: string, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  let pending: Buffer = Buffer.alloc(0);
  let file: { fd: number; left: number; pad: number } | undefined;
  let skip = 0;
  const text = (block: Buffer, at: number, len: number) => {
    const end = block.indexOf(0, at);
    return block.toString('utf8', at, end === -1 || end > at + len ? at + len : end);
  };
  const header = (block: Buffer): boolean => {
    const name = text(block, 0, 100);
    if (!name) return false; // the zero blocks that end the archive
    const size = parseInt(text(block, 124, 12).trim() || '0', 8);
    const mode = parseInt(text(block, 100, 8).trim() || '600', 8) & 0o777;
    const type = String.fromCharCode(block[156] ?? 48);
    const prefix = text(block, 345, 155);
    const rel = path.normalize(`${prefix ? `${prefix}/` : ''}${name}`).replace(/^(\.\.(\/|$)|\/)+/, '');
    const target = path.join(dir, rel);
    if (!target.startsWith(dir)) throw new Error(`template: entry ${name} lies outside the data directory`);
    if (type === '5') fs.mkdirSync(target, { recursive: true, mode: mode || 0o700 });
    else if (type === '0' || type === '\0') {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      file = { fd: fs.openSync(target, 'w', mode || 0o600), left: size, pad: (512 - (size % 512)) % 512 };
      if (size === 0) fs.closeSync(file.fd), (file = undefined);
    } else throw new Error(`template: entry ${name} has unsupported type "${type}"`);
    return true;
  };
  let ended = false;
  for await (const chunk of fs.createReadStream(templatePath).pipe(zlib.createGunzip())) {
    pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    while (!ended) {
      if (file) {
        const n = Math.min(file.left, pending.length);
        if (n === 0) break;
        fs.writeSync(file.fd, pending, 0, n);
        pending = pending.subarray(n);
        file.left -= n;
        if (file.left === 0) {
          fs.closeSync(file.fd);
          skip = file.pad;
          file = undefined;
        }
        continue;
      }
      if (skip) {
        const n = Math.min(skip, pending.length);
        if (n === 0) break;
        pending = pending.subarray(n);
        skip -= n;
        continue;
      }
      if (pending.length < 512) break;
      const block = pending.subarray(0, 512);
      pending = pending.subarray(512);
      if (!header(block)) ended = true;
    }
    pending = Buffer.from(pending); // let the chunk it came from go
  }
  if (file) throw new Error(`template: ${templatePath} ends in the middle of a file`);
}
