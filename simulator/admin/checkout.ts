// What Shopify's checkout decides about a discount code the shop knows: is it live, may this customer use it, is the
// code used up, is the subtotal enough — and, when it applies, its use counted on the code. A code the simulated shop
// has no discount for (a generated shop's history, another app's code) is taken as given, as it was in that shop.
import type { CustomerRecord } from "../shop-file/types";
import { compareAmounts } from "./money";
import type { DiscountRecord, RedeemCodeRecord } from "./records";
import { compileSegmentQuery } from "./segment-query";
import { amountSpent } from "./resolvers/customers";
import type { ShopState } from "./store";

export class CheckoutDiscountError extends Error {
  constructor(
    readonly code: string,
    readonly reason: "not_started" | "expired" | "not_eligible" | "used_up" | "once_per_customer" | "minimum_subtotal",
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
