import { describe, expect, it } from 'vitest';
import { activationKind } from './activation.ts';

describe('activationKind', () => {
  it.each([
    [{ status: 'draft', version: 0, changedSinceVersion: true }, 'first'],
    [{ status: 'active', version: 2, changedSinceVersion: false }, null],
    [{ status: 'active', version: 2, changedSinceVersion: true }, 'newVersion'],
    [{ status: 'paused', version: 2, changedSinceVersion: false }, 'resume'],
    [{ status: 'paused', version: 2, changedSinceVersion: true }, 'newVersion'],
    [{ status: 'archived', version: 2, changedSinceVersion: true }, null],
  ] as const)('%j → %s', (journey, kind) => {
    expect(activationKind(journey)).toBe(kind);
  });
});
