// What can be done to the selected customers at once: add a tag, set the lifecycle stage, delete.
import { Button, Group, Menu, Paper, Popover, Text, TextInput } from '@mantine/core';
import { IconChevronDown, IconTag, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { notifyError, notifySuccess } from '../api/query-client.ts';
import { useBulkAction, type BulkAction, type Customer } from './api.ts';
import { LIFECYCLE_STAGES } from './fields.ts';

type Props = { selected: Customer[]; onDone: () => void };

export function BulkActions({ selected, onDone }: Props) {
  const { t } = useTranslation();
  const bulk = useBulkAction();
  const [tag, setTag] = useState('');
  const [tagOpen, setTagOpen] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const count = selected.length;

  function run(action: BulkAction, done: string) {
    bulk.mutate(
      { customers: selected, action },
      {
        onSuccess: ({ failed, errors }) => {
          if (failed > 0) notifyError(new Error(t('bulk.someFailed', { failed, count, message: errors[0] instanceof Error ? errors[0].message : '' })));
          if (failed < count) notifySuccess(done);
          setDeleting(false);
          onDone();
        },
      },
    );
  }

  function addTag(event: FormEvent) {
    event.preventDefault();
    const value = tag.trim();
    if (!value) return;
    setTagOpen(false);
    setTag('');
    run({ kind: 'addTag', tag: value }, t('bulk.tagAdded', { tag: value, count }));
  }

  return (
    <Paper withBorder p="xs" mb="sm" data-testid="bulk-actions">
      <Group gap="sm" wrap="wrap">
        <Text size="sm" fw={500} data-testid="selected-count">
          {t('bulk.selected', { count })}
        </Text>
        <Popover opened={tagOpen} onChange={setTagOpen} position="bottom-start" trapFocus withArrow shadow="md">
          <Popover.Target>
            <Button size="xs" variant="default" leftSection={<IconTag size={14} />} onClick={() => setTagOpen((o) => !o)} loading={bulk.isPending} data-testid="bulk-add-tag">
              {t('bulk.addTag')}
            </Button>
          </Popover.Target>
          <Popover.Dropdown>
            <form onSubmit={addTag}>
              <Group gap="xs" align="flex-end">
                <TextInput size="xs" label={t('bulk.tag')} value={tag} onChange={(e) => setTag(e.currentTarget.value)} data-testid="bulk-tag-input" />
                <Button size="xs" type="submit" disabled={!tag.trim()}>
                  {t('bulk.apply')}
                </Button>
              </Group>
            </form>
          </Popover.Dropdown>
        </Popover>
        <Menu position="bottom-start" shadow="md">
          <Menu.Target>
            <Button size="xs" variant="default" rightSection={<IconChevronDown size={14} />} loading={bulk.isPending} data-testid="bulk-set-stage">
              {t('bulk.setStage')}
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {LIFECYCLE_STAGES.map((stage) => (
              <Menu.Item key={stage} onClick={() => run({ kind: 'setStage', stage }, t('bulk.stageSet', { stage: t(`stages.${stage}`), count }))}>
                {t(`stages.${stage}`)}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
        <Button size="xs" variant="light" color="red" leftSection={<IconTrash size={14} />} onClick={() => setDeleting(true)} data-testid="bulk-delete">
          {t('bulk.delete')}
        </Button>
        <Button size="xs" variant="subtle" onClick={onDone}>
          {t('bulk.clearSelection')}
        </Button>
      </Group>
      <ConfirmModal
        opened={deleting}
        title={t('bulk.deleteTitle')}
        message={t('bulk.deleteConfirm', { count })}
        confirmLabel={t('bulk.delete')}
        loading={bulk.isPending}
        onConfirm={() => run({ kind: 'delete' }, t('bulk.deleted', { count }))}
        onClose={() => setDeleting(false)}
      />
    </Paper>
  );
}
