// Loyalty tiers per docs/rules.md#tiers: spend in a window, computed tier, retention, expiry and next tier.
import { countAtOrBelow, countBelow } from "./sorted";
import { assertInstant, DAY_MS, yearAt, yearStart } from "./time";

/** How a tier's discount perks reach the member: applied at checkout with no code, or as a code they enter. */
export type PerkDelivery = "automatic" | "code";

/** Which other discount classes the tier's discounts may be combined with at checkout (Shopify's combinesWith). */
export interface PerkCombination {
  orderDiscounts: boolean;
  productDiscounts: boolean;
  shippingDiscounts: boolean;
}

/** What a tier gives its members (docs/rules.md#perks). Money in minor units of the shop currency. */
export interface TierPerks {
  /** Percent off the order, 1..100, or null for no discount. */
  discountPercent: number | null;
  freeShipping: boolean;
  /** Free shipping only for shipping rates up to this price; null: any rate. */
  freeShippingMaxPriceMinor: number | null;
  /** The discounts apply from this order subtotal; null: any order. */
  minimumSubtotalMinor: number | null;
  /** Automatic (default) or a code the shopper is shown. */
  delivery: PerkDelivery;
  /** How the tier's discounts combine with other discounts (the tier's own two always combine with each other). */
  combinesWith: PerkCombination;
  /** Free text the merchant shows with the tier ("Early access to sales"), or null. */
  customText: string | null;
}

/** No perks: what a new tier starts with. */
export const NO_PERKS: TierPerks = {
  discountPercent: null,
  freeShipping: false,
  freeShippingMaxPriceMinor: null,
  minimumSubtotalMinor: null,
  delivery: "automatic",
  combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
  customText: null,
};

export interface Tier {
  /** Stable identifier; becomes the tag `tier:<key>`. */
  key: string;
  /** Display name, renameable. */
  name: string;
  /** Qualifying spend needed, minor units of the shop currency. */
  threshold: number;
  /** Qualifying orders needed in the same window, or null for none. */
  minOrders: number | null;
  perks: TierPerks;
  /**
   * The tier's own colour, `#RRGGBB` (upper case), dark enough for white text (docs/rules.md#tiers-colour); absent:
   * the LINE palette colour of the tier's place. Absent, not null, so that a programme saved before colours existed
   * reads, validates and saves as the same JSON.
   */
  colour?: string;
}

/**
 * Which orders count towards the spend at moment t:
 * - rolling: orders with time in (t − days·24 h, t];
 * - calendar_year: orders from 1 January 00:00 of t's year, on the shop's wall clock, up to and including t;
 * - lifetime: every order up to and including t.
 */
export type TierWindow = { kind: "rolling"; days: number } | { kind: "calendar_year" } | { kind: "lifetime" };

/** A validated programme (see validateTierProgram): tiers from lowest to highest, the lowest at threshold 0. */
export interface TierProgram {
  tiers: Tier[];
  window: TierWindow;
  /** How long a tier once computed is kept, in 24 h days; 0 keeps it only while it is computed. */
  retentionDays: number;
  /** IANA zone whose calendar year `calendar_year` uses; null means UTC. Nothing else depends on a zone. */
  timeZone: string | null;
}

/** One qualifying order: time (epoch ms) and current value in minor units, refunds already taken off. */
export interface TierOrder {
  time: number;
  value: number;
}

export interface TierStatus {
  /** Key of the tier held at `asOf` (computed or retained), or null for a customer without a qualifying order. */
  tier: string | null;
  /** Key of the tier computed at `asOf` itself (without retention), or null as above. */
  computedTier: string | null;
  /** Qualifying spend and order count in the window ending at `asOf`. */
  spendInWindow: number;
  ordersInWindow: number;
  /**
   * The first instant at which `tier` is no longer held if the customer orders nothing more (epoch ms), or null when
   * it never lapses (the lowest tier, a lifetime window, or no tier). The last instant it is held is expiresAt − 1.
   */
  expiresAt: number | null;
  /** The tier right above `tier`, or null at the top (or without a tier). */
  nextTier: string | null;
  /** Spend still needed in the current window: an order of this value placed at `asOf` meets the next tier's threshold. */
  amountToNext: number | null;
  /** Orders still needed in the current window for the next tier's minimum order count (an order above counts). */
  ordersToNext: number | null;
  /**
   * When, with no new orders, an order first leaves the window (the spend in window drops, so amountToNext and
   * ordersToNext grow): the storefront's "by when". Null when nothing ever leaves it (lifetime, or no order in it).
   */
  windowChangesAt: number | null;
}

const NO_TIER: TierStatus = {
  tier: null,
  computedTier: null,
  spendInWindow: 0,
  ordersInWindow: 0,
  expiresAt: null,
  nextTier: null,
  amountToNext: null,
  ordersToNext: null,
  windowChangesAt: null,
};

/**
 * A customer's qualifying orders up to asOf, sorted by time, with prefix sums so the spend in any window is two
 * binary searches away.
 */
class Ledger {
  readonly times: Float64Array;
  private readonly spend: Float64Array; // spend[i] = sum of the first i values
  constructor(
    readonly program: TierProgram,
    orders: readonly TierOrder[],
    asOf: number,
  ) {
    const kept: TierOrder[] = [];
    for (const order of orders) {
      assertInstant(order.time, "order time");
      if (!Number.isSafeInteger(order.value))
        throw new RangeError(`order value must be integer minor units, got ${order.value}`);
      // Defensive: the ledger only sends qualifying orders, but one refunded to 0 (or less) no longer qualifies.
      if (order.value > 0 && order.time <= asOf) kept.push(order);
    }
    kept.sort((a, b) => a.time - b.time);
    this.times = Float64Array.from(kept, (o) => o.time);
    this.spend = new Float64Array(kept.length + 1);
    for (let i = 0; i < kept.length; i++) this.spend[i + 1] = this.spend[i] + kept[i].value;
    if (!Number.isSafeInteger(this.spend[kept.length]))
      throw new RangeError("total spend exceeds the exact integer range");
  }

  get size(): number {
    return this.times.length;
  }

  /** Index range [from, to) of the orders in the window ending at t. */
  window(t: number): { from: number; to: number } {
    const to = countAtOrBelow(this.times, t);
    const { window } = this.program;
    let from = 0;
    if (window.kind === "rolling") from = countAtOrBelow(this.times, t - window.days * DAY_MS);
    else if (window.kind === "calendar_year") from = countBelow(this.times, this.yearStartOf(t));
    return { from, to };
  }

  spendIn(from: number, to: number): number {
    return this.spend[to] - this.spend[from];
  }

  yearStartOf(t: number): number {
    const tz = this.program.timeZone ?? undefined;
    return yearStart(yearAt(t, tz), tz);
  }

  /** Index of the tier computed at t. */
  computedAt(t: number): number {
    const { from, to } = this.window(t);
    return tierIndexFor(this.program, this.spendIn(from, to), to - from);
  }
}

/**
 * Highest tier whose thresholds (spend AND minimum order count, both in the window) are met. The lowest tier is
 * every customer's with a qualifying order (docs/rules.md#tiers-windows), so it is returned even when nothing is in
 * the window.
 */
function tierIndexFor(program: TierProgram, spend: number, orders: number): number {
  for (let i = program.tiers.length - 1; i > 0; i--) {
    const tier = program.tiers[i];
    if (spend >= tier.threshold && orders >= (tier.minOrders ?? 0)) return i;
  }
  return 0;
}

/** The tier computed at moment t (no retention), or null when the customer has no qualifying order by t. */
export function computedTierAt(program: TierProgram, orders: readonly TierOrder[], t: number): string | null {
  assertProgram(program);
  assertInstant(t, "t");
  const ledger = new Ledger(program, orders, t);
  return ledger.size === 0 ? null : program.tiers[ledger.computedAt(t)].key;
}

/** A customer's tier at `asOf`, with expiry and progress to the next tier. `program` must be validated. */
export function evaluateTier(program: TierProgram, orders: readonly TierOrder[], asOf: number): TierStatus {
  assertProgram(program);
  assertInstant(asOf, "asOf");
  const ledger = new Ledger(program, orders, asOf);
  if (ledger.size === 0) return { ...NO_TIER };
  const { times } = ledger;
  const retention = program.retentionDays * DAY_MS;

  const now = ledger.window(asOf);
  const spendInWindow = ledger.spendIn(now.from, now.to);
  const ordersInWindow = now.to - now.from;
  const computed = tierIndexFor(program, spendInWindow, ordersInWindow);

  // The held tier: the best computed over asOf and each order time in [asOf − retention, asOf]. computedAt[i] is
  // kept so the expiry can find the latest order that still carries the held tier.
  const firstRetained = countBelow(times, asOf - retention);
  const computedAtOrder = new Int32Array(times.length);
  let held = computed;
  for (let i = firstRetained; i < times.length; i++) {
    computedAtOrder[i] = ledger.computedAt(times[i]);
    if (computedAtOrder[i] > held) held = computedAtOrder[i];
  }

  const next = held + 1 < program.tiers.length ? program.tiers[held + 1] : null;
  return {
    tier: program.tiers[held].key,
    computedTier: program.tiers[computed].key,
    spendInWindow,
    ordersInWindow,
    expiresAt: expiryOf(ledger, asOf, held, computed, computedAtOrder, firstRetained),
    nextTier: next?.key ?? null,
    amountToNext: next ? Math.max(0, next.threshold - spendInWindow) : null,
    ordersToNext: next ? Math.max(0, (next.minOrders ?? 0) - ordersInWindow) : null,
    windowChangesAt: windowChangesAt(ledger, asOf, now.from, now.to),
  };
}

/**
 * The first instant after asOf at which tier `held` stops being held if no order is added.
 *
 * Reasoning. With no new order, for u > asOf the held tier is max(computed(u), computed(o) for each order o with
 * o ≥ u − retention). Both parts only fall as u grows: the retained set of orders shrinks, and computed(u) can only
 * lose orders (rolling: they leave the window; calendar_year: the window empties on 1 January; lifetime: it never
 * changes). So "held ≥ H at u" is the union of two intervals starting at asOf:
 *  - retention: u ≤ A + retention, where A is the latest order time with computed(A) ≥ H (closed interval per
 *    docs/rules.md#tiers-retention, so the first instant without it is A + retention + 1 ms);
 *  - computed: only when computed(asOf) ≥ H, until the window change that takes it below H — rolling: the first
 *    order time o (oldest first, equal times together) whose leaving at o + window makes the rest fail H;
 *    calendar_year: the next 1 January 00:00 in the shop's zone; lifetime: never.
 * The expiry is the later end of the two. The lowest tier never lapses (every customer with an order holds it).
 */
function expiryOf(
  ledger: Ledger,
  asOf: number,
  held: number,
  computed: number,
  computedAtOrder: Int32Array,
  firstRetained: number,
): number | null {
  if (held === 0) return null;
  const { times, program } = ledger;
  let end = Number.NEGATIVE_INFINITY;
  for (let i = times.length - 1; i >= firstRetained; i--) {
    if (computedAtOrder[i] >= held) {
      end = times[i] + program.retentionDays * DAY_MS + 1;
      break;
    }
  }
  if (computed >= held) {
    const { window } = program;
    if (window.kind === "lifetime") return null;
    if (window.kind === "calendar_year") {
      const tz = program.timeZone ?? undefined;
      end = Math.max(end, yearStart(yearAt(asOf, tz) + 1, tz));
    } else {
      const { from, to } = ledger.window(asOf);
      for (let i = from; i < to; ) {
        let j = i;
        while (j < to && times[j] === times[i]) j++; // orders at the same instant leave together
        if (tierIndexFor(program, ledger.spendIn(j, to), to - j) < held) {
          end = Math.max(end, times[i] + window.days * DAY_MS);
          break;
        }
        i = j;
      }
    }
  }
  return end;
}

function windowChangesAt(ledger: Ledger, asOf: number, from: number, to: number): number | null {
  const { window } = ledger.program;
  if (from === to || window.kind === "lifetime") return null;
  if (window.kind === "rolling") return ledger.times[from] + window.days * DAY_MS;
  const tz = ledger.program.timeZone ?? undefined;
  return yearStart(yearAt(asOf, tz) + 1, tz);
}

export interface TierCustomer {
  customerId: string;
  orders: readonly TierOrder[];
}

/** Customers per tier key, plus those without a tier, for the admin's distribution and preview. */
export interface TierCounts {
  byTier: Record<string, number>;
  noTier: number;
}

export function countTiers(program: TierProgram, customers: readonly TierCustomer[], asOf: number): TierCounts {
  const byTier: Record<string, number> = Object.fromEntries(program.tiers.map((t) => [t.key, 0]));
  let noTier = 0;
  for (const customer of customers) {
    const { tier } = evaluateTier(program, customer.orders, asOf);
    if (tier === null) noTier += 1;
    else byTier[tier] += 1;
  }
  return { byTier, noTier };
}

/** What saving `next` instead of `current` would do: counts per tier before and after, and how many customers move. */
export function previewTierChange(
  current: TierProgram,
  next: TierProgram,
  customers: readonly TierCustomer[],
  asOf: number,
): { before: TierCounts; after: TierCounts; changed: number } {
  const before: TierCounts = { byTier: Object.fromEntries(current.tiers.map((t) => [t.key, 0])), noTier: 0 };
  const after: TierCounts = { byTier: Object.fromEntries(next.tiers.map((t) => [t.key, 0])), noTier: 0 };
  let changed = 0;
  for (const customer of customers) {
    const a = evaluateTier(current, customer.orders, asOf).tier;
    const b = evaluateTier(next, customer.orders, asOf).tier;
    if (a === null) before.noTier += 1;
    else before.byTier[a] += 1;
    if (b === null) after.noTier += 1;
    else after.byTier[b] += 1;
    if (a !== b) changed += 1;
  }
  return { before, after, changed };
}

function assertProgram(program: TierProgram): void {
  if (program.tiers.length === 0) throw new RangeError("a tier programme needs at least one tier");
}
