// Create or edit a custom attribute definition: key and type are fixed once created; label,
// options, purpose, description and "required" can change.
import { Button, Checkbox, Group, Modal, Select, Stack, TagsInput, Textarea, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../api/query-client.ts';
import { useCreateAttribute, useUpdateAttribute, type AttributeDef } from './api.ts';
import { ATTRIBUTE_PURPOSES, ATTRIBUTE_TYPES, type AttributePurpose, type AttributeType } from './fields.ts';
import { attributeFormErrors, keyFromLabel, type AttributeForm } from './attribute-form.ts';

const EMPTY: AttributeForm = { key: '', label: '', type: 'text', options: [], purpose: null, description: '', required: false };

type Props = { opened: boolean; editing: AttributeDef | null; onClose: () => void };

export function AttributeModal({ opened, editing, onClose }: Props) {
  const { t } = useTranslation();
  const create = useCreateAttribute();
  const update = useUpdateAttribute();
  const [form, setForm] = useState<AttributeForm>(EMPTY);
  const [keyTouched, setKeyTouched] = useState(false);
  const set = <K extends keyof AttributeForm>(key: K, value: AttributeForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const errors = attributeFormErrors(form);
  const hasOptions = form.type === 'enum' || form.type === 'list';

  useEffect(() => {
    if (!opened) return;
    setKeyTouched(Boolean(editing));
    setForm(
      editing
        ? { key: editing.key, label: editing.label, type: editing.type, options: editing.options ?? [], purpose: editing.purpose, description: editing.description ?? '', required: editing.required }
        : EMPTY,
    );
  }, [opened, editing]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (Object.keys(errors).length || !form.purpose) return;
    const common = {
      label: form.label.trim(),
      purpose: form.purpose,
      options: hasOptions ? form.options : null,
      description: form.description.trim() || null,
      required: form.required,
    };
    const done = (def: AttributeDef) => {
      notifySuccess(t(editing ? 'attributes.updated' : 'attributes.created', { label: def.label }));
      onClose();
    };
    if (editing) update.mutate({ key: editing.key, patch: common }, { onSuccess: done });
    else create.mutate({ key: form.key, type: form.type, ...common }, { onSuccess: done });
  }

  return (
    <Modal opened={opened} onClose={onClose} title={editing ? t('attributes.editTitle', { label: editing.label }) : t('attributes.createTitle')} size="lg">
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('attributes.label')}
            value={form.label}
            onChange={(e) => {
              const label = e.currentTarget.value;
              setForm((f) => ({ ...f, label, key: keyTouched ? f.key : keyFromLabel(label) }));
            }}
            required
            maxLength={200}
            data-autofocus
            name="label"
          />
          <TextInput
            label={t('attributes.key')}
            description={t('attributes.keyHelp')}
            value={form.key}
            onChange={(e) => {
              setKeyTouched(true);
              set('key', e.currentTarget.value);
            }}
            error={form.key && errors.key ? t('attributes.keyInvalid') : undefined}
            disabled={Boolean(editing)}
            required
            ff="monospace"
            name="key"
          />
          <Group grow align="flex-start">
            <Select
              label={t('attributes.type')}
              data={ATTRIBUTE_TYPES.map((ty) => ({ value: ty, label: t(`attributeTypes.${ty}`) }))}
              value={form.type}
              onChange={(v) => v && set('type', v as AttributeType)}
              allowDeselect={false}
              disabled={Boolean(editing)}
              data-testid="attribute-type"
            />
            <Select
              label={t('attributes.purpose')}
              description={form.purpose ? t(`attributePurposeHelp.${form.purpose}`) : undefined}
              data={ATTRIBUTE_PURPOSES.map((p) => ({ value: p, label: t(`attributePurposes.${p}`) }))}
              value={form.purpose}
              onChange={(v) => set('purpose', v as AttributePurpose | null)}
              required
              data-testid="attribute-purpose"
            />
          </Group>
          {hasOptions && (
            <TagsInput
              label={t('attributes.options')}
              description={form.type === 'enum' ? t('attributes.optionsEnumHelp') : t('attributes.optionsListHelp')}
              value={form.options}
              onChange={(v) => set('options', v)}
              error={errors.options ? t('attributes.optionsRequired') : undefined}
              data-testid="attribute-options"
            />
          )}
          <Textarea label={t('attributes.description')} value={form.description} onChange={(e) => set('description', e.currentTarget.value)} autosize minRows={2} />
          <Checkbox label={t('attributes.required')} checked={form.required} onChange={(e) => set('required', e.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending || update.isPending} disabled={Object.keys(errors).length > 0} data-testid="attribute-submit">
              {editing ? t('common.save') : t('attributes.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
