// Shared by the recompute and export tests: a generated shop loaded into the ledger, and an independent, deliberately
// plain computation of what every customer's state must be (loops over the generated records, the definitions of
// docs/rules.md written out again — no domain code), to compare the app's SQL + batching + domain pipeline against.
import { toMinorUnits } from "../../app/domain/money";
import { prisma } from "../../app/db.server";
import { applyCustomers, applyOrders } from "../../app/models/ledger.server";
import { derivedRecencyDays, lastRunAsOf } from "../../app/models/customer-state.server";
import type { LedgerCustomer, LedgerOrder } from "../../app/domain/ledger-types";
import { customerFromBulk, orderFromBulk } from "../../app/shopify/bulk-records";
import { generateShop, type GeneratorInput } from "../../simulator/generator";
import type { CustomerRecord, OrderRecord } from "../../simulator/shop-file/types";

export const DAY = 86_400_000;

export interface GeneratedShop {
  currency: string;
  customers: CustomerRecord[];
  orders: OrderRecord[];
}

/** Generates a shop and writes it into the ledger of `shop` (customers, then orders; Shop row with its currency). */
export async function loadGeneratedShop(shop: string, input: GeneratorInput): Promise<GeneratedShop> {
  const generated: GeneratedShop = { currency: "USD", customers: [], orders: [] };
  for (const record of generateShop(input)) {
    if (record.__typename === "Shop") generated.currency = record.currencyCode;
    else if (record.__typename === "Customer") generated.customers.push(record);
    else if (record.__typename === "Order") generated.orders.push(record);
  }
  await prisma.shop.upsert({
    where: { shop },
    create: { shop, currencyCode: generated.currency },
    update: { currencyCode: generated.currency },
  });
  await applyCustomers(shop, generated.customers.map(ledgerCustomer));
  await applyOrders(shop, generated.orders.map(ledgerOrder));
  return generated;
}

export function ledgerCustomer(record: CustomerRecord): LedgerCustomer {
  return customerFromBulk({ ...record, defaultEmailAddress: { emailAddress: record.email } });
}

/** The order line as the backfill would read it (its refunds are already reflected in currentTotalPriceSet). */
export function ledgerOrder(record: OrderRecord): LedgerOrder {
  return orderFromBulk({ currentTotalDiscountsSet: record.totalDiscountsSet, ...record, refunds: [] }).order;
}

// ---- The independent computation -------------------------------------------------------------------------------

const GRID: Record<number, string[]> = {
  5: ["new", "potential_loyalist", "potential_loyalist", "champions", "champions"],
  4: ["promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"],
  3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
  2: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
  1: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
};

export interface PlainTier {
  key: string;
  threshold: number;
  minOrders?: number | null;
}

/** A rolling-window programme, as the default is: tiers lowest first. */
export interface PlainProgram {
  tiers: PlainTier[];
  windowDays: number;
  retentionDays: number;
}

export interface ExpectedState {
  customerId: string;
  recencyDays: number | null;
  frequency: number | null;
  monetary: number | null;
  r: number | null;
  f: number | null;
  m: number | null;
  fm: number | null;
  segment: string;
  tier: string | null;
  spendInWindow: number | null;
  nextTier: string | null;
  amountToNext: number | null;
  tierExpiresAt: number | null;
}

/** Qualifying orders per customer as of asOf, straight from the records: [time, value] pairs. */
export function qualifyingOrders(generated: GeneratedShop, asOf: number): Map<string, [number, number][]> {
  const byCustomer = new Map<string, [number, number][]>();
  for (const o of generated.orders) {
    const value = toMinorUnits(o.currentTotalPriceSet.shopMoney.amount, generated.currency);
    const time = Date.parse(o.processedAt);
    if (!o.customer || o.test || o.cancelledAt !== null || value <= 0 || time > asOf) continue;
    const list = byCustomer.get(o.customer.id) ?? [];
    list.push([time, value]);
    byCustomer.set(o.customer.id, list);
  }
  return byCustomer;
}

export function expectedStates(generated: GeneratedShop, asOf: number, program: PlainProgram): ExpectedState[] {
  const orders = qualifyingOrders(generated, asOf);
  const population = [...orders.entries()].map(([id, list]) => ({
    id,
    days: Math.floor((asOf - Math.max(...list.map(([t]) => t))) / DAY),
    frequency: list.length,
    monetary: list.reduce((sum, [, v]) => sum + v, 0),
  }));
  const n = population.length;
  const score = (below: number) => 1 + Math.floor((5 * below) / n);
  const rfm = new Map<
    string,
    Omit<ExpectedState, "customerId" | "tier" | "spendInWindow" | "nextTier" | "amountToNext" | "tierExpiresAt">
  >();
  for (const c of population) {
    let worseR = 0;
    let worseF = 0;
    let worseM = 0;
    for (const o of population) {
      if (o.days > c.days) worseR++;
      if (o.frequency < c.frequency) worseF++;
      if (o.monetary < c.monetary) worseM++;
    }
    const r = score(worseR);
    const f = score(worseF);
    const m = score(worseM);
    const fm = Math.ceil((f + m) / 2);
    rfm.set(c.id, {
      recencyDays: c.days,
      frequency: c.frequency,
      monetary: c.monetary,
      r,
      f,
      m,
      fm,
      segment: GRID[r][fm - 1],
    });
  }

  const ids = new Set(generated.customers.map((c) => c.id));
  for (const id of orders.keys()) ids.add(id);
  return [...ids]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((customerId) => {
      const scores = rfm.get(customerId) ?? {
        recencyDays: null,
        frequency: null,
        monetary: null,
        r: null,
        f: null,
        m: null,
        fm: null,
        segment: "prospect",
      };
      return { customerId, ...scores, ...expectedTier(orders.get(customerId) ?? [], asOf, program) };
    });
}

/** docs/rules.md#tiers, literally, for a rolling window. */
export function expectedTier(orders: [number, number][], asOf: number, program: PlainProgram) {
  if (orders.length === 0)
    return { tier: null, spendInWindow: null, nextTier: null, amountToNext: null, tierExpiresAt: null };
  const window = program.windowDays * DAY;
  const retention = program.retentionDays * DAY;
  const inWindow = (t: number) => orders.filter(([time]) => time > t - window && time <= t);
  const computed = (t: number) => {
    const list = inWindow(t);
    const spend = list.reduce((s, [, v]) => s + v, 0);
    let best = 0;
    program.tiers.forEach((tier, i) => {
      if (spend >= tier.threshold && list.length >= (tier.minOrders ?? 0)) best = i;
    });
    return best;
  };
  const held = (u: number) => {
    let best = computed(u);
    for (const [time] of orders) if (time >= u - retention && time <= u) best = Math.max(best, computed(time));
    return best;
  };
  const h = held(asOf);
  // The held tier can only drop when an order leaves the window or the retention: try those instants in order.
  let expires: number | null = null;
  if (h > 0) {
    const candidates = orders
      .flatMap(([t]) => [t + window, t + retention + 1])
      .filter((u) => u > asOf)
      .sort((a, b) => a - b);
    expires = candidates.find((u) => held(u) < h) ?? null;
  }
  const spend = inWindow(asOf).reduce((s, [, v]) => s + v, 0);
  const next = program.tiers[h + 1];
  return {
    tier: program.tiers[h].key,
    spendInWindow: spend,
    nextTier: next?.key ?? null,
    amountToNext: next ? Math.max(0, next.threshold - spend) : null,
    tierExpiresAt: expires,
  };
}

/** The CSV the export must produce, built by hand (no cell here needs quoting or escaping). */
export function expectedCsv(states: ExpectedState[], decimals: number): string {
  const money = (n: number | null) => {
    if (n === null) return "";
    if (decimals === 0) return String(n);
    const unit = 10 ** decimals;
    return `${Math.floor(n / unit)}.${String(n % unit).padStart(decimals, "0")}`;
  };
  const cell = (v: number | string | null) => (v === null ? "" : String(v));
  const lines = [
    "customer_id,recency_days,frequency,monetary,r,f,m,fm,segment,tier,spend_in_window,next_tier,amount_to_next,tier_expires_at",
  ];
  for (const s of states) {
    lines.push(
      [
        s.customerId,
        cell(s.recencyDays),
        cell(s.frequency),
        money(s.monetary),
        cell(s.r),
        cell(s.f),
        cell(s.m),
        cell(s.fm),
        s.segment,
        cell(s.tier),
        money(s.spendInWindow),
        cell(s.nextTier),
        money(s.amountToNext),
        s.tierExpiresAt === null ? "" : new Date(s.tierExpiresAt).toISOString(),
      ].join(","),
    );
  }
  return lines.join("\n") + "\n";
}

/** USD defaults of defaultTierProgram, written out: Member 0, Silver 250, Gold 750, Platinum 2000; 365/365 days. */
export const DEFAULT_USD: PlainProgram = {
  tiers: [
    { key: "member", threshold: 0 },
    { key: "silver", threshold: 25_000 },
    { key: "gold", threshold: 75_000 },
    { key: "platinum", threshold: 200_000 },
  ],
  windowDays: 365,
  retentionDays: 365,
};

/** The stored state rows of a shop, by customer id, in the shape of ExpectedState. */
export async function storedStates(shop: string): Promise<ExpectedState[]> {
  const rows = await prisma.customerState.findMany({ where: { shop }, orderBy: { customerId: "asc" } });
  const num = (v: bigint | null) => (v === null ? null : Number(v));
  // Recency is not a column (docs/decisions/0009): derived as every reader of a stored state derives it.
  const runAsOf = await lastRunAsOf(shop);
  return rows.map((s) => ({
    customerId: s.customerId,
    recencyDays: derivedRecencyDays(s.lastOrderAt?.getTime() ?? null, s.computedAt.getTime(), runAsOf),
    frequency: s.frequency,
    monetary: num(s.monetaryMinor),
    r: s.r,
    f: s.f,
    m: s.m,
    fm: s.fm,
    segment: s.segment,
    tier: s.tier,
    spendInWindow: num(s.spendInWindowMinor),
    nextTier: s.nextTier,
    amountToNext: num(s.amountToNextMinor),
    tierExpiresAt: s.tierExpiresAt?.getTime() ?? null,
  }));
}
