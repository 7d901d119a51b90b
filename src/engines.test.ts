// `npm install` must print no engine warning on the Node.js versions Rapport says it runs on:
// every package the lock file installs (dev and optional ones too, as npm install does) must accept
// the oldest Node.js that package.json's `engines` allows.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import semver from 'semver';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(fs.readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(fs.readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe('engines', () => {
  const oldest = semver.minVersion(pkg.engines.node)!.version;

  it('names a Node.js minimum that npm can read', () => {
    expect(semver.validRange(pkg.engines.node)).not.toBeNull();
    expect(semver.major(oldest)).toBe(20);
  });

  it('installs no package that refuses the oldest Node.js Rapport supports', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([name, meta]) => name !== '' && meta.engines && !Array.isArray(meta.engines) && meta.engines.node)
      .filter(([, meta]) => !semver.satisfies(oldest, (meta.engines as { node: string }).node))
      .map(([name, meta]) => `${name}@${meta.version} needs node ${(meta.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });
});
