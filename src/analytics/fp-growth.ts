// Frequent itemsets of a set of baskets by FP-growth (Han, Pei & Yin 2000): exact counts, the same
// as arules' apriori or a brute-force enumeration, without generating candidates.
import { AppError } from '../errors.ts';

export type FrequentItemset = { items: string[]; count: number; support: number };

/** `items` counts the distinct items seen, frequent or not; `minCount` is the threshold applied. */
export type FrequentItemsets = { baskets: number; items: number; minCount: number; itemsets: FrequentItemset[] };

/**
 * `minSupport` is a fraction of baskets and `minCount` a number of baskets; when both are given the
 * stricter wins. Without either, arules' default support of 0.1 applies. `maxLength` is unlimited
 * by default (arules stops at 10).
 */
export type FrequentItemsetOptions = { minSupport?: number; minCount?: number; maxLength?: number };

const DEFAULT_MIN_SUPPORT = 0.1;

/**
 * The least number of baskets an itemset needs. arules keeps support >= minSupport, so 0.001 of
 * 9,835 baskets (9.835) means 10; the tolerance stops 0.07 × 100 = 7.000000000000001 from meaning 8.
 */
export function minCountFor(baskets: number, options: Pick<FrequentItemsetOptions, 'minSupport' | 'minCount'>): number {
  const { minSupport, minCount } = options;
  if (minSupport !== undefined && !(minSupport > 0 && minSupport <= 1)) throw new AppError('invalid_input', `minSupport: must be a fraction in (0, 1], not ${minSupport}`);
  if (minCount !== undefined && !(Number.isInteger(minCount) && minCount >= 1)) throw new AppError('invalid_input', `minCount: must be a whole number >= 1, not ${minCount}`);
  const fraction = minSupport ?? (minCount === undefined ? DEFAULT_MIN_SUPPORT : undefined);
  const exact = fraction === undefined ? 1 : fraction * baskets;
  const fromSupport = Math.ceil(exact - 1e-9 * Math.max(1, exact));
  return Math.max(1, fromSupport, minCount ?? 1);
}

/**
 * An FP-tree as parallel typed arrays, node 0 being the root. Items are local indices 0..k-1 in
 * descending order of count, so every root-to-leaf path has increasing indices; `label` maps a local
 * index back to the item's rank in the whole data set.
 */
type FpTree = {
  size: number;
  item: Int32Array;
  count: Int32Array;
  parent: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  /** The next node holding the same item (the header table's node-links). */
  nextSame: Int32Array;
  /** Children of the root by item: the root may have thousands, every other node few. */
  rootChild: Int32Array;
  head: Int32Array;
  itemCount: Int32Array;
  label: Int32Array;
};

function createTree(capacity: number, label: Int32Array, itemCount: Int32Array): FpTree {
  const k = label.length;
  const tree: FpTree = {
    size: 1,
    item: new Int32Array(capacity),
    count: new Int32Array(capacity),
    parent: new Int32Array(capacity),
    firstChild: new Int32Array(capacity),
    nextSibling: new Int32Array(capacity),
    nextSame: new Int32Array(capacity),
    rootChild: new Int32Array(k).fill(-1),
    head: new Int32Array(k).fill(-1),
    itemCount,
    label,
  };
  tree.item[0] = -1;
  tree.firstChild[0] = -1;
  tree.nextSibling[0] = -1;
  return tree;
}

/** Adds `count` baskets holding the items `path[0..length)`, sorted ascending. */
function insertPath(tree: FpTree, path: Int32Array, length: number, count: number): void {
  const { item, parent, firstChild, nextSibling, nextSame, head } = tree;
  let node = 0;
  for (let i = 0; i < length; i++) {
    const it = path[i]!;
    let child = node === 0 ? tree.rootChild[it]! : firstChild[node]!;
    if (node !== 0) while (child !== -1 && item[child] !== it) child = nextSibling[child]!;
    if (child === -1) {
      child = tree.size++;
      item[child] = it;
      parent[child] = node;
      firstChild[child] = -1;
      nextSibling[child] = firstChild[node]!;
      firstChild[node] = child;
      nextSame[child] = head[it]!;
      head[it] = child;
      if (node === 0) tree.rootChild[it] = child;
    }
    tree.count[child]! += count;
    node = child;
  }
}

/** Sorts `a[0..length)` ascending; paths are short and nearly sorted, where insertion sort wins. */
function sortPrefix(a: Int32Array, length: number): void {
  for (let i = 1; i < length; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

type Mining = { minCount: number; maxLength: number; scratch: Int32Array; sets: Int32Array[]; counts: number[] };

function emit(mining: Mining, prefix: number[], count: number): void {
  mining.sets.push(Int32Array.from(prefix));
  mining.counts.push(count);
}

/** The tree of the baskets holding item `j`, restricted to the items frequent among them. */
function conditionalTree(tree: FpTree, j: number, mining: Mining): FpTree | undefined {
  const { item, count, parent, nextSame } = tree;
  const condCount = new Int32Array(j);
  let pathNodes = 0;
  for (let n = tree.head[j]!; n !== -1; n = nextSame[n]!) {
    const c = count[n]!;
    for (let p = parent[n]!; p !== 0; p = parent[p]!) {
      condCount[item[p]!]! += c;
      pathNodes++;
    }
  }
  const keep: number[] = [];
  for (let i = 0; i < j; i++) if (condCount[i]! >= mining.minCount) keep.push(i);
  if (keep.length === 0) return undefined;
  keep.sort((a, b) => condCount[b]! - condCount[a]! || a - b);
  const newIndex = new Int32Array(j).fill(-1);
  const label = new Int32Array(keep.length);
  const itemCount = new Int32Array(keep.length);
  keep.forEach((old, r) => {
    newIndex[old] = r;
    label[r] = tree.label[old]!;
    itemCount[r] = condCount[old]!;
  });
  const cond = createTree(1 + pathNodes, label, itemCount);
  const buf = mining.scratch;
  for (let n = tree.head[j]!; n !== -1; n = nextSame[n]!) {
    let length = 0;
    for (let p = parent[n]!; p !== 0; p = parent[p]!) {
      const r = newIndex[item[p]!]!;
      if (r >= 0) buf[length++] = r;
    }
    if (length === 0) continue;
    buf.subarray(0, length).reverse();
    sortPrefix(buf, length);
    insertPath(cond, buf, length, count[n]!);
  }
  return cond;
}

/** The nodes of a tree that is one chain from the root, or undefined when it branches. */
function singlePath(tree: FpTree): number[] | undefined {
  const nodes: number[] = [];
  for (let child = tree.firstChild[0]!; child !== -1; child = tree.firstChild[child]!) {
    if (tree.nextSibling[child] !== -1) return undefined;
    nodes.push(child);
  }
  return nodes;
}

/** On a chain every combination of its items is frequent, counted by its deepest node. */
function emitCombinations(tree: FpTree, path: number[], start: number, prefix: number[], mining: Mining): void {
  for (let i = start; i < path.length; i++) {
    const node = path[i]!;
    prefix.push(tree.label[tree.item[node]!]!);
    emit(mining, prefix, tree.count[node]!);
    if (prefix.length < mining.maxLength) emitCombinations(tree, path, i + 1, prefix, mining);
    prefix.pop();
  }
}

function mine(tree: FpTree, prefix: number[], mining: Mining): void {
  const path = singlePath(tree);
  if (path) {
    emitCombinations(tree, path, 0, prefix, mining);
    return;
  }
  for (let j = tree.label.length - 1; j >= 0; j--) {
    prefix.push(tree.label[j]!);
    emit(mining, prefix, tree.itemCount[j]!);
    if (prefix.length < mining.maxLength && j > 0) {
      const cond = conditionalTree(tree, j, mining);
      if (cond) mine(cond, prefix, mining);
    }
    prefix.pop();
  }
}

/**
 * Every itemset held by at least the threshold of baskets, with its count and support, ordered by
 * size, then count (descending), then items. Items within an itemset are sorted by name, and an
 * item repeated within a basket counts once.
 */
export function frequentItemsets(baskets: readonly (readonly string[])[], options: FrequentItemsetOptions = {}): FrequentItemsets {
  const maxLength = options.maxLength ?? Infinity;
  if (maxLength !== Infinity && !(Number.isInteger(maxLength) && maxLength >= 1)) throw new AppError('invalid_input', `maxLength: must be a whole number >= 1, not ${maxLength}`);
  const n = baskets.length;
  const minCount = minCountFor(n, options);

  // Dense ids and one flat array of every basket's distinct ids: far fewer objects than a Set per basket.
  const ids = new Map<string, number>();
  const names: string[] = [];
  const counts: number[] = [];
  const seenIn: number[] = [];
  const offsets = new Int32Array(n + 1);
  let flat = new Int32Array(1 << 16);
  let used = 0;
  for (let b = 0; b < n; b++) {
    offsets[b] = used;
    for (const name of baskets[b]!) {
      let id = ids.get(name);
      if (id === undefined) {
        id = names.length;
        ids.set(name, id);
        names.push(name);
        counts.push(0);
        seenIn.push(-1);
      }
      if (seenIn[id] === b) continue;
      seenIn[id] = b;
      counts[id]!++;
      if (used === flat.length) {
        const grown = new Int32Array(flat.length * 2);
        grown.set(flat);
        flat = grown;
      }
      flat[used++] = id;
    }
  }
  offsets[n] = used;

  const frequent: number[] = [];
  for (let id = 0; id < names.length; id++) if (counts[id]! >= minCount) frequent.push(id);
  // Ties broken by name so that the tree, and so the output before sorting, never depends on input order.
  frequent.sort((a, b) => counts[b]! - counts[a]! || (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
  const k = frequent.length;
  const rankOf = new Int32Array(names.length).fill(-1);
  frequent.forEach((id, r) => (rankOf[id] = r));

  const mining: Mining = { minCount, maxLength, scratch: new Int32Array(Math.max(1, k)), sets: [], counts: [] };
  if (k > 0) {
    let kept = 0;
    for (let i = 0; i < used; i++) if (rankOf[flat[i]!]! >= 0) kept++;
    const tree = createTree(1 + kept, Int32Array.from({ length: k }, (_, r) => r), Int32Array.from(frequent, (id) => counts[id]!));
    const buf = mining.scratch;
    for (let b = 0; b < n; b++) {
      let length = 0;
      for (let i = offsets[b]!; i < offsets[b + 1]!; i++) {
        const r = rankOf[flat[i]!]!;
        if (r >= 0) buf[length++] = r;
      }
      if (length === 0) continue;
      buf.subarray(0, length).sort();
      insertPath(tree, buf, length, 1);
    }
    mine(tree, [], mining);
  }

  const rows = mining.sets.map((ranks, i) => {
    const items = Array.from(ranks, (r) => names[frequent[r]!]!).sort();
    return { items, count: mining.counts[i]!, key: items.join('\u0000') };
  });
  rows.sort((a, b) => a.items.length - b.items.length || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    baskets: n,
    items: names.length,
    minCount,
    itemsets: rows.map(({ items, count }) => ({ items, count, support: count / n })),
  };
}
