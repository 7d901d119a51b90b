// A journey as the marketer draws it: one trigger, entry and exit rules, and steps with stable ids
// linked by `next` (and a second branch where a step has one). Checked here, without the database:
// `checkJourneyShape` refuses what cannot be stored (a 400 naming the field); `journeyProblems`
// lists what must be fixed before activation (a path with no end, a message without a template…),
// as Dittofeed's getJourneyConstraintViolations does.
import { AppError } from '../errors.ts';
import type { SegmentDefinition } from '../segments/definition.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

export type Duration = { minutes?: number; hours?: number; days?: number };
export type PropertyFilter = { property: string; op: 'eq' | 'neq' | 'gte' | 'gt' | 'lte' | 'lt' | 'contains' | 'exists'; value?: string | number | boolean };

export type JourneyTrigger =
  | { type: 'event'; event: string; filters?: PropertyFilter[] }
  | { type: 'segment_entered'; segmentId: string }
  | { type: 'segment_exited'; segmentId: string }
  /** Each year on the customer's date (birthday, sign-up anniversary, or a custom date attribute), `daysBefore` days ahead, from `hour` in their time zone. */
  | { type: 'date'; field: string; daysBefore: number; hour: number }
  | { type: 'api' };

export type JourneyEntry = {
  /** once: a customer enters at most once ever; again_after: again `afterDays` after their last entry; always: whenever triggered (one active run at a time). */
  mode: 'once' | 'again_after' | 'always';
  afterDays?: number;
  /** Only customers in this segment enter. */
  segmentId?: string | null;
};

export type JourneyExit = {
  /** The goal: a run ends (counted as converted) when the customer does this within `windowDays` of entering. */
  goal?: { event: string; filters?: PropertyFilter[]; windowDays: number } | null;
  /** A run ends when the customer leaves this segment. */
  leaveSegmentId?: string | null;
};

type Base = { id: string; label?: string; position?: { x: number; y: number } };
export type DelayStep = Base & {
  type: 'delay';
  /** Wait this long; or until the next `at` (HH:mm in the customer's zone, on `weekday` 0=Sunday when given); or the customer's best hour. */
  mode: 'duration' | 'time_of_day' | 'best_hour';
  duration?: Duration;
  at?: string;
  weekday?: number;
  next: string | null;
};
export type WaitStep = Base & { type: 'wait_event'; event: string; filters?: PropertyFilter[]; timeout: Duration; next: string | null; timeoutNext: string | null };
export type ConditionStep = Base & { type: 'condition'; definition: SegmentDefinition; next: string | null; elseNext: string | null };
export type SplitStep = Base & { type: 'split'; branches: { key: string; share: number; next: string | null }[] };
export type SendStep = Base & {
  type: 'send';
  kind: 'email' | 'sms' | 'kakao' | 'push' | 'webhook';
  channelId?: string | null;
  templateId: string | null;
  purpose: 'marketing' | 'transactional';
  /** At the customer's best hour instead of at once. */
  bestHour?: boolean;
  next: string | null;
};
export type UpdateStep = Base & {
  type: 'update_profile';
  addTags?: string[];
  removeTags?: string[];
  attributes?: Record<string, string | number | boolean | null>;
  lifecycleStage?: string | null;
  next: string | null;
};
/** Tells a workspace member by e-mail (a VIP drifting away); `memberEmail` or, without it, the workspace's owners. */
export type NotifyStep = Base & { type: 'notify'; memberEmail?: string | null; subject: string; body: string; next: string | null };
export type ExitStep = Base & { type: 'exit' };
export type JourneyStep = DelayStep | WaitStep | ConditionStep | SplitStep | SendStep | UpdateStep | NotifyStep | ExitStep;
export type StepType = JourneyStep['type'];
export const STEP_TYPES: readonly StepType[] = ['delay', 'wait_event', 'condition', 'split', 'send', 'update_profile', 'notify', 'exit'];

export type JourneyGraph = { start: string | null; steps: JourneyStep[] };

export type JourneyDefinition = {
  trigger: JourneyTrigger;
  entry: JourneyEntry;
  exit: JourneyExit;
  graph: JourneyGraph;
  /** Per cent of entrants held out: they walk the journey but get no messages. */
  holdoutShare: number;
};

export type Problem = { path: string; code: string; message: string };

const bad = (message: string) => new AppError('invalid_input', message);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STEP_ID = /^[A-Za-z0-9_-]{1,40}$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const MAX_STEPS = 100;
const KINDS = ['email', 'sms', 'kakao', 'push', 'webhook'] as const;
const FILTER_OPS = ['eq', 'neq', 'gte', 'gt', 'lte', 'lt', 'contains', 'exists'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, path: string, max = 200): string => {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw bad(`${path}: must be text of 1–${max} characters`);
  return v;
};
const optionalText = (v: unknown, path: string, max = 200): string | undefined => (v === undefined || v === null ? undefined : text(v, path, max));
const uuid = (v: unknown, path: string): string => {
  if (typeof v !== 'string' || !UUID.test(v)) throw bad(`${path}: must be an id`);
  return v.toLowerCase();
};
const int = (v: unknown, path: string, min: number, max: number): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`${path}: must be a whole number from ${min} to ${max}`);
  return v;
};
const nextRef = (v: unknown, path: string): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !STEP_ID.test(v)) throw bad(`${path}: must be a step id`);
  return v;
};

export function durationMs(d: Duration): number {
  return (d.days ?? 0) * DAY_MS + (d.hours ?? 0) * HOUR_MS + (d.minutes ?? 0) * MINUTE_MS;
}

function checkDuration(v: unknown, path: string): Duration {
  if (!isObject(v)) throw bad(`${path}: must be { days?, hours?, minutes? }`);
  const d: Duration = {};
  for (const k of Object.keys(v)) if (!['days', 'hours', 'minutes'].includes(k)) throw bad(`${path}.${k}: is not a duration unit (days, hours, minutes)`);
  if (v.days !== undefined) d.days = int(v.days, `${path}.days`, 0, 3650);
  if (v.hours !== undefined) d.hours = int(v.hours, `${path}.hours`, 0, 10_000);
  if (v.minutes !== undefined) d.minutes = int(v.minutes, `${path}.minutes`, 0, 100_000);
  if (durationMs(d) <= 0) throw bad(`${path}: must be longer than zero`);
  return d;
}

function checkFilters(v: unknown, path: string): PropertyFilter[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > 20) throw bad(`${path}: must be a list of at most 20 filters`);
  return v.map((f, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(f)) throw bad(`${p}: must be { property, op, value }`);
    const property = text(f.property, `${p}.property`);
    if (!(FILTER_OPS as readonly unknown[]).includes(f.op)) throw bad(`${p}.op: must be one of ${FILTER_OPS.join(', ')}`);
    const op = f.op as PropertyFilter['op'];
    if (op === 'exists') return { property, op };
    if (!['string', 'number', 'boolean'].includes(typeof f.value)) throw bad(`${p}.value: must be text, a number or true/false`);
    if (['gte', 'gt', 'lte', 'lt'].includes(op) && typeof f.value !== 'number') throw bad(`${p}.value: must be a number for ${op}`);
    return { property, op, value: f.value as string | number | boolean };
  });
}

function checkTrigger(v: unknown): JourneyTrigger {
  if (!isObject(v)) throw bad('trigger: must be { type, … }');
  switch (v.type) {
    case 'event':
      return { type: 'event', event: text(v.event, 'trigger.event'), filters: checkFilters(v.filters, 'trigger.filters') };
    case 'segment_entered':
    case 'segment_exited':
      return { type: v.type, segmentId: uuid(v.segmentId, 'trigger.segmentId') };
    case 'date': {
      const field = text(v.field, 'trigger.field', 100);
      if (field !== 'birthday' && field !== 'signed_up' && !/^attributes\.[a-z][a-z0-9_]{0,62}$/.test(field)) throw bad('trigger.field: must be birthday, signed_up or attributes.<a date attribute>');
      return { type: 'date', field, daysBefore: v.daysBefore === undefined ? 0 : int(v.daysBefore, 'trigger.daysBefore', 0, 60), hour: v.hour === undefined ? 10 : int(v.hour, 'trigger.hour', 0, 23) };
    }
    case 'api':
      return { type: 'api' };
    default:
      throw bad('trigger.type: must be event, segment_entered, segment_exited, date or api');
  }
}

function checkEntry(v: unknown): JourneyEntry {
  if (v === undefined || v === null) return { mode: 'once', segmentId: null };
  if (!isObject(v)) throw bad('entry: must be { mode, afterDays?, segmentId? }');
  if (!['once', 'again_after', 'always'].includes(v.mode as string)) throw bad('entry.mode: must be once, again_after or always');
  const entry: JourneyEntry = { mode: v.mode as JourneyEntry['mode'], segmentId: v.segmentId == null ? null : uuid(v.segmentId, 'entry.segmentId') };
  if (entry.mode === 'again_after') entry.afterDays = int(v.afterDays, 'entry.afterDays', 1, 3650);
  return entry;
}

function checkExit(v: unknown): JourneyExit {
  if (v === undefined || v === null) return { goal: null, leaveSegmentId: null };
  if (!isObject(v)) throw bad('exit: must be { goal?, leaveSegmentId? }');
  let goal: JourneyExit['goal'] = null;
  if (v.goal != null) {
    if (!isObject(v.goal)) throw bad('exit.goal: must be { event, filters?, windowDays }');
    goal = { event: text(v.goal.event, 'exit.goal.event'), filters: checkFilters(v.goal.filters, 'exit.goal.filters'), windowDays: int(v.goal.windowDays, 'exit.goal.windowDays', 1, 365) };
  }
  return { goal, leaveSegmentId: v.leaveSegmentId == null ? null : uuid(v.leaveSegmentId, 'exit.leaveSegmentId') };
}

function checkStep(v: unknown, path: string): JourneyStep {
  if (!isObject(v)) throw bad(`${path}: must be a step { id, type, … }`);
  if (typeof v.id !== 'string' || !STEP_ID.test(v.id)) throw bad(`${path}.id: must be 1–40 letters, digits, - or _`);
  const base: Base = { id: v.id };
  const label = optionalText(v.label, `${path}.label`, 120);
  if (label) base.label = label;
  if (v.position !== undefined) {
    if (!isObject(v.position) || typeof v.position.x !== 'number' || typeof v.position.y !== 'number' || !Number.isFinite(v.position.x) || !Number.isFinite(v.position.y)) {
      throw bad(`${path}.position: must be { x, y } numbers`);
    }
    base.position = { x: v.position.x, y: v.position.y };
  }
  const next = nextRef(v.next, `${path}.next`);
  switch (v.type) {
    case 'delay': {
      const mode = v.mode ?? 'duration';
      if (mode === 'duration') return { ...base, type: 'delay', mode, duration: checkDuration(v.duration, `${path}.duration`), next };
      if (mode === 'time_of_day') {
        if (typeof v.at !== 'string' || !HHMM.test(v.at)) throw bad(`${path}.at: must be a time HH:mm`);
        const step: DelayStep = { ...base, type: 'delay', mode, at: v.at, next };
        if (v.weekday !== undefined && v.weekday !== null) step.weekday = int(v.weekday, `${path}.weekday`, 0, 6);
        return step;
      }
      if (mode === 'best_hour') return { ...base, type: 'delay', mode, next };
      throw bad(`${path}.mode: must be duration, time_of_day or best_hour`);
    }
    case 'wait_event':
      if (v.timeout === undefined || v.timeout === null) throw bad(`${path}.timeout: a wait needs a timeout`);
      return {
        ...base,
        type: 'wait_event',
        event: text(v.event, `${path}.event`),
        filters: checkFilters(v.filters, `${path}.filters`),
        timeout: checkDuration(v.timeout, `${path}.timeout`),
        next,
        timeoutNext: nextRef(v.timeoutNext, `${path}.timeoutNext`),
      };
    case 'condition':
      if (!isObject(v.definition)) throw bad(`${path}.definition: must be a segment condition`);
      return { ...base, type: 'condition', definition: v.definition as SegmentDefinition, next, elseNext: nextRef(v.elseNext, `${path}.elseNext`) };
    case 'split': {
      if (!Array.isArray(v.branches) || v.branches.length < 2 || v.branches.length > 5) throw bad(`${path}.branches: must be 2–5 branches`);
      const branches = v.branches.map((b, i) => {
        const bp = `${path}.branches[${i}]`;
        if (!isObject(b)) throw bad(`${bp}: must be { key, share, next }`);
        return { key: text(b.key, `${bp}.key`, 20), share: int(b.share, `${bp}.share`, 0, 100), next: nextRef(b.next, `${bp}.next`) };
      });
      if (branches.reduce((s, b) => s + b.share, 0) !== 100) throw bad(`${path}.branches: the shares must add up to 100`);
      if (new Set(branches.map((b) => b.key)).size !== branches.length) throw bad(`${path}.branches: each branch needs its own key`);
      return { ...base, type: 'split', branches };
    }
    case 'send': {
      if (!(KINDS as readonly unknown[]).includes(v.kind)) throw bad(`${path}.kind: must be one of ${KINDS.join(', ')}`);
      if (v.purpose !== undefined && v.purpose !== 'marketing' && v.purpose !== 'transactional') throw bad(`${path}.purpose: must be marketing or transactional`);
      return {
        ...base,
        type: 'send',
        kind: v.kind as SendStep['kind'],
        channelId: v.channelId == null ? null : uuid(v.channelId, `${path}.channelId`),
        templateId: v.templateId == null ? null : uuid(v.templateId, `${path}.templateId`),
        purpose: (v.purpose as SendStep['purpose']) ?? 'marketing',
        bestHour: v.bestHour === true,
        next,
      };
    }
    case 'update_profile': {
      const tags = (x: unknown, p: string) => {
        if (x === undefined || x === null) return undefined;
        if (!Array.isArray(x) || x.length > 20) throw bad(`${p}: must be a list of at most 20 tags`);
        return x.map((t, i) => text(t, `${p}[${i}]`, 100));
      };
      const step: UpdateStep = { ...base, type: 'update_profile', next };
      const add = tags(v.addTags, `${path}.addTags`);
      const remove = tags(v.removeTags, `${path}.removeTags`);
      if (add) step.addTags = add;
      if (remove) step.removeTags = remove;
      if (v.attributes !== undefined && v.attributes !== null) {
        if (!isObject(v.attributes)) throw bad(`${path}.attributes: must be { key: value }`);
        for (const [k, val] of Object.entries(v.attributes)) {
          if (val !== null && !['string', 'number', 'boolean'].includes(typeof val)) throw bad(`${path}.attributes.${k}: must be text, a number, true/false or null`);
        }
        step.attributes = v.attributes as UpdateStep['attributes'];
      }
      if (v.lifecycleStage != null) step.lifecycleStage = text(v.lifecycleStage, `${path}.lifecycleStage`, 40);
      return step;
    }
    case 'notify': {
      const memberEmail = optionalText(v.memberEmail, `${path}.memberEmail`, 320) ?? null;
      return { ...base, type: 'notify', memberEmail, subject: text(v.subject, `${path}.subject`, 200), body: text(v.body, `${path}.body`, 4000), next };
    }
    case 'exit':
      return { ...base, type: 'exit' };
    default:
      throw bad(`${path}.type: must be one of ${STEP_TYPES.join(', ')}`);
  }
}

/** The definition in stored form, or a 400 naming the first field that cannot be stored. */
export function checkJourneyShape(v: unknown): JourneyDefinition {
  if (!isObject(v)) throw bad('body: must be an object');
  const graph = v.graph;
  if (!isObject(graph)) throw bad('graph: must be { start, steps }');
  if (!Array.isArray(graph.steps) || graph.steps.length > MAX_STEPS) throw bad(`graph.steps: must be a list of at most ${MAX_STEPS} steps`);
  const steps = graph.steps.map((s, i) => checkStep(s, `graph.steps[${i}]`));
  const seen = new Set<string>();
  steps.forEach((s, i) => {
    if (seen.has(s.id)) throw bad(`graph.steps[${i}].id: "${s.id}" is used by another step`);
    seen.add(s.id);
  });
  const holdoutShare = v.holdoutShare === undefined ? 0 : int(v.holdoutShare, 'holdoutShare', 0, 50);
  return { trigger: checkTrigger(v.trigger), entry: checkEntry(v.entry), exit: checkExit(v.exit), graph: { start: nextRef(graph.start, 'graph.start'), steps }, holdoutShare };
}

/** Where each step leads: its branches in order (null where a branch is not connected). */
export function successors(s: JourneyStep): (string | null)[] {
  switch (s.type) {
    case 'wait_event':
      return [s.next, s.timeoutNext];
    case 'condition':
      return [s.next, s.elseNext];
    case 'split':
      return s.branches.map((b) => b.next);
    case 'exit':
      return [];
    default:
      return [s.next];
  }
}

/**
 * What must be fixed before the journey can run, each with the path of the field and a code the
 * editor translates. Known template and segment ids are passed in (the check itself is pure).
 */
export function journeyProblems(def: JourneyDefinition, known: { templateIds?: ReadonlySet<string>; segmentIds?: ReadonlySet<string> } = {}): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map(def.graph.steps.map((s, i) => [s.id, { s, i }]));
  const add = (path: string, code: string, message: string) => problems.push({ path, code, message });
  if (!def.graph.start) add('graph.start', 'no_start', 'The journey has no first step');
  else if (!byId.has(def.graph.start)) add('graph.start', 'unknown_step', `The first step "${def.graph.start}" does not exist`);
  def.graph.steps.forEach((s, i) => {
    const path = `graph.steps[${i}]`;
    successors(s).forEach((n, b) => {
      const field = s.type === 'split' ? `branches[${b}].next` : b === 0 ? 'next' : s.type === 'wait_event' ? 'timeoutNext' : 'elseNext';
      if (n === null) add(`${path}.${field}`, 'dead_end', `Step "${s.label ?? s.id}" has a path with no end: connect it, or to an exit`);
      else if (!byId.has(n)) add(`${path}.${field}`, 'unknown_step', `Step "${s.label ?? s.id}" leads to "${n}", which does not exist`);
    });
    if (s.type === 'send' && !s.templateId) add(`${path}.templateId`, 'no_template', `Message step "${s.label ?? s.id}" has no template`);
    if (s.type === 'send' && s.templateId && known.templateIds && !known.templateIds.has(s.templateId)) add(`${path}.templateId`, 'unknown_template', `Message step "${s.label ?? s.id}" uses a template that does not exist`);
  });
  const segs: [string, string | null | undefined][] = [
    ['trigger.segmentId', 'segmentId' in def.trigger ? def.trigger.segmentId : null],
    ['entry.segmentId', def.entry.segmentId],
    ['exit.leaveSegmentId', def.exit.leaveSegmentId],
  ];
  for (const [path, id] of segs) if (id && known.segmentIds && !known.segmentIds.has(id)) add(path, 'unknown_segment', 'The segment does not exist');
  // A loop must pass a delay or a wait, or a run would step forever within one moment.
  const waits = new Set(def.graph.steps.filter((s) => s.type === 'delay' || s.type === 'wait_event').map((s) => s.id));
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): boolean => {
    if (waits.has(id)) return false;
    const st = state.get(id);
    if (st === 1) return true;
    if (st === 2) return false;
    state.set(id, 1);
    const s = byId.get(id)?.s;
    const loop = s ? successors(s).some((n) => n !== null && byId.has(n) && visit(n)) : false;
    state.set(id, 2);
    return loop;
  };
  for (const s of def.graph.steps) {
    if (visit(s.id)) {
      add(`graph.steps[${byId.get(s.id)!.i}]`, 'loop_without_wait', `Step "${s.label ?? s.id}" is on a loop with no delay or wait`);
      break;
    }
  }
  if (def.graph.start && byId.has(def.graph.start)) {
    const reached = new Set<string>();
    const stack = [def.graph.start];
    while (stack.length) {
      const id = stack.pop()!;
      if (reached.has(id)) continue;
      reached.add(id);
      const s = byId.get(id)?.s;
      if (s) for (const n of successors(s)) if (n && byId.has(n)) stack.push(n);
    }
    def.graph.steps.forEach((s, i) => {
      if (!reached.has(s.id)) add(`graph.steps[${i}]`, 'unreachable', `Step "${s.label ?? s.id}" cannot be reached from the first step`);
    });
  }
  return problems;
}
