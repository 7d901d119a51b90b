// "Add condition": pick a field (standard or custom attribute), an operator that fits its kind of
// value, and a value; the condition joins the list's `filter`.
import { Button, Group, Popover, Select, Stack, TextInput } from '@mantine/core';
import { IconFilterPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/session.ts';
import type { AttributeDef } from './api.ts';
import { filterFields, findFilterField, type FilterField } from './filter-fields.ts';
import { conditionValue, opNeedsValue, opsFor, type Condition, type FilterOp } from './list-query.ts';
import { useFieldLabel, useValueLabel } from './labels.ts';

export function ConditionBuilder({ defs, onAdd }: { defs: readonly AttributeDef[]; onAdd: (c: Condition) => void }) {
  const { t } = useTranslation();
  const fieldLabel = useFieldLabel(defs);
  const valueLabel = useValueLabel();
  const can = useCan();
  const fields = filterFields(defs, { pii: can('pii.read') });
  const [opened, setOpened] = useState(false);
  const [fieldId, setFieldId] = useState<string | null>(null);
  const [op, setOp] = useState<FilterOp>('eq');
  const [raw, setRaw] = useState('');
  const field: FilterField | undefined = fieldId ? findFilterField(fields, fieldId) : undefined;
  const ops = field ? opsFor(field.kind) : [];
  const value = field ? conditionValue(op, raw, field.kind) : undefined;
  const ready = Boolean(field) && (!opNeedsValue(op) || value !== undefined);

  function chooseField(id: string | null) {
    setFieldId(id);
    const next = id ? findFilterField(fields, id) : undefined;
    setOp(next ? opsFor(next.kind)[0]! : 'eq');
    setRaw('');
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!field || !ready) return;
    onAdd(opNeedsValue(op) ? { field: field.id, op, value } : { field: field.id, op });
    setOpened(false);
    chooseField(null);
  }

  const valueInput = () => {
    if (!field || !opNeedsValue(op)) return null;
    const label = t('filters.value');
    if ((field.kind === 'enum' || field.kind === 'boolean') && op !== 'in') {
      const options = field.kind === 'boolean' ? ['true', 'false'] : (field.options ?? []);
      return (
        <Select
          label={label}
          data={options.map((o) => ({ value: o, label: valueLabel(field.id, o) }))}
          value={raw || null}
          onChange={(v) => setRaw(v ?? '')}
          comboboxProps={{ withinPortal: false }}
          data-testid="condition-value"
        />
      );
    }
    if (field.kind === 'date') return <TextInput type="date" label={label} value={raw} onChange={(e) => setRaw(e.currentTarget.value)} data-testid="condition-value" />;
    return (
      <TextInput
        label={label}
        description={op === 'in' ? t('filters.inHelp') : undefined}
        value={raw}
        onChange={(e) => setRaw(e.currentTarget.value)}
        inputMode={field.kind === 'number' ? 'decimal' : undefined}
        data-testid="condition-value"
      />
    );
  };

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-start" width={320} withArrow shadow="md" trapFocus>
      <Popover.Target>
        <Button variant="light" size="sm" leftSection={<IconFilterPlus size={16} />} onClick={() => setOpened((o) => !o)} data-testid="add-condition">
          {t('filters.addCondition')}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <form onSubmit={submit}>
          <Stack gap="sm">
            <Select
              label={t('filters.field')}
              searchable
              data={fields.map((f) => ({ value: f.id, label: fieldLabel(f.id) }))}
              value={fieldId}
              onChange={chooseField}
              comboboxProps={{ withinPortal: false }}
              data-testid="condition-field"
            />
            {field && (
              <Select
                label={t('filters.operator')}
                data={ops.map((o) => ({ value: o, label: t(`filterOps.${o}`) }))}
                value={op}
                onChange={(v) => v && setOp(v as FilterOp)}
                allowDeselect={false}
                comboboxProps={{ withinPortal: false }}
                data-testid="condition-op"
              />
            )}
            {valueInput()}
            <Group justify="flex-end">
              <Button type="submit" size="xs" disabled={!ready} data-testid="condition-add">
                {t('filters.add')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Popover.Dropdown>
    </Popover>
  );
}
