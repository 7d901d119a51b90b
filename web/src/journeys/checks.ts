// What the editor can tell before the server does: fields the server would refuse to store (an
// empty event name, split shares that do not add up to 100…), with the same kind of path as the
// server's problems, and where a problem's path points (a step, or the trigger/entry/exit
// settings). Pure.
import { validateSegmentDefinition } from '../../../src/segments/definition.ts';
import type { JourneyDefinition, PropertyFilter } from './api.ts';

export type Issue = { path: string; code: IssueCode };
export const ISSUE_CODES = ['no_event', 'no_subject', 'no_body', 'split_total', 'split_keys', 'no_segment', 'bad_time', 'no_duration', 'no_property', 'not_number', 'no_attribute', 'bad_condition'] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const RANGE_OPS = ['gte', 'gt', 'lte', 'lt'];

function filterIssues(filters: readonly PropertyFilter[] | undefined, path: string): Issue[] {
  return (filters ?? []).flatMap((f, i): Issue[] => {
    if (!f.property.trim()) return [{ path: `${path}[${i}].property`, code: 'no_property' }];
    if (RANGE_OPS.includes(f.op) && typeof f.value !== 'number') return [{ path: `${path}[${i}].value`, code: 'not_number' }];
    return [];
  });
}

const durationMs = (d: { days?: number; hours?: number; minutes?: number } | undefined) => (d ? (d.days ?? 0) * 1440 + (d.hours ?? 0) * 60 + (d.minutes ?? 0) : 0);

/** Fields the server would refuse to store, so saving would fail: each with its path. */
export function shapeIssues(def: JourneyDefinition): Issue[] {
  const out: Issue[] = [];
  const t = def.trigger;
  if (t.type === 'event') {
    if (!t.event.trim()) out.push({ path: 'trigger.event', code: 'no_event' });
    out.push(...filterIssues(t.filters, 'trigger.filters'));
  }
  if ((t.type === 'segment_entered' || t.type === 'segment_exited') && !t.segmentId) out.push({ path: 'trigger.segmentId', code: 'no_segment' });
  const goal = def.exit.goal;
  if (goal) {
    if (!goal.event.trim()) out.push({ path: 'exit.goal.event', code: 'no_event' });
    out.push(...filterIssues(goal.filters, 'exit.goal.filters'));
  }
  def.graph.steps.forEach((s, i) => {
    const p = `graph.steps[${i}]`;
    switch (s.type) {
      case 'delay':
        if (s.mode === 'duration' && durationMs(s.duration) <= 0) out.push({ path: `${p}.duration`, code: 'no_duration' });
        if (s.mode === 'time_of_day' && !HHMM.test(s.at ?? '')) out.push({ path: `${p}.at`, code: 'bad_time' });
        break;
      case 'wait_event':
        if (!s.event.trim()) out.push({ path: `${p}.event`, code: 'no_event' });
        if (durationMs(s.timeout) <= 0) out.push({ path: `${p}.timeout`, code: 'no_duration' });
        out.push(...filterIssues(s.filters, `${p}.filters`));
        break;
      case 'split':
        if (s.branches.reduce((n, b) => n + b.share, 0) !== 100) out.push({ path: `${p}.branches`, code: 'split_total' });
        if (new Set(s.branches.map((b) => b.key.trim())).size !== s.branches.length || s.branches.some((b) => !b.key.trim())) out.push({ path: `${p}.branches`, code: 'split_keys' });
        break;
      case 'condition':
        if (!validateSegmentDefinition(s.definition, `${p}.definition`).ok) out.push({ path: `${p}.definition`, code: 'bad_condition' });
        break;
      case 'update_profile':
        if (Object.keys(s.attributes ?? {}).some((k) => !k.trim())) out.push({ path: `${p}.attributes`, code: 'no_attribute' });
        break;
      case 'notify':
        if (!s.subject.trim()) out.push({ path: `${p}.subject`, code: 'no_subject' });
        if (!s.body.trim()) out.push({ path: `${p}.body`, code: 'no_body' });
        break;
      default:
        break;
    }
  });
  return out;
}

export type Target = { kind: 'step'; index: number; field: string } | { kind: 'settings'; section: 'trigger' | 'entry' | 'exit' | 'start' | 'other'; field: string };

/** Where a problem's or refusal's path points: `graph.steps[2].templateId` → step 2, field `templateId`. */
export function pathTarget(path: string): Target {
  const step = /^graph\.steps\[(\d+)\]\.?(.*)$/.exec(path);
  if (step) return { kind: 'step', index: Number(step[1]), field: step[2] ?? '' };
  const [head = '', ...rest] = path.split('.');
  const field = rest.join('.');
  if (head === 'trigger' || head === 'entry' || head === 'exit') return { kind: 'settings', section: head, field };
  if (path === 'graph.start') return { kind: 'settings', section: 'start', field: '' };
  return { kind: 'settings', section: 'other', field: path };
}

/** The path a server refusal names ("graph.steps[3].event: must be text…" → "graph.steps[3].event"). */
export function refusalPath(message: string): string | null {
  const m = /^([A-Za-z][\w.[\]]*):\s/.exec(message);
  return m ? m[1]! : null;
}

/** Indices of the steps the problems name. */
export function stepsWithProblems(paths: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const p of paths) {
    const t = pathTarget(p);
    if (t.kind === 'step') out.add(t.index);
  }
  return out;
}
