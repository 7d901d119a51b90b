import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { en } from '../i18n/en.ts';
import { ko } from '../i18n/ko.ts';
import type { SegmentDefinition } from '../../../src/segments/definition.ts';
import type { JourneyDefinition, JourneyStep } from './api.ts';
import { blankDefinition } from './graph-edit.ts';
import { issueText, problemText } from './problem-text.ts';
import { conditionSummary, durationParts, exitReasonText, formatClock, formatDuration, outcomeText, stepName, stepSummary, toDuration, triggerSummary, weekdayName, type Names } from './words.ts';

const i18n = i18next.createInstance();
beforeAll(async () => {
  await i18n.init({ resources: { en: { translation: en }, ko: { translation: ko } }, lng: 'en', fallbackLng: 'en', interpolation: { escapeValue: false } });
});
const names: Names = { segment: (id) => ({ s1: 'VIP' })[id], template: (id) => ({ t1: 'Cart reminder' })[id] };

describe('durations', () => {
  it.each([
    [{ days: 2, hours: 3 }, 'en', '2 days 3 hours'],
    [{ hours: 1 }, 'en', '1 hour'],
    [{ minutes: 30 }, 'ko', '30분'],
    [{}, 'en', '0 minutes'],
  ])('%j in %s reads %s', (d, lang, text) => {
    expect(formatDuration(d, lang)).toBe(text);
  });

  it.each([
    [{ days: 2 }, { amount: 2, unit: 'days' }],
    [{ hours: 48 }, { amount: 2, unit: 'days' }],
    [{ hours: 1, minutes: 30 }, { amount: 90, unit: 'minutes' }],
    [{ minutes: 120 }, { amount: 2, unit: 'hours' }],
    [undefined, { amount: 0, unit: 'minutes' }],
  ] as const)('%j edits as %j', (d, parts) => {
    expect(durationParts(d)).toEqual(parts);
    expect(toDuration(parts.amount, parts.unit)).toEqual({ [parts.unit]: parts.amount });
  });
});

describe('times', () => {
  it('says a time of day and a weekday in the language', () => {
    expect(formatClock('09:30', 'en')).toBe('9:30 AM');
    expect(formatClock('21:05', 'en')).toBe('9:05 PM');
    expect(formatClock('bad', 'en')).toBe('bad');
    expect(weekdayName(0, 'en')).toBe('Sunday');
    expect(weekdayName(1, 'ko')).toBe('월요일');
  });
});

describe('triggerSummary', () => {
  it('names the event, or the segment by its name', () => {
    expect(triggerSummary(i18n.t, { type: 'event', event: 'Signed Up' }, names)).toBe('When “Signed Up” happens');
    expect(triggerSummary(i18n.t, { type: 'segment_entered', segmentId: 's1' }, names)).toBe('When a customer enters “VIP”');
    expect(triggerSummary(i18n.t, { type: 'segment_exited', segmentId: 'gone' }, names)).toBe('When a customer leaves “a deleted segment”');
  });
  it('says which date, how many days ahead and from what hour', () => {
    expect(triggerSummary(i18n.t, { type: 'date', field: 'birthday', daysBefore: 3, hour: 10 }, names)).toBe('Each year, 3 days before their birthday, from 10:00');
    expect(triggerSummary(i18n.t, { type: 'date', field: 'signed_up', daysBefore: 0, hour: 9 }, names)).toBe('Each year on their sign-up anniversary, from 9:00');
    expect(triggerSummary(i18n.t, { type: 'date', field: 'attributes.wedding_day', daysBefore: 1, hour: 9 }, { ...names, attribute: () => 'wedding day' })).toBe(
      'Each year, 1 day before their wedding day, from 9:00',
    );
  });
});

describe('conditionSummary', () => {
  it.each<[SegmentDefinition, string]>([
    [{ type: 'tag', tag: 'vip' }, 'has the tag “vip”'],
    [{ type: 'consent', channel: 'sms', purpose: 'marketing' }, 'agreed to SMS (Marketing)'],
    [{ type: 'metric', field: 'order_count', op: 'gte', value: 2 }, 'has at least 2 orders'],
    [{ type: 'metric', field: 'total_spend', op: 'gt', value: 50000 }, 'Total spend more than / after 50,000'],
    [{ type: 'segment', id: 's1' }, 'is in “VIP”'],
    [{ and: [{ type: 'tag', tag: 'a' }, { not: { type: 'tag', tag: 'b' } }] }, 'has the tag “a” and not (has the tag “b”)'],
    [{ or: [{ type: 'tag', tag: 'a' }, { type: 'tag', tag: 'b' }, { type: 'tag', tag: 'c' }, { type: 'tag', tag: 'd' }] }, 'has the tag “a” or has the tag “b” or has the tag “c” (+1 more)'],
    [{ type: 'event', name: 'Order Completed', performed: false }, 'did not do “Order Completed”'],
    [{ type: 'random', buckets: 100, from: 0, to: 50 }, 'a custom condition'],
  ])('%j reads %s', (def, text) => {
    expect(conditionSummary(i18n.t, def, names, 'en')).toBe(text);
  });
});

describe('stepSummary', () => {
  const cases: [JourneyStep, string][] = [
    [{ id: 'a', type: 'delay', mode: 'duration', duration: { hours: 1 }, next: null }, 'Wait 1 hour'],
    [{ id: 'a', type: 'delay', mode: 'time_of_day', at: '10:00', weekday: 1, next: null }, 'Until Monday, 10:00 AM'],
    [{ id: 'a', type: 'delay', mode: 'best_hour', next: null }, "Until the customer's best hour"],
    [{ id: 'a', type: 'wait_event', event: 'Order Completed', timeout: { days: 3 }, next: null, timeoutNext: null }, 'Up to 3 days for “Order Completed”'],
    [{ id: 'a', type: 'send', kind: 'email', templateId: 't1', purpose: 'marketing', bestHour: true, next: null }, 'E-mail · Cart reminder · at their best hour'],
    [{ id: 'a', type: 'send', kind: 'sms', templateId: null, purpose: 'marketing', next: null }, 'SMS/LMS · no template chosen'],
    [{ id: 'a', type: 'split', branches: [{ key: 'A', share: 50, next: null }, { key: 'B', share: 50, next: null }] }, 'A 50% · B 50%'],
    [{ id: 'a', type: 'update_profile', addTags: ['vip', 'gold'], lifecycleStage: 'loyal', next: null }, 'add vip and gold · stage: Loyal'],
    [{ id: 'a', type: 'update_profile', next: null }, 'No change yet'],
    [{ id: 'a', type: 'notify', memberEmail: null, subject: 'Call them', body: 'x', next: null }, 'E-mail to The workspace owners: Call them'],
    [{ id: 'a', type: 'exit' }, 'The journey ends here'],
  ];
  it.each(cases)('%j reads %s', (step, text) => {
    expect(stepSummary(i18n.t, step, names, 'en')).toBe(text);
  });

  it('names a step by its label, else by its type', () => {
    expect(stepName(i18n.t, { label: 'Coupon', type: 'send' })).toBe('Coupon');
    expect(stepName(i18n.t, { label: null, type: 'wait_event' })).toBe('Wait for an event');
  });
});

describe('outcomes and exit reasons', () => {
  it.each([
    ['yes', 'condition', 'Matched (Yes)'],
    ['timeout', 'wait_event', 'Gave up waiting'],
    ['B', 'split', 'Went down branch B'],
    ['held_out', 'send', 'No message (holdout)'],
    ['suppressed', 'send', 'Not sent'],
  ] as const)('%s at a %s reads %s', (outcome, type, text) => {
    expect(outcomeText(i18n.t, outcome, type)).toBe(text);
  });

  it.each([
    ['goal', 'Reached the goal'],
    ['failed: step x no longer exists', 'Stopped by an error'],
    ['something_new', 'Ended (something_new)'],
    [null, null],
  ])('%s reads %s', (reason, text) => {
    expect(exitReasonText(i18n.t, reason)).toBe(text);
  });
});

describe('problems and issues', () => {
  const def: JourneyDefinition = { ...blankDefinition(), graph: { start: 'm', steps: [{ id: 'm', type: 'send', kind: 'email', templateId: null, purpose: 'marketing', label: 'Coupon', next: null }] } };
  it('name the step by its label, the settings by their section', () => {
    expect(problemText(i18n.t, { path: 'graph.steps[0].templateId', code: 'no_template', message: '' }, def)).toBe('“Coupon” has no template.');
    expect(problemText(i18n.t, { path: 'graph.steps[0].next', code: 'dead_end', message: '' }, def)).toBe('“Coupon” has a path that goes nowhere: connect it to a step, or to an exit.');
    expect(problemText(i18n.t, { path: 'entry.segmentId', code: 'unknown_segment', message: '' }, def)).toBe('A segment chosen in the entry rules no longer exists.');
    expect(problemText(i18n.t, { path: 'graph.start', code: 'unknown_step', message: '' }, def)).toBe('Connect the trigger to the first step.');
    expect(problemText(i18n.t, { path: 'graph.steps[0]', code: 'brand_new', message: 'Server words' }, def)).toBe('Server words');
    expect(issueText(i18n.t, { path: 'graph.steps[0].templateId', code: 'no_event' }, def)).toBe('Coupon: Name the event.');
    expect(issueText(i18n.t, { path: 'trigger.event', code: 'no_event' }, def)).toBe('Trigger: Name the event.');
  });
});
