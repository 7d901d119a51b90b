import { describe, expect, it } from 'vitest';
import type { Campaign } from './api.ts';
import { draftFromCampaign, draftToInput, emptyDraft, errorAt, evenShares, fieldErrorOf, shareTotal, stepOfPath, stepProblems, winnerPlan, withVariantCount, type WinnerDraft, type WizardDraft } from './wizard-state.ts';

const SEG = '01a250d3-3163-7205-aa8f-fc2fdf24cb7c';
const T1 = '01a250d3-2fa7-77f9-9e3c-9fd9bbaddf30';
const T2 = '01a250d3-f6a0-732e-bcb7-2536995da5d3';

function ab(): WizardDraft {
  return { ...withVariantCount({ ...emptyDraft(SEG), name: 'Win-back' }, 2), variants: [{ templateId: T1, share: 45 }, { templateId: T2, share: 45 }] };
}

/** An A/B draft that picks a winner. */
function abWinner(winner: Partial<WinnerDraft> = {}): WizardDraft {
  const d = ab();
  return { ...d, winner: { ...d.winner, on: true, ...winner } };
}

/** A saved draft as the API gives it back for `input`. */
function savedCampaign(input: ReturnType<typeof draftToInput>): Campaign {
  return {
    id: 'c',
    status: 'draft',
    channelId: null,
    ...input,
    audience: { ...input.audience, listSize: 0 },
    variants: input.variants.map((v, i) => ({ ...v, key: 'AB'[i]!, name: `Template ${i}`, version: null })),
    goal: { event: 'Order Completed', windowDays: 7, filters: [] },
    audienceSize: null,
    excludedGlobalControl: null,
    createdBy: null,
    createdAt: '',
    updatedAt: '',
    startedAt: null,
    enqueuedAt: null,
    pausedAt: null,
    cancelledAt: null,
  };
}

describe('evenShares', () => {
  it.each([
    [1, 10, [90]],
    [2, 10, [45, 45]],
    [3, 10, [30, 30, 30]],
    [3, 0, [34, 33, 33]],
    [4, 5, [24, 24, 24, 23]],
    [5, 50, [10, 10, 10, 10, 10]],
  ])('%i variants with a %i%% holdout: %j', (count, holdout, expected) => {
    expect(evenShares(count, holdout)).toEqual(expected);
    expect(expected.reduce((a, b) => a + b, 0) + holdout).toBe(100);
  });
});

describe('the draft', () => {
  it('starts from the segment given, one variant and a 10% holdout that make 100', () => {
    const d = emptyDraft(SEG);
    expect(d.segmentIds).toEqual([SEG]);
    expect(shareTotal(d)).toBe(100);
    expect(emptyDraft(null).segmentIds).toEqual([]);
  });

  it('adds a variant by splitting the rest evenly, keeping the templates chosen', () => {
    const d = withVariantCount({ ...emptyDraft(), variants: [{ templateId: T1, share: 90 }] }, 2);
    expect(d.variants).toEqual([{ templateId: T1, share: 45 }, { templateId: null, share: 45 }]);
    expect(withVariantCount(d, 9).variants).toHaveLength(5);
    expect(withVariantCount(d, 0).variants).toHaveLength(1);
  });

  it('says what each step lacks', () => {
    expect(stepProblems(emptyDraft(), 'audience')).toEqual(['name', 'segments']);
    expect(stepProblems(ab(), 'audience')).toEqual([]);
    expect(stepProblems(emptyDraft(), 'content')).toEqual(['templates']);
    expect(stepProblems({ ...ab(), holdoutShare: 20 }, 'content')).toEqual(['shares']);
    expect(stepProblems({ ...ab(), when: 'at', at: '' }, 'schedule')).toEqual(['at']);
    expect(stepProblems({ ...ab(), goalWindowDays: 91 }, 'schedule')).toEqual(['goal']);
    expect(stepProblems(ab(), 'review')).toEqual([]);
  });
});

describe('draftToInput', () => {
  it('is the body the API takes: an A/B campaign with a 10% holdout, now', () => {
    expect(draftToInput(ab(), 'Asia/Seoul')).toEqual({
      name: 'Win-back',
      purpose: 'marketing',
      kind: 'email',
      audience: { segmentIds: [SEG], excludeSegmentIds: [] },
      variants: [{ templateId: T1, share: 45 }, { templateId: T2, share: 45 }],
      holdoutShare: 10,
      schedule: { mode: 'now' },
      throttlePerMinute: 0,
      goal: { event: 'Order Completed', windowDays: 7, filters: [] },
    });
  });

  it('sends a time on the workspace clock as an instant, and a customer-clock time as it is', () => {
    expect(draftToInput({ ...ab(), when: 'at', at: '2026-12-24T10:00' }, 'Asia/Seoul').schedule).toEqual({ mode: 'at', at: '2026-12-24T01:00:00.000Z' });
    expect(draftToInput({ ...ab(), when: 'at', at: '2026-12-24T10:00', customerTimeZone: true }, 'Asia/Seoul').schedule).toEqual({ mode: 'at', at: '2026-12-24T10:00', customerTimeZone: true });
  });

  it('drops the throttle at the best hour (the server refuses the two together)', () => {
    expect(draftToInput({ ...ab(), when: 'best_hour', throttlePerMinute: 100 }, 'UTC')).toMatchObject({ schedule: { mode: 'best_hour' }, throttlePerMinute: 0 });
  });

  it('comes back from a saved draft as it went', () => {
    const input = draftToInput({ ...ab(), when: 'at', at: '2026-12-24T10:00', throttlePerMinute: 500 }, 'Asia/Seoul');
    const back = draftFromCampaign(savedCampaign(input), 'Asia/Seoul');
    expect(back).toMatchObject({ name: 'Win-back', when: 'at', at: '2026-12-24T10:00', customerTimeZone: false, throttlePerMinute: 500, holdoutShare: 10 });
    expect(draftToInput(back, 'Asia/Seoul')).toEqual({ ...input, variants: input.variants.map((v, i) => ({ ...v, name: `Template ${i}` })) });
  });
});

describe('winner selection', () => {
  it('is off by default, with a 20% test, 4 hours and the conversion rate ready for the switch', () => {
    expect(emptyDraft().winner).toEqual({ on: false, testShare: 20, afterHours: 4, by: 'conversion' });
  });

  it('is in the body of a new campaign only when switched on', () => {
    expect(draftToInput(ab(), 'UTC')).not.toHaveProperty('winner');
    expect(draftToInput(abWinner({ testShare: 30, afterHours: 12, by: 'click' }), 'UTC').winner).toEqual({ testShare: 30, afterHours: 12, by: 'click' });
  });

  it('is removed with `winner: null` when switched off on an edit, and sent as it is when on', () => {
    expect(draftToInput(ab(), 'UTC', { editing: true })).toHaveProperty('winner', null);
    expect(draftToInput(abWinner(), 'UTC', { editing: true }).winner).toEqual({ testShare: 20, afterHours: 4, by: 'conversion' });
  });

  it('goes off when the variants drop to one (nothing to pick from), keeping its numbers, and stays off when one is added again', () => {
    const one = withVariantCount(abWinner({ testShare: 35 }), 1);
    expect(one.winner).toEqual({ on: false, testShare: 35, afterHours: 4, by: 'conversion' });
    expect(draftToInput(one, 'UTC')).not.toHaveProperty('winner');
    expect(draftToInput(one, 'UTC', { editing: true })).toHaveProperty('winner', null);
    expect(withVariantCount(one, 2).winner.on).toBe(false);
    expect(withVariantCount(abWinner(), 3).winner.on).toBe(true);
  });

  it('is never sent for a single variant, even if the switch says on', () => {
    const d: WizardDraft = { ...emptyDraft(SEG), winner: { on: true, testShare: 20, afterHours: 4, by: 'conversion' } };
    expect(draftToInput(d, 'UTC')).not.toHaveProperty('winner');
    expect(winnerPlan(d)).toBeNull();
  });

  it.each([
    [{ testShare: 5, afterHours: 1 }, []],
    [{ testShare: 50, afterHours: 168 }, []],
    [{ testShare: 4, afterHours: 4 }, ['winner']],
    [{ testShare: 51, afterHours: 4 }, ['winner']],
    [{ testShare: 20, afterHours: 0 }, ['winner']],
    [{ testShare: 20, afterHours: 169 }, ['winner']],
    [{ testShare: 20.5, afterHours: 4 }, ['winner']],
    [{ testShare: Number.NaN, afterHours: 4 }, ['winner']],
  ])('checks the test share (5–50) and the hours (1–168): %j → %j', (numbers, problems) => {
    expect(stepProblems(abWinner(numbers), 'content')).toEqual(problems);
    // Switched off, its numbers do not matter.
    expect(stepProblems({ ...ab(), winner: { ...abWinner(numbers).winner, on: false } }, 'content')).toEqual([]);
  });

  it.each([
    // holdout, test share → per cents of the whole audience: test, rest (with the holdout, 100)
    [10, 20, 18, 72],
    [0, 20, 20, 80],
    [10, 50, 45, 45],
    [50, 5, 2.5, 47.5],
    [15, 25, 21.25, 63.75],
  ])('holdout %i, test share %i: the variants go to %s per cent of the audience, the winner to %s', (holdoutShare, testShare, test, rest) => {
    const plan = winnerPlan({ ...abWinner({ testShare, afterHours: 6 }), holdoutShare });
    expect(plan).toEqual({ keys: ['A', 'B'], testShare, test, rest, afterHours: 6, by: 'conversion' });
    expect(test + rest + holdoutShare).toBeCloseTo(100);
  });

  it('names every variant in the plan, and none when switched off', () => {
    expect(winnerPlan(withVariantCount(abWinner(), 3))?.keys).toEqual(['A', 'B', 'C']);
    expect(winnerPlan(ab())).toBeNull();
  });

  it('comes back from a saved draft switched on with its numbers, and a draft without one switched off', () => {
    const input = draftToInput(abWinner({ testShare: 10, afterHours: 24, by: 'click' }), 'UTC');
    const back = draftFromCampaign(savedCampaign(input), 'UTC');
    expect(back.winner).toEqual({ on: true, testShare: 10, afterHours: 24, by: 'click' });
    expect(draftToInput(back, 'UTC', { editing: true }).winner).toEqual(input.winner);
    expect(draftFromCampaign({ ...savedCampaign(draftToInput(ab(), 'UTC')), winner: null }, 'UTC').winner.on).toBe(false);
    // A server that does not give the field yet.
    expect(draftFromCampaign(savedCampaign(draftToInput(ab(), 'UTC')), 'UTC').winner.on).toBe(false);
  });
});

describe('server errors', () => {
  it.each([
    ['body.variants.0.templateId: must match format "uuid"', 'variants[0].templateId', 'must match format "uuid"', 'content'],
    ['variants[1].templateId: the template is for sms, the campaign sends email', 'variants[1].templateId', 'the template is for sms, the campaign sends email', 'content'],
    ['variants: the shares and the holdout must add up to 100 (they add up to 60)', 'variants', 'the shares and the holdout must add up to 100 (they add up to 60)', 'content'],
    ['schedule.at: is in the past', 'schedule.at', 'is in the past', 'schedule'],
    ['audience.segmentIds[0]: segment not found', 'audience.segmentIds[0]', 'segment not found', 'audience'],
    ['name: must be 1–200 characters', 'name', 'must be 1–200 characters', 'audience'],
    ['status: a sending campaign can only be renamed', 'status', 'a sending campaign can only be renamed', 'review'],
    ['winner: needs at least two variants', 'winner', 'needs at least two variants', 'content'],
    ['body.winner.testShare: must be <= 50', 'winner.testShare', 'must be <= 50', 'content'],
  ])('%s', (message, path, text, step) => {
    const error = fieldErrorOf(message);
    expect(error).toEqual({ path, message: text });
    expect(stepOfPath(path)).toBe(step);
  });

  it('names no field for a message without one', () => {
    expect(fieldErrorOf('The server answered 500')).toBeNull();
  });

  it('is shown at the field it names or a field above it, not elsewhere', () => {
    const error = fieldErrorOf('audience.segmentIds[0]: segment not found');
    expect(errorAt(error, 'audience.segmentIds')).toBe('segment not found');
    expect(errorAt(error, 'audience.excludeSegmentIds')).toBeUndefined();
    expect(errorAt(fieldErrorOf('schedule.at: is in the past'), 'schedule')).toBe('is in the past');
    expect(errorAt(fieldErrorOf('variants[1].share: too big'), 'variants[1]')).toBe('too big');
    expect(errorAt(fieldErrorOf('variants[1].share: too big'), 'variants[0]')).toBeUndefined();
    expect(errorAt(null, 'name')).toBeUndefined();
  });
});
