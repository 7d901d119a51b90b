// Where the public reference data sets (published figures to test the analytics against) live.
// They are read by path and never copied into the repository: docs/reference-data.md lists them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * RAPPORT_REFERENCE_DATA when set, else the first existing of `<repo root>/../shared/data` and
 * `/work/shared/data`. Throws, naming the variable and the places tried, when none exists, so a
 * test against published figures fails loudly instead of passing on nothing.
 */
export function referenceDataDir(): string {
  const fromEnv = process.env.RAPPORT_REFERENCE_DATA;
  if (fromEnv) return fromEnv;
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const candidates = [path.resolve(repoRoot, '..', 'shared', 'data'), '/work/shared/data'];
  const found = candidates.find((dir) => fs.existsSync(dir));
  if (!found) throw new Error(`reference data not found: set RAPPORT_REFERENCE_DATA (tried ${candidates.join(', ')})`);
  return found;
}
