import { describe, expect, it } from 'vitest';
import type { SegmentDefinition } from '../../../src/segments/definition.ts';
import { defaultOf, definitionOf, simpleOf, type SimpleCondition } from './condition-simple.ts';

describe('simpleOf', () => {
  it.each<[SegmentDefinition, SimpleCondition]>([
    [{ type: 'tag', tag: 'vip' }, { kind: 'tag', tag: 'vip' }],
    [{ and: [{ type: 'tag', tag: 'vip' }] }, { kind: 'tag', tag: 'vip' }],
    [{ type: 'consent', channel: 'sms' }, { kind: 'consent', channel: 'sms', purpose: 'marketing' }],
    [{ type: 'metric', field: 'order_count', op: 'gte', value: 2 }, { kind: 'orders', min: 2 }],
    [{ type: 'metric', field: 'order_count', op: 'lt', value: 2 }, { kind: 'custom' }],
    [{ type: 'segment', id: 'abc' }, { kind: 'segment', id: 'abc' }],
    [{ and: [{ type: 'tag', tag: 'a' }, { type: 'tag', tag: 'b' }] }, { kind: 'custom' }],
    [{ not: { type: 'tag', tag: 'a' } }, { kind: 'custom' }],
  ])('%j → %j', (def, simple) => {
    expect(simpleOf(def)).toEqual(simple);
  });

  it('reads back what it writes', () => {
    for (const kind of ['tag', 'consent', 'orders', 'segment'] as const) {
      const def = defaultOf(kind);
      const simple = simpleOf(def);
      expect(simple.kind).toBe(kind);
      if (simple.kind !== 'custom') expect(definitionOf(simple)).toEqual(def);
    }
  });
});
