// REST-shaped refunds/create body, also used for the `refunds` array inside order bodies.
import type { OrderRecord, RefundRecord, ShopRecord } from "../../shop-file/types";
import { derivedId, fromExample, restAmount, restId, restMoneySet, restTimestamp, toMinor, zeroBag } from "./shared";

function refundTransaction(refund: RefundRecord, order: OrderRecord, shop: ShopRecord) {
  const createdAt = restTimestamp(refund.createdAt, shop.ianaTimezone);
  const money = refund.totalRefundedSet.presentmentMoney;
  const shopCurrency = refund.totalRefundedSet.shopMoney.currencyCode;
  // The record keeps only the refunded total, so it goes back as one successful refund transaction: where a
  // REST reader finds the money that left the shop.
  const id = derivedId(`${refund.id}/transaction`);
  return {
    id,
    order_id: restId(order.id),
    kind: "refund",
    gateway: "manual",
    status: "success",
    message: null,
    created_at: createdAt,
    test: order.test,
    authorization: null,
    location_id: null,
    user_id: null,
    parent_id: null,
    processed_at: createdAt,
    device_id: null,
    error_code: null,
    source_name: "web",
    receipt: {},
    amount: restAmount(money),
    currency: money.currencyCode,
    payment_id: `${order.name}.1`,
    total_unsettled_set: {
      presentment_money: {
        amount: restAmount({ amount: "0", currencyCode: money.currencyCode }),
        currency: money.currencyCode,
      },
      shop_money: { amount: restAmount({ amount: "0", currencyCode: shopCurrency }), currency: shopCurrency },
    },
    manual_payment_gateway: true,
    amount_rounding: null,
    admin_graphql_api_id: `gid://shopify/OrderTransaction/${id}`,
  };
}

/** The REST fields of one refund; line items are not in the records, so `refund_line_items` is empty. */
export function refundFields(refund: RefundRecord, order: OrderRecord, shop: ShopRecord): Record<string, unknown> {
  if (refund.order.id !== order.id)
    throw new Error(`Refund ${refund.id} belongs to ${refund.order.id}, not ${order.id}`);
  const createdAt = restTimestamp(refund.createdAt, shop.ianaTimezone);
  const refundsMoney =
    toMinor(refund.totalRefundedSet.shopMoney.amount, refund.totalRefundedSet.shopMoney.currencyCode) !== 0n;
  return {
    id: restId(refund.id),
    order_id: restId(order.id),
    created_at: createdAt,
    note: refund.note,
    user_id: null,
    processed_at: createdAt,
    duties: [],
    total_duties_set: restMoneySet(zeroBag(order.currencyCode, order.presentmentCurrencyCode)),
    return: null,
    restock: false,
    refund_shipping_lines: [],
    admin_graphql_api_id: refund.id,
    order_adjustments: [],
    refund_line_items: [],
    // A refund of nothing (a restock-only refund) moves no money, so it has no transaction.
    transactions: refundsMoney ? [refundTransaction(refund, order, shop)] : [],
  };
}

/** refunds/create */
export function refundPayload(refund: RefundRecord, order: OrderRecord, shop: ShopRecord): Record<string, unknown> {
  return fromExample("refunds/create", refundFields(refund, order, shop));
}
