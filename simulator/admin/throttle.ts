// Leaky bucket per (app, shop) for calculated query cost, driven by the injectable clock.
import type { Clock } from "./clock";

export type PlanName = "standard" | "advanced" | "plus";

export interface PlanLimits {
  maximumAvailable: number;
  restoreRate: number; // points per second
}

// Restore rates: https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits (Standard 100 points/second,
// Advanced 200, Plus 1000). That page no longer states bucket sizes; every figure Shopify has published
// (1000/50, 2000/100, 10000/500; REST 40/2) keeps the bucket at 20 seconds of restore, so we do the same.
// Tests or benchmarks that need other figures pass `plans` to createAdminSimulator.
export const DEFAULT_PLANS: Record<PlanName, PlanLimits> = {
  standard: { maximumAvailable: 2000, restoreRate: 100 },
  advanced: { maximumAvailable: 4000, restoreRate: 200 },
  plus: { maximumAvailable: 20000, restoreRate: 1000 },
};

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  private available: number;
  private updatedAt: number;

  constructor(
    private readonly limits: PlanLimits,
    private readonly clock: Clock,
  ) {
    this.available = limits.maximumAvailable;
    this.updatedAt = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.available = Math.min(this.limits.maximumAvailable, this.available + elapsed * this.limits.restoreRate);
    this.updatedAt = now;
  }

  /** Takes `cost` points if the bucket holds them; Shopify checks the requested cost before executing. */
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  /** Gives back the difference between requested and actual cost after execution. */
  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.limits.maximumAvailable, this.available + Math.max(0, points));
  }

  /** Empties the bucket (fault injection: a THROTTLED storm caused by another client). */
  drain(): void {
    this.refill();
    this.available = 0;
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.limits.maximumAvailable,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.limits.restoreRate,
    };
  }
}
