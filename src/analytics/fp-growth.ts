// Frequent itemsets of a set of baskets by FP-growth (Han, Pei & Yin 2000): exact counts, the same
// as arules' apriori or a brute-force enumeration, without generating candidates.
import { AppError } from '../errors.ts';
import { runSteps, type Steps } from './steps.ts';

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
 * index back to the item's rank in the whole data set. Arrays may be longer than `size` and `k`:
 * trees are reused (see Mining.pool).
 */
type FpTree = {
  size: number;
  k: number;
  item: Int32Array;
  count: Int32Array;
  parent: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  /** The next node holding the same item (the header table's node-links). */
  nextSame: Int32Array;
  /**
   * For the tree of all baskets only, an open-addressing hash of (parent, item) to child, `bits` wide:
   * on retail.dat at 0.05 % support nodes there have thousands of children, and scanning sibling
   * lists took most of the time. Conditional trees are narrow; clearing a table for each cost more.
   */
  children: Int32Array | undefined;
  bits: number;
  head: Int32Array;
  itemCount: Int32Array;
  label: Int32Array;
};

const grow = (a: Int32Array, length: number) => (a.length >= length ? a : new Int32Array(Math.max(length, 2 * a.length)));

/** An empty tree for `capacity` nodes and `k` items, reusing `tree`'s arrays where they are long enough. */
function resetTree(tree: FpTree | undefined, capacity: number, k: number, hashed = false): FpTree {
  const t: FpTree = tree ?? {
    size: 1,
    k,
    item: new Int32Array(capacity),
    count: new Int32Array(capacity),
    parent: new Int32Array(capacity),
    firstChild: new Int32Array(capacity),
    nextSibling: new Int32Array(capacity),
    nextSame: new Int32Array(capacity),
    children: undefined,
    bits: 0,
    head: new Int32Array(k),
    itemCount: new Int32Array(k),
    label: new Int32Array(k),
  };
  t.size = 1;
  t.k = k;
  if (t.item.length < capacity) {
    t.item = grow(t.item, capacity);
    t.count = grow(t.count, capacity);
    t.parent = grow(t.parent, capacity);
    t.firstChild = grow(t.firstChild, capacity);
    t.nextSibling = grow(t.nextSibling, capacity);
    t.nextSame = grow(t.nextSame, capacity);
  }
  if (t.head.length < k) {
    t.head = grow(t.head, k);
    t.itemCount = grow(t.itemCount, k);
    t.label = grow(t.label, k);
  }
  if (hashed) {
    // At most half full, so that probes stay short.
    t.bits = Math.max(4, Math.ceil(Math.log2(2 * capacity)));
    t.children = new Int32Array(1 << t.bits).fill(-1);
  }
  t.head.fill(-1, 0, k);
  t.item[0] = -1;
  t.firstChild[0] = -1;
  t.nextSibling[0] = -1;
  return t;
}

/** Adds `count` baskets holding the items `path[0..length)`, sorted ascending. */
function insertPath(tree: FpTree, path: Int32Array, length: number, count: number): void {
  const { item, parent, firstChild, nextSibling, nextSame, head, children } = tree;
  const shift = 32 - tree.bits;
  const mask = (1 << tree.bits) - 1;
  let node = 0;
  for (let i = 0; i < length; i++) {
    const it = path[i]!;
    let child: number;
    let slot = 0;
    if (children) {
      slot = (Math.imul(node, 0x9e3779b1) ^ Math.imul(it + 1, 0x85ebca6b)) >>> shift;
      for (child = children[slot]!; child !== -1 && (parent[child] !== node || item[child] !== it); child = children[slot]!) slot = (slot + 1) & mask;
    } else {
      for (child = firstChild[node]!; child !== -1 && item[child] !== it; ) child = nextSibling[child]!;
    }
    if (child === -1) {
      child = tree.size++;
      if (children) children[slot] = child;
      item[child] = it;
      tree.count[child] = 0;
      parent[child] = node;
      firstChild[child] = -1;
      nextSibling[child] = firstChild[node]!;
      firstChild[node] = child;
      nextSame[child] = head[it]!;
      head[it] = child;
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

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareOrders(a: Int32Array, b: Int32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * The state of one mining run. Only one conditional tree per recursion depth is alive at a time, so
 * `pool[depth]` is reused for the next item's tree at that depth: allocating typed arrays for every
 * conditional tree cost more than mining them. Itemsets found go to flat arrays, not one array each.
 */
type Mining = {
  minCount: number;
  maxLength: number;
  pool: FpTree[];
  /** Scratch, as long as the number of frequent items: a path being inserted, counts and new indices of a conditional tree. */
  path: Int32Array;
  condCount: Int32Array;
  newIndex: Int32Array;
  keep: number[];
  setItems: number[];
  setEnds: number[];
  setCounts: number[];
};

function emit(mining: Mining, prefix: number[], count: number): void {
  for (let i = 0; i < prefix.length; i++) mining.setItems.push(prefix[i]!);
  mining.setEnds.push(mining.setItems.length);
  mining.setCounts.push(count);
}

/** The tree of the baskets holding item `j`, restricted to the items frequent among them, in pool[depth]. */
function conditionalTree(tree: FpTree, j: number, depth: number, mining: Mining): FpTree | undefined {
  const { item, count, parent, nextSame } = tree;
  const { condCount, newIndex, keep } = mining;
  condCount.fill(0, 0, j);
  let pathNodes = 0;
  for (let n = tree.head[j]!; n !== -1; n = nextSame[n]!) {
    const c = count[n]!;
    for (let p = parent[n]!; p !== 0; p = parent[p]!) {
      condCount[item[p]!]! += c;
      pathNodes++;
    }
  }
  keep.length = 0;
  for (let i = 0; i < j; i++) if (condCount[i]! >= mining.minCount) keep.push(i);
  if (keep.length === 0) return undefined;
  keep.sort((a, b) => condCount[b]! - condCount[a]! || a - b);
  const cond = resetTree(mining.pool[depth], 1 + pathNodes, keep.length);
  mining.pool[depth] = cond;
  newIndex.fill(-1, 0, j);
  for (let r = 0; r < keep.length; r++) {
    const old = keep[r]!;
    newIndex[old] = r;
    cond.label[r] = tree.label[old]!;
    cond.itemCount[r] = condCount[old]!;
  }
  const buf = mining.path;
  for (let n = tree.head[j]!; n !== -1; n = nextSame[n]!) {
    // Walking up gives the path deepest first; filled from the end, it comes out nearly sorted.
    let start = j;
    for (let p = parent[n]!; p !== 0; p = parent[p]!) {
      const r = newIndex[item[p]!]!;
      if (r >= 0) buf[--start] = r;
    }
    const length = j - start;
    if (length === 0) continue;
    buf.copyWithin(0, start, j);
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

/** Yields after each conditional tree (steps.ts). */
function* mine(tree: FpTree, prefix: number[], mining: Mining): Steps<void> {
  const path = singlePath(tree);
  if (path) {
    emitCombinations(tree, path, 0, prefix, mining);
    return;
  }
  for (let j = tree.k - 1; j >= 0; j--) {
    prefix.push(tree.label[j]!);
    emit(mining, prefix, tree.itemCount[j]!);
    if (prefix.length < mining.maxLength && j > 0) {
      const cond = conditionalTree(tree, j, prefix.length, mining);
      yield;
      if (cond) yield* mine(cond, prefix, mining);
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
  return runSteps(frequentItemsetsSteps(baskets, options));
}

/** frequentItemsets as steps (steps.ts): a yield every 16,384 baskets and after each conditional tree. */
export function* frequentItemsetsSteps(baskets: readonly (readonly string[])[], options: FrequentItemsetOptions = {}): Steps<FrequentItemsets> {
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
    if ((b & 0x3fff) === 0x3fff) yield;
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
  frequent.sort((a, b) => counts[b]! - counts[a]! || compareStrings(names[a]!, names[b]!));
  const k = frequent.length;
  const rankOf = new Int32Array(names.length).fill(-1);
  frequent.forEach((id, r) => (rankOf[id] = r));

  const mining: Mining = {
    minCount,
    maxLength,
    pool: [],
    path: new Int32Array(Math.max(1, k)),
    condCount: new Int32Array(k),
    newIndex: new Int32Array(k),
    keep: [],
    setItems: [],
    setEnds: [],
    setCounts: [],
  };
  if (k > 0) {
    let kept = 0;
    for (let i = 0; i < used; i++) if (rankOf[flat[i]!]! >= 0) kept++;
    const tree = resetTree(undefined, 1 + kept, k, true);
    for (let r = 0; r < k; r++) {
      tree.label[r] = r;
      tree.itemCount[r] = counts[frequent[r]!]!;
    }
    const buf = mining.path;
    for (let b = 0; b < n; b++) {
      if ((b & 0x3fff) === 0x3fff) yield;
      let length = 0;
      for (let i = offsets[b]!; i < offsets[b + 1]!; i++) {
        const r = rankOf[flat[i]!]!;
        if (r >= 0) buf[length++] = r;
      }
      if (length === 0) continue;
      if (length <= 32) sortPrefix(buf, length);
      else buf.subarray(0, length).sort();
      insertPath(tree, buf, length, 1);
    }
    yield* mine(tree, [], mining);
  }

  // Sorting by alphabetical rank, numbers rather than strings, is what keeps this step cheap.
  const alphabetical = frequent.map((_, r) => r).sort((a, b) => compareStrings(names[frequent[a]!]!, names[frequent[b]!]!));
  const alphaRank = new Int32Array(k);
  alphabetical.forEach((r, i) => (alphaRank[r] = i));
  const rows: { order: Int32Array; count: number }[] = [];
  for (let i = 0, from = 0; i < mining.setEnds.length; i++) {
    const to = mining.setEnds[i]!;
    const order = new Int32Array(to - from);
    for (let j = from; j < to; j++) order[j - from] = alphaRank[mining.setItems[j]!]!;
    sortPrefix(order, order.length);
    rows.push({ order, count: mining.setCounts[i]! });
    from = to;
  }
  rows.sort((a, b) => a.order.length - b.order.length || b.count - a.count || compareOrders(a.order, b.order));
  return {
    baskets: n,
    items: names.length,
    minCount,
    itemsets: rows.map(({ order, count }) => {
      const items: string[] = [];
      for (let j = 0; j < order.length; j++) items.push(names[frequent[alphabetical[order[j]!]!]!]!);
      return { items, count, support: count / n };
    }),
  };
}
