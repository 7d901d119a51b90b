// The profile's fields and custom attributes: read, and edited in place (PATCH with what changed).
import { Button, Divider, Group, Paper, Select, SimpleGrid, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useUpdateCustomer, type AttributeDef, type Customer } from './api.ts';
import { AttributeInput, AttributeLabel } from './AttributeInput.tsx';
import { GENDERS, isGender, isLifecycleStage, LIFECYCLE_STAGES } from './fields.ts';
import { formatAttributeValue, formatCalendarDate } from './format.ts';
import { draftOf, patchOf, type EditableField, type ProfileDraft } from './profile-edit.ts';

const TEXT_FIELDS: readonly EditableField[] = ['name', 'email', 'phone', 'externalId', 'source', 'locale', 'timeZone'];

function Field({ label, value, testId }: { label: ReactNode; value: string; testId: string }) {
  return (
    <div data-testid={testId}>
      <Text size="xs" c="dimmed" component="div">
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: 'break-word' }} data-testid="field-value">
        {value || '—'}
      </Text>
    </div>
  );
}

type Props = { customer: Customer; defs: readonly AttributeDef[]; canEdit: boolean };

export function ProfileDetails({ customer, defs, canEdit }: Props) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const update = useUpdateCustomer();
  const [draft, setDraft] = useState<ProfileDraft | null>(null);
  const lang = i18n.language;
  const attrText = (def: AttributeDef) => formatAttributeValue(customer.attributes[def.key], def.type, { language: lang, yes: t('common.yes'), no: t('common.no') });
  const set = <K extends keyof ProfileDraft>(key: K, value: ProfileDraft[K]) => setDraft((d) => (d ? { ...d, [key]: value } : d));

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    const patch = patchOf(customer, draft, defs);
    if (Object.keys(patch).length === 0) return setDraft(null);
    update.mutate(
      { id: customer.id, patch },
      {
        onSuccess: () => {
          notifySuccess(t('profile.saved'));
          setDraft(null);
        },
      },
    );
  }

  if (!draft) {
    return (
      <Paper withBorder p="md" data-testid="profile-details">
        <Group justify="space-between" mb="sm">
          <Title order={4}>{t('profile.details')}</Title>
          {canEdit && !customer.erasedAt && (
            <Button size="xs" variant="light" leftSection={<IconPencil size={14} />} onClick={() => setDraft(draftOf(customer))} data-testid="edit-profile">
              {t('profile.edit')}
            </Button>
          )}
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
          {TEXT_FIELDS.map((f) => (
            <Field key={f} label={t(`customerFields.${f}`)} value={customer[f] ?? ''} testId={`field-${f}`} />
          ))}
          <Field label={t('customerFields.birthday')} value={formatCalendarDate(customer.birthday, lang)} testId="field-birthday" />
          <Field label={t('customerFields.gender')} value={isGender(customer.gender) ? t(`genders.${customer.gender}`) : ''} testId="field-gender" />
          <Field label={t('customerFields.signedUpAt')} value={formatDateTime(customer.signedUpAt, lang, tz)} testId="field-signedUpAt" />
          <Field label={t('customerFields.createdAt')} value={formatDateTime(customer.createdAt, lang, tz)} testId="field-createdAt" />
        </SimpleGrid>
        {defs.length > 0 && (
          <>
            <Divider my="md" label={t('customers.customAttributes')} labelPosition="left" />
            <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
              {defs.map((def) => (
                <Field key={def.key} label={<AttributeLabel def={def} />} value={attrText(def)} testId={`attribute-${def.key}`} />
              ))}
            </SimpleGrid>
          </>
        )}
      </Paper>
    );
  }

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} data-testid="profile-form">
      <Title order={4} mb="sm">
        {t('profile.editTitle')}
      </Title>
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          {TEXT_FIELDS.map((f) => (
            <TextInput
              key={f}
              label={t(`customerFields.${f}`)}
              value={draft[f]}
              onChange={(e) => set(f, e.currentTarget.value)}
              disabled={customer.masked && (f === 'email' || f === 'phone')}
              description={customer.masked && (f === 'email' || f === 'phone') ? t('profile.maskedHelp') : undefined}
              name={f}
            />
          ))}
          <TextInput label={t('customerFields.birthday')} type="date" value={draft.birthday} onChange={(e) => set('birthday', e.currentTarget.value)} name="birthday" />
          <Select
            label={t('customerFields.gender')}
            data={GENDERS.map((g) => ({ value: g, label: t(`genders.${g}`) }))}
            value={draft.gender || null}
            onChange={(v) => set('gender', v ?? '')}
            clearable
          />
          <Select
            label={t('customerFields.lifecycleStage')}
            data={LIFECYCLE_STAGES.map((s) => ({ value: s, label: t(`stages.${s}`) }))}
            value={isLifecycleStage(draft.lifecycleStage) ? draft.lifecycleStage : null}
            onChange={(v) => set('lifecycleStage', v ?? '')}
            clearable
            data-testid="edit-stage"
          />
        </SimpleGrid>
        <TagsInput label={t('customerFields.tags')} value={draft.tags} onChange={(v) => set('tags', v)} data-testid="edit-tags" />
        {defs.length > 0 && (
          <>
            <Divider label={t('customers.customAttributes')} labelPosition="left" />
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              {defs.map((def) => (
                <AttributeInput key={def.key} def={def} value={draft.attributes[def.key]} onChange={(v) => set('attributes', { ...draft.attributes, [def.key]: v })} />
              ))}
            </SimpleGrid>
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDraft(null)}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={update.isPending} data-testid="save-profile">
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
