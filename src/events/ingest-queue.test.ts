// Unit tests of group commit and back-pressure for ingestion.
import { describe, expect, it } from 'vitest';
import { createIngestQueue } from './ingest-queue.ts';

type Call = { key: string; payloads: string[] };

/** A queue whose writes finish only when the test says so. */
function harness(opts: { maxWriters: number; writersPerKey: number; maxSizePerWrite: number; maxQueuedBytes: number; fail?: (payloads: string[]) => boolean }) {
  const calls: Call[] = [];
  const pending: (() => void)[] = [];
  const queue = createIngestQueue<string, string>({
    ...opts,
    write: (key, payloads) =>
      new Promise((resolve, reject) => {
        calls.push({ key, payloads });
        pending.push(() => (opts.fail?.(payloads) ? reject(new Error(`failed ${payloads.join('+')}`)) : resolve(payloads.map((p) => `done ${p}`))));
      }),
  });
  const finishNext = async () => {
    pending.shift()!();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { queue, calls, finishNext };
}

describe('createIngestQueue', () => {
  it('writes requests that waited together, each answered with its own result', async () => {
    const { queue, calls, finishNext } = harness({ maxWriters: 4, writersPerKey: 1, maxSizePerWrite: 250, maxQueuedBytes: 1000 });
    const a = queue.submit({ key: 'k', bytes: 10, size: 100, payload: 'a' })!;
    const b = queue.submit({ key: 'k', bytes: 10, size: 100, payload: 'b' })!;
    const c = queue.submit({ key: 'k', bytes: 10, size: 100, payload: 'c' })!;
    const d = queue.submit({ key: 'k', bytes: 10, size: 100, payload: 'd' })!;
    expect(calls).toEqual([{ key: 'k', payloads: ['a'] }]);
    expect(queue.stats()).toEqual({ writing: 1, queued: 3, queuedBytes: 30 });
    await finishNext();
    expect(await a).toBe('done a');
    // b and c fit in one write of at most 250 messages; d waits for the next.
    expect(calls[1]).toEqual({ key: 'k', payloads: ['b', 'c'] });
    await finishNext();
    expect([await b, await c]).toEqual(['done b', 'done c']);
    expect(calls[2]).toEqual({ key: 'k', payloads: ['d'] });
    await finishNext();
    expect(await d).toBe('done d');
    expect(queue.stats()).toEqual({ writing: 0, queued: 0, queuedBytes: 0 });
  });

  it('writes different keys side by side, up to maxWriters', async () => {
    const { queue, calls, finishNext } = harness({ maxWriters: 2, writersPerKey: 1, maxSizePerWrite: 1000, maxQueuedBytes: 1000 });
    queue.submit({ key: 'x', bytes: 1, size: 1, payload: 'x1' });
    queue.submit({ key: 'y', bytes: 1, size: 1, payload: 'y1' });
    const z = queue.submit({ key: 'z', bytes: 1, size: 1, payload: 'z1' })!;
    expect(calls.map((c) => c.key)).toEqual(['x', 'y']);
    await finishNext();
    expect(calls.map((c) => c.key)).toEqual(['x', 'y', 'z']);
    await finishNext();
    await finishNext();
    expect(await z).toBe('done z1');
  });

  it('refuses when the bytes waiting would pass the limit, and never when a writer is free', async () => {
    const { queue, finishNext } = harness({ maxWriters: 1, writersPerKey: 1, maxSizePerWrite: 1000, maxQueuedBytes: 0 });
    const first = queue.submit({ key: 'k', bytes: 500, size: 1, payload: 'big' });
    expect(first).toBeDefined(); // a free writer takes it whatever its size
    expect(queue.submit({ key: 'k', bytes: 1, size: 1, payload: 'more' })).toBeUndefined();
    await finishNext();
    expect(await first).toBe('done big');
    expect(queue.submit({ key: 'k', bytes: 1, size: 1, payload: 'again' })).toBeDefined();
  });

  it('when a shared write fails, writes each request alone so the others still land', async () => {
    const { queue, calls, finishNext } = harness({ maxWriters: 1, writersPerKey: 1, maxSizePerWrite: 1000, maxQueuedBytes: 1000, fail: (p) => p.includes('bad') });
    const first = queue.submit({ key: 'k', bytes: 1, size: 1, payload: 'first' })!;
    const good = queue.submit({ key: 'k', bytes: 1, size: 1, payload: 'good' })!;
    const bad = queue.submit({ key: 'k', bytes: 1, size: 1, payload: 'bad' })!;
    const badResult = bad.catch((e: Error) => e.message);
    await finishNext();
    expect(await first).toBe('done first');
    await finishNext(); // good+bad together: fails
    await finishNext(); // good alone
    await finishNext(); // bad alone
    expect(await good).toBe('done good');
    expect(await badResult).toBe('failed bad');
    expect(calls.map((c) => c.payloads.join('+'))).toEqual(['first', 'good+bad', 'good', 'bad']);
  });
});
