// Search as Shopify answers it: `orders(query:)` and `customers(query:)` (bulk queries with a query filter too) come
// from a search index that is updated after the record, so a record created or changed a moment ago is not found, or
// is found by what it was, until the index catches up. Direct reads (order(id:), customer(id:), node, nodes) read the
// record itself and are always current. Shopify documents no latency for this; apps observe it (search returning
// stale customer tags long after an update: https://github.com/nozzlegear/ShopifySharp/issues/854), which is why the
// lag here is an option (AdminSimulatorOptions.searchLagMs) and a record can be held out of the index entirely.
//
// How: records a shop file loads are indexed already. Before a record changes (or when it is created), the change is
// noted with the moment the index will reflect it (now + lag). Until then a search matches the version the index last
// saw — none for a new record — and answers with the record as it is now, as Shopify loads search hits from its
// database. A record can be held out of the index ("never") until released.

export interface IndexedVersion<T> {
  /** What the index shows until `until` (null: not in the index at all). */
  snapshot: T | null;
  /** Epoch ms from which the next version (or the live record) is what the index shows. */
  until: number;
}

export class SearchIndex<T extends { id: string }> {
  private readonly pending = new Map<string, IndexedVersion<T>[]>();

  constructor(private readonly lagMs: () => number) {}

  get size(): number {
    return this.pending.size;
  }

  /** Call before a record changes in place, or when it is created (`current` null): the index lags behind. */
  willChange(id: string, current: T | null, now: number): void {
    const lag = this.lagMs();
    const versions = this.pending.get(id) ?? [];
    if (lag <= 0 && versions.length === 0) return;
    // A held record stays held: every later version waits with it.
    const held = versions.some((v) => v.until === Number.POSITIVE_INFINITY);
    versions.push({
      snapshot: current === null ? null : structuredClone(current),
      until: held ? Number.POSITIVE_INFINITY : now + Math.max(0, lag),
    });
    this.pending.set(id, versions);
  }

  /** Keeps a record out of the index (it is searchable by what the index last saw) until release(). */
  hold(id: string, current: T | null, _now: number): void {
    const versions = this.pending.get(id) ?? [];
    if (versions.length === 0)
      versions.push({ snapshot: current === null ? null : structuredClone(current), until: Number.POSITIVE_INFINITY });
    else for (const v of versions) v.until = Number.POSITIVE_INFINITY;
    this.pending.set(id, versions);
  }

  /** The index catches up with one record (or all) now. */
  release(id?: string): void {
    if (id === undefined) this.pending.clear();
    else this.pending.delete(id);
  }

  /**
   * What the index shows for `record` at `now`: the record itself when indexed, an older snapshot while a change is
   * pending, or null while a new record is not indexed yet.
   */
  view(record: T, now: number): T | null {
    const versions = this.pending.get(record.id);
    if (!versions) return record;
    const pending = versions.find((v) => v.until > now);
    if (!pending) {
      this.pending.delete(record.id);
      return record;
    }
    return pending.snapshot;
  }

  /** Drops versions the index has caught up with; true when something is still pending. */
  settle(now: number): boolean {
    for (const [id, versions] of this.pending) {
      if (!versions.some((v) => v.until > now)) this.pending.delete(id);
    }
    return this.pending.size > 0;
  }

  /** A record gone from the store needs no index entry. */
  forget(id: string): void {
    this.pending.delete(id);
  }
}
