// Who may enter and how often, the goal (an event within some days of entering) and leaving with a
// segment, and the holdout share.
import { Divider, NumberInput, Select, Stack, Switch, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { JourneyDefinition, JourneyEntry, JourneyExit } from './api.ts';
import { DEFAULT_WAIT_EVENT } from './graph-edit.ts';
import { EventInput } from './EventInput.tsx';
import { FilterList } from './FilterList.tsx';
import { SegmentSelect } from './SegmentSelect.tsx';

const ENTRY_MODES: readonly JourneyEntry['mode'][] = ['once', 'again_after', 'always'];
const whole = (v: string | number) => (typeof v === 'number' ? v : Number.parseInt(v, 10) || 0);

type Props = { definition: JourneyDefinition; edit: (fn: (d: JourneyDefinition) => JourneyDefinition) => void; errorAt: (path: string) => string | undefined };

export function EntryExitFields({ definition: def, edit, errorAt }: Props) {
  const { t } = useTranslation();
  const entry = def.entry;
  const goal = def.exit.goal ?? null;
  const setEntry = (patch: Partial<JourneyEntry>) => edit((d) => ({ ...d, entry: { ...d.entry, ...patch } }));
  const setExit = (patch: Partial<JourneyExit>) => edit((d) => ({ ...d, exit: { ...d.exit, ...patch } }));
  const setGoal = (patch: Partial<NonNullable<JourneyExit['goal']>>) => goal && setExit({ goal: { ...goal, ...patch } });

  return (
    <Stack gap="sm">
      <Title order={5}>{t('journeys.settings.entry')}</Title>
      <Select
        label={t('journeys.settings.entryMode')}
        data={ENTRY_MODES.map((m) => ({ value: m, label: t(`journeys.settings.entryModes.${m}`) }))}
        value={entry.mode}
        allowDeselect={false}
        onChange={(m) => {
          if (!m) return;
          const mode = m as JourneyEntry['mode'];
          setEntry(mode === 'again_after' ? { mode, afterDays: entry.afterDays ?? 30 } : { mode, afterDays: undefined });
        }}
        data-testid="entry-mode"
      />
      {entry.mode === 'again_after' && (
        <NumberInput label={t('journeys.settings.afterDays')} min={1} max={3650} allowDecimal={false} value={entry.afterDays ?? 30} onChange={(v) => setEntry({ afterDays: Math.max(1, whole(v)) })} data-testid="entry-after-days" />
      )}
      <SegmentSelect label={t('journeys.settings.entrySegment')} placeholder={t('journeys.settings.anyone')} value={entry.segmentId} clearable onChange={(segmentId) => setEntry({ segmentId })} testId="entry-segment" />
      <Divider />
      <Title order={5}>{t('journeys.settings.exit')}</Title>
      <Switch
        label={t('journeys.settings.goalOn')}
        description={t('journeys.settings.goalHelp')}
        checked={goal !== null}
        onChange={(e) => setExit({ goal: e.currentTarget.checked ? { event: DEFAULT_WAIT_EVENT, filters: [], windowDays: 7 } : null })}
        data-testid="goal-on"
      />
      {goal && (
        <>
          <EventInput label={t('journeys.settings.goalEvent')} value={goal.event} onChange={(event) => setGoal({ event })} error={errorAt('exit.goal.event')} testId="goal-event" />
          <FilterList value={goal.filters} onChange={(filters) => setGoal({ filters })} error={errorAt('exit.goal.filters')} testId="goal-filters" />
          <NumberInput label={t('journeys.settings.goalWindow')} min={1} max={365} allowDecimal={false} value={goal.windowDays} onChange={(v) => setGoal({ windowDays: Math.min(365, Math.max(1, whole(v))) })} data-testid="goal-window" />
        </>
      )}
      <SegmentSelect
        label={t('journeys.settings.leaveSegment')}
        placeholder={t('journeys.settings.noLeave')}
        value={def.exit.leaveSegmentId}
        clearable
        onChange={(leaveSegmentId) => setExit({ leaveSegmentId })}
        testId="exit-segment"
      />
      <Divider />
      <NumberInput
        label={t('journeys.settings.holdout')}
        min={0}
        max={50}
        allowDecimal={false}
        suffix="%"
        value={def.holdoutShare}
        onChange={(v) => edit((d) => ({ ...d, holdoutShare: Math.min(50, Math.max(0, whole(v))) }))}
        data-testid="holdout-share"
      />
      <Text size="xs" c="dimmed">
        {t('journeys.settings.holdoutHelp')}
      </Text>
    </Stack>
  );
}
