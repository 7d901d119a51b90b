// The map tab: the problems to fix, the canvas, and beside it the panel of the selected step (or,
// with none selected, the trigger and the journey's settings).
import { Flex, Paper, ScrollArea } from '@mantine/core';
import { lazy, Suspense, useMemo } from 'react';
import { PageLoader } from '../app/QueryState.tsx';
import { activationKind } from './activation.ts';
import type { JourneyDefinition, JourneyReport, JourneyView } from './api.ts';
import { pathTarget, stepsWithProblems, type Issue } from './checks.ts';
import { TRIGGER_ID } from './flow.ts';
import { ProblemsPanel } from './ProblemsPanel.tsx';
import { SettingsPanel } from './SettingsPanel.tsx';
import { StepPanel } from './StepPanel.tsx';
import type { Draft } from './use-draft.ts';
import type { Names } from './words.ts';

const JourneyCanvas = lazy(() => import('./JourneyCanvas.tsx').then((m) => ({ default: m.JourneyCanvas })));

const HEIGHT = 'calc(100vh - 260px)';
const MIN_HEIGHT = 520;

type Props = {
  journey: JourneyView;
  draft: Draft;
  dirty: boolean;
  edit: (fn: (d: JourneyDefinition) => JourneyDefinition) => void;
  setMeta: (patch: Partial<Pick<Draft, 'name' | 'description'>>) => void;
  readOnly: boolean;
  selected: string | null;
  onSelect: (id: string | null) => void;
  issues: readonly Issue[];
  report: JourneyReport | undefined;
  names: Names;
};

export function EditorView({ journey, draft, dirty, edit, setMeta, readOnly, selected, onSelect, issues, report, names }: Props) {
  const def = draft.definition;
  const index = def.graph.steps.findIndex((s) => s.id === selected);
  const step = index >= 0 ? def.graph.steps[index]! : null;

  // Problems name steps of the saved definition by index; the map marks them by id.
  const problemIds = useMemo(() => {
    const ids = new Set<string>();
    for (const i of stepsWithProblems(journey.problems.map((p) => p.path))) {
      const id = journey.definition.graph.steps[i]?.id;
      if (id) ids.add(id);
    }
    for (const i of stepsWithProblems(issues.map((p) => p.path))) {
      const id = def.graph.steps[i]?.id;
      if (id) ids.add(id);
    }
    return ids;
  }, [journey, issues, def]);
  const triggerProblem = journey.problems.some((p) => p.path === 'graph.start' || p.path.startsWith('trigger')) || issues.some((i) => i.path.startsWith('trigger'));
  const figures = useMemo(() => new Map((report?.steps ?? []).map((s) => [s.stepId, { reached: s.reached, waiting: s.waiting }])), [report]);

  // A problem's path indexes the saved steps; the step is selected by its id in the draft.
  function pick(path: string) {
    const target = pathTarget(path);
    const id = target.kind === 'step' ? journey.definition.graph.steps[target.index]?.id : undefined;
    onSelect(id && def.graph.steps.some((s) => s.id === id) ? id : TRIGGER_ID);
  }

  return (
    <>
      <ProblemsPanel problems={journey.problems} stale={dirty} savedDefinition={journey.definition} onPick={pick} activatable={activationKind(journey) !== null} />
      <Flex direction={{ base: 'column', md: 'row' }} gap="md" mt="md" align="stretch">
        <Paper withBorder style={{ flex: 1, height: HEIGHT, minHeight: MIN_HEIGHT, overflow: 'hidden' }} data-testid="journey-canvas">
          <Suspense fallback={<PageLoader />}>
            <JourneyCanvas
              definition={def}
              edit={edit}
              readOnly={readOnly}
              selected={selected}
              onSelect={onSelect}
              problemIds={problemIds}
              triggerProblem={triggerProblem}
              figures={report && report.totals.entered > 0 ? figures : null}
              names={names}
            />
          </Suspense>
        </Paper>
        <Paper withBorder w={{ base: '100%', md: 400 }} style={{ height: HEIGHT, minHeight: MIN_HEIGHT }} data-testid="journey-panel">
          <ScrollArea h="100%" p="md" type="auto">
            {step ? (
              <StepPanel key={step.id} step={step} index={index} edit={edit} readOnly={readOnly} issues={issues} onClose={() => onSelect(null)} />
            ) : (
              <SettingsPanel draft={draft} edit={edit} setMeta={setMeta} readOnly={readOnly} issues={issues} />
            )}
          </ScrollArea>
        </Paper>
      </Flex>
    </>
  );
}
