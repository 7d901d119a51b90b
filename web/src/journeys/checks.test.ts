import { describe, expect, it } from 'vitest';
import type { JourneyDefinition } from './api.ts';
import { pathTarget, refusalPath, shapeIssues, stepsWithProblems } from './checks.ts';
import { blankDefinition } from './graph-edit.ts';

const withSteps = (steps: JourneyDefinition['graph']['steps'], patch: Partial<JourneyDefinition> = {}): JourneyDefinition => ({ ...blankDefinition(), ...patch, graph: { start: steps[0]?.id ?? null, steps } });

describe('shapeIssues', () => {
  it('finds nothing in a complete journey', () => {
    expect(shapeIssues(blankDefinition())).toEqual([]);
  });

  it('names each field the server would refuse', () => {
    const def = withSteps(
      [
        { id: 'w', type: 'wait_event', event: ' ', filters: [{ property: '', op: 'eq', value: 1 }], timeout: {}, next: null, timeoutNext: null },
        { id: 'd', type: 'delay', mode: 'time_of_day', at: '25:00', next: null },
        { id: 's', type: 'split', branches: [{ key: 'A', share: 60, next: null }, { key: 'A', share: 30, next: null }] },
        { id: 'n', type: 'notify', subject: '', body: 'x', next: null },
        { id: 'c', type: 'condition', definition: { type: 'tag', tag: '' }, next: null, elseNext: null },
        { id: 'u', type: 'update_profile', attributes: { '': 1 }, next: null },
      ],
      { trigger: { type: 'segment_entered', segmentId: '' }, exit: { goal: { event: '', filters: [{ property: 'total', op: 'gte', value: 'x' }], windowDays: 7 }, leaveSegmentId: null } },
    );
    expect(shapeIssues(def)).toEqual([
      { path: 'trigger.segmentId', code: 'no_segment' },
      { path: 'exit.goal.event', code: 'no_event' },
      { path: 'exit.goal.filters[0].value', code: 'not_number' },
      { path: 'graph.steps[0].event', code: 'no_event' },
      { path: 'graph.steps[0].timeout', code: 'no_duration' },
      { path: 'graph.steps[0].filters[0].property', code: 'no_property' },
      { path: 'graph.steps[1].at', code: 'bad_time' },
      { path: 'graph.steps[2].branches', code: 'split_total' },
      { path: 'graph.steps[2].branches', code: 'split_keys' },
      { path: 'graph.steps[3].subject', code: 'no_subject' },
      { path: 'graph.steps[4].definition', code: 'bad_condition' },
      { path: 'graph.steps[5].attributes', code: 'no_attribute' },
    ]);
  });

  it('wants an event name for an event trigger', () => {
    expect(shapeIssues({ ...blankDefinition(), trigger: { type: 'event', event: '' } })).toEqual([{ path: 'trigger.event', code: 'no_event' }]);
  });
});

describe('pathTarget', () => {
  it.each([
    ['graph.steps[3].templateId', { kind: 'step', index: 3, field: 'templateId' }],
    ['graph.steps[12]', { kind: 'step', index: 12, field: '' }],
    ['graph.steps[0].branches[1].next', { kind: 'step', index: 0, field: 'branches[1].next' }],
    ['trigger.segmentId', { kind: 'settings', section: 'trigger', field: 'segmentId' }],
    ['exit.leaveSegmentId', { kind: 'settings', section: 'exit', field: 'leaveSegmentId' }],
    ['graph.start', { kind: 'settings', section: 'start', field: '' }],
    ['holdoutShare', { kind: 'settings', section: 'other', field: 'holdoutShare' }],
  ])('%s → %j', (path, target) => {
    expect(pathTarget(path)).toEqual(target);
  });

  it('lists the steps problems name', () => {
    expect([...stepsWithProblems(['graph.start', 'graph.steps[2].next', 'graph.steps[2]', 'graph.steps[0].templateId'])].sort()).toEqual([0, 2]);
  });
});

describe('refusalPath', () => {
  it.each([
    ['graph.steps[3].event: must be text of 1–200 characters', 'graph.steps[3].event'],
    ['trigger.segmentId: must be an id', 'trigger.segmentId'],
    ['The journey is archived', null],
  ])('%s → %s', (message, path) => {
    expect(refusalPath(message)).toBe(path);
  });
});
