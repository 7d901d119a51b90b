// Unit tests of ingestion back-pressure.
import { describe, expect, it } from 'vitest';
import { createIngestGate } from './ingest-gate.ts';

describe('createIngestGate', () => {
  it('lets maxInFlight batches run, queues by bytes, and refuses beyond', async () => {
    const gate = createIngestGate({ maxInFlight: 2, maxQueuedBytes: 100 });
    const a = await gate.enter(10)!;
    const b = await gate.enter(10)!;
    const order: string[] = [];
    const c = gate.enter(60)!.then((leave) => (order.push('c'), leave));
    const d = gate.enter(40)!.then((leave) => (order.push('d'), leave));
    expect(gate.stats()).toEqual({ inFlight: 2, queued: 2, queuedBytes: 100 });
    expect(gate.enter(1)).toBeUndefined(); // the line is full: 429
    a();
    a(); // leaving twice frees one slot only
    const leaveC = await c;
    expect(order).toEqual(['c']);
    expect(gate.stats()).toEqual({ inFlight: 2, queued: 1, queuedBytes: 40 });
    b();
    const leaveD = await d;
    expect(order).toEqual(['c', 'd']);
    leaveC();
    leaveD();
    expect(gate.stats()).toEqual({ inFlight: 0, queued: 0, queuedBytes: 0 });
  });

  it('with no queue allowed, refuses as soon as every slot is taken', async () => {
    const gate = createIngestGate({ maxInFlight: 1, maxQueuedBytes: 0 });
    const leave = await gate.enter(5)!;
    expect(gate.enter(5)).toBeUndefined();
    leave();
    expect(gate.enter(5)).toBeDefined();
  });
});
