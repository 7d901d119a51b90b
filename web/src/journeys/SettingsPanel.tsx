// The side panel with no step selected: the journey's name and description, its trigger, who may
// enter and how often, its goal and when customers leave it, and the holdout.
import { Divider, Fieldset, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { JourneyDefinition, JourneyTrigger } from './api.ts';
import type { Issue } from './checks.ts';
import { EntryExitFields } from './EntryExitFields.tsx';
import { DateTriggerFields } from './DateTriggerFields.tsx';
import { EventInput } from './EventInput.tsx';
import { FilterList } from './FilterList.tsx';
import { SegmentSelect } from './SegmentSelect.tsx';
import type { Draft } from './use-draft.ts';

type Props = {
  draft: Draft;
  edit: (fn: (d: JourneyDefinition) => JourneyDefinition) => void;
  setMeta: (patch: Partial<Pick<Draft, 'name' | 'description'>>) => void;
  readOnly: boolean;
  issues: readonly Issue[];
};

const TRIGGER_TYPES: readonly JourneyTrigger['type'][] = ['event', 'segment_entered', 'segment_exited', 'date', 'api'];

/** The trigger a type starts as when chosen (keeping what carries over). */
function triggerOf(type: JourneyTrigger['type'], old: JourneyTrigger): JourneyTrigger {
  switch (type) {
    case 'event':
      return { type, event: old.type === 'event' ? old.event : '', filters: old.type === 'event' ? old.filters : [] };
    case 'segment_entered':
    case 'segment_exited':
      return { type, segmentId: 'segmentId' in old ? old.segmentId : '' };
    case 'date':
      return old.type === 'date' ? old : { type, field: 'birthday', daysBefore: 0, hour: 10 };
    case 'api':
      return { type };
  }
}

export function SettingsPanel({ draft, edit, setMeta, readOnly, issues }: Props) {
  const { t } = useTranslation();
  const def = draft.definition;
  const trigger = def.trigger;
  const setTrigger = (next: JourneyTrigger) => edit((d) => ({ ...d, trigger: next }));
  const errorAt = (path: string) => {
    const issue = issues.find((i) => i.path === path || i.path.startsWith(`${path}[`) || i.path.startsWith(`${path}.`));
    return issue ? t(`journeys.issues.${issue.code}`) : undefined;
  };

  return (
    <Fieldset variant="unstyled" disabled={readOnly} data-testid="settings-panel">
      <Stack gap="sm">
        <TextInput label={t('journeys.editor.name')} value={draft.name} maxLength={200} onChange={(e) => setMeta({ name: e.currentTarget.value })} data-testid="journey-name" />
        <Textarea label={t('journeys.editor.description')} value={draft.description} autosize minRows={1} maxRows={4} maxLength={2000} onChange={(e) => setMeta({ description: e.currentTarget.value })} />
        <Divider />
        <Title order={5}>{t('journeys.settings.trigger')}</Title>
        <Select
          label={t('journeys.settings.triggerType')}
          data={TRIGGER_TYPES.map((type) => ({ value: type, label: t(`journeys.triggerTypes.${type}`) }))}
          value={trigger.type}
          allowDeselect={false}
          onChange={(type) => type && type !== trigger.type && setTrigger(triggerOf(type as JourneyTrigger['type'], trigger))}
          data-testid="trigger-type"
        />
        {trigger.type === 'event' && (
          <>
            <EventInput label={t('journeys.settings.event')} value={trigger.event} onChange={(event) => setTrigger({ ...trigger, event })} error={errorAt('trigger.event')} testId="trigger-event" />
            <FilterList value={trigger.filters} onChange={(filters) => setTrigger({ ...trigger, filters })} error={errorAt('trigger.filters')} testId="trigger-filters" />
          </>
        )}
        {(trigger.type === 'segment_entered' || trigger.type === 'segment_exited') && (
          <SegmentSelect label={t('journeys.settings.segment')} value={trigger.segmentId || null} onChange={(id) => setTrigger({ ...trigger, segmentId: id ?? '' })} error={errorAt('trigger.segmentId')} testId="trigger-segment" />
        )}
        {trigger.type === 'date' && <DateTriggerFields trigger={trigger} onChange={setTrigger} errorAt={errorAt} />}
        {trigger.type === 'api' && (
          <Text size="sm" c="dimmed">
            {t('journeys.settings.apiHelp')}
          </Text>
        )}
        <Divider />
        <EntryExitFields definition={def} edit={edit} errorAt={errorAt} />
      </Stack>
    </Fieldset>
  );
}
