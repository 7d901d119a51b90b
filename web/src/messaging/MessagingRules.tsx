// The sending rules of the workspace: who ads are from and the free opt-out number (Korean law
// puts both on every ad), the night-time quiet hours and what happens to an ad in them, how many
// messages a customer may get, and the fallback best hour.
import { ActionIcon, Alert, Button, Group, NumberInput, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CHANNEL_KINDS } from '../../../src/messaging/types.ts';
import { errorMessage, notifySuccess } from '../api/query-client.ts';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useMessagingSettings, useSaveMessagingSettings, type Cap, type ChannelKind, type MessagingSettingsInput } from './api.ts';

const ALL = 'all';

function CapRow({ cap, onChange, onRemove, readOnly }: { cap: Cap; onChange: (c: Cap) => void; onRemove: () => void; readOnly: boolean }) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" wrap="wrap" data-testid="cap-row">
      <Text size="sm">{t('messaging.rules.capAtMost')}</Text>
      <NumberInput w={80} min={0} max={1000} value={cap.max} onChange={(v) => onChange({ ...cap, max: typeof v === 'number' ? v : Number(v) || 0 })} readOnly={readOnly} aria-label={t('messaging.rules.capMax')} />
      <Select
        w={150}
        data={[
          { value: 'marketing', label: t('messaging.purposes.marketing') },
          { value: 'transactional', label: t('messaging.purposes.transactional') },
        ]}
        value={cap.purpose}
        onChange={(v) => v && onChange({ ...cap, purpose: v as Cap['purpose'] })}
        allowDeselect={false}
        readOnly={readOnly}
        aria-label={t('messaging.rules.capPurpose')}
      />
      <Select
        w={170}
        data={[{ value: ALL, label: t('messaging.rules.allChannels') }, ...CHANNEL_KINDS.map((k) => ({ value: k, label: t(`messaging.kinds.${k}`) }))]}
        value={cap.channel ?? ALL}
        onChange={(v) => v && onChange({ ...cap, channel: v === ALL ? null : (v as ChannelKind) })}
        allowDeselect={false}
        readOnly={readOnly}
        aria-label={t('messaging.rules.capChannel')}
      />
      <Select
        w={120}
        data={[
          { value: 'day', label: t('messaging.rules.perDay') },
          { value: 'week', label: t('messaging.rules.perWeek') },
        ]}
        value={cap.per}
        onChange={(v) => v && onChange({ ...cap, per: v as Cap['per'] })}
        allowDeselect={false}
        readOnly={readOnly}
        aria-label={t('messaging.rules.capPer')}
      />
      {!readOnly && (
        <ActionIcon variant="subtle" color="red" onClick={onRemove} aria-label={t('messaging.rules.removeCap')}>
          <IconTrash size={16} />
        </ActionIcon>
      )}
    </Group>
  );
}

export function MessagingRules({ canEdit }: { canEdit: boolean }) {
  const { t } = useTranslation();
  const settings = useMessagingSettings();
  const save = useSaveMessagingSettings();
  const [form, setForm] = useState<MessagingSettingsInput | null>(null);

  useEffect(() => {
    if (settings.data) {
      const { senderName, optOutNumber, quietHours, nightPolicy, caps, bestHour } = settings.data;
      setForm({ senderName, optOutNumber, quietHours, nightPolicy, caps, bestHour });
    }
  }, [settings.data]);

  if (settings.isPending || (!form && !settings.isError)) return <PageLoader />;
  if (settings.isError || !form) return <QueryError error={settings.error} onRetry={() => void settings.refetch()} />;
  const set = (patch: Partial<MessagingSettingsInput>) => setForm({ ...form, ...patch });
  const readOnly = !canEdit;

  return (
    <Paper withBorder p="md" data-testid="messaging-rules">
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label={t('messaging.rules.senderName')}
            description={t('messaging.rules.senderNameHelp')}
            value={form.senderName ?? ''}
            onChange={(e) => set({ senderName: e.currentTarget.value || null })}
            readOnly={readOnly}
            data-testid="rules-sender-name"
          />
          <TextInput
            label={t('messaging.rules.optOutNumber')}
            description={t('messaging.rules.optOutNumberHelp')}
            value={form.optOutNumber ?? ''}
            onChange={(e) => set({ optOutNumber: e.currentTarget.value || null })}
            readOnly={readOnly}
            data-testid="rules-opt-out"
          />
        </SimpleGrid>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('messaging.rules.quietHours')}
          </Text>
          <Text size="xs" c="dimmed">
            {t('messaging.rules.quietHoursHelp')}
          </Text>
          <Group gap="sm" align="flex-end">
            <TextInput type="time" label={t('messaging.rules.from')} value={form.quietHours.start} onChange={(e) => set({ quietHours: { ...form.quietHours, start: e.currentTarget.value } })} readOnly={readOnly} data-testid="rules-quiet-start" />
            <TextInput type="time" label={t('messaging.rules.until')} value={form.quietHours.end} onChange={(e) => set({ quietHours: { ...form.quietHours, end: e.currentTarget.value } })} readOnly={readOnly} data-testid="rules-quiet-end" />
            <SegmentedControl
              value={form.nightPolicy}
              onChange={(v) => set({ nightPolicy: v as MessagingSettingsInput['nightPolicy'] })}
              data={[
                { value: 'defer', label: t('messaging.rules.defer') },
                { value: 'skip', label: t('messaging.rules.skip') },
              ]}
              disabled={readOnly}
              data-testid="rules-night-policy"
            />
          </Group>
        </Stack>
        <Stack gap={6}>
          <Text size="sm" fw={500}>
            {t('messaging.rules.caps')}
          </Text>
          <Text size="xs" c="dimmed">
            {t('messaging.rules.capsHelp')}
          </Text>
          {form.caps.map((cap, i) => (
            <CapRow key={i} cap={cap} readOnly={readOnly} onChange={(c) => set({ caps: form.caps.map((x, j) => (j === i ? c : x)) })} onRemove={() => set({ caps: form.caps.filter((_, j) => j !== i) })} />
          ))}
          {!readOnly && (
            <Button size="xs" variant="subtle" w="fit-content" leftSection={<IconPlus size={14} />} onClick={() => set({ caps: [...form.caps, { purpose: 'marketing', channel: null, per: 'day', max: 1 }] })}>
              {t('messaging.rules.addCap')}
            </Button>
          )}
        </Stack>
        <Select
          w={240}
          label={t('messaging.rules.bestHour')}
          description={t('messaging.rules.bestHourHelp')}
          placeholder={t('messaging.rules.bestHourAuto')}
          clearable
          data={Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, '0')}:00` }))}
          value={form.bestHour === null ? null : String(form.bestHour)}
          onChange={(v) => set({ bestHour: v === null ? null : Number(v) })}
          readOnly={readOnly}
        />
        {save.isError && (
          <Alert color="red" data-testid="rules-error">
            {errorMessage(save.error)}
          </Alert>
        )}
        {canEdit && (
          <Group justify="flex-end">
            <Button onClick={() => save.mutate(form, { onSuccess: () => notifySuccess(t('messaging.rules.saved')) })} loading={save.isPending} data-testid="rules-save">
              {t('common.save')}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
