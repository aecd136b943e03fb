// Product affinity (docs/affinity.md): "bought together" and "bought next" association rules counted from a stream
// of qualifying orders, and per customer the products they are most likely to want next and have not bought.
// Pure: no I/O, no clock — the caller streams customers in, one at a time with their orders, and gives the as-of day.
//
// Memory: the counter keeps one count per product and one per pair of products seen together (bounded by products²),
// never the orders; a customer's orders are held only while that customer is added. Product ids are interned to
// small integers and a pair is one number key, so a shop of a few thousand products stays in a few megabytes.
import { DAY_MS, localDateAt } from "./time";

export type AssociationKind = "together" | "next";

export interface AffinitySettings {
  /** A rule needs at least this many orders (together) or customers (next) with both products. */
  minPairCount: number;
  /** A product takes part in rules only when at least this many orders (together) or customers (next) bought it. */
  minProductCount: number;
  /** An order with more distinct products than this counts for its products but makes no "together" pairs. */
  maxProductsPerOrder: number;
  /** A customer with more distinct products than this makes no "next" pairs (a reseller's history says little). */
  maxProductsPerCustomer: number;
  /** How many products are recommended per customer (Shopify's list metafields hold up to 128 references). */
  recommendations: number;
  /** A bought product's weight halves every this many days since the customer last bought it. */
  recencyHalfLifeDays: number;
}

export const DEFAULT_AFFINITY_SETTINGS: Readonly<AffinitySettings> = Object.freeze({
  minPairCount: 5,
  minProductCount: 10,
  maxProductsPerOrder: 25,
  maxProductsPerCustomer: 100,
  recommendations: 4,
  recencyHalfLifeDays: 180,
});

export const MAX_RECOMMENDATIONS = 20;

/** Checks settings (e.g. read from JSON); throws a RangeError naming the first bad field. */
export function checkAffinitySettings(s: AffinitySettings): AffinitySettings {
  const whole = (name: keyof AffinitySettings, min: number, max: number) => {
    const v = s[name];
    if (!Number.isInteger(v) || v < min || v > max)
      throw new RangeError(`${name} must be a whole number ${min}–${max}`);
  };
  whole("minPairCount", 1, 1_000_000);
  whole("minProductCount", 1, 1_000_000);
  whole("maxProductsPerOrder", 2, 1000);
  whole("maxProductsPerCustomer", 2, 10_000);
  whole("recommendations", 1, MAX_RECOMMENDATIONS);
  whole("recencyHalfLifeDays", 1, 3650);
  return s;
}

/** A line of a qualifying order: its product (null for a custom line) and its quantity net of refunds. */
export interface AffinityLine {
  productId: string | null;
  quantity: number;
}

/** A qualifying order: its purchase day (a day number, see dayNumberAt) and its lines. */
export interface AffinityOrder {
  day: number;
  lines: readonly AffinityLine[];
}

export interface AssociationRule {
  kind: AssociationKind;
  antecedent: string;
  consequent: string;
  /** Orders (together) or customers (next) with both. */
  count: number;
  support: number;
  confidence: number;
  lift: number;
}

export interface AffinityTotals {
  /** Orders with at least one counted product. */
  orders: number;
  /** Counted order lines (a product once per order). */
  lines: number;
  /** Customers with at least one counted order. */
  customers: number;
  /** Customers with counted orders on at least two purchase days. */
  returningCustomers: number;
}

export interface AffinityRules {
  totals: AffinityTotals;
  together: AssociationRule[];
  next: AssociationRule[];
  /** Orders that bought each product. */
  productOrders: Map<string, number>;
}

/**
 * The purchase day of instant `t` in `timeZone` as a whole number (days since 1970-01-01 of that zone's calendar):
 * one day's orders are one purchase day. Cached per quarter hour.
 */
export function dayNumberAt(t: number, timeZone?: string): number {
  if (timeZone === undefined || timeZone === "UTC") return Math.floor(t / DAY_MS);
  let cache = dayCache.get(timeZone);
  if (!cache) dayCache.set(timeZone, (cache = new Map()));
  // Every zone's offset is a whole number of quarter hours, so a local midnight falls on a quarter hour of UTC: all
  // instants of one quarter hour share their local day.
  const bucket = Math.floor(t / QUARTER_HOUR);
  let day = cache.get(bucket);
  if (day === undefined) {
    const d = localDateAt(bucket * QUARTER_HOUR, timeZone);
    day = Math.floor(Date.UTC(d.year, d.month - 1, d.day) / DAY_MS);
    if (cache.size > 200_000) cache.clear();
    cache.set(bucket, day);
  }
  return day;
}
const QUARTER_HOUR = 15 * 60_000;
const dayCache = new Map<string, Map<number, number>>();

/** The distinct products of an order that count: net quantity > 0, a product, not excluded. */
export function orderProducts(order: AffinityOrder, excluded: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const line of order.lines) {
    if (line.productId === null || !(line.quantity > 0) || excluded.has(line.productId)) continue;
    out.add(line.productId);
  }
  return [...out];
}

/** Products the customer bought: the first and last purchase day of each (counted orders only). */
function customerHistory(orders: readonly AffinityOrder[], excluded: ReadonlySet<string>) {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const days = new Set<number>();
  for (const order of orders) {
    const products = orderProducts(order, excluded);
    if (products.length === 0) continue;
    days.add(order.day);
    for (const p of products) {
      const f = first.get(p);
      if (f === undefined || order.day < f) first.set(p, order.day);
      const l = last.get(p);
      if (l === undefined || order.day > l) last.set(p, order.day);
    }
  }
  return { first, last, days };
}

const PAIR_BASE = 2 ** 22; // product indexes below 4M: a pair (a, b) is a * PAIR_BASE + b, exact in a double

/**
 * Counts associations from customers added one at a time (each with all of their qualifying orders, in any order).
 * The result does not depend on the order customers or orders arrive in.
 */
export class AffinityCounter {
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  /** Orders with the product (together's base) and pairs within an order (a < b). */
  private orderCount: number[] = [];
  private readonly togetherPairs = new Map<number, number>();
  /** Customers who bought the product and ordered again on a later day (next's antecedent base). */
  private antecedentCustomers: number[] = [];
  /** Returning customers who bought the product on a day after their first purchase day (next's consequent base). */
  private laterBuyers: number[] = [];
  private readonly nextPairs = new Map<number, number>();
  private readonly totals: AffinityTotals = { orders: 0, lines: 0, customers: 0, returningCustomers: 0 };

  constructor(
    private readonly settings: AffinitySettings = DEFAULT_AFFINITY_SETTINGS,
    private readonly excluded: ReadonlySet<string> = new Set(),
  ) {
    checkAffinitySettings(settings);
  }

  private id(product: string): number {
    let i = this.index.get(product);
    if (i === undefined) {
      i = this.ids.length;
      if (i >= PAIR_BASE) throw new RangeError("too many products for the affinity counter");
      this.ids.push(product);
      this.index.set(product, i);
      this.orderCount.push(0);
      this.antecedentCustomers.push(0);
      this.laterBuyers.push(0);
    }
    return i;
  }

  /** Adds one customer's qualifying orders. */
  addCustomer(orders: readonly AffinityOrder[]): void {
    let counted = false;
    for (const order of orders) {
      const products = orderProducts(order, this.excluded);
      if (products.length === 0) continue;
      counted = true;
      this.totals.orders++;
      this.totals.lines += products.length;
      const ix = products.map((p) => this.id(p)).sort((a, b) => a - b);
      for (const i of ix) this.orderCount[i]++;
      if (ix.length > this.settings.maxProductsPerOrder) continue;
      for (let x = 0; x < ix.length; x++)
        for (let y = x + 1; y < ix.length; y++) {
          const key = ix[x] * PAIR_BASE + ix[y];
          this.togetherPairs.set(key, (this.togetherPairs.get(key) ?? 0) + 1);
        }
    }
    if (!counted) return;
    this.totals.customers++;
    const { first, last, days } = customerHistory(orders, this.excluded);
    if (days.size < 2) return;
    this.totals.returningCustomers++;
    const lastDay = Math.max(...days);
    const firstDay = Math.min(...days);
    const products = [...first.keys()].map((p) => ({
      i: this.id(p),
      first: first.get(p)!,
      last: last.get(p)!,
    }));
    for (const p of products) {
      if (p.first < lastDay) this.antecedentCustomers[p.i]++;
      if (p.last > firstDay) this.laterBuyers[p.i]++;
    }
    if (products.length > this.settings.maxProductsPerCustomer) return;
    for (const a of products)
      for (const b of products)
        if (a.i !== b.i && a.first < b.last) {
          const key = a.i * PAIR_BASE + b.i;
          this.nextPairs.set(key, (this.nextPairs.get(key) ?? 0) + 1);
        }
  }

  /** The rules that pass the minimum counts, best first (lift, then count, then ids). */
  rules(): AffinityRules {
    const { minPairCount, minProductCount } = this.settings;
    const { orders, returningCustomers, customers } = this.totals;
    const together: AssociationRule[] = [];
    for (const [key, count] of this.togetherPairs) {
      if (count < minPairCount) continue;
      const a = Math.floor(key / PAIR_BASE);
      const b = key - a * PAIR_BASE;
      const na = this.orderCount[a];
      const nb = this.orderCount[b];
      if (na < minProductCount || nb < minProductCount) continue;
      const support = count / orders;
      const lift = (count * orders) / (na * nb);
      together.push(rule("together", this.ids[a], this.ids[b], count, support, count / na, lift));
      together.push(rule("together", this.ids[b], this.ids[a], count, support, count / nb, lift));
    }
    const next: AssociationRule[] = [];
    for (const [key, count] of this.nextPairs) {
      if (count < minPairCount) continue;
      const a = Math.floor(key / PAIR_BASE);
      const b = key - a * PAIR_BASE;
      const na = this.antecedentCustomers[a];
      const nb = this.laterBuyers[b];
      if (na < minProductCount || nb < minProductCount) continue;
      const confidence = count / na;
      const lift = confidence / (nb / returningCustomers);
      next.push(rule("next", this.ids[a], this.ids[b], count, count / customers, confidence, lift));
    }
    together.sort(byStrength);
    next.sort(byStrength);
    const productOrders = new Map<string, number>();
    this.ids.forEach((id, i) => productOrders.set(id, this.orderCount[i]));
    return { totals: { ...this.totals }, together, next, productOrders };
  }
}

function rule(
  kind: AssociationKind,
  antecedent: string,
  consequent: string,
  count: number,
  support: number,
  confidence: number,
  lift: number,
): AssociationRule {
  return { kind, antecedent, consequent, count, support, confidence, lift };
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Strongest first: lift, then count, then antecedent and consequent ids (a total order: deterministic). */
export function byStrength(x: AssociationRule, y: AssociationRule): number {
  return (
    y.lift - x.lift ||
    y.count - x.count ||
    compareIds(x.antecedent, y.antecedent) ||
    compareIds(x.consequent, y.consequent)
  );
}

/** Counts the rules of a whole list of customers (tests, small shops): the counter over them. */
export function associate(
  customers: Iterable<readonly AffinityOrder[]>,
  settings: AffinitySettings = DEFAULT_AFFINITY_SETTINGS,
  excluded: ReadonlySet<string> = new Set(),
): AffinityRules {
  const counter = new AffinityCounter(settings, excluded);
  for (const orders of customers) counter.addCustomer(orders);
  return counter.rules();
}

export interface Recommendation {
  productId: string;
  score: number;
}

/**
 * Per-customer recommendations from a shop's rules. For each product B the customer has not bought, the evidence of
 * each bought product A is w(A) × confidence(A → B), for every rule A → B with lift > 1 of either kind, where w(A) =
 * 0.5^(days since the customer last bought A / half-life) as of `asOfDay`; the score is the noisy-OR of the evidence,
 * 1 − Π (1 − w·confidence). Only `recommendable` products (active, not deleted) that are not excluded and not bought
 * are candidates. Best first by score, then by the number of customers/orders behind the strongest rule, then id.
 */
export class Recommender {
  private readonly byAntecedent = new Map<string, { consequent: string; confidence: number; count: number }[]>();

  constructor(
    rules: Pick<AffinityRules, "together" | "next">,
    private readonly options: {
      settings: AffinitySettings;
      asOfDay: number;
      recommendable: ReadonlySet<string>;
      excluded: ReadonlySet<string>;
    },
  ) {
    checkAffinitySettings(options.settings);
    for (const r of [...rules.together, ...rules.next]) {
      if (!(r.lift > 1)) continue;
      if (options.excluded.has(r.antecedent) || options.excluded.has(r.consequent)) continue;
      if (!options.recommendable.has(r.consequent)) continue;
      let list = this.byAntecedent.get(r.antecedent);
      if (!list) this.byAntecedent.set(r.antecedent, (list = []));
      list.push({ consequent: r.consequent, confidence: r.confidence, count: r.count });
    }
  }

  /** The customer's recommendations, best first (empty when no rule applies). */
  forCustomer(orders: readonly AffinityOrder[]): Recommendation[] {
    const { last } = customerHistory(orders, this.options.excluded);
    if (last.size === 0) return [];
    // Products bought but excluded are still "bought": never recommended back.
    const bought = new Set(last.keys());
    for (const order of orders) for (const line of order.lines) if (line.productId) bought.add(line.productId);
    const halfLife = this.options.settings.recencyHalfLifeDays;
    const miss = new Map<string, { keep: number; count: number }>();
    for (const [a, day] of last) {
      const rules = this.byAntecedent.get(a);
      if (!rules) continue;
      const weight = Math.pow(0.5, Math.max(0, this.options.asOfDay - day) / halfLife);
      for (const r of rules) {
        if (bought.has(r.consequent)) continue;
        const m = miss.get(r.consequent);
        const keep = 1 - weight * r.confidence;
        if (m) {
          m.keep *= keep;
          m.count = Math.max(m.count, r.count);
        } else miss.set(r.consequent, { keep, count: r.count });
      }
    }
    const scored = [...miss].map(([productId, m]) => ({ productId, score: 1 - m.keep, count: m.count }));
    scored.sort((x, y) => y.score - x.score || y.count - x.count || compareIds(x.productId, y.productId));
    return scored
      .filter((s) => s.score > 0)
      .slice(0, this.options.settings.recommendations)
      .map(({ productId, score }) => ({ productId, score }));
  }
}
