// The one clock. Every "now" that decides behaviour (rate limits and slow-downs, delays, expiry,
// quiet hours, SLA, schedules) is read from here, so a test sets the time instead of sleeping.
// Database-side times (now() in SQL) stay the database's; code that compares with them passes
// clock.now() as a parameter instead.

let fixedMs: number | null = null;
let offsetMs = 0;

export const clock = {
  /** The current time in milliseconds since the epoch. */
  nowMs(): number {
    return fixedMs ?? Date.now() + offsetMs;
  },
  now(): Date {
    return new Date(clock.nowMs());
  },
  /** Tests: stop the clock at `at` (it stays there until advanced, moved or reset). */
  set(at: Date | number): void {
    fixedMs = typeof at === 'number' ? at : at.getTime();
  },
  /** Tests: move the clock forward (a stopped clock stays stopped; a running one jumps). */
  advance(ms: number): void {
    if (fixedMs !== null) fixedMs += ms;
    else offsetMs += ms;
  },
  /** Back to the machine's time. */
  reset(): void {
    fixedMs = null;
    offsetMs = 0;
  },
};
