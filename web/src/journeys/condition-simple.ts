// The few conditions the side panel edits without the full builder: has a tag, agreed to a
// channel, has at least N orders, is in a segment. A definition that is one of these (alone, or
// alone in a group) reads as its simple form; anything else is "custom". Pure.
import type { SegmentDefinition } from '../../../src/segments/definition.ts';

export type SimpleCondition =
  | { kind: 'tag'; tag: string }
  | { kind: 'consent'; channel: string; purpose: string }
  | { kind: 'orders'; min: number }
  | { kind: 'segment'; id: string }
  | { kind: 'custom' };
export type SimpleKind = SimpleCondition['kind'];
export const SIMPLE_KINDS: readonly SimpleKind[] = ['tag', 'consent', 'orders', 'segment', 'custom'];

export function simpleOf(def: SegmentDefinition): SimpleCondition {
  let node = def;
  if ('and' in node && node.and.length === 1) node = node.and[0]!;
  else if ('or' in node && node.or.length === 1) node = node.or[0]!;
  if (!('type' in node)) return { kind: 'custom' };
  switch (node.type) {
    case 'tag':
      return { kind: 'tag', tag: node.tag };
    case 'consent':
      return { kind: 'consent', channel: node.channel, purpose: node.purpose ?? 'marketing' };
    case 'metric':
      return node.field === 'order_count' && node.op === 'gte' && typeof node.value === 'number' ? { kind: 'orders', min: node.value } : { kind: 'custom' };
    case 'segment':
      return { kind: 'segment', id: node.id };
    default:
      return { kind: 'custom' };
  }
}

export function definitionOf(c: Exclude<SimpleCondition, { kind: 'custom' }>): SegmentDefinition {
  switch (c.kind) {
    case 'tag':
      return { type: 'tag', tag: c.tag };
    case 'consent':
      return { type: 'consent', channel: c.channel, purpose: c.purpose };
    case 'orders':
      return { type: 'metric', field: 'order_count', op: 'gte', value: c.min };
    case 'segment':
      return { type: 'segment', id: c.id };
  }
}

/** The condition a kind starts as when chosen. */
export function defaultOf(kind: Exclude<SimpleKind, 'custom'>): SegmentDefinition {
  switch (kind) {
    case 'tag':
      return definitionOf({ kind, tag: '' });
    case 'consent':
      return definitionOf({ kind, channel: 'email', purpose: 'marketing' });
    case 'orders':
      return definitionOf({ kind, min: 1 });
    case 'segment':
      return definitionOf({ kind, id: '' });
  }
}
