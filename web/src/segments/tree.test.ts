import { describe, expect, it } from 'vitest';
import {
  addChild,
  attributeKind,
  defaultLeaf,
  definitionErrors,
  errorsByNode,
  errorTarget,
  getNode,
  LEAF_TYPES,
  opsFor,
  removeNode,
  setGroupKind,
  toggleNot,
  updateNode,
  valueForOp,
  valueInput,
  windowParts,
  type SegmentDefinition,
} from './tree.ts';
import { validateSegmentDefinition } from '../../../src/segments/definition.ts';

const tree: SegmentDefinition = {
  and: [
    { type: 'attribute', field: 'name', op: 'eq', value: 'Kim' },
    { not: { or: [{ type: 'tag', tag: 'vip' }, { type: 'event', name: 'page_view', count: { op: 'gte', value: 2 } }] } },
  ],
};

describe('tree editing', () => {
  it('reads nodes by path, through not', () => {
    expect(getNode(tree, [1, 0, 1])).toEqual({ type: 'event', name: 'page_view', count: { op: 'gte', value: 2 } });
    expect(getNode(tree, [5])).toBeUndefined();
  });

  it('updates one node and leaves the rest as they were', () => {
    const next = updateNode(tree, [1, 0, 0], () => ({ type: 'tag', tag: 'gold' }));
    expect(getNode(next, [1, 0, 0])).toEqual({ type: 'tag', tag: 'gold' });
    expect(getNode(next, [0])).toBe(getNode(tree, [0]));
    expect(getNode(tree, [1, 0, 0])).toEqual({ type: 'tag', tag: 'vip' });
  });

  it('adds to a group, removes a child and keeps a group’s last child', () => {
    const added = addChild(tree, [1, 0], { type: 'tag', tag: 'x' });
    expect((getNode(added, [1, 0]) as { or: unknown[] }).or).toHaveLength(3);
    expect(removeNode(tree, [0])).toEqual({ and: [tree.and[1]] });
    expect(removeNode({ and: [{ type: 'tag', tag: 'a' }] }, [0])).toEqual({ and: [{ type: 'tag', tag: 'a' }] });
  });

  it('removes a negated node with its not', () => {
    expect(removeNode(tree, [1, 0])).toEqual({ and: [tree.and[0]] });
  });

  it('switches AND/OR and toggles NOT', () => {
    expect(setGroupKind(tree, [], 'or')).toEqual({ or: tree.and });
    expect(toggleNot(tree, [1])).toEqual({ and: [tree.and[0], (tree.and[1] as { not: SegmentDefinition }).not] });
    expect(toggleNot(tree, [0])).toEqual({ and: [{ not: tree.and[0] }, tree.and[1]] });
  });
});

describe('defaultLeaf', () => {
  it.each(['attribute', 'event', 'orders', 'metric', 'consent', 'random'] as const)('a new %s condition is valid as it is', (type) => {
    expect(validateSegmentDefinition(defaultLeaf(type)).ok).toBe(true);
  });

  it('offers every leaf type', () => {
    expect(LEAF_TYPES.map((t) => defaultLeaf(t).type)).toEqual(LEAF_TYPES);
  });
});

describe('operators and values', () => {
  it.each([
    ['name', {}, 'text'],
    ['birthday', {}, 'date'],
    ['signed_up_at', {}, 'time'],
    ['attributes.points', { points: 'number' }, 'number'],
    ['attributes.tier', { tier: 'enum' }, 'text'],
    ['attributes.unknown', {}, 'custom'],
  ] as const)('%s compares as %s', (field, types, kind) => {
    expect(attributeKind(field, types)).toBe(kind);
  });

  it('offers the ops of the kind', () => {
    expect(opsFor('boolean')).toEqual(['eq', 'neq']);
    expect(opsFor('date')).toContain('within_last_days');
    expect(opsFor('text')).not.toContain('within_last_days');
    expect(opsFor('property')).toContain('contains');
  });

  it.each([
    ['text', 'exists', 'none'],
    ['text', 'in', 'list'],
    ['number', 'gt', 'number'],
    ['date', 'gt', 'date'],
    ['time', 'within_last_days', 'days'],
    ['number', 'between', 'range-number'],
    ['date', 'between', 'range-date'],
    ['boolean', 'eq', 'boolean'],
  ] as const)('%s %s takes %s', (kind, op, input) => {
    expect(valueInput(kind, op)).toBe(input);
  });

  it('keeps a value that still fits the op, else gives one that does', () => {
    expect(valueForOp('number', 'gt', 5)).toBe(5);
    expect(valueForOp('number', 'in', 5)).toEqual([]);
    expect(valueForOp('text', 'exists', 'x')).toBeUndefined();
    expect(valueForOp('date', 'within_last_days', '2024-01-01')).toBe(30);
  });

  it('reads an event window', () => {
    expect(windowParts({ hours: 3 })).toEqual({ amount: 3, unit: 'hours' });
    expect(windowParts(undefined)).toBeUndefined();
  });
});

describe('server errors at their node', () => {
  it.each([
    ['definition.and[1].not.or[1].count.op', [1, 0, 1], 'count.op'],
    ['definition.and[0].value', [0], 'value'],
    ['definition', [], ''],
    ['definition.and[9].value', [], 'and[9].value'],
  ])('%s → %j %s', (p, path, field) => {
    expect(errorTarget(p, tree)).toEqual({ path, field });
  });

  it('ignores paths outside the definition', () => {
    expect(errorTarget('body.name', tree)).toBeUndefined();
  });

  it('groups errors by node', () => {
    const m = errorsByNode([{ path: 'definition.and[0].value', message: 'must be a text' }], tree);
    expect(m.get('0')).toEqual([{ field: 'value', message: 'must be a text' }]);
  });

  it('matches the validator’s own paths', () => {
    const bad = { and: [{ type: 'attribute', field: 'name', op: 'eq', value: 'x' }, { type: 'event', count: { op: 'zz', value: 1 } }] };
    const res = validateSegmentDefinition(bad);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(errorTarget(res.errors[0]!.path, bad as SegmentDefinition)).toEqual({ path: [1], field: 'count.op' });
  });

  it('reads errors from the details or the message', () => {
    expect(definitionErrors({ message: 'x', details: { errors: [{ path: 'definition.and[0]', message: 'bad' }] } })).toEqual([{ path: 'definition.and[0]', message: 'bad' }]);
    expect(definitionErrors({ message: 'definition.or[2].id: segment 1 does not exist' })).toEqual([{ path: 'definition.or[2].id', message: 'segment 1 does not exist' }]);
    expect(definitionErrors({ message: 'nope' })).toEqual([]);
  });
});
