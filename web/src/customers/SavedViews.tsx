// Saved views of the customer list: pick one to apply its query and columns, save the current
// list as a view (private or shared with the workspace), delete one. Anyone who reads customers may.
import { ActionIcon, Button, Checkbox, Group, Modal, Select, Stack, TextInput, Tooltip } from '@mantine/core';
import { IconDeviceFloppy, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useDeleteView, useSaveView, useViews, type CustomerView } from './api.ts';
import type { ColumnId } from './columns.ts';
import { queryToObject, type ListQuery } from './list-query.ts';

type Props = {
  query: ListQuery;
  columns: readonly ColumnId[];
  viewId: string | null;
  onApply: (view: CustomerView | null) => void;
};

export function SavedViews({ query, columns, viewId, onApply }: Props) {
  const { t } = useTranslation();
  const views = useViews();
  const save = useSaveView();
  const remove = useDeleteView();
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState<CustomerView | null>(null);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const items = views.data ?? [];
  const current = items.find((v) => v.id === viewId) ?? null;

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(
      { name: name.trim(), query: queryToObject(query), columns: [...columns], shared },
      {
        onSuccess: (view) => {
          notifySuccess(t('views.saved', { name: view.name }));
          setSaving(false);
          setName('');
          onApply(view);
        },
      },
    );
  }

  function confirmDelete() {
    if (!deleting) return;
    const { id, name: viewName } = deleting;
    remove.mutate(id, {
      onSuccess: () => {
        notifySuccess(t('views.deleted', { name: viewName }));
        setDeleting(null);
        if (viewId === id) onApply(null);
      },
    });
  }

  return (
    <Group gap="xs" wrap="nowrap">
      <Select
        w={240}
        placeholder={t('views.pick')}
        aria-label={t('views.label')}
        data={items.map((v) => ({ value: v.id, label: v.shared ? `${v.name} · ${t('views.sharedShort')}` : v.name }))}
        value={current?.id ?? null}
        onChange={(id) => onApply(items.find((v) => v.id === id) ?? null)}
        clearable
        disabled={views.isPending}
        nothingFoundMessage={t('views.none')}
        data-testid="view-select"
      />
      {current && (
        <Tooltip label={t('views.delete')}>
          <ActionIcon variant="subtle" color="red" onClick={() => setDeleting(current)} aria-label={t('views.deleteLabel', { name: current.name })}>
            <IconTrash size={16} />
          </ActionIcon>
        </Tooltip>
      )}
      <Button variant="default" size="sm" leftSection={<IconDeviceFloppy size={16} />} onClick={() => setSaving(true)} data-testid="save-view">
        {t('views.save')}
      </Button>
      <Modal opened={saving} onClose={() => setSaving(false)} title={t('views.saveTitle')}>
        <form onSubmit={submit}>
          <Stack>
            <TextInput label={t('views.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={200} data-autofocus name="view-name" />
            <Checkbox label={t('views.shared')} description={t('views.sharedHelp')} checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setSaving(false)}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
                {t('common.save')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
      <ConfirmModal
        opened={deleting !== null}
        title={t('views.deleteTitle')}
        message={deleting ? t('views.deleteConfirm', { name: deleting.name }) : ''}
        confirmLabel={t('views.delete')}
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </Group>
  );
}
