// The training side of the recommenders: purchase histories collapsed into a customer × product CSR
// index (typed arrays, one row of distinct products per customer) and top-N neighbour lists per product
// with co-occurrence statistics. recommend.ts scores customers against these. Both are built as
// steps (steps.ts) that yield every few thousand purchases, customers or products, so that a job can
// build them in slices.
import { runSteps, type Steps } from './steps.ts';

export type Purchase = { customerId: string; productId: string; at: Date; quantity?: number };
/** `repeatable` products (consumables) may be recommended again after the recent-purchase window. */
export type ProductMeta = { productId: string; category: string; brand?: string; price?: number; repeatable?: boolean };
/** What every recommender shares about exclusion, so the evaluation compares ranking, not filtering. */
export type ExclusionOptions = {
  /** Products bought within this many days before `now` are never recommended, repeatable or not (default 30). */
  recentWindowDays?: number;
  /** Leave out anything the customer ever bought unless the product is repeatable (default true). */
  excludePurchased?: boolean;
  /** Product metadata: categories for the blended model, `repeatable` for every model. */
  products?: Iterable<ProductMeta>;
  /**
   * Customers with more distinct products than this (resellers, test accounts) contribute only their most
   * recent ones to co-occurrence counts, which grow with the square of a basket (default 500).
   */
  maxItemsPerCustomer?: number;
};

/** The trained index every model shares: customers × distinct products as CSR arrays. */
export type PurchaseIndex = {
  productIds: string[];
  productIndex: Map<string, number>;
  customerIndex: Map<string, number>;
  /** Row c of the CSR: items[offsets[c] .. offsets[c + 1]) are customer c's distinct products. */
  offsets: Uint32Array;
  items: Uint32Array;
  /** Seconds since the epoch of the latest purchase of items[x] by its customer. */
  lastAt: Uint32Array;
  /** Units bought per product (quantity, default 1). */
  popularity: Float64Array;
  /** Product indices, best seller first. */
  popularOrder: Uint32Array;
  /** Distinct buyers per product. */
  buyers: Uint32Array;
  latestAt: number;
  repeatable: Uint8Array;
  recentWindowSeconds: number;
  excludePurchased: boolean;
  maxItemsPerCustomer: number;
};

/** Top-N neighbours per product: slots [i * n, i * n + count[i]) sorted by selection score. */
export type Neighbours = {
  n: number;
  count: Uint16Array;
  ids: Uint32Array;
  similarity: Float32Array;
  confidence: Float32Array;
  lift: Float32Array;
};

/**
 * Purchases packed as they come: each customer and product id once, numbered in order of first
 * appearance, the rest in typed arrays (a million purchases as objects are ~220 MB of heap that
 * every garbage collection walks). Iterating gives the purchases back. A job packs its rows as it
 * reads them (`addPurchase`); `buildIndex` takes a packed history as it is.
 */
export type PackedPurchases = Iterable<Purchase> & {
  packed: true;
  n: number;
  customerIds: string[];
  customerIndex: Map<string, number>;
  productIds: string[];
  productIndex: Map<string, number>;
  cust: Uint32Array;
  item: Uint32Array;
  atMs: Float64Array;
  qty: Float32Array;
  latestAt: number;
};

export function packedPurchases(): PackedPurchases {
  const cap = 1 << 16;
  const p: PackedPurchases = {
    packed: true,
    n: 0,
    customerIds: [],
    customerIndex: new Map(),
    productIds: [],
    productIndex: new Map(),
    cust: new Uint32Array(cap),
    item: new Uint32Array(cap),
    atMs: new Float64Array(cap),
    qty: new Float32Array(cap),
    latestAt: 0,
    *[Symbol.iterator]() {
      for (let x = 0; x < p.n; x++) yield { customerId: p.customerIds[p.cust[x]!]!, productId: p.productIds[p.item[x]!]!, at: new Date(p.atMs[x]!), quantity: p.qty[x]! };
    },
  };
  return p;
}

function grow<T extends Uint32Array | Float64Array | Float32Array>(arr: T, make: (n: number) => T): T {
  const next = make(arr.length * 2);
  next.set(arr);
  return next;
}

export function addPurchase(p: PackedPurchases, customerId: string, productId: string, atMs: number, quantity = 1): void {
  if (p.n === p.cust.length) {
    p.cust = grow(p.cust, (m) => new Uint32Array(m));
    p.item = grow(p.item, (m) => new Uint32Array(m));
    p.atMs = grow(p.atMs, (m) => new Float64Array(m));
    p.qty = grow(p.qty, (m) => new Float32Array(m));
  }
  let c = p.customerIndex.get(customerId);
  if (c === undefined) p.customerIndex.set(customerId, (c = p.customerIds.push(customerId) - 1));
  let i = p.productIndex.get(productId);
  if (i === undefined) p.productIndex.set(productId, (i = p.productIds.push(productId) - 1));
  if (atMs > p.latestAt) p.latestAt = atMs;
  p.cust[p.n] = c;
  p.item[p.n] = i;
  p.atMs[p.n] = atMs;
  p.qty[p.n] = quantity;
  p.n++;
}

/** Purchases, customers or products handled between two yields of a long loop (a few ms of work). */
const EVERY = 0x3fff;

export function buildIndex(history: Iterable<Purchase>, opts: ExclusionOptions): PurchaseIndex {
  return runSteps(buildIndexSteps(history, opts));
}

export function* buildIndexSteps(history: Iterable<Purchase>, opts: ExclusionOptions): Steps<PurchaseIndex> {
  let packed: PackedPurchases;
  if ((history as Partial<PackedPurchases>).packed === true) {
    packed = history as PackedPurchases;
  } else {
    packed = packedPurchases();
    for (const p of history) {
      if ((packed.n & EVERY) === EVERY) yield;
      addPurchase(packed, p.customerId, p.productId, p.at.getTime(), p.quantity ?? 1);
    }
  }
  const { n, cust, item, qty, customerIndex, productIndex, productIds, latestAt } = packed;
  // Seconds are what the index keeps.
  const at = new Uint32Array(n);
  for (let x = 0; x < n; x++) {
    if ((x & EVERY) === EVERY) yield;
    at[x] = Math.max(0, Math.floor(packed.atMs[x]! / 1000));
  }
  const nCust = customerIndex.size;
  const nItems = productIds.length;

  // Counting sort of the purchases by customer.
  const rowStart = new Uint32Array(nCust + 1);
  for (let x = 0; x < n; x++) {
    if ((x & EVERY) === EVERY) yield;
    rowStart[cust[x]! + 1]!++;
  }
  for (let c = 0; c < nCust; c++) rowStart[c + 1]! += rowStart[c]!;
  yield;
  const fill = rowStart.slice(0, nCust);
  const order = new Uint32Array(n);
  for (let x = 0; x < n; x++) {
    if ((x & EVERY) === EVERY) yield;
    order[fill[cust[x]!]!++] = x;
  }
  yield;

  // Collapse each customer's purchases to distinct products, keeping the latest time.
  const popularity = new Float64Array(nItems);
  const buyers = new Uint32Array(nItems);
  const seenBy = new Int32Array(nItems).fill(-1);
  const slot = new Uint32Array(nItems);
  const offsets = new Uint32Array(nCust + 1);
  const items = new Uint32Array(n);
  const lastAt = new Uint32Array(n);
  let out = 0;
  for (let c = 0; c < nCust; c++) {
    if ((c & EVERY) === EVERY) yield;
    offsets[c] = out;
    for (let r = rowStart[c]!; r < rowStart[c + 1]!; r++) {
      const x = order[r]!;
      const i = item[x]!;
      popularity[i]! += qty[x]!;
      if (seenBy[i] !== c) {
        seenBy[i] = c;
        slot[i] = out;
        items[out] = i;
        lastAt[out] = at[x]!;
        buyers[i]!++;
        out++;
      } else if (at[x]! > lastAt[slot[i]!]!) {
        lastAt[slot[i]!] = at[x]!;
      }
    }
  }
  offsets[nCust] = out;

  const maxItemsPerCustomer = opts.maxItemsPerCustomer ?? 500;
  // Most recent first within a row, but only where it matters: rows longer than the co-occurrence cap.
  for (let c = 0; c < nCust; c++) {
    const a = offsets[c]!;
    const b = offsets[c + 1]!;
    if (b - a <= maxItemsPerCustomer) continue;
    const pairs = Array.from({ length: b - a }, (_, t) => [items[a + t]!, lastAt[a + t]!] as const).sort((p, q) => q[1] - p[1]);
    pairs.forEach(([i, t], idx) => {
      items[a + idx] = i;
      lastAt[a + idx] = t;
    });
  }

  const popularOrder = Uint32Array.from({ length: nItems }, (_, i) => i).sort((a, b) => popularity[b]! - popularity[a]! || a - b);
  const repeatable = new Uint8Array(nItems);
  for (const p of opts.products ?? []) {
    const i = productIndex.get(p.productId);
    if (i !== undefined && p.repeatable) repeatable[i] = 1;
  }
  return {
    productIds,
    productIndex,
    customerIndex,
    offsets,
    items: items.slice(0, out),
    lastAt: lastAt.slice(0, out),
    popularity,
    popularOrder,
    buyers,
    latestAt,
    repeatable,
    recentWindowSeconds: (opts.recentWindowDays ?? 30) * 86_400,
    excludePurchased: opts.excludePurchased ?? true,
    maxItemsPerCustomer,
  };
}

/**
 * Item-item statistics from the customer × product binary matrix, one product row at a time (one dense
 * scratch row, never the full matrix): co(i, j) = customers who bought both; cosine = co / √(n_i n_j);
 * confidence(i → j) = co / n_i; lift = co · customers / (n_i n_j). Keeps the top N by `rank`.
 */
export function buildNeighbours(index: PurchaseIndex, wanted: number, minCoCount: number, rank: (cosine: number, confidence: number) => number): Neighbours {
  return runSteps(buildNeighboursSteps(index, wanted, minCoCount, rank));
}

export function* buildNeighboursSteps(
  index: PurchaseIndex,
  wanted: number,
  minCoCount: number,
  rank: (cosine: number, confidence: number) => number,
): Steps<Neighbours> {
  // Counts are stored as Uint16: more than 65,535 neighbours per product would be no longer a top-N list.
  const n = Math.max(1, Math.min(65_535, Math.floor(wanted)));
  const nItems = index.productIds.length;
  const nCust = index.customerIndex.size;
  const { offsets, items, buyers, maxItemsPerCustomer } = index;
  const rowEnd = (c: number) => Math.min(offsets[c + 1]!, offsets[c]! + maxItemsPerCustomer);

  // Inverted index product → customers over the capped rows.
  const colStart = new Uint32Array(nItems + 1);
  for (let c = 0; c < nCust; c++) for (let x = offsets[c]!; x < rowEnd(c); x++) colStart[items[x]! + 1]!++;
  for (let i = 0; i < nItems; i++) colStart[i + 1]! += colStart[i]!;
  const colFill = colStart.slice(0, nItems);
  const colCustomers = new Uint32Array(colStart[nItems]!);
  yield;
  for (let c = 0; c < nCust; c++) for (let x = offsets[c]!; x < rowEnd(c); x++) colCustomers[colFill[items[x]!]!++] = c;
  yield;

  const count = new Uint16Array(nItems);
  const ids = new Uint32Array(nItems * n);
  const similarity = new Float32Array(nItems * n);
  const confidence = new Float32Array(nItems * n);
  const lift = new Float32Array(nItems * n);
  const co = new Float64Array(nItems);
  const touched = new Uint32Array(nItems);
  // Min-heap of the best n candidates by rank for the current row.
  const heapKey = new Float64Array(n);
  const heapId = new Uint32Array(n);
  const heapCo = new Float64Array(n);

  // One product's row is the unit of work (up to a few ms at 1M customers).
  for (let i = 0; i < nItems; i++) {
    if (i > 0) yield;
    let nTouched = 0;
    for (let y = colStart[i]!; y < colStart[i + 1]!; y++) {
      const c = colCustomers[y]!;
      for (let x = offsets[c]!, end = rowEnd(c); x < end; x++) {
        const j = items[x]!;
        if (j === i) continue;
        if (co[j] === 0) touched[nTouched++] = j;
        co[j]!++;
      }
    }
    const ni = buyers[i]!;
    let size = 0;
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      const cij = co[j]!;
      co[j] = 0;
      if (cij < minCoCount) continue;
      const key = rank(cij / Math.sqrt(ni * buyers[j]!), cij / ni);
      if (size < n) {
        // Sift up.
        let p = size++;
        while (p > 0) {
          const parent = (p - 1) >> 1;
          if (heapKey[parent]! <= key) break;
          heapKey[p] = heapKey[parent]!;
          heapId[p] = heapId[parent]!;
          heapCo[p] = heapCo[parent]!;
          p = parent;
        }
        heapKey[p] = key;
        heapId[p] = j;
        heapCo[p] = cij;
      } else if (key > heapKey[0]!) {
        // Replace the root and sift down.
        let p = 0;
        for (;;) {
          const l = 2 * p + 1;
          if (l >= size) break;
          const r = l + 1;
          const m = r < size && heapKey[r]! < heapKey[l]! ? r : l;
          if (heapKey[m]! >= key) break;
          heapKey[p] = heapKey[m]!;
          heapId[p] = heapId[m]!;
          heapCo[p] = heapCo[m]!;
          p = m;
        }
        heapKey[p] = key;
        heapId[p] = j;
        heapCo[p] = cij;
      }
    }
    const chosen = Array.from({ length: size }, (_, t) => t).sort((a, b) => heapKey[b]! - heapKey[a]! || heapId[a]! - heapId[b]!);
    const base = i * n;
    chosen.forEach((t, slotIdx) => {
      const j = heapId[t]!;
      const nj = buyers[j]!;
      const cij = heapCo[t]!;
      ids[base + slotIdx] = j;
      similarity[base + slotIdx] = cij / Math.sqrt(ni * nj);
      confidence[base + slotIdx] = cij / ni;
      lift[base + slotIdx] = (cij * nCust) / (ni * nj);
    });
    count[i] = size;
  }
  return { n, count, ids, similarity, confidence, lift };
}
