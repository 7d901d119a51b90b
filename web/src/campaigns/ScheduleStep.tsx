// Step 3 of the wizard: when (now, at a time on the workspace's clock or each customer's, or at
// each customer's best hour), how fast (a throttle per minute), and what counts as success (the
// goal event and the days after the send it may happen in).
import { Autocomplete, NumberInput, Radio, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useEventNames } from '../events/api.ts';
import { errorAt, type FieldError, type When, type WizardDraft } from './wizard-state.ts';

type Props = { draft: WizardDraft; update: (patch: Partial<WizardDraft>) => void; error: FieldError | null; timeZone: string };

const whole = (v: string | number) => (typeof v === 'number' ? Math.round(v) : Number.parseInt(v, 10) || 0);

export function ScheduleStep({ draft, update, error, timeZone }: Props) {
  const { t } = useTranslation();
  const names = useEventNames();
  const eventOptions = [...new Set(['Order Completed', ...(names.data?.items ?? []).map((e) => e.name)])];
  return (
    <Stack gap="lg" mt="md" maw={760}>
      <Stack gap={6}>
        <Text size="sm" fw={500}>
          {t('campaigns.schedule.when')}
        </Text>
        <SegmentedControl
          value={draft.when}
          onChange={(v) => update({ when: v as When })}
          data={[
            { value: 'now', label: t('campaigns.schedule.now') },
            { value: 'at', label: t('campaigns.schedule.at') },
            { value: 'best_hour', label: t('campaigns.schedule.bestHour') },
          ]}
          data-testid="schedule-when"
        />
        {draft.when === 'now' && (
          <Text size="xs" c="dimmed">
            {t('campaigns.schedule.nowHelp')}
          </Text>
        )}
        {draft.when === 'best_hour' && (
          <Text size="xs" c="dimmed">
            {t('campaigns.schedule.bestHourHelp')}
          </Text>
        )}
        {draft.when === 'at' && (
          <Stack gap="xs">
            <TextInput
              type="datetime-local"
              w={260}
              label={t('campaigns.schedule.atLabel')}
              value={draft.at}
              onChange={(e) => update({ at: e.currentTarget.value })}
              error={errorAt(error, 'schedule')}
              data-testid="schedule-at"
            />
            <Radio.Group value={draft.customerTimeZone ? 'customer' : 'workspace'} onChange={(v) => update({ customerTimeZone: v === 'customer' })} data-testid="schedule-zone">
              <Stack gap={6}>
                <Radio value="workspace" label={t('campaigns.schedule.workspaceZone', { zone: timeZone })} data-testid="schedule-zone-workspace" />
                <Radio value="customer" label={t('campaigns.schedule.customerZone')} description={t('campaigns.schedule.customerZoneHelp', { zone: timeZone })} data-testid="schedule-zone-customer" />
              </Stack>
            </Radio.Group>
          </Stack>
        )}
      </Stack>

      <NumberInput
        w={260}
        label={t('campaigns.schedule.throttle')}
        description={t(draft.when === 'best_hour' ? 'campaigns.schedule.throttleBestHour' : 'campaigns.schedule.throttleHelp')}
        min={0}
        max={1_000_000}
        allowDecimal={false}
        thousandSeparator=","
        disabled={draft.when === 'best_hour'}
        value={draft.when === 'best_hour' ? 0 : draft.throttlePerMinute}
        onChange={(v) => update({ throttlePerMinute: whole(v) })}
        error={errorAt(error, 'throttlePerMinute')}
        data-testid="schedule-throttle"
      />

      <Stack gap="xs">
        <Text size="sm" fw={500}>
          {t('campaigns.schedule.goal')}
        </Text>
        <Autocomplete
          w={360}
          label={t('campaigns.schedule.goalEvent')}
          description={t('campaigns.schedule.goalEventHelp')}
          data={eventOptions}
          value={draft.goalEvent}
          onChange={(v) => update({ goalEvent: v })}
          error={errorAt(error, 'goal.event') ?? errorAt(error, 'goal.filters')}
          data-testid="goal-event"
        />
        <NumberInput
          w={260}
          label={t('campaigns.schedule.goalWindow')}
          description={t('campaigns.schedule.goalWindowHelp')}
          min={1}
          max={90}
          allowDecimal={false}
          value={draft.goalWindowDays}
          onChange={(v) => update({ goalWindowDays: whole(v) })}
          error={errorAt(error, 'goal.windowDays')}
          data-testid="goal-window"
        />
      </Stack>
    </Stack>
  );
}
