// The settings of a delay, a wait for an event, a message and a notification to a colleague.
import { Anchor, Select, Stack, Switch, Text, Textarea, TextInput, SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { CHANNEL_KINDS, type ChannelKind } from '../../../src/messaging/types.ts';
import { useTemplates } from '../messaging/api.ts';
import { useMembers } from '../workspaces/api.ts';
import type { DelayStep, NotifyStep, SendStep, WaitStep } from './api.ts';
import { DurationInput } from './DurationInput.tsx';
import { EventInput } from './EventInput.tsx';
import { FilterList } from './FilterList.tsx';
import type { FieldError, StepChange } from './step-change.ts';
import { weekdayName } from './words.ts';

const DELAY_MODES: readonly DelayStep['mode'][] = ['duration', 'time_of_day', 'best_hour'];

export function DelayFields({ step, change, errorAt }: { step: DelayStep; change: StepChange<DelayStep>; errorAt: FieldError }) {
  const { t, i18n } = useTranslation();
  function setMode(mode: DelayStep['mode']) {
    if (mode === 'duration') change({ mode, duration: step.duration ?? { days: 1 }, at: undefined, weekday: undefined });
    else if (mode === 'time_of_day') change({ mode, at: step.at ?? '09:00', duration: undefined });
    else change({ mode, duration: undefined, at: undefined, weekday: undefined });
  }
  return (
    <Stack gap="sm">
      <Select
        label={t('journeys.delay.mode')}
        data={DELAY_MODES.map((m) => ({ value: m, label: t(`journeys.delay.modes.${m}`) }))}
        value={step.mode}
        allowDeselect={false}
        onChange={(m) => m && setMode(m as DelayStep['mode'])}
        data-testid="delay-mode"
      />
      {step.mode === 'duration' && <DurationInput label={t('journeys.delay.amount')} value={step.duration} onChange={(duration) => change({ duration })} error={errorAt('duration')} testId="delay-duration" />}
      {step.mode === 'time_of_day' && (
        <>
          <TextInput type="time" label={t('journeys.delay.at')} value={step.at ?? ''} onChange={(e) => change({ at: e.currentTarget.value })} error={errorAt('at')} data-testid="delay-at" />
          <Select
            label={t('journeys.delay.weekday')}
            data={[{ value: 'any', label: t('journeys.delay.anyDay') }, ...[0, 1, 2, 3, 4, 5, 6].map((d) => ({ value: String(d), label: weekdayName(d, i18n.language) }))]}
            value={step.weekday === undefined ? 'any' : String(step.weekday)}
            allowDeselect={false}
            onChange={(v) => change({ weekday: !v || v === 'any' ? undefined : Number(v) })}
            data-testid="delay-weekday"
          />
        </>
      )}
      {step.mode === 'best_hour' && (
        <Text size="sm" c="dimmed">
          {t('journeys.delay.bestHourHelp')}
        </Text>
      )}
    </Stack>
  );
}

export function WaitFields({ step, change, errorAt }: { step: WaitStep; change: StepChange<WaitStep>; errorAt: FieldError }) {
  const { t } = useTranslation();
  return (
    <Stack gap="sm">
      <EventInput label={t('journeys.wait.event')} description={t('journeys.wait.eventHelp')} value={step.event} onChange={(event) => change({ event })} error={errorAt('event')} testId="wait-event" />
      <FilterList value={step.filters} onChange={(filters) => change({ filters })} error={errorAt('filters')} testId="wait-filters" />
      <DurationInput label={t('journeys.wait.timeout')} description={t('journeys.wait.timeoutHelp')} value={step.timeout} onChange={(timeout) => change({ timeout })} error={errorAt('timeout')} testId="wait-timeout" />
    </Stack>
  );
}

export function SendFields({ step, change }: { step: SendStep; change: StepChange<SendStep> }) {
  const { t } = useTranslation();
  const templates = useTemplates(step.kind);
  const choices = (templates.data ?? []).filter((tpl) => tpl.kind === step.kind && !tpl.archivedAt).map((tpl) => ({ value: tpl.id, label: tpl.name }));
  return (
    <Stack gap="sm">
      <Select
        label={t('journeys.send.kind')}
        data={CHANNEL_KINDS.map((k) => ({ value: k, label: t(`messaging.kinds.${k}`) }))}
        value={step.kind}
        allowDeselect={false}
        // A template belongs to one channel: another channel needs another template.
        onChange={(k) => k && k !== step.kind && change({ kind: k as ChannelKind, templateId: null, channelId: null })}
        data-testid="send-kind"
      />
      <Select
        label={t('journeys.send.template')}
        placeholder={t('journeys.send.pickTemplate')}
        data={choices}
        value={step.templateId}
        onChange={(templateId) => change({ templateId })}
        searchable
        nothingFoundMessage={t('journeys.send.noTemplates')}
        data-testid="send-template"
      />
      {templates.isSuccess && choices.length === 0 && (
        <Text size="xs" c="dimmed">
          {t('journeys.send.noTemplates')}
        </Text>
      )}
      {step.templateId && (
        <Anchor component={Link} to={`/messages/templates/${step.templateId}`} size="xs" target="_blank">
          {t('journeys.send.openTemplate')}
        </Anchor>
      )}
      <div>
        <Text size="sm" fw={500} mb={4}>
          {t('journeys.send.purpose')}
        </Text>
        <SegmentedControl
          size="xs"
          fullWidth
          value={step.purpose}
          onChange={(p) => change({ purpose: p as SendStep['purpose'] })}
          data={(['marketing', 'transactional'] as const).map((p) => ({ value: p, label: t(`messaging.purposes.${p}`) }))}
          data-testid="send-purpose"
        />
      </div>
      <Switch label={t('journeys.send.bestHour')} description={t('journeys.send.bestHourHelp')} checked={Boolean(step.bestHour)} onChange={(e) => change({ bestHour: e.currentTarget.checked })} data-testid="send-best-hour" />
      <Text size="xs" c="dimmed">
        {t('journeys.send.holdoutNote')}
      </Text>
    </Stack>
  );
}

export function NotifyFields({ step, change, errorAt }: { step: NotifyStep; change: StepChange<NotifyStep>; errorAt: FieldError }) {
  const { t } = useTranslation();
  const members = useMembers();
  const OWNERS = '__owners';
  const data = [{ value: OWNERS, label: t('journeys.notify.owners') }, ...(members.data ?? []).map((m) => ({ value: m.email, label: m.name ? `${m.name} · ${m.email}` : m.email }))];
  if (step.memberEmail && !data.some((d) => d.value === step.memberEmail)) data.push({ value: step.memberEmail, label: step.memberEmail });
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {t('journeys.notify.help')}
      </Text>
      <Select label={t('journeys.notify.member')} data={data} value={step.memberEmail ?? OWNERS} allowDeselect={false} searchable onChange={(v) => change({ memberEmail: v && v !== OWNERS ? v : null })} data-testid="notify-member" />
      <TextInput label={t('journeys.notify.subject')} value={step.subject} maxLength={200} onChange={(e) => change({ subject: e.currentTarget.value })} error={errorAt('subject')} data-testid="notify-subject" />
      <Textarea label={t('journeys.notify.body')} value={step.body} maxLength={4000} autosize minRows={3} maxRows={10} onChange={(e) => change({ body: e.currentTarget.value })} error={errorAt('body')} data-testid="notify-body" />
    </Stack>
  );
}
