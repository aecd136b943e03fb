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
/** Up to this many products, pair counts live in a dense table (4 bytes a pair: 36 MB for 3,000 products). */
export const DENSE_PRODUCTS = 3000;

/**
 * Counts per ordered pair of product indexes: a dense Uint32Array for indexes below `dense` (the products the shop
 * was known to have when the run began), a Map for any pair beyond — the same counts either way, in far less memory
 * than a Map for a catalogue of a few thousand products.
 */
class PairCounts {
  private readonly table: Uint32Array | null;
  private readonly map = new Map<number, number>();
  constructor(private readonly dense: number) {
    this.table = dense > 0 ? new Uint32Array(dense * dense) : null;
  }
  add(a: number, b: number): void {
    if (this.table && a < this.dense && b < this.dense) this.table[a * this.dense + b]++;
    else {
      const key = a * PAIR_BASE + b;
      this.map.set(key, (this.map.get(key) ?? 0) + 1);
    }
  }
  /** Every pair counted, with its count (dense pairs first, by index). */
  *entries(): Generator<[number, number, number]> {
    if (this.table) {
      const n = this.dense;
      for (let k = 0; k < this.table.length; k++)
        if (this.table[k] > 0) yield [Math.floor(k / n), k % n, this.table[k]];
    }
    for (const [key, count] of this.map) {
      const a = Math.floor(key / PAIR_BASE);
      yield [a, key - a * PAIR_BASE, count];
    }
  }
  /** Distinct pairs held in the Map (the dense table is allocated once). */
  get sparse(): number {
    return this.map.size;
  }
}

/**
 * Counts associations from customers added one at a time (each with all of their qualifying orders, in any order).
 * The result does not depend on the order customers or orders arrive in.
 */
export class AffinityCounter {
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  /** Orders with the product (together's base) and pairs within an order (a < b). */
  private orderCount: number[] = [];
  private readonly togetherPairs: PairCounts;
  /** Customers who bought the product and ordered again on a later day (next's antecedent base). */
  private antecedentCustomers: number[] = [];
  /** Returning customers who bought the product on a day after their first purchase day (next's consequent base). */
  private laterBuyers: number[] = [];
  private readonly nextPairs: PairCounts;
  private readonly totals: AffinityTotals = { orders: 0, lines: 0, customers: 0, returningCustomers: 0 };

  /**
   * `expectedProducts`: how many distinct products the shop's lines name (when known): up to DENSE_PRODUCTS of them
   * are counted in dense tables; more (or unknown) in Maps. The counts are the same either way.
   */
  constructor(
    private readonly settings: AffinitySettings = DEFAULT_AFFINITY_SETTINGS,
    private readonly excluded: ReadonlySet<string> = new Set(),
    expectedProducts = 0,
  ) {
    checkAffinitySettings(settings);
    const dense = expectedProducts <= DENSE_PRODUCTS ? expectedProducts : 0;
    this.togetherPairs = new PairCounts(dense);
    this.nextPairs = new PairCounts(dense);
  }

  /** The product of an interned index (histories keep indexes). */
  productOf(index: number): string {
    return this.ids[index];
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

  /**
   * Adds one customer's qualifying orders. Returns the last purchase day of each product that counted (for
   * CustomerHistories.add, so the orders are walked once).
   */
  addCustomer(orders: readonly AffinityOrder[]): Map<string, number> {
    const first = new Map<string, number>();
    const last = new Map<string, number>();
    const days = new Set<number>();
    for (const order of orders) {
      const products = orderProducts(order, this.excluded);
      if (products.length === 0) continue;
      this.totals.orders++;
      this.totals.lines += products.length;
      days.add(order.day);
      const ix = new Array<number>(products.length);
      for (let k = 0; k < products.length; k++) {
        const p = products[k];
        ix[k] = this.id(p);
        const f = first.get(p);
        if (f === undefined || order.day < f) first.set(p, order.day);
        const l = last.get(p);
        if (l === undefined || order.day > l) last.set(p, order.day);
      }
      ix.sort((a, b) => a - b);
      for (const i of ix) this.orderCount[i]++;
      if (ix.length > this.settings.maxProductsPerOrder) continue;
      for (let x = 0; x < ix.length; x++) for (let y = x + 1; y < ix.length; y++) this.togetherPairs.add(ix[x], ix[y]);
    }
    if (days.size === 0) return last;
    this.totals.customers++;
    if (days.size < 2) return last;
    this.totals.returningCustomers++;
    let lastDay = -Infinity;
    let firstDay = Infinity;
    for (const d of days) {
      if (d > lastDay) lastDay = d;
      if (d < firstDay) firstDay = d;
    }
    const products = [...first.keys()].map((p) => ({
      i: this.id(p),
      first: first.get(p)!,
      last: last.get(p)!,
    }));
    for (const p of products) {
      if (p.first < lastDay) this.antecedentCustomers[p.i]++;
      if (p.last > firstDay) this.laterBuyers[p.i]++;
    }
    if (products.length > this.settings.maxProductsPerCustomer) return last;
    for (const a of products)
      for (const b of products) if (a.i !== b.i && a.first < b.last) this.nextPairs.add(a.i, b.i);
    return last;
  }

  /** Every rule that passes the minimum counts, in no particular order (objects made one at a time). */
  private *candidateRules(): Generator<AssociationRule> {
    const { minPairCount, minProductCount } = this.settings;
    const { orders, returningCustomers, customers } = this.totals;
    for (const [a, b, count] of this.togetherPairs.entries()) {
      if (count < minPairCount) continue;
      const na = this.orderCount[a];
      const nb = this.orderCount[b];
      if (na < minProductCount || nb < minProductCount) continue;
      const support = count / orders;
      const lift = (count * orders) / (na * nb);
      yield rule("together", this.ids[a], this.ids[b], count, support, count / na, lift);
      yield rule("together", this.ids[b], this.ids[a], count, support, count / nb, lift);
    }
    for (const [a, b, count] of this.nextPairs.entries()) {
      if (count < minPairCount) continue;
      const na = this.antecedentCustomers[a];
      const nb = this.laterBuyers[b];
      if (na < minProductCount || nb < minProductCount) continue;
      const confidence = count / na;
      const lift = confidence / (nb / returningCustomers);
      yield rule("next", this.ids[a], this.ids[b], count, count / customers, confidence, lift);
    }
  }

  /** The rules that pass the minimum counts, best first (lift, then count, then ids). */
  rules(): AffinityRules {
    const together: AssociationRule[] = [];
    const next: AssociationRule[] = [];
    for (const r of this.candidateRules()) (r.kind === "together" ? together : next).push(r);
    together.sort(byStrength);
    next.sort(byStrength);
    const productOrders = new Map<string, number>();
    this.ids.forEach((id, i) => productOrders.set(id, this.orderCount[i]));
    return { totals: { ...this.totals }, together, next, productOrders };
  }

  /**
   * What a run needs of the rules without holding them all (a shop of thousands of products can have hundreds of
   * thousands of weak ones): how many pass the minimum counts, the strongest `top` of each kind (as rules() orders
   * them: what is stored), and for the recommendations each product's `perAntecedent` most confident `usable` rules
   * of each kind (the Recommender keeps the most confident of those across both kinds, so it recommends exactly as
   * from rules()). Memory: bounded buffers, not the rules.
   */
  selectRules({
    top,
    perAntecedent,
    usable,
  }: {
    top: number;
    perAntecedent: number;
    usable: (r: AssociationRule) => boolean;
  }): {
    totals: AffinityTotals;
    found: { together: number; next: number };
    together: AssociationRule[];
    next: AssociationRule[];
    forRecommendations: { together: AssociationRule[]; next: AssociationRule[] };
  } {
    const found = { together: 0, next: 0 };
    const strongest = { together: [] as AssociationRule[], next: [] as AssociationRule[] };
    const byAntecedent = { together: new Map<string, AssociationRule[]>(), next: new Map<string, AssociationRule[]>() };
    const keep = (list: AssociationRule[], n: number, order: (x: AssociationRule, y: AssociationRule) => number) => {
      list.sort(order);
      list.length = Math.min(list.length, n);
    };
    for (const r of this.candidateRules()) {
      found[r.kind]++;
      const list = strongest[r.kind];
      list.push(r);
      if (list.length >= 2 * top) keep(list, top, byStrength);
      if (!usable(r)) continue;
      const own = byAntecedent[r.kind].get(r.antecedent);
      if (!own) byAntecedent[r.kind].set(r.antecedent, [r]);
      else {
        own.push(r);
        if (own.length >= 2 * perAntecedent) keep(own, perAntecedent, byConfidence);
      }
    }
    keep(strongest.together, top, byStrength);
    keep(strongest.next, top, byStrength);
    const flat = (m: Map<string, AssociationRule[]>) =>
      [...m.values()].flatMap((list) => {
        keep(list, perAntecedent, byConfidence);
        return list;
      });
    return {
      totals: { ...this.totals },
      found,
      together: strongest.together,
      next: strongest.next,
      forRecommendations: { together: flat(byAntecedent.together), next: flat(byAntecedent.next) },
    };
  }
}

/** A product's rules for the recommendations: most confident first, then count, then the consequent's id. */
function byConfidence(x: AssociationRule, y: AssociationRule): number {
  return y.confidence - x.confidence || y.count - x.count || compareIds(x.consequent, y.consequent);
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
  expectedProducts = 0,
): AffinityRules {
  const counter = new AffinityCounter(settings, excluded, expectedProducts);
  for (const orders of customers) counter.addCustomer(orders);
  return counter.rules();
}

/** How many rules (the most confident) each bought product contributes to a customer's scores. */
export const RULES_PER_PRODUCT = 50;

export interface Recommendation {
  productId: string;
  score: number;
}

/**
 * Per-customer recommendations from a shop's rules. For each product B the customer has not bought, the evidence of
 * each bought product A is w(A) × confidence(A → B), for every rule A → B with lift > 1 of either kind, where w(A) =
 * 0.5^(days since the customer last bought A / half-life) as of `asOfDay`; the score is the noisy-OR of the evidence,
 * 1 − Π (1 − w·confidence). Only `recommendable` products (active, not deleted) that are not excluded and not bought
 * are candidates; each bought product contributes its RULES_PER_PRODUCT most confident rules. Best first by score,
 * then by the number of customers/orders behind the strongest rule, then id.
 */
export class Recommender {
  /** Candidate products (consequents of usable rules) as small integers, and per antecedent its rules on them. */
  private readonly candidates: string[] = [];
  private readonly candidateIndex = new Map<string, number>();
  private readonly byAntecedent = new Map<string, { to: Int32Array; confidence: Float64Array; count: Int32Array }>();
  // Scratch per customer: what is left of the noisy-OR product (1 − evidence each), the strongest count, touched ones.
  private readonly keep: Float64Array;
  private readonly best: Int32Array;
  private readonly mark: Uint8Array;

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
    const lists = new Map<string, { consequent: string; confidence: number; count: number }[]>();
    for (const list of [rules.together, rules.next])
      for (const r of list) {
        if (!(r.lift > 1)) continue;
        if (options.excluded.has(r.antecedent) || options.excluded.has(r.consequent)) continue;
        if (!options.recommendable.has(r.consequent)) continue;
        let own = lists.get(r.antecedent);
        if (!own) lists.set(r.antecedent, (own = []));
        own.push({ consequent: r.consequent, confidence: r.confidence, count: r.count });
      }
    // Each product speaks through its RULES_PER_PRODUCT most confident rules: a popular product can have hundreds,
    // and past the strongest few none of them changes a customer's top few.
    for (const [a, list] of lists) {
      list.sort((x, y) => y.confidence - x.confidence || y.count - x.count || compareIds(x.consequent, y.consequent));
      const kept = list.slice(0, RULES_PER_PRODUCT);
      const to = new Int32Array(kept.length);
      kept.forEach((r, k) => {
        let i = this.candidateIndex.get(r.consequent);
        if (i === undefined) {
          i = this.candidates.length;
          this.candidates.push(r.consequent);
          this.candidateIndex.set(r.consequent, i);
        }
        to[k] = i;
      });
      this.byAntecedent.set(a, {
        to,
        confidence: Float64Array.from(kept, (r) => r.confidence),
        count: Int32Array.from(kept, (r) => r.count),
      });
    }
    this.keep = new Float64Array(this.candidates.length).fill(1);
    this.best = new Int32Array(this.candidates.length);
    this.mark = new Uint8Array(this.candidates.length);
  }

  /** The customer's recommendations, best first (empty when no rule applies). */
  forCustomer(orders: readonly AffinityOrder[]): Recommendation[] {
    const { last } = customerHistory(orders, this.options.excluded);
    // Products bought but excluded or refunded are still "bought": never recommended back.
    const bought = new Set(last.keys());
    for (const order of orders) for (const line of order.lines) if (line.productId) bought.add(line.productId);
    return this.forHistory(last, bought);
  }

  /**
   * The same from a customer's history: the last day each product was bought and counted (net quantity > 0, not
   * excluded), and every product any line of theirs names.
   */
  forHistory(last: ReadonlyMap<string, number>, bought: ReadonlySet<string>): Recommendation[] {
    if (last.size === 0) return [];
    const halfLife = this.options.settings.recencyHalfLifeDays;
    const { keep, best, mark } = this;
    const touched: number[] = [];
    // Bought products are never candidates: marked 2 for this customer.
    const blocked: number[] = [];
    for (const p of bought) {
      const i = this.candidateIndex.get(p);
      if (i !== undefined) {
        mark[i] = 2;
        blocked.push(i);
      }
    }
    for (const [a, day] of last) {
      const rules = this.byAntecedent.get(a);
      if (!rules) continue;
      const weight = Math.pow(0.5, Math.max(0, this.options.asOfDay - day) / halfLife);
      for (let k = 0; k < rules.to.length; k++) {
        const i = rules.to[k];
        if (mark[i] === 2) continue;
        if (mark[i] === 0) {
          mark[i] = 1;
          touched.push(i);
        }
        keep[i] *= 1 - weight * rules.confidence[k];
        if (rules.count[k] > best[i]) best[i] = rules.count[k];
      }
    }
    // The top N by score, then count, then id: a short insertion list, not a sort of every candidate.
    const n = this.options.settings.recommendations;
    const top: { productId: string; score: number; count: number }[] = [];
    const before = (x: { productId: string; score: number; count: number }, y: typeof x) =>
      x.score > y.score ||
      (x.score === y.score && (x.count > y.count || (x.count === y.count && x.productId < y.productId)));
    for (const i of touched) {
      const entry = { productId: this.candidates[i], score: 1 - keep[i], count: best[i] };
      keep[i] = 1;
      best[i] = 0;
      mark[i] = 0;
      if (!(entry.score > 0)) continue;
      if (top.length === n && !before(entry, top[n - 1])) continue;
      let at = top.length < n ? top.length : n - 1;
      top[at] = entry;
      while (at > 0 && before(top[at], top[at - 1])) {
        [top[at], top[at - 1]] = [top[at - 1], top[at]];
        at--;
      }
    }
    for (const i of blocked) mark[i] = 0;
    return top.map(({ productId, score }) => ({ productId, score }));
  }
}

const NEVER = -0x7fffffff;

/**
 * Customers' purchase histories held compactly between the counting and the recommending of a single-pass run: per
 * customer, for each product any line of theirs names, the product (interned) and the last purchase day it counted
 * (net quantity > 0, not excluded) — or "never" when it was only ever refunded or excluded. Eight bytes per
 * (customer, product) in typed arrays; the orders themselves are not kept.
 */
export class CustomerHistories {
  private readonly customers: string[] = [];
  private readonly starts: number[] = [0];
  private products = new Int32Array(1 << 16);
  private days = new Int32Array(1 << 16);
  private size = 0;
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];

  constructor(private readonly excluded: ReadonlySet<string> = new Set()) {}

  private intern(product: string): number {
    let i = this.index.get(product);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(product);
      this.index.set(product, i);
    }
    return i;
  }

  private push(product: number, day: number) {
    if (this.size === this.products.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.products = grow(this.products);
      this.days = grow(this.days);
    }
    this.products[this.size] = product;
    this.days[this.size] = day;
    this.size++;
  }

  /**
   * Adds a customer's orders (a customer once). `counted`: the last counted day per product when already known
   * (AffinityCounter.addCustomer returns it for the same orders and exclusions).
   */
  add(customerId: string, orders: readonly AffinityOrder[], counted?: ReadonlyMap<string, number>): void {
    const last = counted ?? customerHistory(orders, this.excluded).last;
    const bought = new Set(last.keys());
    for (const order of orders) for (const line of order.lines) if (line.productId) bought.add(line.productId);
    if (bought.size === 0) return;
    for (const p of bought) this.push(this.intern(p), last.get(p) ?? NEVER);
    this.customers.push(customerId);
    this.starts.push(this.size);
  }

  /** Bytes held by the histories' arrays (for the benchmark's account of memory). */
  get bytes(): number {
    return this.products.byteLength + this.days.byteLength;
  }

  /** Each customer as added: the last counted day per product and every product bought. */
  *entries(): Generator<[customerId: string, last: Map<string, number>, bought: Set<string>]> {
    for (let c = 0; c < this.customers.length; c++) {
      const last = new Map<string, number>();
      const bought = new Set<string>();
      for (let k = this.starts[c]; k < this.starts[c + 1]; k++) {
        const product = this.ids[this.products[k]];
        bought.add(product);
        if (this.days[k] !== NEVER) last.set(product, this.days[k]);
      }
      yield [this.customers[c], last, bought];
    }
  }
}
