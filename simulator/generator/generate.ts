// The generator: a deterministic, streaming synthetic shop. Customers are produced one at a time, each followed by
// their orders (each order by its refunds), then the guest orders; only one customer's orders are ever in memory.
import type { CustomerRecord, OrderRecord, RefundRecord, ShopFileRecord, ShopRecord } from "../shop-file/types";
import { Calendar, DAY_MS, isBlackFridayWeekend, isoTimestamp, yearsBefore } from "./calendar";
import { applyBasisPoints, CURRENCIES, type CurrencyProfile, moneyBag } from "./money";
import { type GeneratorInput, type GeneratorOptions, resolveOptions } from "./options";
import { guestEmail, type Locale, localeMix, makePerson } from "./people";
import { hashSeed, Rng, STREAM } from "./random";
import { TruthAccumulator, type TruthSummary } from "./truth";
import { type BasketMemory, buildCatalogue, type Catalogue, orderLines, refundWholeLines } from "./catalogue";

const MINUTE = 60_000;
const HOUR = 3_600_000;

// Kinds of customer and their shares: a few never order, most buy once, a loyal minority carries repeat revenue.
const KIND_WEIGHTS = { none: 0.05, once: 0.6, occasional: 0.23, loyal: 0.12 };
const OCCASIONAL_MEAN = 3; // 2 + geometric(0.5)
const LOYAL_MIN = 5;
const LOYAL_SIGMA = 0.9; // spread of the loyal tail: a few customers order hundreds of times
const MAX_ORDERS_PER_CUSTOMER = 2_000;
/** Orders per day a single customer can reach at most (one every two days). */
const MAX_ORDER_RATE = 0.5;

// Numeric parts of the ids: 13 digits like real ones, increasing in file order, never repeating.
const CUSTOMER_ID_BASE = 6_100_000_000_000;
const ORDER_ID_BASE = 5_200_000_000_000;
const REFUND_ID_BASE = 910_000_000_000;
const FIRST_ORDER_NUMBER = 1001;

const CANCEL_REASONS = ["CUSTOMER", "INVENTORY", "FRAUD", "DECLINED", "OTHER", "STAFF"] as const;
const CANCEL_REASON_WEIGHTS = [0.45, 0.15, 0.08, 0.12, 0.15, 0.05];
const REFUND_NOTES = [
  null,
  null,
  null,
  "Damaged in transit",
  "Wrong size",
  "Customer changed their mind",
  "Item out of stock",
  "Goodwill gesture",
];

interface Context {
  options: GeneratorOptions;
  currency: CurrencyProfile;
  calendar: Calendar;
  seed: number;
  endMs: number;
  locales: Locale[];
  localeWeights: number[];
  loyalMean: number;
  nextOrder: number;
  nextRefund: number;
  catalogue: Catalogue;
}

/** What an order needs to know about who placed it. */
interface Buyer {
  customerId: string | null;
  email: string | null;
  medianOrderMinor: number;
  salesTaxBasisPoints: number;
  couponLover: boolean;
  loyal: boolean;
  /** The products of the customer's previous order ("bought next"); none for guests. */
  memory: BasketMemory | null;
}

/**
 * The records of a synthetic shop, in file order. The generator's return value (when iterated to the end with
 * `next()`) is the truth summary of what was produced.
 */
export function* generateShop(input: GeneratorInput = {}): Generator<ShopFileRecord, TruthSummary, undefined> {
  const options = resolveOptions(input);
  const truth = new TruthAccumulator();
  const catalogue: NonNullable<TruthSummary["catalogue"]> = { boughtTogether: [], boughtNext: [] };
  for (const record of shopRecords(options, catalogue)) {
    truth.add(record);
    yield record;
  }
  return { ...truth.summary(), catalogue };
}

function* shopRecords(
  options: GeneratorOptions,
  planted: NonNullable<TruthSummary["catalogue"]>,
): Generator<ShopFileRecord> {
  const ctx = createContext(options);
  const idOf = (i: number) => ctx.catalogue.products[i].record.id;
  for (const [a, b] of ctx.catalogue.partner) planted.boughtTogether.push([idOf(a), idOf(b)]);
  for (const [a, b] of ctx.catalogue.next) planted.boughtNext.push([idOf(a), idOf(b)]);
  yield shopRecord(ctx);
  // The catalogue, before the customers (a reader meets the products before the lines that name them).
  for (const product of ctx.catalogue.products) yield product.record;
  let customerOrders = 0;
  for (let index = 0; index < options.customers; index++) {
    const records = customerRecords(ctx, index);
    customerOrders += records.length === 0 ? 0 : records.filter((r) => r.__typename === "Order").length;
    yield* records;
  }
  const share = options.guestOrderShare;
  const guestOrders = Math.round((customerOrders * share) / (1 - share));
  for (let index = 0; index < guestOrders; index++) {
    const rng = new Rng(ctx.seed, STREAM.guest, index);
    const day = ctx.calendar.sampleDay(rng, 0, ctx.calendar.dayCount - 1, true);
    const at = ctx.calendar.timeOnDay(rng, day);
    const buyer: Buyer = {
      customerId: null,
      email: guestEmail(rng, index + 1),
      medianOrderMinor: ctx.currency.medianOrderMinor * Math.exp(0.5 * rng.normal()),
      salesTaxBasisPoints: ctx.currency.taxesIncluded ? 0 : rng.pick([0, 625, 725, 825, 888]),
      couponLover: rng.chance(0.1),
      loyal: false,
      memory: null,
    };
    yield* orderRecords(ctx, rng, buyer, at, true);
  }
}

function createContext(options: GeneratorOptions): Context {
  const currency = CURRENCIES[options.currency];
  const endMs = Date.parse(options.endDate);
  const mix = localeMix(currency);
  const w = KIND_WEIGHTS;
  // Solve the loyal customers' mean so that the expected orders per customer is the requested one.
  const loyalMean = (options.ordersPerCustomer - w.once - w.occasional * OCCASIONAL_MEAN) / w.loyal;
  return {
    options,
    currency,
    calendar: new Calendar(yearsBefore(endMs, options.years), endMs, currency.utcOffsetMinutes),
    seed: hashSeed(options.seed),
    endMs,
    locales: mix.map(([locale]) => locale),
    localeWeights: mix.map(([, weight]) => weight),
    loyalMean: Math.max(LOYAL_MIN, loyalMean),
    nextOrder: 0,
    nextRefund: 0,
    catalogue: buildCatalogue(
      hashSeed(options.seed),
      options.customers,
      isoTimestamp(yearsBefore(endMs, options.years)),
      currency,
    ),
  };
}

function shopRecord(ctx: Context): ShopRecord {
  const { options, currency } = ctx;
  const handle = options.shopDomain.replace(/\.myshopify\.com$/, "");
  return {
    __typename: "Shop",
    id: `gid://shopify/Shop/${50_000_000_000 + (ctx.seed % 10_000_000_000)}`,
    name: options.name,
    myshopifyDomain: options.shopDomain,
    email: `owner@${handle}.example.com`,
    currencyCode: currency.code,
    ianaTimezone: currency.ianaTimezone,
    primaryLocale: currency.primaryLocale,
    plan: options.plan,
  };
}

/** One customer and everything they bought: [Customer, Order, Refund…, Order, …]. */
function customerRecords(ctx: Context, index: number): ShopFileRecord[] {
  const { calendar, currency } = ctx;
  const rng = new Rng(ctx.seed, STREAM.customer, index);
  const serial = index + 1;
  const person = makePerson(rng, ctx.locales[rng.weighted(ctx.localeWeights)], currency, serial);
  const id = `gid://shopify/Customer/${CUSTOMER_ID_BASE + serial * 1_000 + rng.int(0, 999)}`;

  const kind = rng.weighted([KIND_WEIGHTS.none, KIND_WEIGHTS.once, KIND_WEIGHTS.occasional, KIND_WEIGHTS.loyal]);
  const loyal = kind === 3;
  let orderCount: number;
  if (kind === 0) orderCount = 0;
  else if (kind === 1) orderCount = 1;
  else if (kind === 2) orderCount = 2 + rng.geometric(1 / (OCCASIONAL_MEAN - 1));
  else {
    const tail = Math.exp(LOYAL_SIGMA * rng.normal() - (LOYAL_SIGMA * LOYAL_SIGMA) / 2); // mean 1
    orderCount = LOYAL_MIN + Math.round((ctx.loyalMean - LOYAL_MIN) * tail);
  }

  // Customers arrive over the shop's life, faster as it grows and around the holidays.
  const joinDay = calendar.sampleDay(rng, 0, calendar.dayCount - 1, true);
  const firstAt = calendar.timeOnDay(rng, joinDay);
  const daysLeft = calendar.dayCount - 1 - joinDay;
  orderCount = Math.min(orderCount, MAX_ORDERS_PER_CUSTOMER, 1 + Math.floor(daysLeft * MAX_ORDER_RATE));

  let createdAt: number;
  if (orderCount === 0) createdAt = firstAt;
  else if (rng.chance(0.15)) createdAt = Math.max(calendar.startMs, firstAt - rng.int(HOUR, 90 * DAY_MS));
  else createdAt = Math.max(calendar.startMs, firstAt - rng.int(30_000, 20 * MINUTE));

  const tags: string[] = [];
  if (rng.chance(0.3)) tags.push("newsletter");
  if (loyal && rng.chance(0.4)) tags.push("vip");
  if (rng.chance(0.01)) tags.push("wholesale");

  const buyer: Buyer = {
    customerId: id,
    email: person.email,
    medianOrderMinor: currency.medianOrderMinor * Math.exp(0.45 * rng.normal()) * (loyal ? 0.85 : 1),
    salesTaxBasisPoints: person.salesTaxBasisPoints,
    couponLover: rng.chance(0.15),
    loyal,
    memory: { previous: [] },
  };
  const times = orderCount === 0 ? [] : orderTimes(ctx, rng, firstAt, joinDay, orderCount);
  const purchases: ShopFileRecord[] = [];
  times.forEach((at, i) => {
    for (const record of orderRecords(ctx, rng, buyer, at, i === 0)) purchases.push(record);
  });

  const lastActivity = times.length === 0 ? createdAt : times[times.length - 1] + rng.int(1_000, 60_000);
  const customer: CustomerRecord = {
    __typename: "Customer",
    id,
    firstName: person.firstName,
    lastName: person.lastName,
    email: person.email,
    phone: person.phone,
    locale: person.locale,
    tags: tags.sort(),
    createdAt: iso(createdAt),
    updatedAt: iso(Math.max(createdAt, Math.min(ctx.endMs, lastActivity))),
    defaultAddress: person.address,
  };
  purchases.unshift(customer);
  return purchases;
}

/**
 * When a customer orders: the first order when they join, the rest spread by season over the part of the history
 * they stay active in. Most repeat customers stop at some point (churn); some go quiet for a long stretch and
 * come back.
 */
function orderTimes(ctx: Context, rng: Rng, firstAt: number, joinDay: number, count: number): number[] {
  const { calendar } = ctx;
  const times = [firstAt];
  if (count === 1) return times;
  const lastDay = calendar.dayCount - 1;
  const available = lastDay - joinDay;
  let endDay = rng.chance(0.4) ? lastDay : joinDay + Math.ceil(available * Math.pow(rng.float(), 1.3));
  endDay = Math.min(lastDay, Math.max(endDay, joinDay + Math.min(available, (count - 1) * 3)));

  let quietFrom = endDay + 1;
  let quietTo = endDay;
  const span = endDay - joinDay;
  if (count >= 3 && span >= 120 && rng.chance(0.25)) {
    quietFrom = joinDay + 1 + Math.floor(span * (0.15 + 0.45 * rng.float()));
    quietTo = Math.min(endDay - 1, quietFrom + Math.floor(span * (0.2 + 0.2 * rng.float())));
  }
  const before = calendar.mass(joinDay, quietFrom - 1);
  const after = calendar.mass(quietTo + 1, endDay);
  for (let k = 1; k < count; k++) {
    const day =
      rng.float() * (before + after) < before
        ? calendar.sampleDay(rng, joinDay, quietFrom - 1)
        : calendar.sampleDay(rng, quietTo + 1, endDay);
    times.push(calendar.timeOnDay(rng, day, firstAt + MINUTE));
  }
  return times.sort((a, b) => a - b);
}

interface PlannedRefund {
  at: number;
  amount: number;
  note: string | null;
  /** The lines it gives back: all of them, one (its index), or none (shipping, a goodwill share). */
  lines?: "all" | number;
}

/** One order and its refunds: [Order, Refund…]. */
function orderRecords(ctx: Context, rng: Rng, buyer: Buyer, processedAt: number, isFirst: boolean): ShopFileRecord[] {
  const { currency, options, endMs } = ctx;
  const sequence = ctx.nextOrder++;
  const id = `gid://shopify/Order/${ORDER_ID_BASE + sequence * 1_000 + rng.int(0, 999)}`;

  // The basket: a few lines around this buyer's usual order value (log-normal), at shop-like prices.
  const target = rng.logNormal(buyer.medianOrderMinor, 0.55);
  const lineCount = Math.min(6, 1 + rng.geometric(0.55));
  const lines: number[] = [];
  const units: { unitMinor: number; quantity: number }[] = [];
  for (let i = 0; i < lineCount; i++) {
    const quantity = 1 + rng.weighted([0.8, 0.15, 0.05]);
    const unitMinor = priceNear(rng, (target / lineCount) * Math.exp(0.3 * rng.normal()), currency);
    units.push({ unitMinor, quantity });
    lines.push(unitMinor * quantity);
  }
  const gross = lines.reduce((a, b) => a + b, 0);
  const discount = chooseDiscount(ctx, rng, buyer, processedAt, isFirst, gross);
  // The products of the lines, on the catalogue's own random stream (nothing above or below draws differently).
  const lineItems = orderLines(ctx.catalogue, ctx.seed, sequence, units, discount.amount, currency, buyer.memory).lines;
  const subtotal = gross - discount.amount;
  const shipping = subtotal >= currency.freeShippingOverMinor ? 0 : currency.shippingMinor;
  const taxRate = currency.taxesIncluded ? 0 : buyer.salesTaxBasisPoints;
  const total = subtotal + shipping + applyBasisPoints(subtotal, taxRate);

  const createdAt = Math.min(endMs, processedAt + rng.int(0, 1_500));
  let updatedAt = Math.min(endMs, createdAt + Math.min(14 * DAY_MS, Math.round(rng.logNormal(20 * HOUR, 1))));
  let cancelledAt: number | null = null;
  let cancelReason: string | null = null;
  let edited = false;
  let current = total;
  let refunds: PlannedRefund[] = [];

  if (rng.chance(options.cancelShare)) {
    const at = processedAt + rng.int(5 * MINUTE, 3 * DAY_MS);
    if (at <= endMs) {
      cancelledAt = at;
      cancelReason = CANCEL_REASONS[rng.weighted(CANCEL_REASON_WEIGHTS)];
      // A declined payment was never captured: nothing to refund.
      if (cancelReason !== "DECLINED" && total > 0)
        refunds.push({ at, amount: total, note: "Order cancelled", lines: "all" });
    }
  }
  if (cancelledAt === null && rng.chance(options.editShare)) {
    const at = processedAt + rng.int(10 * MINUTE, 2 * DAY_MS);
    if (at <= endMs) {
      // Remove a line (most edits), or add one.
      let delta =
        lines.length >= 2 && rng.chance(0.7)
          ? -lineValue(lines[rng.int(0, lines.length - 1)], subtotal, gross, taxRate)
          : 0;
      if (delta === 0 || total + delta <= 0) {
        const added = priceNear(rng, target / lineCount, currency);
        delta = added + applyBasisPoints(added, taxRate);
      }
      edited = true;
      current = total + delta;
      updatedAt = Math.max(updatedAt, at);
    }
  }
  if (cancelledAt === null && !edited && total > 1 && rng.chance(options.refundShare)) {
    // The line a partial refund may give back (rng.pick's own draw, so the stream is as before).
    const picked = lines.length >= 2 ? Math.floor(rng.float() * lines.length) : -1;
    refunds = planRefunds(
      rng,
      processedAt,
      endMs,
      total,
      shipping,
      picked >= 0 ? lineValue(lines[picked], subtotal, gross, taxRate) : 0,
      picked,
    );
  }

  let refunded = 0;
  const refundRecords: RefundRecord[] = refunds.map((refund) => {
    refunded += refund.amount;
    updatedAt = Math.max(updatedAt, refund.at);
    const refundSequence = ctx.nextRefund++;
    const refundId = REFUND_ID_BASE + refundSequence * 1_000 + rng.int(0, 999);
    const given = refund.lines === "all" ? lineItems : refund.lines === undefined ? [] : [lineItems[refund.lines]];
    return {
      __typename: "Refund",
      id: `gid://shopify/Refund/${refundId}`,
      order: { id },
      createdAt: iso(refund.at),
      note: refund.note,
      totalRefundedSet: moneyBag(refund.amount, currency),
      ...(given.length ? { refundLineItems: refundWholeLines(given, refundSequence, currency) } : {}),
    };
  });
  current -= refunded;
  if (cancelledAt !== null) updatedAt = Math.max(updatedAt, cancelledAt);

  const order: OrderRecord = {
    __typename: "Order",
    id,
    name: `#${FIRST_ORDER_NUMBER + sequence}`,
    customer: buyer.customerId === null ? null : { id: buyer.customerId },
    email: buyer.email,
    createdAt: iso(createdAt),
    updatedAt: iso(Math.max(createdAt, updatedAt)),
    processedAt: iso(processedAt),
    cancelledAt: cancelledAt === null ? null : iso(cancelledAt),
    cancelReason,
    test: rng.chance(options.testOrderShare),
    currencyCode: currency.code,
    presentmentCurrencyCode: currency.code,
    totalPriceSet: moneyBag(total, currency),
    currentTotalPriceSet: moneyBag(current, currency),
    totalRefundedSet: moneyBag(refunded, currency),
    subtotalPriceSet: moneyBag(subtotal, currency),
    totalDiscountsSet: moneyBag(discount.amount, currency),
    discountCodes: discount.code === null ? [] : [discount.code],
    edited,
    lineItems,
  };
  return [order, ...refundRecords];
}

/** What one line is worth after the order's discount, with its tax. */
function lineValue(line: number, subtotal: number, gross: number, taxRate: number): number {
  const net = Math.floor((line * subtotal) / gross);
  return net + applyBasisPoints(net, taxRate);
}

/** Full refunds (sometimes items and shipping separately) or partial ones (a line, or a goodwill share). */
function planRefunds(
  rng: Rng,
  processedAt: number,
  endMs: number,
  total: number,
  shipping: number,
  oneLine: number,
  oneLineIndex: number,
): PlannedRefund[] {
  const first = processedAt + Math.min(60 * DAY_MS, Math.max(HOUR, Math.round(rng.logNormal(5 * DAY_MS, 0.9))));
  if (first > endMs) return []; // not yet refunded at endDate
  const second = first + rng.int(HOUR, 20 * DAY_MS);
  if (rng.chance(0.35)) {
    if (shipping > 0 && shipping < total && second <= endMs && rng.chance(0.15)) {
      return [
        { at: first, amount: total - shipping, note: rng.pick(REFUND_NOTES), lines: "all" },
        { at: second, amount: shipping, note: "Shipping refund" },
      ];
    }
    return [{ at: first, amount: total, note: rng.pick(REFUND_NOTES), lines: "all" }];
  }
  const ofLine = oneLine > 0 && rng.chance(0.6);
  const partial = ofLine ? oneLine : applyBasisPoints(total, rng.int(1_000, 5_000));
  const amount = Math.min(total - 1, Math.max(1, partial));
  const refunds: PlannedRefund[] = [
    {
      at: first,
      amount,
      note: rng.pick(REFUND_NOTES),
      ...(ofLine && amount === partial ? { lines: oneLineIndex } : {}),
    },
  ];
  const remaining = total - amount;
  if (second <= endMs && rng.chance(0.2)) {
    refunds.push({
      at: second,
      amount: Math.max(1, Math.floor((remaining * rng.int(20, 100)) / 100)),
      note: rng.pick(REFUND_NOTES),
    });
  }
  return refunds;
}

/** A price near `minor`, rounded the way shops price things ($24.99, ¥1,280, ฿590). */
function priceNear(rng: Rng, minor: number, currency: CurrencyProfile): number {
  const unit = currency.priceRoundMinor;
  const rounded = Math.max(1, Math.round(minor / unit)) * unit;
  return Math.max(Math.ceil(unit / 2), rounded + rng.pick(currency.priceEndingsMinor));
}

function chooseDiscount(
  ctx: Context,
  rng: Rng,
  buyer: Buyer,
  at: number,
  isFirst: boolean,
  gross: number,
): { code: string | null; amount: number } {
  const { currency } = ctx;
  const percent = (code: string, pct: number) => ({ code, amount: Math.floor((gross * pct) / 100) });
  if (isBlackFridayWeekend(at, currency.utcOffsetMinutes) && rng.chance(0.45)) {
    return percent(`BFCM${new Date(at).getUTCFullYear()}`, 25);
  }
  if (isFirst && buyer.customerId !== null && rng.chance(0.14)) return percent("WELCOME10", 10);
  if (rng.chance(buyer.couponLover ? 0.3 : 0.035)) {
    if (buyer.loyal && rng.chance(0.5)) return percent("VIP20", 20);
    const month = new Date(at + currency.utcOffsetMinutes * MINUTE).getUTCMonth();
    if (month >= 2 && month <= 4 && rng.chance(0.5)) return percent("SPRING15", 15);
    if (rng.chance(0.4)) return { code: "THANKYOU", amount: Math.min(gross, currency.fixedDiscountMinor) };
    return percent("SAVE10", 10);
  }
  return { code: null, amount: 0 };
}

function iso(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 253_402_300_800_000)
    throw new Error(`timestamp out of range: ${ms}`);
  return isoTimestamp(ms);
}
