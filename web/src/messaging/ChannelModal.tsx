// Add or change a channel: its kind and provider, then the fields that provider asks for.
// Secrets are write-only: a stored one shows as "set", and stays unless a new one is typed. A
// secret Rapport made (a webhook's signing secret) is shown once, after saving.
import { Alert, Button, Checkbox, Group, Modal, PasswordInput, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CHANNEL_KINDS } from '../../../src/messaging/types.ts';
import { errorMessage } from '../api/query-client.ts';
import { CopyableCode } from '../app/CopyableCode.tsx';
import { useCreateChannel, useUpdateChannel, type Channel, type ChannelKind, type ProviderName } from './api.ts';
import { channelForm, errorField, newChannelForm, PROVIDER_FIELDS, providersFor, toCreate, toPatch, type ChannelForm, type FieldKey, type ProviderField } from './channel-form.ts';

function FieldInput({ field, form, setValue, stored, error }: { field: ProviderField; form: ChannelForm; setValue: (v: string | boolean) => void; stored: boolean; error?: string }) {
  const { t } = useTranslation();
  const label = t(`messaging.channelFields.${field.key}`);
  const value = form.values[field.key];
  const common = { label, error, 'data-testid': `channel-field-${field.key}` };
  if (field.type === 'boolean') return <Checkbox {...common} checked={value === true} onChange={(e) => setValue(e.currentTarget.checked)} mt="lg" />;
  if (field.secret) {
    const placeholder = stored ? t('messaging.channels.secretSet') : undefined;
    const required = field.required && !stored;
    if (field.type === 'multiline') return <Textarea {...common} required={required} placeholder={placeholder} autosize minRows={2} value={String(value ?? '')} onChange={(e) => setValue(e.currentTarget.value)} autoComplete="off" />;
    return <PasswordInput {...common} required={required} placeholder={placeholder} value={String(value ?? '')} onChange={(e) => setValue(e.currentTarget.value)} autoComplete="new-password" />;
  }
  return <TextInput {...common} required={field.required} type={field.type === 'number' ? 'number' : 'text'} value={String(value ?? '')} onChange={(e) => setValue(e.currentTarget.value)} />;
}

export function ChannelModal({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<ChannelForm>(() => (channel ? channelForm(channel) : newChannelForm('email')));
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const [generated, setGenerated] = useState<Record<string, string> | null>(null);
  const create = useCreateChannel();
  const update = useUpdateChannel();
  const setValue = (key: string, v: string | boolean) => {
    setForm((f) => ({ ...f, values: { ...f.values, [key]: v } }));
    setError(null);
  };
  const onError = (err: unknown) => setError(errorField(errorMessage(err)));

  function save() {
    if (channel) {
      update.mutate({ id: channel.id, patch: toPatch(form, channel) }, { onSuccess: onClose, onError });
    } else {
      create.mutate(toCreate(form), {
        onSuccess: (answer) => {
          const secrets = 'generatedSecrets' in answer ? answer.generatedSecrets : undefined;
          if (secrets && Object.keys(secrets).length) setGenerated(secrets);
          else onClose();
        },
        onError,
      });
    }
  }

  if (generated) {
    return (
      <Modal opened onClose={onClose} title={t('messaging.channels.generatedTitle')}>
        <Stack gap="sm">
          <Text size="sm">{t('messaging.channels.generatedText')}</Text>
          {Object.entries(generated).map(([key, value]) => (
            <Stack key={key} gap={4}>
              <Text size="sm" fw={500}>
                {t(`messaging.channelFields.${key as FieldKey}`)}
              </Text>
              <CopyableCode value={value} />
            </Stack>
          ))}
          <Group justify="flex-end">
            <Button onClick={onClose}>{t('common.close')}</Button>
          </Group>
        </Stack>
      </Modal>
    );
  }

  const fields = PROVIDER_FIELDS[form.provider] ?? [];
  return (
    <Modal opened onClose={onClose} title={channel ? t('messaging.channels.editTitle') : t('messaging.channels.addTitle')} size="lg">
      <Stack gap="md" data-testid="channel-form">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label={t('messaging.channels.kind')}
            data={CHANNEL_KINDS.map((k) => ({ value: k, label: t(`messaging.kinds.${k}`) }))}
            value={form.kind}
            onChange={(v) => v && setForm({ ...newChannelForm(v as ChannelKind), name: form.name })}
            allowDeselect={false}
            disabled={Boolean(channel)}
            data-testid="channel-kind"
          />
          <Select
            label={t('messaging.channels.provider')}
            data={providersFor(form.kind).map((p) => ({ value: p, label: t(`messaging.providers.${p}`) }))}
            value={form.provider}
            onChange={(v) => v && setForm({ ...newChannelForm(form.kind, v as ProviderName), name: form.name })}
            allowDeselect={false}
            disabled={Boolean(channel)}
            data-testid="channel-provider"
          />
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          {t(`messaging.providerHelp.${form.provider}`)}
        </Text>
        <TextInput label={t('messaging.channels.name')} required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.field === 'name' ? error.message : undefined} data-testid="channel-name" />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {fields.map((f) => (
            <FieldInput key={f.key} field={f} form={form} setValue={(v) => setValue(f.key, v)} stored={Boolean(channel?.secretsSet[f.key])} error={error?.field === f.key ? error.message : undefined} />
          ))}
        </SimpleGrid>
        {!channel?.isDefault && (
          <Checkbox label={t('messaging.channels.makeDefault')} checked={form.isDefault} onChange={(e) => setForm({ ...form, isDefault: e.currentTarget.checked })} data-testid="channel-default" />
        )}
        {error && (error.field === null || !fields.some((f) => f.key === error.field) && error.field !== 'name') && (
          <Alert color="red" data-testid="channel-error">
            {error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button onClick={save} loading={create.isPending || update.isPending} disabled={!form.name.trim()} data-testid="channel-save">
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
