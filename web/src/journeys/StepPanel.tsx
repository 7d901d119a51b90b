// The side panel of the selected step: its name on the map, the settings of its type, delete, and
// for analysts the step as stored.
import { ActionIcon, Button, Code, Collapse, Divider, Fieldset, Group, Stack, Text, TextInput, ThemeIcon } from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconTrash, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JourneyDefinition, JourneyStep } from './api.ts';
import type { Issue } from './checks.ts';
import type { FieldError, StepChange } from './step-change.ts';
import { ConditionFields } from './ConditionFields.tsx';
import { removeStep, updateStep } from './graph-edit.ts';
import { SplitFields } from './SplitFields.tsx';
import { STEP_COLORS, STEP_ICONS } from './step-icons.ts';
import { DelayFields, NotifyFields, SendFields, WaitFields } from './StepFields.tsx';
import { UpdateFields } from './UpdateFields.tsx';

type Props = {
  step: JourneyStep;
  index: number;
  edit: (fn: (d: JourneyDefinition) => JourneyDefinition) => void;
  readOnly: boolean;
  issues: readonly Issue[];
  onClose: () => void;
};

/** The change function the fields of one step type get. */

export function StepPanel({ step, index, edit, readOnly, issues, onClose }: Props) {
  const { t } = useTranslation();
  const [details, setDetails] = useState(false);
  const Icon = STEP_ICONS[step.type];
  const change = (patch: Partial<JourneyStep>) => edit((d) => updateStep(d, step.id, (s) => ({ ...s, ...patch }) as JourneyStep));
  const prefix = `graph.steps[${index}]`;
  const errorAt: FieldError = (field) => {
    const issue = issues.find((i) => i.path === `${prefix}.${field}` || i.path.startsWith(`${prefix}.${field}[`) || i.path.startsWith(`${prefix}.${field}.`));
    return issue ? t(`journeys.issues.${issue.code}`) : undefined;
  };

  return (
    <Stack gap="md" data-testid="step-panel" data-step={step.id}>
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <ThemeIcon variant="light" color={STEP_COLORS[step.type]}>
            <Icon size={18} />
          </ThemeIcon>
          <Text fw={600}>{t(`journeys.stepTypes.${step.type}`)}</Text>
        </Group>
        <ActionIcon variant="subtle" color="gray" onClick={onClose} aria-label={t('journeys.step.close')}>
          <IconX size={16} />
        </ActionIcon>
      </Group>
      <Fieldset variant="unstyled" disabled={readOnly}>
        <Stack gap="sm">
          <TextInput
            label={t('journeys.step.label')}
            description={t('journeys.step.labelHelp')}
            placeholder={t(`journeys.stepTypes.${step.type}`)}
            value={step.label ?? ''}
            maxLength={120}
            onChange={(e) => {
              const label = e.currentTarget.value;
              edit((d) => updateStep(d, step.id, (s) => (label.trim() ? { ...s, label } : { ...s, label: undefined })));
            }}
            data-testid="step-label"
          />
          <Divider />
          {step.type === 'delay' && <DelayFields step={step} change={change} errorAt={errorAt} />}
          {step.type === 'wait_event' && <WaitFields step={step} change={change} errorAt={errorAt} />}
          {step.type === 'condition' && <ConditionFields step={step} change={change} readOnly={readOnly} />}
          {step.type === 'split' && <SplitFields step={step} change={change} errorAt={errorAt} />}
          {step.type === 'send' && <SendFields step={step} change={change} />}
          {step.type === 'update_profile' && <UpdateFields step={step} change={change} />}
          {step.type === 'notify' && <NotifyFields step={step} change={change} errorAt={errorAt} />}
          {step.type === 'exit' && (
            <Text size="sm" c="dimmed">
              {t('journeys.exitStep.help')}
            </Text>
          )}
        </Stack>
      </Fieldset>
      {!readOnly && (
        <Button
          variant="light"
          color="red"
          leftSection={<IconTrash size={16} />}
          onClick={() => {
            edit((d) => removeStep(d, step.id));
            onClose();
          }}
          data-testid="step-delete"
        >
          {t('journeys.step.delete')}
        </Button>
      )}
      <div>
        <Button variant="subtle" size="compact-xs" color="gray" leftSection={details ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />} onClick={() => setDetails((v) => !v)}>
          {t('journeys.step.details')}
        </Button>
        <Collapse expanded={details}>
          <Text size="xs" c="dimmed" mt={4}>
            {t('journeys.step.id', { id: step.id })}
          </Text>
          <Code block mt={4} fz="xs">
            {JSON.stringify(step, null, 2)}
          </Code>
        </Collapse>
      </div>
    </Stack>
  );
}
