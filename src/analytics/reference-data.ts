// Where the shared reference data sets (CDNOW, baskets) live: tests and benchmarks read them by path
// and never copy them into the project.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function referenceDataDir(): string {
  const fromEnv = process.env.RAPPORT_REFERENCE_DATA;
  if (fromEnv) return fromEnv;
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  const candidates = [path.resolve(repo, '..', 'shared', 'data'), '/work/shared/data'];
  return candidates.find((dir) => fs.existsSync(dir)) ?? candidates[candidates.length - 1]!;
}
