// What Shopify's checkout decides about discounts. redeemDiscountCodes (placeOrder with a total already worked out):
// is an entered code live, may this customer use it, is it used up, is the subtotal enough — and, when it applies,
// its use counted on the code; a code the simulated shop has no discount for (a generated shop's history, another
// app's code) is taken as given there. evaluateCheckout (the checkout / placeOrderAtCheckout shopper actions): the
// same checks for entered codes, unknown codes refused too, the automatic discounts the buyer qualifies for, and the
// combination of them all that saves the buyer the most, with the amount each takes off.
import type { CustomerRecord } from "../shop-file/types";
import { discountClassOf, type DiscountClass } from "./discount-rules";
import { addAmounts, compareAmounts, subtractAmount } from "./money";
import type { DiscountRecord, RedeemCodeRecord } from "./records";
import { compileSegmentQuery } from "./segment-query";
import { amountSpent } from "./resolvers/customers";
import type { ShopState } from "./store";

/** Why checkout refuses an entered code (Shopify shows the buyer a message and applies nothing from it). */
export type CheckoutRefusal =
  | "unknown"
  | "not_started"
  | "expired"
  | "not_eligible"
  | "used_up"
  | "once_per_customer"
  | "minimum_subtotal"
  | "minimum_quantity"
  | "shipping_price"
  | "subscriptions_only";

export class CheckoutDiscountError extends Error {
  constructor(
    readonly code: string,
    readonly reason: CheckoutRefusal,
  ) {
    super(`Discount code ${code} can't be applied: ${reason.replaceAll("_", " ")}`);
    this.name = "CheckoutDiscountError";
  }
}

function eligible(shop: ShopState, discount: DiscountRecord, customer: CustomerRecord | undefined): boolean {
  const buyers = discount.buyers;
  if (buyers.kind === "all") return true;
  if (!customer) return false;
  if (buyers.kind === "customers") return buyers.ids.includes(customer.id);
  const facts = {
    numberOfOrders: (c: CustomerRecord) => shop.ordersOf(c.id).filter((o) => !o.test && !o.cancelledAt).length,
    amountSpent: (c: CustomerRecord) => Number(amountSpent(shop, c.id).amount),
  };
  return buyers.ids.some((id) => {
    const segment = shop.segments.get(id);
    return !!segment && compileSegmentQuery(segment.query)(customer, facts);
  });
}

/**
 * Checks every known code against the order about to be placed and, when all apply, counts their use. Throws
 * CheckoutDiscountError (and counts nothing) when any would be refused at checkout.
 */
export function redeemDiscountCodes(
  shop: ShopState,
  {
    codes,
    customer,
    subtotal,
    at,
  }: { codes: string[]; customer: CustomerRecord | undefined; subtotal: string; at: string },
): void {
  const uses: { redeem: RedeemCodeRecord; customerId: string | null }[] = [];
  for (const code of codes) {
    const discountId = shop.discountCodes.get(code.toLowerCase());
    const discount = discountId ? shop.discounts.get(discountId) : undefined;
    if (!discount) continue;
    const redeem = discount.codes.find((c) => c.code.toLowerCase() === code.toLowerCase())!;
    const now = Date.parse(at);
    if (Date.parse(discount.startsAt) > now) throw new CheckoutDiscountError(code, "not_started");
    if (discount.endsAt !== null && Date.parse(discount.endsAt) <= now)
      throw new CheckoutDiscountError(code, "expired");
    if (!eligible(shop, discount, customer)) throw new CheckoutDiscountError(code, "not_eligible");
    // Shopify counts usage limits per redeem code, not across the discount's codes.
    if (discount.usageLimit !== null && redeem.asyncUsageCount >= discount.usageLimit)
      throw new CheckoutDiscountError(code, "used_up");
    if (discount.appliesOncePerCustomer && customer && (redeem.usedBy ?? []).includes(customer.id)) {
      throw new CheckoutDiscountError(code, "once_per_customer");
    }
    if (discount.minimumSubtotal && compareAmounts(subtotal, discount.minimumSubtotal.amount) < 0) {
      throw new CheckoutDiscountError(code, "minimum_subtotal");
    }
    uses.push({ redeem, customerId: customer?.id ?? null });
  }
  for (const { redeem, customerId } of uses) {
    redeem.asyncUsageCount += 1;
    if (customerId) redeem.usedBy = [...(redeem.usedBy ?? []), customerId];
  }
  if (uses.length) shop.discounts.touch();
}

// ---- checkout with automatic discounts and combinations -------------------------------------------------------------

export interface Cart {
  customer: CustomerRecord | undefined;
  /** Line items' total before discounts (decimal string, shop currency). */
  subtotal: string;
  /** The chosen shipping rate before discounts ("0.00": nothing to ship). */
  shipping: string;
  /** Number of items: needed only by a discount with a minimum quantity or an amount off each item. */
  quantity: number | null;
  /** Codes the buyer entered, as entered. */
  codes: string[];
  /** When the buyer checks out (ISO 8601). */
  at: string;
}

export interface AppliedDiscount {
  /** The discount's own id: gid://shopify/DiscountCodeNode/… or gid://shopify/DiscountAutomaticNode/…. */
  id: string;
  title: string;
  method: DiscountRecord["method"];
  discountClass: DiscountClass;
  /** The code as the buyer entered it; null for an automatic discount. */
  code: string | null;
  /** What it takes off (2 decimals). */
  amount: string;
}

export interface CheckoutResult {
  subtotal: string;
  shipping: string;
  /** The discounts that apply, order discounts first, each class by id. */
  applied: AppliedDiscount[];
  /** Entered codes that apply, as entered, in the order entered. */
  discountCodes: string[];
  /** Entered codes that could apply on their own but are not in the best combination (Shopify: "Discount couldn't
   * be used with your existing discounts."). */
  notCombined: string[];
  orderDiscounts: string;
  shippingDiscounts: string;
  totalDiscounts: string;
  /** subtotal − order discounts + shipping − shipping discounts. */
  total: string;
}

const CENTS = 2;

function decimalOf(n: number): string {
  const s = String(n);
  return /e/i.test(s) ? n.toFixed(20).replace(/0+$/, "").replace(/\.$/, "") : s;
}

function scaled(amount: string): { digits: bigint; scale: number } {
  const [whole, frac = ""] = amount.split(".");
  return { digits: BigInt(`${whole || "0"}${frac}`), scale: frac.length };
}

/** `fraction` of a non-negative `amount`, rounded half up to cents: exact, no float arithmetic on money. */
export function percentOf(amount: string, fraction: number): string {
  const a = scaled(amount);
  const f = scaled(decimalOf(fraction));
  let product = a.digits * f.digits;
  const scale = a.scale + f.scale;
  if (scale > CENTS) {
    const divisor = 10n ** BigInt(scale - CENTS);
    product = (product + divisor / 2n) / divisor;
  } else product *= 10n ** BigInt(CENTS - scale);
  const text = product.toString().padStart(CENTS + 1, "0");
  return `${text.slice(0, -CENTS)}.${text.slice(-CENTS)}`;
}

const cents = (amount: string) => addAmounts([amount], CENTS);
const minAmount = (a: string, b: string) => (compareAmounts(a, b) <= 0 ? a : b);

/** Why a discount cannot apply to this cart now (codes and automatic discounts alike), or null. */
function refusalOf(
  shop: ShopState,
  discount: DiscountRecord,
  redeem: RedeemCodeRecord | null,
  cart: Cart,
): CheckoutRefusal | null {
  const now = Date.parse(cart.at);
  if (Date.parse(discount.startsAt) > now) return "not_started";
  if (discount.endsAt !== null && Date.parse(discount.endsAt) <= now) return "expired";
  if (!eligible(shop, discount, cart.customer)) return "not_eligible";
  if (redeem) {
    if (discount.usageLimit !== null && redeem.asyncUsageCount >= discount.usageLimit) return "used_up";
    if (discount.appliesOncePerCustomer && cart.customer && (redeem.usedBy ?? []).includes(cart.customer.id))
      return "once_per_customer";
  }
  // The simulator's carts hold one-time purchases only.
  if (!discount.appliesOnOneTimePurchase) return "subscriptions_only";
  // Requirements are met by the cart before any discount (order discounts all take off the same subtotal).
  if (discount.minimumSubtotal && compareAmounts(cart.subtotal, discount.minimumSubtotal.amount) < 0)
    return "minimum_subtotal";
  if (discount.minimumQuantity !== null) {
    if (cart.quantity === null)
      throw new Error(`discount ${discount.id} needs a minimum quantity: say the cart's quantity at checkout`);
    if (BigInt(cart.quantity) < BigInt(discount.minimumQuantity)) return "minimum_quantity";
  }
  const value = discount.value;
  if (value.kind === "freeShipping" && value.maximumShippingPrice) {
    if (compareAmounts(cart.shipping, value.maximumShippingPrice.amount) > 0) return "shipping_price";
  }
  return null;
}

/** What a discount would take off this cart on its own. */
function savingOf(discount: DiscountRecord, cart: Cart): string {
  const value = discount.value;
  switch (value.kind) {
    case "percentage":
      return percentOf(cart.subtotal, value.percentage);
    case "amount": {
      if (value.appliesOnEachItem && cart.quantity === null)
        throw new Error(`discount ${discount.id} takes an amount off each item: say the cart's quantity at checkout`);
      const off = value.appliesOnEachItem
        ? addAmounts(Array.from({ length: cart.quantity! }, () => value.amount.amount))
        : value.amount.amount;
      return cents(minAmount(off, cart.subtotal));
    }
    case "freeShipping":
      return cents(cart.shipping);
  }
}

interface Candidate {
  discount: DiscountRecord;
  discountClass: DiscountClass;
  code: string | null;
  saving: string;
}

const COMBINES_KEY: Record<DiscountClass, keyof DiscountRecord["combinesWith"]> = {
  ORDER: "orderDiscounts",
  SHIPPING: "shippingDiscounts",
};

/** Two discounts apply together only if each one combines with the other's class. */
function compatible(a: Candidate, b: Candidate): boolean {
  return (
    a.discount.combinesWith[COMBINES_KEY[b.discountClass]] && b.discount.combinesWith[COMBINES_KEY[a.discountClass]]
  );
}

const byId = (a: Candidate, b: Candidate) => numericIdOf(a) - numericIdOf(b);
const numericIdOf = (c: Candidate) => Number(c.discount.id.slice(c.discount.id.lastIndexOf("/") + 1));

/** Each member's amount, order discounts together never more than the subtotal (the earliest discount first). */
function amountsOf(set: Candidate[], subtotal: string): Map<Candidate, string> {
  const out = new Map<Candidate, string>();
  let left = cents(subtotal);
  for (const c of [...set].sort(byId)) {
    if (c.discountClass === "SHIPPING") {
      out.set(c, c.saving);
      continue;
    }
    const amount = minAmount(c.saving, left);
    out.set(c, amount);
    left = subtractAmount(left, amount);
  }
  return out;
}

/**
 * The combination Shopify applies: the one that saves the buyer the most. Sets that can apply together: at most one
 * shipping discount, and every pair compatible (compatible()). With only order and shipping discounts, the best set for
 * a given shipping discount (or none) is one order discount alone or all the order discounts that combine with order
 * discounts (and with that shipping discount) together, so those sets are the only ones compared. Ties, which Shopify
 * does not document, go to: more entered codes applied, then more discounts applied, then the earlier-created
 * discounts (lower ids).
 */
function bestCombination(
  candidates: Candidate[],
  subtotal: string,
): { set: Candidate[]; amounts: Map<Candidate, string> } {
  const orders = candidates.filter((c) => c.discountClass === "ORDER");
  const shippings = candidates.filter((c) => c.discountClass === "SHIPPING");
  const options: Candidate[][] = [];
  for (const shipping of [null, ...shippings]) {
    const base = shipping ? [shipping] : [];
    const fits = orders.filter((o) => !shipping || compatible(o, shipping));
    options.push(base);
    for (const o of fits) options.push([...base, o]);
    const stack = fits.filter((o) => o.discount.combinesWith.orderDiscounts);
    if (stack.length > 1) options.push([...base, ...stack]);
  }
  let best: { set: Candidate[]; amounts: Map<Candidate, string>; saving: string } | null = null;
  for (const set of options) {
    const amounts = amountsOf(set, subtotal);
    const saving = addAmounts(["0", ...amounts.values()], CENTS);
    if (!best || better({ set, saving }, best)) best = { set, amounts, saving };
  }
  return best!;
}

function better(a: { set: Candidate[]; saving: string }, b: { set: Candidate[]; saving: string }): boolean {
  const bySaving = compareAmounts(a.saving, b.saving);
  if (bySaving !== 0) return bySaving > 0;
  const codes = (s: Candidate[]) => s.filter((c) => c.code !== null).length;
  if (codes(a.set) !== codes(b.set)) return codes(a.set) > codes(b.set);
  if (a.set.length !== b.set.length) return a.set.length > b.set.length;
  const ids = (s: Candidate[]) => s.map(numericIdOf).sort((x, y) => x - y);
  const [x, y] = [ids(a.set), ids(b.set)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i];
  return false;
}

/**
 * What checkout applies to `cart`: entered codes are checked first (CheckoutDiscountError for one that cannot apply,
 * "unknown" for a code the shop has no discount for), then the automatic discounts the buyer qualifies for join them,
 * and the best combination is chosen. Counts nothing (recordCheckout does, when the order is placed).
 */
export function evaluateCheckout(shop: ShopState, cart: Cart): CheckoutResult {
  const candidates: Candidate[] = [];
  const entered = new Set<string>();
  const discountsEntered = new Set<string>();
  for (const code of cart.codes) {
    const key = code.toLowerCase();
    if (entered.has(key)) continue;
    entered.add(key);
    const discountId = shop.discountCodes.get(key);
    const discount = discountId ? shop.discounts.get(discountId) : undefined;
    if (!discount) throw new CheckoutDiscountError(code, "unknown");
    const redeem = discount.codes.find((c) => c.code.toLowerCase() === key)!;
    const refusal = refusalOf(shop, discount, redeem, cart);
    if (refusal) throw new CheckoutDiscountError(code, refusal);
    // Two codes of one discount: the discount applies once, by the first code entered.
    if (discountsEntered.has(discount.id)) continue;
    discountsEntered.add(discount.id);
    candidates.push({ discount, discountClass: discountClassOf(discount), code, saving: savingOf(discount, cart) });
  }
  // An automatic discount that would take nothing off (free shipping on a cart without shipping cost) is not shown.
  for (const discount of shop.discounts.values()) {
    if (discount.method !== "automatic" || refusalOf(shop, discount, null, cart)) continue;
    const saving = savingOf(discount, cart);
    if (compareAmounts(saving, "0") > 0)
      candidates.push({ discount, discountClass: discountClassOf(discount), code: null, saving });
  }

  const { set, amounts } = bestCombination(candidates, cart.subtotal);
  const ordered = [...set].sort((a, b) =>
    a.discountClass === b.discountClass ? byId(a, b) : a.discountClass === "ORDER" ? -1 : 1,
  );
  const applied: AppliedDiscount[] = ordered.map((c) => ({
    id: c.discount.id,
    title: c.discount.title,
    method: c.discount.method,
    discountClass: c.discountClass,
    code: c.code,
    amount: amounts.get(c)!,
  }));
  const sum = (cls: DiscountClass) =>
    addAmounts(["0", ...applied.filter((a) => a.discountClass === cls).map((a) => a.amount)], CENTS);
  const orderDiscounts = sum("ORDER");
  const shippingDiscounts = sum("SHIPPING");
  const codesApplied = new Set(set.filter((c) => c.code !== null).map((c) => c.code!));
  return {
    subtotal: cart.subtotal,
    shipping: cart.shipping,
    applied,
    discountCodes: candidates.filter((c) => c.code !== null && codesApplied.has(c.code)).map((c) => c.code!),
    notCombined: candidates.filter((c) => c.code !== null && !codesApplied.has(c.code)).map((c) => c.code!),
    orderDiscounts,
    shippingDiscounts,
    totalDiscounts: addAmounts([orderDiscounts, shippingDiscounts], CENTS),
    total: subtractAmount(
      addAmounts([cart.subtotal, cart.shipping], CENTS),
      addAmounts([orderDiscounts, shippingDiscounts], CENTS),
    ),
  };
}

/** Counts an order's use of what applied: on each entered code (usage limit, once per customer) and each automatic discount. */
export function recordCheckout(shop: ShopState, result: CheckoutResult, customer: CustomerRecord | undefined): void {
  for (const applied of result.applied) {
    const discount = shop.discounts.get(applied.id);
    if (!discount) continue;
    if (applied.code === null) {
      discount.automaticUsageCount += 1;
      continue;
    }
    const redeem = discount.codes.find((c) => c.code.toLowerCase() === applied.code!.toLowerCase());
    if (!redeem) continue;
    redeem.asyncUsageCount += 1;
    if (customer) redeem.usedBy = [...(redeem.usedBy ?? []), customer.id];
  }
  if (result.applied.length) shop.discounts.touch();
}
