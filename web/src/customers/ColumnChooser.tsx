// Which columns the customer list shows: standard fields and custom attributes.
import { Button, Checkbox, Divider, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { IconColumns } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { AttributeDef } from './api.ts';
import { attributeColumn, availableColumns, BUILTIN_COLUMNS, DEFAULT_COLUMNS, toggleColumn, type ColumnId } from './columns.ts';
import { useFieldLabel } from './labels.ts';

type Props = { columns: readonly ColumnId[]; defs: readonly AttributeDef[]; onChange: (columns: ColumnId[]) => void };

export function ColumnChooser({ columns, defs, onChange }: Props) {
  const { t } = useTranslation();
  const label = useFieldLabel(defs);
  const order = availableColumns(defs.map((d) => d.key));
  const item = (column: ColumnId) => (
    <Checkbox
      key={column}
      label={label(column)}
      checked={columns.includes(column)}
      onChange={() => onChange(toggleColumn(columns, column, order))}
      disabled={columns.length === 1 && columns.includes(column)}
      data-testid={`column-${column}`}
    />
  );
  return (
    <Popover position="bottom-end" width={260} shadow="md" withArrow>
      <Popover.Target>
        <Button variant="default" size="sm" leftSection={<IconColumns size={16} />} data-testid="column-chooser">
          {t('customers.columns')}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <ScrollArea.Autosize mah={380}>
          <Stack gap={8}>
            {BUILTIN_COLUMNS.map(item)}
            {defs.length > 0 && (
              <>
                <Divider label={t('customers.customAttributes')} labelPosition="left" />
                {defs.map((d) => item(attributeColumn(d.key)))}
              </>
            )}
            <Divider />
            <Text size="xs" c="dimmed">
              <Button variant="subtle" size="compact-xs" onClick={() => onChange([...DEFAULT_COLUMNS])}>
                {t('customers.resetColumns')}
              </Button>
            </Text>
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
