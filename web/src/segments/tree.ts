// Editing a segment definition as a tree: nodes addressed by a path of steps from the root, new
// leaves per type, operators per field kind, and the server's error paths
// ("definition.and[1].count.op") mapped back to the node they name. Pure.
import {
  ATTRIBUTE_PREFIX,
  METRIC_FIELDS,
  OPS_BY_KIND,
  PROFILE_FIELDS,
  PROPERTY_OPS,
  type AttributeOp,
  type FieldKind,
  type SegmentDefinition,
  type SegmentLeafNode,
} from '../../../src/segments/definition.ts';

export type { SegmentDefinition, SegmentLeafNode, AttributeOp, FieldKind };
export type LeafType = SegmentLeafNode['type'];
export type GroupKind = 'and' | 'or';
export const LEAF_TYPES: readonly LeafType[] = ['attribute', 'event', 'orders', 'metric', 'consent', 'tag', 'preference', 'segment', 'random'];

/** Where a node sits: the index of each child from the root (a `not` wrapper is one step, index 0). */
export type NodePath = readonly number[];

export const isGroup = (n: SegmentDefinition): n is { and: SegmentDefinition[] } | { or: SegmentDefinition[] } => 'and' in n || 'or' in n;
export const isNot = (n: SegmentDefinition): n is { not: SegmentDefinition } => 'not' in n;
export const groupKind = (n: SegmentDefinition): GroupKind | undefined => ('and' in n ? 'and' : 'or' in n ? 'or' : undefined);

function childrenOf(n: SegmentDefinition): SegmentDefinition[] | undefined {
  if ('and' in n) return n.and;
  if ('or' in n) return n.or;
  if ('not' in n) return [n.not];
  return undefined;
}

function withChildren(n: SegmentDefinition, children: SegmentDefinition[]): SegmentDefinition {
  if ('and' in n) return { and: children };
  if ('or' in n) return { or: children };
  if ('not' in n) return { not: children[0]! };
  return n;
}

export function getNode(root: SegmentDefinition, path: NodePath): SegmentDefinition | undefined {
  let n: SegmentDefinition | undefined = root;
  for (const i of path) n = n && childrenOf(n)?.[i];
  return n;
}

/** The tree with the node at `path` replaced by `fn(node)`. */
export function updateNode(root: SegmentDefinition, path: NodePath, fn: (n: SegmentDefinition) => SegmentDefinition): SegmentDefinition {
  if (path.length === 0) return fn(root);
  const kids = childrenOf(root);
  const [i, ...rest] = path;
  if (!kids || i === undefined || i >= kids.length) return root;
  return withChildren(root, kids.map((k, j) => (j === i ? updateNode(k, rest, fn) : k)));
}

/** Appends `node` to the group at `path`. */
export function addChild(root: SegmentDefinition, path: NodePath, node: SegmentDefinition): SegmentDefinition {
  return updateNode(root, path, (g) => (isGroup(g) ? withChildren(g, [...childrenOf(g)!, node]) : g));
}

/** Removes the node at `path` from its group; a `not` goes with its child, and the last child of a group stays. */
export function removeNode(root: SegmentDefinition, path: NodePath): SegmentDefinition {
  if (path.length === 0) return root;
  const parentPath = path.slice(0, -1);
  const parent = getNode(root, parentPath);
  if (parent && isNot(parent)) return removeNode(root, parentPath);
  const i = path[path.length - 1]!;
  return updateNode(root, parentPath, (g) => {
    const kids = childrenOf(g);
    if (!kids || !isGroup(g) || kids.length <= 1) return g;
    return withChildren(g, kids.filter((_, j) => j !== i));
  });
}

/** Switches a group between AND and OR. */
export function setGroupKind(root: SegmentDefinition, path: NodePath, kind: GroupKind): SegmentDefinition {
  return updateNode(root, path, (g) => (isGroup(g) ? (kind === 'and' ? { and: childrenOf(g)! } : { or: childrenOf(g)! }) : g));
}

/** Wraps the node in `not`, or unwraps it when it is one. */
export function toggleNot(root: SegmentDefinition, path: NodePath): SegmentDefinition {
  return updateNode(root, path, (n) => (isNot(n) ? n.not : { not: n }));
}

/** A new condition of each type, valid where the type allows it without workspace data. */
export function defaultLeaf(type: LeafType): SegmentLeafNode {
  switch (type) {
    case 'attribute':
      return { type: 'attribute', field: 'email', op: 'exists' };
    case 'event':
      return { type: 'event', count: { op: 'gte', value: 1 }, within: { days: 30 } };
    case 'orders':
      return { type: 'orders', count: { op: 'gte', value: 1 } };
    case 'metric':
      return { type: 'metric', field: 'total_spend', op: 'gte', value: 0 };
    case 'consent':
      return { type: 'consent', channel: 'email', purpose: 'marketing' };
    case 'tag':
      return { type: 'tag', tag: '' };
    case 'preference':
      return { type: 'preference', category: '' };
    case 'segment':
      return { type: 'segment', id: '' };
    case 'random':
      return { type: 'random', buckets: 100, from: 0, to: 50 };
  }
}

export const newGroup = (kind: GroupKind = 'and'): SegmentDefinition => (kind === 'and' ? { and: [defaultLeaf('attribute')] } : { or: [defaultLeaf('attribute')] });

/** How a field's values compare: profile fields by their type, custom attributes by their defined type. */
export function attributeKind(field: string, attributeTypes: Readonly<Record<string, string>> = {}): FieldKind {
  if (Object.hasOwn(PROFILE_FIELDS, field)) return PROFILE_FIELDS[field as keyof typeof PROFILE_FIELDS];
  if (field.startsWith(ATTRIBUTE_PREFIX)) {
    const t = attributeTypes[field.slice(ATTRIBUTE_PREFIX.length)];
    // The server compares custom attributes by their JSON value; the UI offers the ops that fit the defined type.
    if (t === 'number') return 'number';
    if (t === 'boolean') return 'boolean';
    if (t === 'date') return 'date';
    if (t === 'text' || t === 'enum') return 'text';
  }
  return 'custom';
}

export const metricKind = (field: string): FieldKind => (Object.hasOwn(METRIC_FIELDS, field) ? METRIC_FIELDS[field as keyof typeof METRIC_FIELDS] : 'custom');

/** Operators that fit a field kind, in the order they are offered. */
export function opsFor(kind: FieldKind | 'property'): readonly AttributeOp[] {
  return kind === 'property' ? PROPERTY_OPS : OPS_BY_KIND[kind];
}

/** What input a value needs for an op on a field kind. */
export type ValueInput = 'none' | 'text' | 'number' | 'boolean' | 'date' | 'days' | 'list' | 'range-number' | 'range-text' | 'range-date';
export function valueInput(kind: FieldKind | 'property', op: AttributeOp): ValueInput {
  const timeLike = kind === 'date' || kind === 'time';
  switch (op) {
    case 'exists':
    case 'not_exists':
      return 'none';
    case 'in':
      return 'list';
    case 'contains':
    case 'starts_with':
      return 'text';
    case 'within_last_days':
    case 'anniversary_within_days':
      return 'days';
    case 'before':
    case 'after':
      return 'date';
    case 'between':
      return timeLike ? 'range-date' : kind === 'number' ? 'range-number' : 'range-text';
    default:
      return timeLike ? 'date' : kind === 'number' ? 'number' : kind === 'boolean' ? 'boolean' : 'text';
  }
}

/** A value that fits the new op, keeping the old one when it still does. */
export function valueForOp(kind: FieldKind | 'property', op: AttributeOp, previous: unknown): unknown {
  const input = valueInput(kind, op);
  const fits = (v: unknown): boolean => {
    switch (input) {
      case 'none':
        return v === undefined;
      case 'list':
        return Array.isArray(v);
      case 'number':
      case 'days':
        return typeof v === 'number';
      case 'boolean':
        return typeof v === 'boolean';
      case 'text':
      case 'date':
        return typeof v === 'string';
      default:
        return Array.isArray(v) && v.length === 2;
    }
  };
  if (fits(previous)) return previous;
  switch (input) {
    case 'none':
      return undefined;
    case 'list':
      return [];
    case 'number':
      return 0;
    case 'days':
      return 30;
    case 'boolean':
      return true;
    case 'range-number':
      return [0, 0];
    case 'range-text':
    case 'range-date':
      return ['', ''];
    default:
      return '';
  }
}

/**
 * The node a server error path names, as a tree path, and the rest of the path within that node
 * ("count.op"). `definition.and[1].not.count.op` → { path: [1, 0], field: 'count.op' }.
 */
export function errorTarget(errorPath: string, root: SegmentDefinition, base = 'definition'): { path: number[]; field: string } | undefined {
  if (errorPath !== base && !errorPath.startsWith(`${base}.`) && !errorPath.startsWith(`${base}[`)) return undefined;
  let rest = errorPath.slice(base.length).replace(/^\./, '');
  const path: number[] = [];
  let node: SegmentDefinition | undefined = root;
  for (;;) {
    const m = /^(and|or)\[(\d+)\](?:\.|$)/.exec(rest) ?? /^(not)(?:\.|$)/.exec(rest);
    if (!m || !node) break;
    const step = m[1] === 'not' ? 0 : Number(m[2]);
    const next: SegmentDefinition | undefined = childrenOf(node)?.[step];
    if (!next) break;
    path.push(step);
    node = next;
    rest = rest.slice(m[0].length);
  }
  return { path, field: rest };
}

export const pathKey = (path: NodePath) => path.join('.');

/** Server errors ({path, message}) keyed by the node they name. */
export function errorsByNode(errors: readonly { path: string; message: string }[], root: SegmentDefinition): Map<string, { field: string; message: string }[]> {
  const out = new Map<string, { field: string; message: string }[]>();
  for (const e of errors) {
    const target = errorTarget(e.path, root);
    if (!target) continue;
    const key = pathKey(target.path);
    out.set(key, [...(out.get(key) ?? []), { field: target.field, message: e.message }]);
  }
  return out;
}

/** The errors of a 400 from the segments API: `details.errors`, or the message's leading path. */
export function definitionErrors(err: { message: string; details?: unknown } | null | undefined): { path: string; message: string }[] {
  if (!err) return [];
  const details = err.details as { errors?: unknown } | undefined;
  if (details && Array.isArray(details.errors)) {
    return details.errors.filter((e): e is { path: string; message: string } => typeof e === 'object' && e !== null && typeof (e as { path?: unknown }).path === 'string');
  }
  const m = /^(definition[^\s:]*): (.*)$/s.exec(err.message);
  return m ? [{ path: m[1]!, message: m[2]! }] : [];
}

/** An event window as an amount and unit, and back. */
export type WindowUnit = 'minutes' | 'hours' | 'days';
export function windowParts(within: unknown): { amount: number; unit: WindowUnit } | undefined {
  if (typeof within !== 'object' || within === null) return undefined;
  for (const unit of ['minutes', 'hours', 'days'] as const) {
    const v = (within as Record<string, unknown>)[unit];
    if (typeof v === 'number') return { amount: v, unit };
  }
  return undefined;
}
