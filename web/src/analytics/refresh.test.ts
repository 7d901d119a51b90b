import { describe, expect, it } from 'vitest';
import { anyRunning, refreshFinished, runSnapshot, type Run, type Runs } from './refresh.ts';

const run = (id: string, status: Run['status'] = 'succeeded'): Run => ({ id, status, startedAt: '2026-12-01T00:00:00Z', finishedAt: status === 'running' ? null : '2026-12-01T00:01:00Z', durationMs: 10, customers: 1, mode: 'full' });
const all = (id: string, status: Run['status'] = 'succeeded'): Runs => ({ scores: run(id, status), cohorts: run(id, status), basket: run(id, status), affinity: run(id, status), recommendations: run(id, status) });

describe('refreshFinished', () => {
  it('waits for every part to have a new finished run', () => {
    const snap = runSnapshot(all('a'));
    expect(refreshFinished(snap, all('a'))).toBe(false);
    expect(refreshFinished(snap, { ...all('a'), scores: run('b'), cohorts: run('b') })).toBe(false);
    expect(refreshFinished(snap, { ...all('b'), recommendations: run('b', 'running') })).toBe(false);
    expect(refreshFinished(snap, all('b'))).toBe(true);
  });

  it('ends at a failed part (the rest do not run)', () => {
    const snap = runSnapshot(all('a'));
    expect(refreshFinished(snap, { ...all('a'), scores: run('b', 'failed') })).toBe(true);
  });

  it('works before the first run ever', () => {
    const snap = runSnapshot({});
    expect(refreshFinished(snap, {})).toBe(false);
    expect(refreshFinished(snap, { scores: run('b') })).toBe(false);
    expect(refreshFinished(snap, all('b'))).toBe(true);
  });

  it('counts the end of a run that was already going when asked', () => {
    const snap = runSnapshot({ ...all('a'), scores: run('s', 'running') });
    expect(snap.scores).toBeUndefined();
    expect(refreshFinished(snap, { ...all('c'), scores: run('s') })).toBe(true);
  });

  it('ends a refresh that joined a job whose first parts had finished', () => {
    const snap = runSnapshot({ ...all('old'), scores: run('j'), cohorts: run('j'), basket: run('j', 'running') });
    expect(refreshFinished(snap, { ...all('old'), scores: run('j'), cohorts: run('j'), basket: run('j') })).toBe(false);
    expect(refreshFinished(snap, { ...all('j'), recommendations: run('j', 'running') })).toBe(false);
    expect(refreshFinished(snap, all('j'))).toBe(true);
  });

  it('is not ended by an hourly incremental run', () => {
    const snap = runSnapshot(all('a'));
    expect(refreshFinished(snap, { ...all('a'), scores: run('i'), recommendations: { ...run('i'), mode: 'incremental' } })).toBe(false);
  });

  it('knows when something runs', () => {
    expect(anyRunning(all('a'))).toBe(false);
    expect(anyRunning({ basket: run('x', 'running') })).toBe(true);
  });
});
