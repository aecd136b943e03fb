// The shop's product catalogue and how customers fill their baskets from it: deterministic from the seed, on a random
// stream of its own (so adding it changed none of the other records). Products have a popularity skew (Zipf-like), and
// real structure for affinity to find:
// - "bought together": a product's partner joins it in the same order far more often than chance (PAIR_RATE);
// - "bought next": a product's follow-up leads the customer's next order far more often than chance (NEXT_RATE).
// Both are in the truth summary (truth.ts `catalogue`), so tests can check what an affinity model finds.
import type { LineItemRecord, ProductFileRecord, RefundLineItemRecord } from "../shop-file/types";
import { type CurrencyProfile, moneyBag, parseMinor } from "./money";
import { Rng } from "./random";

/** Random stream of the catalogue and of each order's products (random.ts STREAM has 1-3). */
export const CATALOGUE_STREAM = 7;
const LINES_STREAM = 8;

const PRODUCT_ID_BASE = 8_300_000_000_000;
const VARIANT_ID_BASE = 4_700_000_000_000;
const LINE_ID_BASE = 1_600_000_000_000;
const REFUND_LINE_ID_BASE = 2_200_000_000_000;

/** A partner is added to an order holding its product this often; a follow-up leads the next order this often. */
export const PAIR_RATE = 0.45;
export const NEXT_RATE = 0.35;

const TYPES: readonly { type: string; nouns: readonly string[]; priceFactor: number }[] = [
  {
    type: "Coffee",
    nouns: ["Espresso blend", "House roast", "Single origin", "Decaf roast", "Cold brew pack"],
    priceFactor: 0.5,
  },
  { type: "Tea", nouns: ["Green tea", "Earl grey", "Jasmine tea", "Oolong", "Chai mix"], priceFactor: 0.4 },
  {
    type: "Brewing gear",
    nouns: ["Pour-over kettle", "French press", "Burr grinder", "Dripper", "Scale"],
    priceFactor: 1.4,
  },
  { type: "Mugs", nouns: ["Stoneware mug", "Travel tumbler", "Glass cup", "Espresso cup set"], priceFactor: 0.6 },
  { type: "Filters", nouns: ["Paper filters", "Cloth filter", "Metal filter"], priceFactor: 0.2 },
  { type: "Snacks", nouns: ["Almond biscotti", "Dark chocolate", "Shortbread tin"], priceFactor: 0.3 },
];
const ADJECTIVES = [
  "Classic",
  "Morning",
  "Highland",
  "Velvet",
  "Harbour",
  "Golden",
  "Wild",
  "Smoky",
  "Bright",
  "Quiet",
];
const VENDORS = ["Northwind Roasters", "Kettle & Co", "Lantern Goods", "Blue Hour", "Saltmarsh Supply", "Teak House"];
const SIZES = ["Small", "Medium", "Large"];

export interface CatalogueProduct {
  record: ProductFileRecord;
  /** Relative popularity (weights for the first line of an order). */
  weight: number;
}

export interface Catalogue {
  products: CatalogueProduct[];
  weights: number[];
  /** product index → the partner bought with it (bought together). */
  partner: Map<number, number>;
  /** product index → its follow-up (bought next). */
  next: Map<number, number>;
}

/** How many products a shop of this many customers has: a few dozen for the demo, a few hundred for large shops. */
export function catalogueSize(customers: number): number {
  return Math.max(12, Math.min(400, Math.round(8 * Math.sqrt(customers))));
}

export function buildCatalogue(
  seed: number,
  customers: number,
  createdAtIso: string,
  currency: CurrencyProfile,
): Catalogue {
  const rng = new Rng(seed, CATALOGUE_STREAM, 0);
  const count = catalogueSize(customers);
  const products: CatalogueProduct[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const kind = TYPES[i % TYPES.length];
    let title = "";
    for (let attempt = 0; attempt < 50 && (title === "" || seen.has(title)); attempt++)
      title = `${ADJECTIVES[rng.int(0, ADJECTIVES.length - 1)]} ${kind.nouns[rng.int(0, kind.nouns.length - 1)]}`;
    if (seen.has(title)) title = `${title} ${i + 1}`;
    seen.add(title);
    const id = PRODUCT_ID_BASE + (i + 1) * 1_000 + rng.int(0, 999);
    const base = Math.max(1, Math.round(currency.medianOrderMinor * kind.priceFactor * Math.exp(0.3 * rng.normal())));
    const sized = kind.type === "Mugs" || kind.type === "Brewing gear";
    const variants = (sized ? SIZES : ["Default Title"]).map((variantTitle, v) => ({
      id: `gid://shopify/ProductVariant/${VARIANT_ID_BASE + (i + 1) * 1_000 + v}`,
      title: variantTitle,
      sku: `${kind.type.slice(0, 3).toUpperCase()}-${String(i + 1).padStart(4, "0")}${sized ? `-${variantTitle[0]}` : ""}`,
      price: moneyBag(base + v * currency.priceRoundMinor, currency).shopMoney.amount,
    }));
    products.push({
      record: {
        __typename: "Product",
        id: `gid://shopify/Product/${id}`,
        title,
        handle: title
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "-")
          .replace(/^-|-$/g, ""),
        productType: kind.type,
        vendor: VENDORS[rng.int(0, VENDORS.length - 1)],
        status: rng.chance(0.06) ? "ARCHIVED" : "ACTIVE",
        createdAt: createdAtIso,
        updatedAt: createdAtIso,
        variants,
      },
      // Zipf-like: the k-th most popular product is bought about 1/k^0.9 as often as the first.
      weight: 1 / Math.pow(1 + rng.int(0, count - 1), 0.9),
    });
  }
  // Structure: about a third of the products have a partner, a quarter a follow-up (never themselves).
  const partner = new Map<number, number>();
  const next = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.33)) partner.set(i, (i + 1 + rng.int(0, count - 2)) % count);
    if (rng.chance(0.25)) next.set(i, (i + 1 + rng.int(0, count - 2)) % count);
  }
  return { products, weights: products.map((p) => p.weight), partner, next };
}

/** What a customer bought last (the products of their previous order), for "bought next". */
export interface BasketMemory {
  previous: number[];
}

/**
 * The line items of an order whose lines (unit price × quantity) the order generator already drew: products picked
 * from the catalogue (popularity, partners, follow-ups of the customer's previous order), the order's discount
 * allocated across the lines in proportion to their value (floored, the remainder one minor unit at a time to the
 * first lines) so that the lines sum to the subtotal exactly.
 */
export function orderLines(
  catalogue: Catalogue,
  seed: number,
  orderSequence: number,
  units: readonly { unitMinor: number; quantity: number }[],
  discountMinor: number,
  currency: CurrencyProfile,
  memory: BasketMemory | null,
): { lines: LineItemRecord[]; products: number[] } {
  const rng = new Rng(seed, LINES_STREAM, orderSequence);
  const chosen: number[] = [];
  const pickPopular = () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const p = rng.weighted(catalogue.weights);
      if (!chosen.includes(p)) return p;
    }
    return rng.weighted(catalogue.weights);
  };
  for (let i = 0; i < units.length; i++) {
    let product: number | undefined;
    if (i === 0 && memory && memory.previous.length) {
      const follow = memory.previous.map((p) => catalogue.next.get(p)).find((p) => p !== undefined);
      if (follow !== undefined && rng.chance(NEXT_RATE)) product = follow;
    }
    if (product === undefined && i > 0) {
      const partner = chosen.map((p) => catalogue.partner.get(p)).find((p) => p !== undefined && !chosen.includes(p));
      if (partner !== undefined && rng.chance(PAIR_RATE)) product = partner;
    }
    chosen.push(product ?? pickPopular());
  }
  const gross = units.reduce((sum, u) => sum + u.unitMinor * u.quantity, 0);
  const shares = units.map((u) => (gross === 0 ? 0 : Math.floor((u.unitMinor * u.quantity * discountMinor) / gross)));
  let left = discountMinor - shares.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % units.length) {
    if (shares[i] < units[i].unitMinor * units[i].quantity) {
      shares[i]++;
      left--;
    }
  }
  const lines = units.map((u, i): LineItemRecord => {
    const product = catalogue.products[chosen[i]].record;
    const variant = product.variants[rng.int(0, product.variants.length - 1)];
    return {
      id: `gid://shopify/LineItem/${LINE_ID_BASE + orderSequence * 10 + i}`,
      product: { id: product.id },
      variant: { id: variant.id },
      title: product.title,
      variantTitle: variant.title === "Default Title" ? null : variant.title,
      vendor: product.vendor,
      sku: variant.sku,
      quantity: u.quantity,
      isGiftCard: false,
      originalUnitPriceSet: moneyBag(u.unitMinor, currency),
      discountAllocations: shares[i] > 0 ? [{ allocatedAmountSet: moneyBag(shares[i], currency) }] : [],
    };
  });
  if (memory) memory.previous = chosen;
  return { lines, products: chosen };
}

/** A line's amount after its discounts, minor units. */
export function lineAmountMinor(line: LineItemRecord, decimals: number): number {
  const minor = (amount: string) => parseMinor(amount, decimals);
  return (
    minor(line.originalUnitPriceSet.shopMoney.amount) * line.quantity -
    line.discountAllocations.reduce((sum, a) => sum + minor(a.allocatedAmountSet.shopMoney.amount), 0)
  );
}

/** Refund lines giving back whole lines (their full quantity and amount); ids from the refund's sequence number. */
export function refundWholeLines(
  lines: readonly LineItemRecord[],
  refundSequence: number,
  currency: CurrencyProfile,
): RefundLineItemRecord[] {
  return lines.map((line, i) => ({
    id: `gid://shopify/RefundLineItem/${REFUND_LINE_ID_BASE + refundSequence * 10 + i}`,
    lineItem: { id: line.id },
    quantity: line.quantity,
    subtotalSet: moneyBag(lineAmountMinor(line, currency.decimals), currency),
  }));
}
