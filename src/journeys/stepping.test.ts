import { describe, expect, it } from 'vitest';
import { checkJourneyShape, journeyProblems, type JourneyGraph } from './graph.ts';
import { passesFilters } from './listen.ts';
import { advanceRun, bucketOf, type RunState } from './stepping.ts';
import { delayEnd } from './engine.ts';

const NOW = new Date('2026-11-02T01:00:00Z');
const T = '0190a0b0-0000-7000-8000-000000000001';
const run = (over: Partial<RunState> = {}): RunState => ({ id: 'r1', stepId: 'a', seq: 0, waiting: false, matched: false, holdout: false, ...over });
const inputs = (conditions: Record<string, boolean> = {}) => ({ now: NOW, conditions: new Map(Object.entries(conditions)), delayUntil: () => new Date(NOW.getTime() + 3_600_000) });

const graph: JourneyGraph = {
  start: 'a',
  steps: [
    { id: 'a', type: 'send', kind: 'email', templateId: T, purpose: 'marketing', next: 'cond' },
    { id: 'cond', type: 'condition', definition: { type: 'tag', tag: 'vip' }, next: 'wait', elseNext: 'end' },
    { id: 'wait', type: 'wait_event', event: 'Order Completed', timeout: { days: 3 }, next: 'end', timeoutNext: 'later' },
    { id: 'later', type: 'delay', mode: 'duration', duration: { hours: 1 }, next: 'b' },
    { id: 'b', type: 'send', kind: 'email', templateId: T, purpose: 'marketing', next: 'end' },
    { id: 'end', type: 'exit' },
  ],
};

describe('advanceRun', () => {
  it('sends, then stops at a condition it cannot answer without the database', () => {
    const adv = advanceRun(graph, run(), inputs());
    expect(adv).toMatchObject({ stepId: 'cond', seq: 1, needs: 'cond', finished: null });
    expect(adv.actions).toEqual([{ type: 'send', step: graph.steps[0], seq: 1 }]);
  });

  it('given the answer, takes the same first step again and waits for the event with its timeout', () => {
    const adv = advanceRun(graph, run(), inputs({ cond: true }));
    expect(adv.taken.map((t) => [t.seq, t.step.id, t.outcome])).toEqual([
      [1, 'a', 'send'],
      [2, 'cond', 'yes'],
    ]);
    expect(adv).toMatchObject({ stepId: 'wait', waiting: true, needs: null });
    expect(adv.dueAt!.getTime() - NOW.getTime()).toBe(3 * 86_400_000);
  });

  it.each([
    ['the event came', true, 'event', 'end', { status: 'completed', reason: 'exit' }],
    ['the wait timed out', false, 'timeout', 'later', null],
  ])('at a wait when %s: follows the right branch', (_what, matched, outcome, next, finished) => {
    const adv = advanceRun(graph, run({ stepId: 'wait', seq: 2, waiting: true, matched }), inputs());
    expect(adv.taken[0]).toMatchObject({ seq: 3, outcome });
    if (next === 'end') expect(adv.finished).toEqual(finished);
    else expect(adv).toMatchObject({ stepId: 'later', waiting: true });
  });

  it('gives the holdout no message but walks them on', () => {
    const adv = advanceRun(graph, run({ holdout: true }), inputs({ cond: false }));
    expect(adv.actions).toEqual([]);
    expect(adv.taken.map((t) => t.outcome)).toEqual(['held_out', 'no', 'done']);
    expect(adv.finished).toEqual({ status: 'completed', reason: 'exit' });
  });

  it('fails a run whose step was removed, and one on a path with no end finishes', () => {
    expect(advanceRun(graph, run({ stepId: 'gone' }), inputs()).finished).toMatchObject({ status: 'failed' });
    const open: JourneyGraph = { start: 'a', steps: [{ id: 'a', type: 'update_profile', addTags: ['x'], next: null }] };
    expect(advanceRun(open, run(), inputs()).finished).toEqual({ status: 'completed', reason: 'end' });
  });

  it('splits entrants by the shares: a simulation of 20,000 runs lands within 4 standard errors of 30/70', () => {
    const split: JourneyGraph = {
      start: 's',
      steps: [
        {
          id: 's',
          type: 'split',
          branches: [
            { key: 'A', share: 30, next: 'e' },
            { key: 'B', share: 70, next: 'e' },
          ],
        },
        { id: 'e', type: 'exit' },
      ],
    };
    const n = 20_000;
    let a = 0;
    for (let i = 0; i < n; i++) if (advanceRun(split, run({ id: `run-${i}`, stepId: 's' }), inputs()).taken[0]!.outcome === 'A') a++;
    const se = Math.sqrt((0.3 * 0.7) / n);
    expect(Math.abs(a / n - 0.3)).toBeLessThan(4 * se);
    // The draw is the same on a retry.
    expect(bucketOf('run-1', 's', 1)).toBe(bucketOf('run-1', 's', 1));
  });
});

describe('journey checks', () => {
  const def = (g: JourneyGraph) => checkJourneyShape({ trigger: { type: 'api' }, graph: g });
  it('finds nothing wrong with a complete journey', () => {
    expect(journeyProblems(def(graph), { templateIds: new Set([T]) })).toEqual([]);
  });
  it.each([
    ['a path with no end', { start: 'a', steps: [{ id: 'a', type: 'delay', mode: 'duration', duration: { hours: 1 } }] }, 'dead_end', 'graph.steps[0].next'],
    ['a message without a template', { start: 'a', steps: [{ id: 'a', type: 'send', kind: 'sms', next: 'e' }, { id: 'e', type: 'exit' }] }, 'no_template', 'graph.steps[0].templateId'],
    ['a link to nothing', { start: 'a', steps: [{ id: 'a', type: 'update_profile', next: 'zz' }] }, 'unknown_step', 'graph.steps[0].next'],
    ['no first step', { start: null, steps: [] }, 'no_start', 'graph.start'],
    [
      'a loop with no wait',
      { start: 'a', steps: [{ id: 'a', type: 'update_profile', next: 'b' }, { id: 'b', type: 'condition', definition: { type: 'tag', tag: 'x' }, next: 'a', elseNext: 'e' }, { id: 'e', type: 'exit' }] },
      'loop_without_wait',
      'graph.steps[0]',
    ],
    ['a step nobody reaches', { start: 'e', steps: [{ id: 'e', type: 'exit' }, { id: 'x', type: 'exit' }] }, 'unreachable', 'graph.steps[1]'],
  ])('names %s', (_what, g, code, path) => {
    expect(journeyProblems(def(g as unknown as JourneyGraph))).toContainEqual(expect.objectContaining({ code, path }));
  });
});

describe('event filters and delays', () => {
  it.each([
    [[{ property: 'total', op: 'gte', value: 100000 }], { total: 150000 }, true],
    [[{ property: 'total', op: 'gte', value: 100000 }], { total: '99000' }, false],
    [[{ property: 'total', op: 'gte', value: 100000 }], {}, false],
    [[{ property: 'items.0.category', op: 'eq', value: '신발' }], { items: [{ category: '신발' }] }, true],
    [[{ property: 'coupon', op: 'exists' }], { coupon: null }, false],
    [[{ property: 'tags', op: 'contains', value: 'sale' }], { tags: ['new', 'sale'] }, true],
    [[{ property: 'channel', op: 'neq', value: 'sms' }], {}, true],
  ] as const)('%j on %j → %s', (filters, props, expected) => {
    expect(passesFilters(filters as never, props as Record<string, unknown>)).toBe(expected);
  });

  it('waits until the next time of day (and weekday) in the customer’s zone', () => {
    // 10:00 Monday in Seoul: 09:00 is tomorrow; Friday 09:00 is four days on.
    expect(delayEnd({ id: 'd', type: 'delay', mode: 'time_of_day', at: '09:00', next: null }, NOW, 'Asia/Seoul', undefined).toISOString()).toBe('2026-11-03T00:00:00.000Z');
    expect(delayEnd({ id: 'd', type: 'delay', mode: 'time_of_day', at: '09:00', weekday: 5, next: null }, NOW, 'Asia/Seoul', undefined).toISOString()).toBe('2026-11-06T00:00:00.000Z');
    expect(delayEnd({ id: 'd', type: 'delay', mode: 'duration', duration: { days: 1, hours: 2 }, next: null }, NOW, 'Asia/Seoul', undefined).getTime() - NOW.getTime()).toBe(26 * 3_600_000);
  });
});
