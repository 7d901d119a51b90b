// The customer list as a table: selectable rows, the chosen columns, sortable headers.
import { Anchor, Checkbox, Group, Table, Text, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconSelector } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useSession } from '../auth/session.ts';
import { formatDate, formatDateTime } from '../i18n/format.ts';
import type { AttributeDef, Customer } from './api.ts';
import { StageBadge, TagList } from './badges.tsx';
import { attributeKeyOf, sortFieldOf, type ColumnId } from './columns.ts';
import { isGender } from './fields.ts';
import { displayName, formatAttributeValue, formatCalendarDate } from './format.ts';
import { useFieldLabel } from './labels.ts';
import { isDescending, sortField, type Sort, type SortField } from './list-query.ts';

type Props = {
  customers: readonly Customer[];
  columns: readonly ColumnId[];
  defs: readonly AttributeDef[];
  sort: Sort;
  onSort: (field: SortField) => void;
  selected: ReadonlySet<string>;
  onSelect: (ids: string[], on: boolean) => void;
  /** A control at the end of each row (e.g. "restore" in the list of deleted customers). */
  rowAction?: (c: Customer) => ReactNode;
};

function Cell({ customer: c, column, defs }: { customer: Customer; column: ColumnId; defs: readonly AttributeDef[] }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const lang = i18n.language;
  const key = attributeKeyOf(column);
  if (key !== null) {
    const def = defs.find((d) => d.key === key);
    return <Text size="sm">{formatAttributeValue(c.attributes[key], def?.type, { language: lang, yes: t('common.yes'), no: t('common.no') })}</Text>;
  }
  switch (column) {
    case 'name':
      return (
        <Anchor component={Link} to={`/customers/${c.id}`} size="sm" fw={500} data-testid="customer-link">
          {displayName(c)}
        </Anchor>
      );
    case 'lifecycleStage':
      return <StageBadge stage={c.lifecycleStage} />;
    case 'tags':
      return <TagList tags={c.tags} max={3} />;
    case 'gender':
      return <Text size="sm">{isGender(c.gender) ? t(`genders.${c.gender}`) : ''}</Text>;
    case 'birthday':
      return <Text size="sm">{formatCalendarDate(c.birthday, lang)}</Text>;
    case 'createdAt':
    case 'updatedAt':
      return <Text size="sm">{formatDateTime(c[column], lang, tz)}</Text>;
    case 'signedUpAt':
      return <Text size="sm">{formatDate(c.signedUpAt, lang, tz)}</Text>;
    case 'email':
    case 'phone':
    case 'source':
    case 'externalId':
      return (
        <Text size="sm" ff={column === 'phone' || column === 'externalId' ? 'monospace' : undefined}>
          {c[column] ?? ''}
        </Text>
      );
    default:
      return null;
  }
}

export function CustomerTable({ customers, columns, defs, sort, onSort, selected, onSelect, rowAction }: Props) {
  const { t } = useTranslation();
  const label = useFieldLabel(defs);
  const ids = customers.map((c) => c.id);
  const allOn = ids.length > 0 && ids.every((id) => selected.has(id));
  const someOn = ids.some((id) => selected.has(id));

  const header = (column: ColumnId) => {
    const field = sortFieldOf(column);
    if (!field) return <Table.Th key={column}>{label(column)}</Table.Th>;
    const active = sortField(sort) === field;
    const Icon = !active ? IconSelector : isDescending(sort) ? IconArrowDown : IconArrowUp;
    return (
      <Table.Th key={column} aria-sort={active ? (isDescending(sort) ? 'descending' : 'ascending') : 'none'}>
        <UnstyledButton onClick={() => onSort(field)} data-testid={`sort-${column}`}>
          <Group gap={4} wrap="nowrap">
            <Text size="sm" fw={700}>
              {label(column)}
            </Text>
            <Icon size={14} />
          </Group>
        </UnstyledButton>
      </Table.Th>
    );
  };

  return (
    <Table.ScrollContainer minWidth={Math.max(640, columns.length * 150)}>
      <Table highlightOnHover data-testid="customers-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>
              <Checkbox
                aria-label={t('customers.selectAll')}
                checked={allOn}
                indeterminate={someOn && !allOn}
                onChange={() => onSelect(ids, !allOn)}
                data-testid="select-all"
              />
            </Table.Th>
            {columns.map(header)}
            {rowAction && <Table.Th />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {customers.map((c) => (
            <Table.Tr key={c.id} data-testid="customer-row" data-id={c.id} bg={selected.has(c.id) ? 'var(--mantine-primary-color-light)' : undefined}>
              <Table.Td>
                <Checkbox aria-label={t('customers.select', { name: displayName(c) })} checked={selected.has(c.id)} onChange={(e) => onSelect([c.id], e.currentTarget.checked)} />
              </Table.Td>
              {columns.map((column) => (
                <Table.Td key={column}>
                  <Cell customer={c} column={column} defs={defs} />
                </Table.Td>
              ))}
              {rowAction && <Table.Td ta="right">{rowAction(c)}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
