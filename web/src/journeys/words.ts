// A journey in words, in the UI's language: durations and times, the trigger, each step (one line
// for its node on the map), a condition step's segment condition, what happened at a step and why
// a run ended. Pure (the translation function and the names of ids are passed in).
import type { TFunction } from 'i18next';
import type { SegmentDefinition } from '../../../src/segments/definition.ts';
import { METRIC_FIELDS, PROFILE_FIELDS } from '../../../src/segments/definition.ts';
import { MESSAGE_STATUSES, type MessageStatus } from '../../../src/messaging/types.ts';
import { CHANNELS, LIFECYCLE_STAGES, PURPOSES } from '../../../src/customers/vocabulary.ts';
import type { Duration, JourneyStep, JourneyTrigger, StepType } from './api.ts';

export type Names = {
  segment: (id: string) => string | undefined;
  template: (id: string) => string | undefined;
  /** A custom attribute's label by its key. */
  attribute?: (key: string) => string | undefined;
};

export type DurationUnit = 'minutes' | 'hours' | 'days';
const UNIT_NAME = { minutes: 'minute', hours: 'hour', days: 'day' } as const;

/** "2 days 3 hours", "2일 3시간". */
export function formatDuration(d: Duration | undefined, language: string): string {
  const parts = (['days', 'hours', 'minutes'] as const).filter((u) => (d?.[u] ?? 0) > 0);
  if (parts.length === 0) return new Intl.NumberFormat(language, { style: 'unit', unit: 'minute', unitDisplay: 'long' }).format(0);
  return parts.map((u) => new Intl.NumberFormat(language, { style: 'unit', unit: UNIT_NAME[u], unitDisplay: 'long' }).format(d![u]!)).join(' ');
}

/** A duration as one amount and unit to edit: the largest unit it is a whole number of. */
export function durationParts(d: Duration | undefined): { amount: number; unit: DurationUnit } {
  const minutes = (d?.days ?? 0) * 1440 + (d?.hours ?? 0) * 60 + (d?.minutes ?? 0);
  if (minutes > 0 && minutes % 1440 === 0) return { amount: minutes / 1440, unit: 'days' };
  if (minutes > 0 && minutes % 60 === 0) return { amount: minutes / 60, unit: 'hours' };
  return { amount: minutes, unit: 'minutes' };
}

export const toDuration = (amount: number, unit: DurationUnit): Duration => ({ [unit]: Math.max(0, Math.round(amount)) });

/** "09:30" as the UI's language says a time of day: "9:30 AM", "오전 9:30". */
export function formatClock(hhmm: string | undefined, language: string): string {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm ?? '');
  if (!m) return hhmm ?? '';
  return new Intl.DateTimeFormat(language, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, 0, 1, Number(m[1]), Number(m[2]))));
}

/** 0 = Sunday … 6 = Saturday, by name. */
export function weekdayName(day: number, language: string): string {
  // 2023-01-01 was a Sunday.
  return new Intl.DateTimeFormat(language, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 1 + day)));
}

const quoteList = (items: readonly string[], language: string) => new Intl.ListFormat(language, { type: 'conjunction' }).format(items);

export function triggerSummary(t: TFunction, trigger: JourneyTrigger, names: Names): string {
  switch (trigger.type) {
    case 'event':
      return t('journeys.summary.trigger.event', { event: trigger.event });
    case 'segment_entered':
    case 'segment_exited':
      return t(`journeys.summary.trigger.${trigger.type}`, { segment: names.segment(trigger.segmentId) ?? t('journeys.summary.deletedSegment') });
    case 'date':
      return t(`journeys.summary.trigger.${trigger.daysBefore === 0 ? 'dateOn' : trigger.daysBefore === 1 ? 'dateDayBefore' : 'dateDaysBefore'}`, {
        date: trigger.field === 'birthday' || trigger.field === 'signed_up' ? t(`journeys.settings.dateFields.${trigger.field}`) : (names.attribute?.(trigger.field.slice('attributes.'.length)) ?? trigger.field.slice('attributes.'.length)),
        count: trigger.daysBefore,
        hour: trigger.hour,
      });
    case 'api':
      return t('journeys.summary.trigger.api');
  }
}

const isMetric = (f: string): f is keyof typeof METRIC_FIELDS => Object.hasOwn(METRIC_FIELDS, f);
const isProfile = (f: string): f is keyof typeof PROFILE_FIELDS => Object.hasOwn(PROFILE_FIELDS, f);

function valueText(v: unknown, t: TFunction, language: string): string {
  if (Array.isArray(v)) return quoteList(v.map((x) => valueText(x, t, language)), language);
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  if (typeof v === 'number') return new Intl.NumberFormat(language).format(v);
  return v === undefined || v === null ? '' : String(v);
}

const MAX_PARTS = 3;

/** A segment condition in a sentence: "has the tag “vip” and has at least 2 orders". */
export function conditionSummary(t: TFunction, def: SegmentDefinition, names: Names, language: string): string {
  if ('and' in def || 'or' in def) {
    const kids = 'and' in def ? def.and : def.or;
    const joiner = 'and' in def ? t('journeys.summary.cond.and') : t('journeys.summary.cond.or');
    const shown = kids.slice(0, MAX_PARTS).map((k) => conditionSummary(t, k, names, language));
    const more = kids.length > MAX_PARTS ? ` ${t('journeys.summary.cond.more', { count: kids.length - MAX_PARTS })}` : '';
    return shown.join(joiner) + more;
  }
  if ('not' in def) return t('journeys.summary.cond.not', { text: conditionSummary(t, def.not, names, language) });
  switch (def.type) {
    case 'tag':
      return t('journeys.summary.cond.tag', { tag: def.tag });
    case 'consent':
      return t('journeys.summary.cond.consent', {
        channel: (CHANNELS as readonly string[]).includes(def.channel) ? t(`channels.${def.channel as (typeof CHANNELS)[number]}`) : def.channel,
        purpose: (PURPOSES as readonly string[]).includes(def.purpose ?? 'marketing') ? t(`consentPurposes.${(def.purpose ?? 'marketing') as (typeof PURPOSES)[number]}`) : String(def.purpose),
      });
    case 'segment':
      return t('journeys.summary.cond.segment', { segment: names.segment(def.id) ?? t('journeys.summary.deletedSegment') });
    case 'metric':
    case 'attribute': {
      if (def.type === 'metric' && def.field === 'order_count' && def.op === 'gte' && typeof def.value === 'number') return t('journeys.summary.cond.ordersAtLeast', { count: def.value });
      const field = def.type === 'metric' ? (isMetric(def.field) ? t(`segments.metrics.${def.field}`) : def.field) : isProfile(def.field) ? t(`segments.profileFields.${def.field}`) : def.field.replace(/^attributes\./, '');
      const op = t(`segments.ops.${def.op}`);
      return def.value === undefined ? `${field} ${op}` : `${field} ${op} ${valueText(def.value, t, language)}`;
    }
    case 'event':
      if (!def.name) return t('journeys.summary.cond.anyEvent');
      return def.performed === false ? t('journeys.summary.cond.noEvent', { event: def.name }) : t('journeys.summary.cond.event', { event: def.name });
    case 'orders':
      return def.count && def.count.op === 'gte' && !def.total && !def.average ? t('journeys.summary.cond.ordersAtLeast', { count: def.count.value }) : t('journeys.summary.cond.orders');
    default:
      return t('journeys.summary.cond.other');
  }
}

/** What a step is called: its label, or its type in words. */
export const stepName = (t: TFunction, step: { label?: string | null; type: StepType }): string => step.label?.trim() || t(`journeys.stepTypes.${step.type}`);

/** One line on what the step does, for its node on the map. */
export function stepSummary(t: TFunction, step: JourneyStep, names: Names, language: string): string {
  switch (step.type) {
    case 'delay':
      if (step.mode === 'best_hour') return t('journeys.summary.delayBest');
      if (step.mode === 'time_of_day') {
        const time = formatClock(step.at, language);
        return step.weekday === undefined ? t('journeys.summary.delayAt', { time }) : t('journeys.summary.delayAtDay', { day: weekdayName(step.weekday, language), time });
      }
      return t('journeys.summary.delayFor', { duration: formatDuration(step.duration, language) });
    case 'wait_event':
      return t('journeys.summary.waitFor', { duration: formatDuration(step.timeout, language), event: step.event });
    case 'condition':
      return conditionSummary(t, step.definition, names, language);
    case 'split':
      return step.branches.map((b) => `${b.key} ${new Intl.NumberFormat(language, { style: 'percent' }).format(b.share / 100)}`).join(' · ');
    case 'send': {
      const template = step.templateId ? (names.template(step.templateId) ?? t('journeys.summary.noTemplate')) : t('journeys.summary.noTemplate');
      const parts = [t(`messaging.kinds.${step.kind}`), template];
      if (step.bestHour) parts.push(t('journeys.summary.bestHour'));
      return parts.join(' · ');
    }
    case 'update_profile': {
      const parts: string[] = [];
      if (step.addTags?.length) parts.push(t('journeys.summary.addTags', { tags: quoteList(step.addTags, language) }));
      if (step.removeTags?.length) parts.push(t('journeys.summary.removeTags', { tags: quoteList(step.removeTags, language) }));
      if (step.lifecycleStage) parts.push(t('journeys.summary.stage', { stage: (LIFECYCLE_STAGES as readonly string[]).includes(step.lifecycleStage) ? t(`stages.${step.lifecycleStage as (typeof LIFECYCLE_STAGES)[number]}`) : step.lifecycleStage }));
      const keys = Object.keys(step.attributes ?? {});
      if (keys.length) parts.push(t('journeys.summary.attributes', { keys: quoteList(keys, language) }));
      return parts.length ? parts.join(' · ') : t('journeys.summary.nothing');
    }
    case 'notify':
      return t('journeys.summary.notifyTo', { who: step.memberEmail || t('journeys.notify.owners'), subject: step.subject });
    case 'exit':
      return t('journeys.summary.exit');
  }
}

const OUTCOMES = ['waited', 'event', 'timeout', 'yes', 'no', 'send', 'sent', 'suppressed', 'held_out', 'done', 'failed'] as const;
type Outcome = (typeof OUTCOMES)[number];

/** What happened at a step: a known outcome in words, a message's status, else (at a split) the branch taken. */
export function outcomeText(t: TFunction, outcome: string, stepType: StepType | null): string {
  // A message step's outcome becomes its message's status once the message is made.
  if (stepType === 'send' && outcome !== 'send' && (MESSAGE_STATUSES as readonly string[]).includes(outcome)) return t(`messaging.statuses.${outcome as MessageStatus}`);
  if (stepType === 'split' && !(OUTCOMES as readonly string[]).includes(outcome)) return t('journeys.outcomes.branch', { key: outcome });
  if ((OUTCOMES as readonly string[]).includes(outcome)) return t(`journeys.outcomes.${outcome as Outcome}`);
  return t('journeys.outcomes.branch', { key: outcome });
}

const EXIT_REASONS = ['end', 'exit', 'goal', 'left_segment', 'removed', 'archived', 'merged', 'step_removed'] as const;

/** Why a run ended; "failed: …" reads as an error (the detail is for the analyst's view). */
export function exitReasonText(t: TFunction, reason: string | null): string | null {
  if (!reason) return null;
  if ((EXIT_REASONS as readonly string[]).includes(reason)) return t(`journeys.exitReasons.${reason as (typeof EXIT_REASONS)[number]}`);
  if (reason === 'failed' || reason.startsWith('failed:')) return t('journeys.exitReasons.failed');
  return t('journeys.exitReasons.other', { reason });
}
