// The shape of the imports between files: no loops (the HTTP app imported every area's routes,
// which imported their dependencies type back from the app), and the product never imports the
// benchmarks (the demo data generator lived in bench/ while the demo loaders imported it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const srcDir = path.join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

// Static, type-only, re-export and dynamic imports alike: a loop through types is still a loop
// in the design, and TypeScript's own checker follows it.
const IMPORT = /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function importSpecifiers(file: string): string[] {
  const code = fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

const rel = (file: string) => path.relative(repoRoot, file);

/** Strongly connected components of more than one file (Tarjan), each as sorted repo paths. */
function importLoops(files: string[]): string[][] {
  const known = new Set(files);
  const edges = new Map(
    files.map((file) => [
      file,
      importSpecifiers(file)
        .filter((s) => s.startsWith('.'))
        .map((s) => path.resolve(path.dirname(file), s))
        .filter((target) => known.has(target)),
    ]),
  );
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (file: string) => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of edges.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1) loops.push(component.map(rel).sort());
    }
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return loops;
}

describe('import graph of src/', () => {
  const files = sourceFiles(srcDir);

  it('finds the imports it checks', () => {
    expect(importSpecifiers(path.join(srcDir, 'http', 'app.ts'))).toEqual(expect.arrayContaining(['../customers/routes.ts', '../areas.ts', 'fastify']));
    expect(importSpecifiers(path.join(srcDir, 'cli', 'main.ts'))).toContain('../db/build-template.ts'); // a dynamic import
  });

  it('has no import loop', () => {
    expect(importLoops(files)).toEqual([]);
  });

  it('has no import loop in the web UI either (web/src, which imports some of src/)', () => {
    expect(importLoops([...sourceFiles(path.join(repoRoot, 'web', 'src')), ...files])).toEqual([]);
  });

  it('imports nothing from bench/ outside the bench command', () => {
    const benchDir = path.join(repoRoot, 'bench');
    const offending = files
      .filter((file) => rel(file) !== 'src/cli/bench.ts')
      .flatMap((file) =>
        importSpecifiers(file)
          .filter((s) => s.startsWith('.') && path.resolve(path.dirname(file), s).startsWith(benchDir + path.sep))
          .map((s) => `${rel(file)} → ${s}`),
      );
    expect(offending).toEqual([]);
  });

  it('imports nothing from the CLI outside it (the CLI is a thin app over the areas)', () => {
    const cliDir = path.join(srcDir, 'cli');
    const offending = files
      .filter((file) => !file.startsWith(cliDir + path.sep))
      .flatMap((file) =>
        importSpecifiers(file)
          .filter((s) => s.startsWith('.') && path.resolve(path.dirname(file), s).startsWith(cliDir + path.sep))
          .map((s) => `${rel(file)} → ${s}`),
      );
    expect(offending).toEqual([]);
  });
});
