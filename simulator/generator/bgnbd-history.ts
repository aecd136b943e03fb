// A shop whose customers follow the BG/NBD and Gamma-Gamma stories with KNOWN parameters (docs/predictions.md#proof):
// what the predictions' parameter recovery and back-test are tested on, through the app's ledger write path (the shop
// file loaded into the local Shopify and backfilled, or its records through the backfill's ledger writes).
//
// Per customer: the first purchase at a uniform instant of the observation span; λ ~ Gamma(r, α) per week and
// p ~ Beta(a, b); further purchases at exponential gaps of rate λ, the customer leaving with probability p after each
// repeat purchase (the story of app/domain/predictions/simulate.ts), until the span's end. Each order's value, in
// minor units, is Gamma(p_s, ν) with ν ~ Gamma(q, γ) per customer, rounded to a whole minor unit (at least 1).
// Orders fall at random times of the day in the shop's zone; two purchases on one local day are one transaction to
// the models, as the issue defines it (rare at these rates: the recovery test allows for it).
import { betaVariate, gammaVariate, mulberry32 } from "../../app/domain/predictions/simulate";
import type { BgNbdParams } from "../../app/domain/predictions/bgnbd";
import type { GammaGammaParams } from "../../app/domain/predictions/gamma-gamma";
import type { CustomerRecord, OrderRecord, ShopFileRecord, ShopRecord } from "../shop-file/types";
import { CURRENCIES, moneyBag, type CurrencyProfile } from "./money";
import { makePerson } from "./people";
import { Rng } from "./random";

const WEEK_MS = 7 * 86_400_000;

export interface BgNbdHistoryOptions {
  seed: number;
  customers: number;
  shopDomain: string;
  /** The shop's "now": no order after it (ISO-8601). */
  endDate: string;
  /** Weeks of history before endDate over which first purchases are spread. */
  weeks: number;
  /** USD, THB, JPY, EUR or GBP (the currency's own zone unless timeZone says otherwise). */
  currency: string;
  timeZone?: string;
  bgnbd: BgNbdParams;
  /** Gamma-Gamma of one order's value in minor units. */
  spend: GammaGammaParams;
}

export const BGNBD_HISTORY_DEFAULTS: BgNbdHistoryOptions = {
  seed: 1,
  customers: 3000,
  shopDomain: "bgnbd.myshopify.com",
  endDate: "2025-06-01T00:00:00.000Z",
  weeks: 104,
  currency: "USD",
  bgnbd: { r: 0.6, alpha: 6, a: 0.7, b: 2.8 },
  spend: { p: 6, q: 4, gamma: 1500 },
};

const iso = (ms: number) => new Date(ms).toISOString();

/** The shop file's records: Shop, then each Customer followed by their orders. Deterministic for the options. */
export function* generateBgNbdHistory(input: Partial<BgNbdHistoryOptions> = {}): Generator<ShopFileRecord> {
  const options = { ...BGNBD_HISTORY_DEFAULTS, ...input };
  const currency: CurrencyProfile | undefined = CURRENCIES[options.currency];
  if (!currency) throw new Error(`unknown currency ${options.currency}`);
  const endMs = Date.parse(options.endDate);
  if (Number.isNaN(endMs)) throw new Error(`endDate is not an ISO-8601 time: ${options.endDate}`);
  const startMs = endMs - options.weeks * WEEK_MS;
  const random = mulberry32(options.seed);
  const people = new Rng(options.seed, 0x8b9d);
  const shop: ShopRecord = {
    __typename: "Shop",
    id: `gid://shopify/Shop/${60_000_000_000 + options.seed}`,
    name: "BG/NBD Test Shop",
    myshopifyDomain: options.shopDomain,
    email: `owner@${options.shopDomain.split(".")[0]}.example.com`,
    currencyCode: currency.code,
    ianaTimezone: options.timeZone ?? currency.ianaTimezone,
    primaryLocale: currency.primaryLocale,
    plan: "standard",
  };
  yield shop;
  let orderNumber = 1000;
  for (let i = 0; i < options.customers; i++) {
    const first = startMs + Math.floor(random() * (endMs - startMs - 3_600_000));
    const lambda = gammaVariate(random, options.bgnbd.r, options.bgnbd.alpha); // per week
    const p = betaVariate(random, options.bgnbd.a, options.bgnbd.b);
    const nu = gammaVariate(random, options.spend.q, options.spend.gamma);
    const times = [first];
    for (let t = first; ; ) {
      t += (-Math.log(random()) / lambda) * WEEK_MS;
      if (t > endMs) break;
      times.push(Math.round(t));
      if (random() < p) break;
    }
    const person = makePerson(people, currency.code === "THB" ? "th" : "en", currency, i + 1);
    const customerId = `gid://shopify/Customer/${7_000_000 + i}`;
    const customer: CustomerRecord = {
      __typename: "Customer",
      id: customerId,
      firstName: person.firstName,
      lastName: person.lastName,
      email: person.email,
      phone: person.phone,
      locale: person.locale,
      tags: [],
      createdAt: iso(first - 600_000),
      updatedAt: iso(first - 600_000),
      defaultAddress: person.address,
    };
    yield customer;
    for (const time of times) {
      const value = Math.max(1, Math.round(gammaVariate(random, options.spend.p, nu)));
      const money = moneyBag(value, currency);
      const order: OrderRecord = {
        __typename: "Order",
        id: `gid://shopify/Order/${8_000_000 + orderNumber}`,
        name: `#${orderNumber++}`,
        customer: { id: customerId },
        email: person.email,
        createdAt: iso(time),
        updatedAt: iso(time),
        processedAt: iso(time),
        cancelledAt: null,
        cancelReason: null,
        test: false,
        currencyCode: currency.code,
        presentmentCurrencyCode: currency.code,
        totalPriceSet: money,
        currentTotalPriceSet: moneyBag(value, currency),
        totalRefundedSet: moneyBag(0, currency),
        subtotalPriceSet: moneyBag(value, currency),
        totalDiscountsSet: moneyBag(0, currency),
        discountCodes: [],
        edited: false,
      };
      yield order;
    }
  }
}
