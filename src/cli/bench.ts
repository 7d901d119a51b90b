// `rapport bench <name>` (npm run bench -- <name>): runs bench/<name>.ts and prints its figures.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.ts';
import { printFigures, type BenchModule } from '../../bench/harness.ts';

export async function runBench(args: string[]): Promise<number> {
  const benchDir = fileURLToPath(new URL('../../bench/', import.meta.url));
  const available = fs
    .readdirSync(benchDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'harness.ts') // a helper, not a benchmark
    .map((f) => f.replace(/\.ts$/, ''));
  const [name, ...rest] = args;
  if (!name || !available.includes(name)) {
    throw new AppError('invalid_input', `bench: name one of ${available.join(', ')}${name ? ` (not "${name}")` : ''}`);
  }
  const mod = (await import(`${benchDir}${name}.ts`)) as BenchModule;
  const result = await mod.run(rest);
  printFigures(result);
  return 0;
}
