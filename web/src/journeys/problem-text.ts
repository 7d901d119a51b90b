// Problems (from the server, before activation) and issues (found here, before saving) in words,
// naming the step or the settings section they are about. Pure.
import type { TFunction } from 'i18next';
import type { JourneyDefinition, Problem } from './api.ts';
import { pathTarget, type Issue } from './checks.ts';
import { stepName } from './words.ts';

const STEP_CODES = ['unknown_step', 'dead_end', 'no_template', 'unknown_template', 'loop_without_wait', 'unreachable'] as const;

/** The step or settings section a path is about, in words. */
export function whereText(t: TFunction, path: string, def: JourneyDefinition): string {
  const target = pathTarget(path);
  if (target.kind === 'step') {
    const step = def.graph.steps[target.index];
    return step ? stepName(t, step) : t('journeys.problems.sections.other');
  }
  return t(`journeys.problems.sections.${target.section}`);
}

/** A problem in words; one whose code this UI does not know yet keeps the server's message. */
export function problemText(t: TFunction, p: Problem, def: JourneyDefinition): string {
  if (p.code === 'no_start') return t('journeys.problems.no_start');
  if (p.code === 'unknown_segment') return t('journeys.problems.unknown_segment', { section: whereText(t, p.path, def) });
  if ((STEP_CODES as readonly string[]).includes(p.code)) {
    const target = pathTarget(p.path);
    // graph.start pointing at a missing step is the trigger's link, not a step's.
    if (target.kind !== 'step') return t('journeys.problems.no_start');
    return t(`journeys.problems.${p.code as (typeof STEP_CODES)[number]}`, { step: whereText(t, p.path, def) });
  }
  return p.message;
}

/** "Wait for an event: Name the event.", "Trigger: Name the event." (the panel's headings name the settings). */
export function issueText(t: TFunction, issue: Issue, def: JourneyDefinition): string {
  const target = pathTarget(issue.path);
  const where =
    target.kind === 'step' ? whereText(t, issue.path, def) : target.section === 'trigger' || target.section === 'entry' || target.section === 'exit' ? t(`journeys.settings.${target.section}`) : t('journeys.editor.settings');
  return `${where}: ${t(`journeys.issues.${issue.code}`)}`;
}
