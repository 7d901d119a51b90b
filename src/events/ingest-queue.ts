// Group commit for ingestion. Requests that arrive while a batch of the same key is being written
// wait in line, and the next writer takes them all at once: one transaction, one set of effect
// queries and one commit for many requests. Concurrent batches of one sender share customers
// (their sessions span batches), so written side by side they would mostly wait for each other's
// row locks; written together they cost a little more than one. Each request is answered when
// the transaction holding its events has committed. Beyond `maxQueuedBytes` waiting, a sender is
// told to come back later (429), which Segment libraries honour.
/** One request: what to write, its size in messages and in bytes, and what it may be written with. */
export type Submission<Payload> = { key: string; bytes: number; size: number; payload: Payload };

export type IngestQueue<Payload, Result> = {
  /** The result once written, or undefined when the line is full (answer 429). */
  submit(s: Submission<Payload>): Promise<Result> | undefined;
  stats(): { writing: number; queued: number; queuedBytes: number };
};

type Waiting<Payload, Result> = Submission<Payload> & { resolve: (r: Result) => void; reject: (e: unknown) => void };

export function createIngestQueue<Payload, Result>(opts: {
  /** Writes several submissions of one key together; returns one result per submission, in order. */
  write: (key: string, payloads: Payload[]) => Promise<Result[]>;
  /** Writers at once over all keys (database connections used). */
  maxWriters: number;
  /** Writers at once for one key. */
  writersPerKey: number;
  /** Messages one write takes at most (a first submission is always taken whole). */
  maxSizePerWrite: number;
  maxQueuedBytes: number;
}): IngestQueue<Payload, Result> {
  const queues = new Map<string, Waiting<Payload, Result>[]>();
  const writingByKey = new Map<string, number>();
  let writing = 0;
  let queuedBytes = 0;
  let queued = 0;

  const take = (key: string): Waiting<Payload, Result>[] => {
    const line = queues.get(key) ?? [];
    const taken: Waiting<Payload, Result>[] = [];
    let size = 0;
    while (line.length && (taken.length === 0 || size + line[0]!.size <= opts.maxSizePerWrite)) {
      const next = line.shift()!;
      taken.push(next);
      size += next.size;
      queuedBytes -= next.bytes;
      queued--;
    }
    if (line.length === 0) queues.delete(key);
    return taken;
  };

  const pump = () => {
    for (const key of queues.keys()) {
      if (writing >= opts.maxWriters) return;
      if ((writingByKey.get(key) ?? 0) >= opts.writersPerKey) continue;
      const group = take(key);
      if (group.length === 0) continue;
      writing++;
      writingByKey.set(key, (writingByKey.get(key) ?? 0) + 1);
      void run(key, group);
    }
  };

  const run = async (key: string, group: Waiting<Payload, Result>[]) => {
    try {
      const results = await opts.write(
        key,
        group.map((w) => w.payload),
      );
      group.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      if (group.length === 1) group[0]!.reject(err);
      else {
        // One request's data may be what failed: write them one by one so the others still land.
        for (const w of group) {
          try {
            const [result] = await opts.write(key, [w.payload]);
            w.resolve(result!);
          } catch (e) {
            w.reject(e);
          }
        }
      }
    } finally {
      writing--;
      const n = (writingByKey.get(key) ?? 1) - 1;
      if (n === 0) writingByKey.delete(key);
      else writingByKey.set(key, n);
      pump();
    }
  };

  return {
    submit(s) {
      if (queuedBytes + s.bytes > opts.maxQueuedBytes && !(queued === 0 && writing < opts.maxWriters && (writingByKey.get(s.key) ?? 0) < opts.writersPerKey)) {
        return undefined;
      }
      return new Promise<Result>((resolve, reject) => {
        const line = queues.get(s.key) ?? [];
        line.push({ ...s, resolve, reject });
        queues.set(s.key, line);
        queuedBytes += s.bytes;
        queued++;
        pump();
      });
    },
    stats: () => ({ writing, queued, queuedBytes }),
  };
}
