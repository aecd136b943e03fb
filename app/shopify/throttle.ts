// Our picture of a shop's leaky bucket of query-cost points, so requests are paced before Shopify has to refuse them.
// Share one ThrottleModel between every client of the same shop in a process: they draw on the same bucket.

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number; // points per second
}

export class ThrottleModel {
  private status: ThrottleStatus | null = null;
  private observedAt = 0;
  /** Points of requests sent and not answered yet: Shopify has taken them, its last status did not show it. */
  private reserved = 0;
  private readonly costs = new Map<string, number>();
  private largestCost = 0;
  private queue: Promise<void> = Promise.resolve();
  private probe: Promise<void> | null = null;
  private released: Promise<void>;
  private announceRelease!: () => void;

  constructor() {
    this.released = this.nextRelease();
  }

  private nextRelease(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.announceRelease = () => {
        this.released = this.nextRelease();
        resolve();
      };
    });
  }

  /** Last status Shopify reported, if any. */
  lastStatus(): ThrottleStatus | null {
    return this.status ? { ...this.status } : null;
  }

  /**
   * What a document will cost, from the requested cost Shopify reported for it before. A document never seen is
   * assumed to cost as much as the dearest one seen (unknown until the first answer).
   */
  estimate(key: string): number {
    return this.costs.get(key) ?? this.largestCost;
  }

  /** Points we expect the bucket to hold at `now`, less what is in flight. */
  availableAt(now: number): number | null {
    if (!this.status) return null;
    const { maximumAvailable, currentlyAvailable, restoreRate } = this.status;
    const restored = (Math.max(0, now - this.observedAt) / 1000) * restoreRate;
    return Math.min(maximumAvailable, currentlyAvailable + restored) - this.reserved;
  }

  /** Milliseconds until the bucket holds `cost` points (0 when it already does or nothing is known yet). */
  waitFor(cost: number, now: number): number {
    const available = this.availableAt(now);
    if (available === null || !this.status) return 0;
    const needed = Math.min(cost, this.status.maximumAvailable) - available;
    return needed <= 0 ? 0 : Math.ceil((needed / this.status.restoreRate) * 1000);
  }

  /**
   * Waits (through `sleep`) until `cost` points are there, then reserves them. Callers pass one at a time so two
   * requests never both count the same points; before the first answer only one request goes out, to learn the bucket.
   * Returns how long it waited and a release to call with what the answer said.
   */
  async acquire(
    key: string,
    now: () => number,
    sleep: (ms: number) => Promise<void>,
  ): Promise<{ waitedMs: number; release: (answer: Answer) => void }> {
    const previous = this.queue;
    let done!: () => void;
    this.queue = new Promise<void>((resolve) => (done = resolve));
    await previous;
    try {
      while (this.probe) await this.probe;
      let waitedMs = 0;
      let cost = this.estimate(key);
      for (;;) {
        cost = this.estimate(key);
        // Points held by requests in flight come back only with their answers, not with time: wait for one.
        if (
          this.status &&
          this.reserved > 0 &&
          Math.min(cost, this.status.maximumAvailable) > this.status.maximumAvailable - this.reserved
        ) {
          await this.released;
          continue;
        }
        const wait = this.waitFor(cost, now());
        if (wait <= 0) break;
        await sleep(wait);
        waitedMs += wait;
      }
      let finishProbe: (() => void) | null = null;
      if (!this.status) this.probe = new Promise<void>((resolve) => (finishProbe = resolve));
      this.reserved += cost;
      let released = false;
      const release = (answer: Answer) => {
        if (released) return;
        released = true;
        this.reserved -= cost;
        this.announceRelease();
        if (answer.requestedCost != null) this.learnCost(key, answer.requestedCost);
        if (answer.status) this.observe(answer.status, now());
        if (finishProbe) {
          this.probe = null;
          finishProbe();
        }
      };
      return { waitedMs, release };
    } finally {
      done();
    }
  }

  learnCost(key: string, requested: number): void {
    this.costs.set(key, requested);
    this.largestCost = Math.max(this.largestCost, requested);
  }

  observe(status: ThrottleStatus, now: number): void {
    this.status = { ...status };
    this.observedAt = now;
  }
}

export interface Answer {
  requestedCost?: number | null;
  status?: ThrottleStatus | null;
}
