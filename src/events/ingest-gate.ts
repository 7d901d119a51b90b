// Back-pressure for ingestion: at most `maxInFlight` batches are written at once; others wait in
// line while the bytes waiting stay under `maxQueuedBytes`, and beyond that a sender is told to
// come back later (429 with Retry-After), which Segment libraries honour.
export type IngestGate = {
  /** A release function once the batch may run, or undefined when the line is full. */
  enter(bytes: number): Promise<() => void> | undefined;
  stats(): { inFlight: number; queued: number; queuedBytes: number };
};

export function createIngestGate(opts: { maxInFlight: number; maxQueuedBytes: number }): IngestGate {
  let inFlight = 0;
  let queuedBytes = 0;
  const queue: { bytes: number; start: () => void }[] = [];

  const release = () => {
    const next = queue.shift();
    if (next) {
      queuedBytes -= next.bytes;
      next.start(); // the slot passes straight to the next in line
    } else inFlight--;
  };
  const once = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };

  return {
    enter(bytes) {
      if (inFlight < opts.maxInFlight) {
        inFlight++;
        return Promise.resolve(once());
      }
      if (queuedBytes + bytes > opts.maxQueuedBytes) return undefined;
      queuedBytes += bytes;
      return new Promise((resolve) => queue.push({ bytes, start: () => resolve(once()) }));
    },
    stats: () => ({ inFlight, queued: queue.length, queuedBytes }),
  };
}
