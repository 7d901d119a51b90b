import { describe, expect, it } from 'vitest';
import type { Campaign } from './api.ts';
import { draftFromCampaign, draftToInput, emptyDraft, errorAt, evenShares, fieldErrorOf, shareTotal, stepOfPath, stepProblems, withVariantCount, type WizardDraft } from './wizard-state.ts';

const SEG = '01a250d3-3163-7205-aa8f-fc2fdf24cb7c';
const T1 = '01a250d3-2fa7-77f9-9e3c-9fd9bbaddf30';
const T2 = '01a250d3-f6a0-732e-bcb7-2536995da5d3';

function ab(): WizardDraft {
  return { ...withVariantCount({ ...emptyDraft(SEG), name: 'Win-back' }, 2), variants: [{ templateId: T1, share: 45 }, { templateId: T2, share: 45 }] };
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
    const campaign: Campaign = {
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
    const back = draftFromCampaign(campaign, 'Asia/Seoul');
    expect(back).toMatchObject({ name: 'Win-back', when: 'at', at: '2026-12-24T10:00', customerTimeZone: false, throttlePerMinute: 500, holdoutShare: 10 });
    expect(draftToInput(back, 'Asia/Seoul')).toEqual({ ...input, variants: input.variants.map((v, i) => ({ ...v, name: `Template ${i}` })) });
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
