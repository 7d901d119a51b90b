// How a step and the trigger look on the map: the step's type, its name and what it does, its
// figures from the report, and one handle per branch (labelled when there is more than one).
import { Group, Text, ThemeIcon } from '@mantine/core';
import { IconBolt } from '@tabler/icons-react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatCount } from '../analytics/format.ts';
import { branchesOf, NEXT } from './branches.ts';
import { TARGET_HANDLE, type StepNode, type TriggerNode } from './flow.ts';
import { branchLabel } from './edge-labels.ts';
import { STEP_COLORS, STEP_ICONS } from './step-icons.ts';

export const NODE_WIDTH = 230;

function frame(selected: boolean, problem: boolean): React.CSSProperties {
  const color = problem ? 'var(--mantine-color-red-6)' : selected ? 'var(--mantine-color-blue-6)' : 'var(--mantine-color-default-border)';
  return {
    width: NODE_WIDTH,
    padding: '8px 10px',
    borderRadius: 8,
    background: 'var(--mantine-color-body)',
    border: `${selected || problem ? 2 : 1}px solid ${color}`,
    boxShadow: selected ? '0 0 0 3px var(--mantine-color-blue-light)' : 'var(--mantine-shadow-xs)',
  };
}

export const StepNodeView = memo(function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const { t, i18n } = useTranslation();
  const { step, summary, figures, problem } = data;
  const Icon = STEP_ICONS[step.type];
  const branches = branchesOf(step);
  const typeName = t(`journeys.stepTypes.${step.type}`);
  return (
    <div style={frame(Boolean(selected), Boolean(problem))} data-testid={`step-node-${step.id}`} data-type={step.type} data-problem={problem ? 'true' : undefined}>
      <Handle type="target" position={Position.Top} id={TARGET_HANDLE} />
      <Group gap={6} wrap="nowrap">
        <ThemeIcon size="sm" variant="light" color={STEP_COLORS[step.type]}>
          <Icon size={14} />
        </ThemeIcon>
        <Text size="xs" c="dimmed" fw={600} tt="uppercase" truncate>
          {typeName}
        </Text>
      </Group>
      {step.label && (
        <Text size="sm" fw={600} mt={4} lineClamp={1}>
          {step.label}
        </Text>
      )}
      <Text size="xs" mt={2} lineClamp={2}>
        {summary}
      </Text>
      {figures && (
        <Text size="xs" c="blue" mt={4} data-testid="step-figures">
          {t('journeys.editor.figures', { reached: formatCount(figures.reached, i18n.language), waiting: formatCount(figures.waiting, i18n.language) })}
        </Text>
      )}
      {branches.length > 1 && (
        <div style={{ display: 'flex', justifyContent: 'space-around', marginTop: 6 }}>
          {branches.map((b) => (
            <Text key={b.handle} size="10px" c="dimmed" ta="center" style={{ flex: 1 }}>
              {branchLabel(t, b, i18n.language)}
            </Text>
          ))}
        </div>
      )}
      {branches.map((b, i) => (
        <Handle key={b.handle} type="source" position={Position.Bottom} id={b.handle} style={{ left: `${((i + 1) / (branches.length + 1)) * 100}%` }} data-testid={`handle-${step.id}-${b.handle}`} />
      ))}
    </div>
  );
});

export const TriggerNodeView = memo(function TriggerNodeView({ data, selected }: NodeProps<TriggerNode>) {
  const { t } = useTranslation();
  return (
    <div style={{ ...frame(Boolean(selected), Boolean(data.problem)), background: 'var(--mantine-color-teal-light)' }} data-testid="trigger-node">
      <Group gap={6} wrap="nowrap">
        <ThemeIcon size="sm" color="teal">
          <IconBolt size={14} />
        </ThemeIcon>
        <Text size="xs" fw={600} tt="uppercase" c="teal.8">
          {t('journeys.settings.trigger')}
        </Text>
      </Group>
      <Text size="sm" mt={4} lineClamp={2}>
        {data.summary}
      </Text>
      <Handle type="source" position={Position.Bottom} id={NEXT} />
    </div>
  );
});
