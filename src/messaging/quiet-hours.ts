// Korean sending hours, in the customer's time zone. Ads between 21:00 and 08:00 (the workspace's
// quiet hours) need the separate night_ads consent; FriendTalk goes out only 08:00–20:50 whatever
// the consent. Pure: the time is passed in.

const DAY_MS = 86_400_000;
export const FRIENDTALK_START_MINUTE = 8 * 60;
export const FRIENDTALK_END_MINUTE = 20 * 60 + 50;

const formats = new Map<string, Intl.DateTimeFormat>();
function formatOf(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
    formats.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string | null | undefined): timeZone is string {
  if (!timeZone) return false;
  try {
    formatOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds since local midnight of `at` in `timeZone`. */
export function localTimeOfDayMs(at: Date, timeZone: string): number {
  let h = 0;
  let m = 0;
  let s = 0;
  for (const p of formatOf(timeZone).formatToParts(at)) {
    if (p.type === 'hour') h = Number(p.value) % 24;
    else if (p.type === 'minute') m = Number(p.value);
    else if (p.type === 'second') s = Number(p.value);
  }
  return ((h * 60 + m) * 60 + s) * 1000 + (((at.getTime() % 1000) + 1000) % 1000);
}

export const localMinute = (at: Date, timeZone: string) => Math.floor(localTimeOfDayMs(at, timeZone) / 60_000);

/** Whether minute-of-day `minute` lies in [start, end), a window that may wrap past midnight. */
export function inWindow(minute: number, start: number, end: number): boolean {
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** The first instant at or after `at` whose local time is `minute` (DST shifts corrected). */
export function nextLocalMinute(at: Date, timeZone: string, minute: number): Date {
  const delta = (((minute * 60_000 - localTimeOfDayMs(at, timeZone)) % DAY_MS) + DAY_MS) % DAY_MS;
  let candidate = new Date(at.getTime() + delta);
  // Across a DST change the wall clock moved by the shift: correct once by the difference.
  const off = localTimeOfDayMs(candidate, timeZone) - minute * 60_000;
  if (off !== 0 && Math.abs(off) < DAY_MS / 2) candidate = new Date(candidate.getTime() - off);
  if (candidate < at) candidate = new Date(candidate.getTime() + DAY_MS);
  return candidate;
}

export type QuietRules = { quietStartMinute: number; quietEndMinute: number };

/** When an ad at `at` in the quiet hours may go instead (their end); undefined when `at` is outside them. */
export function quietHoursEnd(at: Date, timeZone: string, rules: QuietRules): Date | undefined {
  if (!inWindow(localMinute(at, timeZone), rules.quietStartMinute, rules.quietEndMinute)) return undefined;
  return nextLocalMinute(at, timeZone, rules.quietEndMinute);
}

/** When a FriendTalk at `at` may go (08:00 next) when it falls outside 08:00–20:50; undefined when it may go now. */
export function friendTalkStart(at: Date, timeZone: string): Date | undefined {
  if (inWindow(localMinute(at, timeZone), FRIENDTALK_START_MINUTE, FRIENDTALK_END_MINUTE)) return undefined;
  return nextLocalMinute(at, timeZone, FRIENDTALK_START_MINUTE);
}
