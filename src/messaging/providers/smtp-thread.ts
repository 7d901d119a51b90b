// One worker thread per process that sends every SMTP channel's e-mail (smtp-thread.mjs holds the
// nodemailer transports). Building, encoding and writing a 14 KB message costs about as much CPU
// as everything else Rapport does for it; on its own thread it runs beside the dispatcher's
// gating, rendering and recording instead of after it (docs/messaging.md, the benchmark).
//
// The thread starts with the dispatcher and keeps the process alive only while a send is waiting.
// If it dies, the sends it held answer as temporary failures (retried by the dispatcher, same
// Message-ID) and the next send starts a new thread, which opens its transports again.
import { Worker } from 'node:worker_threads';

export type SmtpThreadError = { message: string; code?: string; responseCode?: number; response?: string; command?: string };

type Thread = { worker: Worker; generation: number; waiting: Map<number, (error: SmtpThreadError | null) => void> };

let thread: Thread | null = null;
let generation = 0;
let seq = 0;
let transportIds = 0;

function start(): Thread {
  if (thread) return thread;
  const worker = new Worker(new URL('./smtp-thread.mjs', import.meta.url));
  const t: Thread = { worker, generation: ++generation, waiting: new Map() };
  worker.unref();
  worker.on('message', (m: { seq: number; error?: SmtpThreadError }) => {
    const answer = t.waiting.get(m.seq);
    t.waiting.delete(m.seq);
    if (t.waiting.size === 0) worker.unref();
    answer?.(m.error ?? null);
  });
  const gone = (reason: string) => {
    if (thread === t) thread = null;
    for (const answer of t.waiting.values()) answer({ message: reason, code: 'thread' });
    t.waiting.clear();
  };
  worker.on('error', (err: Error) => gone(`the SMTP thread failed: ${err.message}`));
  worker.on('exit', (code) => gone(`the SMTP thread stopped (exit code ${code})`));
  thread = t;
  return t;
}

/** Starts the thread ahead of the first send (the dispatcher does when it starts). */
export function warmSmtpThread(): void {
  start();
}

/** A transport on the SMTP thread: `options` are nodemailer's (pool, host, auth, dkim…). */
export function threadTransport(options: object) {
  const id = ++transportIds;
  let openedOn = 0;
  return {
    /** Resolves with null when the server accepted the message, else with what went wrong. */
    send(mail: Record<string, unknown>): Promise<SmtpThreadError | null> {
      const t = start();
      if (openedOn !== t.generation) {
        t.worker.postMessage({ type: 'open', id, options });
        openedOn = t.generation;
      }
      const n = ++seq;
      return new Promise((resolve) => {
        if (t.waiting.size === 0) t.worker.ref();
        t.waiting.set(n, resolve);
        t.worker.postMessage({ type: 'send', id, seq: n, mail });
      });
    },
    close(): void {
      if (thread && openedOn === thread.generation) thread.worker.postMessage({ type: 'close', id });
      openedOn = 0;
    },
  };
}

/** Stops the thread (shutdown, and between tests); sends still waiting answer as temporary failures. */
export async function stopSmtpThread(): Promise<void> {
  const t = thread;
  if (!t) return;
  thread = null;
  await t.worker.terminate();
}
