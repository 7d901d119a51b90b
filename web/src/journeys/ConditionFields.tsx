// A condition step: the common checks edited here (a tag, consent to a channel, a number of orders,
// a segment), anything else in the segments' full condition builder, in a window; the condition in
// words either way.
import { Button, Modal, NumberInput, Paper, Select, Stack, Text, TextInput, Group } from '@mantine/core';
import { IconAdjustments } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CHANNELS, PURPOSES } from '../../../src/customers/vocabulary.ts';
import { validateSegmentDefinition, type SegmentDefinition } from '../../../src/segments/definition.ts';
import { asRootGroup, SegmentBuilder } from '../segments/SegmentBuilder.tsx';
import type { ConditionStep } from './api.ts';
import { defaultOf, definitionOf, simpleOf, SIMPLE_KINDS, type SimpleKind } from './condition-simple.ts';
import { SegmentSelect } from './SegmentSelect.tsx';
import type { StepChange } from './step-change.ts';
import { useNames } from './use-names.ts';
import { conditionSummary } from './words.ts';

export function ConditionFields({ step, change, readOnly }: { step: ConditionStep; change: StepChange<ConditionStep>; readOnly: boolean }) {
  const { t, i18n } = useTranslation();
  const names = useNames();
  const [editing, setEditing] = useState(false);
  const simple = simpleOf(step.definition);
  const set = (definition: SegmentDefinition) => change({ definition });

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {t('journeys.condition.help')}
      </Text>
      <Select
        label={t('journeys.condition.kind')}
        data={SIMPLE_KINDS.map((k) => ({ value: k, label: t(`journeys.condition.kinds.${k}`) }))}
        value={simple.kind}
        allowDeselect={false}
        onChange={(k) => {
          if (!k || k === simple.kind) return;
          if (k === 'custom') setEditing(true);
          else set(defaultOf(k as Exclude<SimpleKind, 'custom'>));
        }}
        data-testid="condition-kind"
      />
      {simple.kind === 'tag' && <TextInput label={t('journeys.condition.tag')} value={simple.tag} maxLength={500} onChange={(e) => set(definitionOf({ kind: 'tag', tag: e.currentTarget.value }))} data-testid="condition-tag" />}
      {simple.kind === 'consent' && (
        <Group grow gap="xs">
          <Select
            label={t('journeys.condition.channel')}
            data={CHANNELS.map((c) => ({ value: c, label: t(`channels.${c}`) }))}
            value={simple.channel}
            allowDeselect={false}
            onChange={(c) => c && set(definitionOf({ ...simple, channel: c }))}
            data-testid="condition-channel"
          />
          <Select
            label={t('journeys.condition.purpose')}
            data={PURPOSES.map((p) => ({ value: p, label: t(`consentPurposes.${p}`) }))}
            value={simple.purpose}
            allowDeselect={false}
            onChange={(p) => p && set(definitionOf({ ...simple, purpose: p }))}
            data-testid="condition-purpose"
          />
        </Group>
      )}
      {simple.kind === 'orders' && (
        <NumberInput
          label={t('journeys.condition.minOrders')}
          min={0}
          allowDecimal={false}
          value={simple.min}
          onChange={(v) => set(definitionOf({ kind: 'orders', min: typeof v === 'number' ? v : Number.parseInt(v, 10) || 0 }))}
          data-testid="condition-orders"
        />
      )}
      {simple.kind === 'segment' && <SegmentSelect label={t('journeys.condition.segment')} value={simple.id || null} onChange={(id) => set(definitionOf({ kind: 'segment', id: id ?? '' }))} testId="condition-segment" />}
      <Paper withBorder p="xs" bg="var(--mantine-color-default-hover)">
        <Text size="xs" c="dimmed">
          {t('journeys.condition.summary')}
        </Text>
        <Text size="sm" data-testid="condition-summary">
          {conditionSummary(t, step.definition, names, i18n.language)}
        </Text>
      </Paper>
      <Button variant="light" size="xs" leftSection={<IconAdjustments size={14} />} onClick={() => setEditing(true)} style={{ alignSelf: 'flex-start' }} data-testid="condition-advanced">
        {t('journeys.condition.advanced')}
      </Button>
      {editing && <BuilderModal value={step.definition} readOnly={readOnly} onClose={() => setEditing(false)} onApply={set} />}
    </Stack>
  );
}

function BuilderModal({ value, readOnly, onClose, onApply }: { value: SegmentDefinition; readOnly: boolean; onClose: () => void; onApply: (d: SegmentDefinition) => void }) {
  const { t } = useTranslation();
  const [local, setLocal] = useState<SegmentDefinition>(() => asRootGroup(value));
  const check = validateSegmentDefinition(local);
  const errors = check.ok ? [] : check.errors;
  return (
    <Modal opened onClose={onClose} title={t('journeys.condition.editorTitle')} size="80rem" data-testid="condition-modal">
      <Stack>
        <SegmentBuilder value={local} onChange={setLocal} errors={errors} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          {!readOnly && (
            <Button
              disabled={!check.ok}
              onClick={() => {
                onApply(local);
                onClose();
              }}
              data-testid="condition-apply"
            >
              {t('journeys.condition.apply')}
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
