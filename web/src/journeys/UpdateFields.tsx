// A profile update: tags to add and remove, the lifecycle stage, custom attributes to set.
import { ActionIcon, Button, Group, Select, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { LIFECYCLE_STAGES } from '../../../src/customers/vocabulary.ts';
import { useAttributeDefs } from '../customers/api.ts';
import type { UpdateStep } from './api.ts';
import type { StepChange } from './step-change.ts';
import { parseValue, valueText } from './values.ts';

const KEEP = '__keep';
type AttrValue = string | number | boolean | null;

export function UpdateFields({ step, change }: { step: UpdateStep; change: StepChange<UpdateStep> }) {
  const { t } = useTranslation();
  const defs = useAttributeDefs();
  const attrs = Object.entries(step.attributes ?? {});
  const setAttrs = (list: [string, AttrValue][]) => change({ attributes: Object.fromEntries(list) });
  const keys = (defs.data ?? []).map((d) => ({ value: d.key, label: d.label || d.key }));
  return (
    <Stack gap="sm">
      <TagsInput label={t('journeys.update.addTags')} placeholder={t('journeys.update.tagsPlaceholder')} value={step.addTags ?? []} onChange={(addTags) => change({ addTags })} maxTags={20} data-testid="update-add-tags" />
      <TagsInput label={t('journeys.update.removeTags')} placeholder={t('journeys.update.tagsPlaceholder')} value={step.removeTags ?? []} onChange={(removeTags) => change({ removeTags })} maxTags={20} data-testid="update-remove-tags" />
      <Select
        label={t('journeys.update.stage')}
        data={[{ value: KEEP, label: t('journeys.update.keepStage') }, ...LIFECYCLE_STAGES.map((s) => ({ value: s, label: t(`stages.${s}`) }))]}
        value={step.lifecycleStage ?? KEEP}
        allowDeselect={false}
        onChange={(v) => change({ lifecycleStage: !v || v === KEEP ? null : v })}
        data-testid="update-stage"
      />
      <Text size="sm" fw={500}>
        {t('journeys.update.attributes')}
      </Text>
      {attrs.map(([key, value], i) => (
        <Group key={i} gap={4} wrap="nowrap">
          <Select
            size="xs"
            aria-label={t('journeys.update.attrKey')}
            placeholder={t('journeys.update.attrKey')}
            data={keys.some((k) => k.value === key) || !key ? keys : [...keys, { value: key, label: key }]}
            value={key || null}
            searchable
            onChange={(k) => setAttrs(attrs.map(([k0, v0], j) => (j === i ? [k ?? '', v0] : [k0, v0])))}
            style={{ flex: 1 }}
          />
          <TextInput
            size="xs"
            aria-label={t('journeys.update.attrValue')}
            placeholder={t('journeys.update.attrEmpty')}
            value={valueText(value)}
            onChange={(e) => {
              const raw = e.currentTarget.value;
              setAttrs(attrs.map(([k0, v0], j) => (j === i ? [k0, raw === '' ? null : parseValue(raw)] : [k0, v0])));
            }}
            style={{ flex: 1 }}
          />
          <ActionIcon variant="subtle" color="gray" onClick={() => setAttrs(attrs.filter((_, j) => j !== i))} aria-label={t('journeys.update.removeAttr')}>
            <IconX size={14} />
          </ActionIcon>
        </Group>
      ))}
      <Button
        variant="subtle"
        size="compact-xs"
        leftSection={<IconPlus size={12} />}
        // One attribute at a time: a new row waits for its key (an empty key is not stored).
        disabled={attrs.some(([k]) => !k)}
        onClick={() => setAttrs([...attrs, ['', null]])}
        style={{ alignSelf: 'flex-start' }}
      >
        {t('journeys.update.addAttr')}
      </Button>
    </Stack>
  );
}
