// Batches of one import written at the same time, each in its own transaction, cannot see each
// other's rows before they commit: two of them could each create a customer for one e-mail, or
// both change one customer from the state they read. So each batch claims the identity values
// and customers it plans to write until it commits, and a batch that planned later leaves the
// rows that touch a claim for a batch after it (upsertCustomers marks them `deferred`).
//
// A batch notes the claims still open *before* it reads who holds what (`watch`): a batch that
// commits after that read is still respected when this one plans, though its claim is gone.

export class ConcurrentBatches {
  private readonly open = new Set<BatchClaim>();

  /** A batch about to be written; `onPlanned` receives the positions of the rows it deferred. */
  begin(onPlanned: (deferred: number[]) => void): BatchClaim {
    return new BatchClaim(this.open, onPlanned);
  }
}

export class BatchClaim {
  private watched: BatchClaim[] = [];
  private readonly keys = new Set<string>();
  private readonly ids = new Set<string>();

  constructor(
    private readonly open: Set<BatchClaim>,
    private readonly onPlanned: (deferred: number[]) => void,
  ) {}

  /** Before reading identities and profiles: the batches this one must not overlap. */
  watch(): void {
    this.watched = [...this.open].filter((c) => c !== this);
  }

  /** Whether an identity (`kind:value`) or a customer id is claimed by a batch this one watches. */
  holds(key: string): boolean {
    return this.watched.some((c) => c.keys.has(key) || c.ids.has(key));
  }

  /** This batch's plan (once per batch): its identity keys and customer ids stay claimed until `release`. */
  plan(keys: Iterable<string>, ids: Iterable<string>, deferred: number[]): void {
    for (const k of keys) this.keys.add(k);
    for (const id of ids) this.ids.add(id);
    this.open.add(this);
    this.onPlanned(deferred);
  }

  /** The batch committed or rolled back. */
  release(): void {
    this.open.delete(this);
  }
}
