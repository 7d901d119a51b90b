// The customer list's columns: the standard fields and one per custom attribute
// (`attributes.<key>`), which of them sort, and how the chosen set is written in a URL.
import type { SortField } from './list-query.ts';

export const BUILTIN_COLUMNS = [
  'name',
  'email',
  'phone',
  'lifecycleStage',
  'tags',
  'source',
  'createdAt',
  'signedUpAt',
  'externalId',
  'gender',
  'birthday',
  'updatedAt',
] as const;
export type BuiltinColumn = (typeof BUILTIN_COLUMNS)[number];
export type AttributeColumn = `attributes.${string}`;
export type ColumnId = BuiltinColumn | AttributeColumn;

export const DEFAULT_COLUMNS: readonly ColumnId[] = ['name', 'email', 'phone', 'lifecycleStage', 'tags', 'createdAt'];

const SORTS: Partial<Record<BuiltinColumn, SortField>> = { name: 'name', createdAt: 'createdAt', signedUpAt: 'signedUpAt', updatedAt: 'updatedAt' };

export function isBuiltinColumn(value: string): value is BuiltinColumn {
  return (BUILTIN_COLUMNS as readonly string[]).includes(value);
}

const ATTRIBUTE_COLUMN = /^attributes\.[a-z][a-z0-9_]{0,62}$/;

export function isColumnId(value: string): value is ColumnId {
  return isBuiltinColumn(value) || ATTRIBUTE_COLUMN.test(value);
}

export function attributeColumn(key: string): AttributeColumn {
  return `attributes.${key}`;
}

/** The attribute key of an attribute column, or null for a standard one. */
export function attributeKeyOf(column: ColumnId): string | null {
  return column.startsWith('attributes.') ? column.slice('attributes.'.length) : null;
}

/** The list sort a column header switches to, if the column sorts at all. */
export function sortFieldOf(column: ColumnId): SortField | undefined {
  return isBuiltinColumn(column) ? SORTS[column] : undefined;
}

/** Columns from a URL parameter or a saved view: known ones, once each; the defaults when none. */
export function parseColumns(raw: string | readonly unknown[] | null | undefined): ColumnId[] {
  const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : [];
  const out: ColumnId[] = [];
  for (const item of list) {
    const value = typeof item === 'string' ? item.trim() : '';
    if (isColumnId(value) && !out.includes(value)) out.push(value);
  }
  return out.length ? out : [...DEFAULT_COLUMNS];
}

export function sameColumns(a: readonly ColumnId[], b: readonly ColumnId[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/** Every column that can be chosen, standard fields first, in the order given. */
export function availableColumns(attributeKeys: readonly string[]): ColumnId[] {
  return [...BUILTIN_COLUMNS, ...attributeKeys.map(attributeColumn)];
}

/** Turn a column on or off, keeping the chooser's order and at least one column. */
export function toggleColumn(current: readonly ColumnId[], column: ColumnId, order: readonly ColumnId[]): ColumnId[] {
  if (current.includes(column)) return current.length > 1 ? current.filter((c) => c !== column) : [...current];
  const next = [...current, column];
  const rank = (c: ColumnId) => {
    const i = order.indexOf(c);
    return i === -1 ? order.length : i;
  };
  return next.sort((a, b) => rank(a) - rank(b));
}

/** Columns of a CSV export: the id first, then the shown columns whose attribute still exists. */
export function exportColumnsOf(columns: readonly ColumnId[], attributeKeys: readonly string[]): string[] {
  const kept = columns.filter((c) => {
    const key = attributeKeyOf(c);
    return key === null || attributeKeys.includes(key);
  });
  return ['id', ...kept];
}
