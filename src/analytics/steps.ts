// Long computations (training a model on a year of purchases) written as generators that yield
// between pieces of their work. Tests, benches and other pure callers run them straight through
// (`runSteps`); a job runs them in slices (`runStepsInSlices`), giving the event loop back after
// each slice. The worker runs the analytics jobs in the process that applies live segment
// updates, and `npm start` in the one that serves the API as well: a training of 1.5 s at 200k
// customers (about 8 s at 1M, by extrapolation) in one piece held up every request and every
// live update for as long.

/** A computation that yields (nothing) now and then, and returns its result. */
export type Steps<T> = Generator<void, T, undefined>;

/** How long a slice may hold the thread before it gives the event loop back. */
export const SLICE_MS = 10;

/** Runs a computation to its end, at once. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs a computation in slices of about `sliceMs`, with a turn of the event loop between two. */
export async function runStepsInSlices<T>(steps: Steps<T>, sliceMs = SLICE_MS): Promise<T> {
  let start = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - start >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      start = performance.now();
    }
  }
}
