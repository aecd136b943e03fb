// REST-shaped orders/create, orders/updated, orders/paid, orders/cancelled and orders/delete bodies.
import type {
  CustomerRecord,
  LineItemRecord,
  MoneyBag,
  OrderRecord,
  RefundRecord,
  ShopRecord,
} from "../../shop-file/types";
import { orderCustomer } from "./customers";
import { refundFields } from "./refunds";
import {
  combineBags,
  derivedToken,
  fromExample,
  isNegative,
  restAmount,
  restId,
  restMoneySet,
  restTimestamp,
  restTimestampOrNull,
  shopIdOf,
  toMinor,
  zeroBag,
} from "./shared";

export type OrderTopic = "orders/create" | "orders/updated" | "orders/paid" | "orders/cancelled";

/** An order as the simulator holds it, with what a REST order body embeds when the caller has it. */
export interface OrderResource {
  order: OrderRecord;
  /** The full customer record; without it the body's `customer` carries only the id. */
  customer?: CustomerRecord;
  /** The order's refunds so far, embedded in `refunds` as Shopify does. */
  refunds?: RefundRecord[];
}

function money(bag: MoneyBag) {
  return { amount: restAmount(bag.shopMoney), set: restMoneySet(bag) };
}

function orderNumber(order: OrderRecord): number {
  const digits = order.name.replace(/\D/g, "");
  if (!digits) throw new Error(`Order ${order.id} has a name without a number: "${order.name}"`);
  return Number(digits);
}

function financialStatus(order: OrderRecord): string {
  const refunded = toMinor(order.totalRefundedSet.shopMoney.amount, order.currencyCode);
  const total = toMinor(order.totalPriceSet.shopMoney.amount, order.currencyCode);
  if (refunded > 0n) return refunded >= total ? "refunded" : "partially_refunded";
  // The records hold paid orders only; a cancelled one with nothing refunded had its payment voided.
  return order.cancelledAt ? "voided" : "paid";
}

/** What the record's totals imply for the parts it does not carry (no tax or line-item split in the records). */
function derivedMoney(order: OrderRecord) {
  const zero = zeroBag(order.currencyCode, order.presentmentCurrencyCode);
  const combine = (parts: Array<[1n | -1n, MoneyBag]>) =>
    combineBags(parts, order.currencyCode, order.presentmentCurrencyCode);
  // Whatever the total holds beyond the subtotal (after discounts) is shown as shipping, with tax at zero.
  const beyondSubtotal = combine([
    [1n, order.totalPriceSet],
    [-1n, order.subtotalPriceSet],
  ]);
  const shipping = isNegative(beyondSubtotal) ? zero : beyondSubtotal;
  const currentBeyondShipping = combine([
    [1n, order.currentTotalPriceSet],
    [-1n, shipping],
  ]);
  const currentShipping = isNegative(currentBeyondShipping) ? order.currentTotalPriceSet : shipping;
  const currentSubtotal = isNegative(currentBeyondShipping) ? zero : currentBeyondShipping;
  const lineItems = combine([
    [1n, order.subtotalPriceSet],
    [1n, order.totalDiscountsSet],
  ]);
  return { zero, shipping, currentShipping, currentSubtotal, lineItems };
}

function discountCodes(order: OrderRecord) {
  const total = restAmount(order.totalDiscountsSet.shopMoney);
  const zero = restAmount({ amount: "0", currencyCode: order.currencyCode });
  // The record keeps only the total discount, so the first code carries all of it.
  return order.discountCodes.map((code, index) => ({ code, amount: index === 0 ? total : zero, type: "fixed_amount" }));
}

/** The line items' discounts need an application to point at: an automatic one when the order used no code. */
function lineDiscountsWithoutCode(order: OrderRecord): boolean {
  return order.discountCodes.length === 0 && (order.lineItems ?? []).some((l) => l.discountAllocations.length > 0);
}

function discountApplications(order: OrderRecord) {
  if (lineDiscountsWithoutCode(order))
    return [
      {
        target_type: "line_item",
        type: "automatic",
        value: restAmount(order.totalDiscountsSet.shopMoney),
        value_type: "fixed_amount",
        allocation_method: "across",
        target_selection: "all",
        title: "Automatic discount",
      },
    ];
  return discountCodes(order).map((discount) => ({
    target_type: "line_item",
    type: "discount_code",
    value: discount.amount,
    value_type: "fixed_amount",
    allocation_method: "across",
    target_selection: "all",
    code: discount.code,
  }));
}

/** A line item as REST shows it: the unit price, its discount allocations (all on the first discount application). */
export function lineItemFields(line: LineItemRecord, order: OrderRecord): Record<string, unknown> {
  const zero = zeroBag(order.currencyCode, order.presentmentCurrencyCode);
  const discount = combineBags(
    [[1n, zero], ...line.discountAllocations.map((a): [1n, MoneyBag] => [1n, a.allocatedAmountSet])],
    order.currencyCode,
    order.presentmentCurrencyCode,
  );
  return {
    id: restId(line.id),
    admin_graphql_api_id: line.id,
    attributed_staffs: [],
    current_quantity: line.quantity,
    fulfillable_quantity: line.quantity,
    fulfillment_service: "manual",
    fulfillment_status: null,
    gift_card: line.isGiftCard,
    grams: 0,
    name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
    price: restAmount(line.originalUnitPriceSet.shopMoney),
    price_set: restMoneySet(line.originalUnitPriceSet),
    product_exists: line.product !== null,
    product_id: line.product ? restId(line.product.id) : null,
    properties: [],
    quantity: line.quantity,
    requires_shipping: !line.isGiftCard,
    sales_line_item_group_id: null,
    // Shopify's orders schema has sku as a string: a line without one shows "".
    sku: line.sku ?? "",
    taxable: true,
    title: line.title,
    total_discount: restAmount(discount.shopMoney),
    total_discount_set: restMoneySet(discount),
    variant_id: line.variant ? restId(line.variant.id) : null,
    variant_inventory_management: null,
    variant_title: line.variantTitle,
    vendor: line.vendor,
    tax_lines: [],
    duties: [],
    discount_allocations: line.discountAllocations.map((a) => ({
      amount: restAmount(a.allocatedAmountSet.shopMoney),
      amount_set: restMoneySet(a.allocatedAmountSet),
      discount_application_index: 0,
    })),
  };
}

export function orderPayload(topic: OrderTopic, resource: OrderResource, shop: ShopRecord): Record<string, unknown> {
  const { order } = resource;
  if (order.currencyCode !== shop.currencyCode) {
    throw new Error(`Order ${order.id} is in ${order.currencyCode} but the shop's currency is ${shop.currencyCode}`);
  }
  const tz = shop.ianaTimezone;
  const shopId = shopIdOf(shop);
  const token = derivedToken(`${order.id}/token`);
  const derived = derivedMoney(order);
  const total = money(order.totalPriceSet);
  const currentTotal = money(order.currentTotalPriceSet);
  const subtotal = money(order.subtotalPriceSet);
  const currentSubtotal = money(derived.currentSubtotal);
  const discounts = money(order.totalDiscountsSet);
  const zero = money(derived.zero);
  const lineItems = money(derived.lineItems);
  const number = orderNumber(order);

  return fromExample(topic, {
    id: restId(order.id),
    admin_graphql_api_id: order.id,
    app_id: null,
    browser_ip: null,
    buyer_accepts_marketing: false,
    // GraphQL's enum (CUSTOMER) is REST's lower-case string (customer).
    cancel_reason: order.cancelReason?.toLowerCase() ?? null,
    cancelled_at: restTimestampOrNull(order.cancelledAt, tz),
    cart_token: null,
    checkout_token: null,
    client_details: null,
    closed_at: null,
    confirmation_number: null,
    confirmed: true,
    contact_email: order.email,
    created_at: restTimestamp(order.createdAt, tz),
    currency: order.currencyCode,
    current_shipping_price_set: restMoneySet(derived.currentShipping),
    current_subtotal_price: currentSubtotal.amount,
    current_subtotal_price_set: currentSubtotal.set,
    current_total_additional_fees_set: null,
    current_total_discounts: discounts.amount,
    current_total_discounts_set: discounts.set,
    current_total_duties_set: null,
    current_total_price: currentTotal.amount,
    current_total_price_set: currentTotal.set,
    current_total_tax: zero.amount,
    current_total_tax_set: zero.set,
    customer_locale: resource.customer?.locale ?? null,
    device_id: null,
    discount_codes: discountCodes(order),
    duties_included: false,
    email: order.email,
    estimated_taxes: false,
    financial_status: financialStatus(order),
    fulfillment_status: null,
    landing_site: null,
    landing_site_ref: null,
    location_id: null,
    // Shopify's example carries the shop id in base64 here ("MTU0ODM4MDAwOQ" is "548380009").
    merchant_business_entity_id: Buffer.from(String(shopId)).toString("base64").replace(/=+$/, ""),
    merchant_of_record_app_id: null,
    name: order.name,
    note: null,
    note_attributes: [],
    // Shops number orders from 1001 by default: `number` counts from 1, `order_number` is what the name shows.
    number: number > 1000 ? number - 1000 : number,
    order_number: number,
    order_status_url: `https://${shop.myshopifyDomain}/${shopId}/orders/${token}/authenticate?key=${derivedToken(`${order.id}/key`)}`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: ["manual"],
    phone: null,
    po_number: null,
    presentment_currency: order.presentmentCurrencyCode,
    processed_at: restTimestamp(order.processedAt, tz),
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: "web",
    source_url: null,
    subtotal_price: subtotal.amount,
    subtotal_price_set: subtotal.set,
    tags: "",
    tax_exempt: false,
    tax_lines: [],
    taxes_included: false,
    test: order.test,
    token,
    total_cash_rounding_payment_adjustment_set: zero.set,
    total_cash_rounding_refund_adjustment_set: zero.set,
    total_discounts: discounts.amount,
    total_discounts_set: discounts.set,
    total_line_items_price: lineItems.amount,
    total_line_items_price_set: lineItems.set,
    total_outstanding: zero.amount,
    total_price: total.amount,
    total_price_set: total.set,
    total_shipping_price_set: restMoneySet(derived.shipping),
    total_tax: zero.amount,
    total_tax_set: zero.set,
    total_tip_received: zero.amount,
    total_weight: 0,
    updated_at: restTimestamp(order.updatedAt, tz),
    user_id: null,
    billing_address: null,
    customer: order.customer ? orderCustomer(order.customer, resource.customer, shop) : null,
    discount_applications: discountApplications(order),
    fulfillments: [],
    // A record from before line items has none: an empty list is valid and invents nothing.
    line_items: (order.lineItems ?? []).map((line) => lineItemFields(line, order)),
    payment_terms: null,
    refunds: (resource.refunds ?? []).map((refund) => refundFields(refund, order, shop)),
    shipping_address: null,
    shipping_lines: [],
    returns: [],
    line_item_groups: [],
  });
}

/** orders/delete: Shopify sends only the id. */
export function orderDeletePayload(order: Pick<OrderRecord, "id">): Record<string, unknown> {
  return fromExample("orders/delete", { id: restId(order.id) });
}
