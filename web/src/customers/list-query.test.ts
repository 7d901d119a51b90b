import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  apiSearchParams,
  conditionValue,
  conditionValueText,
  EMPTY_QUERY,
  exportPath,
  listPath,
  nextDay,
  opsFor,
  parseConditions,
  queryFromObject,
  queryFromSearchParams,
  queryToObject,
  queryToSearchParams,
  toggleSort,
  type ListQuery,
} from './list-query.ts';

const full: ListQuery = {
  q: '김민지',
  stages: ['customer', 'loyal'],
  tags: ['vip', 'seoul'],
  createdFrom: '2025-01-01',
  createdTo: '2025-01-31',
  conditions: [
    { field: 'gender', op: 'eq', value: 'F' },
    { field: 'attributes.region', op: 'in', value: ['서울', '경기'] },
    { field: 'email', op: 'exists' },
  ],
  sort: 'name',
  deleted: false,
};

describe('page URL', () => {
  it('round-trips a full query', () => {
    expect(queryFromSearchParams(queryToSearchParams(full))).toEqual(full);
  });

  it('is empty for the empty query', () => {
    expect(queryToSearchParams(EMPTY_QUERY).toString()).toBe('');
    expect(queryFromSearchParams(new URLSearchParams())).toEqual(EMPTY_QUERY);
  });

  it('repeats stage and tag, and writes the filter as JSON', () => {
    const params = queryToSearchParams(full);
    expect(params.getAll('stage')).toEqual(['customer', 'loyal']);
    expect(params.getAll('tag')).toEqual(['vip', 'seoul']);
    expect(JSON.parse(params.get('filter')!)).toEqual(full.conditions);
  });

  it('lists deleted customers only when asked', () => {
    const params = queryToSearchParams({ ...EMPTY_QUERY, deleted: true });
    expect(params.toString()).toBe('deleted=true');
    expect(queryFromSearchParams(params).deleted).toBe(true);
    expect(apiSearchParams({ ...EMPTY_QUERY, deleted: true }).get('deleted')).toBe('true');
  });

  it('drops what it does not understand', () => {
    const q = queryFromSearchParams(new URLSearchParams('stage=vip&stage=lead&createdFrom=yesterday&sort=-email&filter=%7Bnot-json'));
    expect(q).toEqual({ ...EMPTY_QUERY, stages: ['lead'] });
  });
});

describe('API query string', () => {
  it('makes the last day inclusive by asking for created before the next day', () => {
    const params = apiSearchParams(full);
    expect(params.get('createdFrom')).toBe('2025-01-01');
    expect(params.get('createdTo')).toBe('2025-02-01');
  });

  it('always names the sort and adds paging', () => {
    const url = new URL(listPath(EMPTY_QUERY, 50, 'abc'), 'http://x');
    expect(url.pathname).toBe('/api/customers');
    expect(Object.fromEntries(url.searchParams)).toEqual({ sort: '-createdAt', limit: '50', cursor: 'abc' });
  });

  it('exports the same filter with the chosen columns', () => {
    const url = new URL(exportPath(full, ['name', 'email', 'attributes.region']), 'http://x');
    expect(url.pathname).toBe('/api/customers/export');
    expect(url.searchParams.get('columns')).toBe('name,email,attributes.region');
    expect(url.searchParams.get('q')).toBe('김민지');
    expect(url.searchParams.getAll('stage')).toEqual(['customer', 'loyal']);
    expect(url.searchParams.get('limit')).toBeNull();
  });

  it.each([
    ['2025-01-31', '2025-02-01'],
    ['2024-02-28', '2024-02-29'],
    ['2025-12-31', '2026-01-01'],
  ])('the day after %s is %s', (day, next) => {
    expect(nextDay(day)).toBe(next);
  });
});

describe('saved view query', () => {
  it('round-trips and leaves out defaults', () => {
    expect(queryFromObject(queryToObject(full))).toEqual(full);
    expect(queryToObject(EMPTY_QUERY)).toEqual({});
    expect(queryToObject({ ...EMPTY_QUERY, q: '  kim ' })).toEqual({ q: 'kim' });
  });

  it('reads a filter stored as a JSON string or an array', () => {
    const conditions = [{ field: 'gender', op: 'eq', value: 'F' }];
    expect(queryFromObject({ filter: JSON.stringify(conditions) }).conditions).toEqual(conditions);
    expect(queryFromObject({ filter: conditions }).conditions).toEqual(conditions);
  });
});

describe('parseConditions', () => {
  it('keeps well-formed conditions only', () => {
    expect(
      parseConditions([
        { field: 'gender', op: 'eq', value: 'F' },
        { field: 'gender', op: 'like', value: 'F' },
        { field: '', op: 'eq', value: 'F' },
        { field: 'email', op: 'exists', value: 'ignored' },
        { field: 'age', op: 'gt' },
        { field: 'tags', op: 'in', value: ['a', 1] },
        'nonsense',
      ]),
    ).toEqual([
      { field: 'gender', op: 'eq', value: 'F' },
      { field: 'email', op: 'exists' },
    ]);
  });
});

describe('toggleSort', () => {
  it.each([
    ['-createdAt', 'createdAt', 'createdAt'],
    ['createdAt', 'createdAt', '-createdAt'],
    ['-createdAt', 'name', 'name'],
    ['name', 'name', '-name'],
    ['name', 'signedUpAt', '-signedUpAt'],
  ] as const)('%s, click %s → %s', (current, field, expected) => {
    expect(toggleSort(current, field)).toBe(expected);
  });
});

describe('conditions typed in', () => {
  it.each([
    ['in', ' 서울, 경기 ,', 'text', ['서울', '경기']],
    ['eq', ' F ', 'enum', 'F'],
    ['gt', '1,5', 'number', undefined],
    ['gte', '160.5', 'number', 160.5],
    ['eq', 'true', 'boolean', true],
    ['eq', 'false', 'boolean', false],
    ['exists', 'whatever', 'text', undefined],
    ['contains', '   ', 'text', undefined],
  ] as const)('%s %j (%s) → %j', (op, raw, kind, expected) => {
    expect(conditionValue(op, raw, kind)).toEqual(expected);
  });

  it('shows a value as text again', () => {
    expect(conditionValueText(['a', 'b'])).toBe('a, b');
    expect(conditionValueText(3)).toBe('3');
    expect(conditionValueText(undefined)).toBe('');
  });

  it('offers operators that fit the kind of value', () => {
    expect(opsFor('boolean')).toEqual(['eq', 'exists', 'not_exists']);
    expect(opsFor('number')).toContain('gte');
    expect(opsFor('text')).not.toContain('gt');
  });

  it('counts active filters', () => {
    expect(activeFilterCount(full)).toBe(2 + 2 + 1 + 1 + 3);
    expect(activeFilterCount({ ...EMPTY_QUERY, q: 'x' })).toBe(0);
  });
});
