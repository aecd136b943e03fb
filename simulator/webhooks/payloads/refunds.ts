// REST-shaped refunds/create body, also used for the `refunds` array inside order bodies.
import type { OrderRecord, RefundRecord, ShopRecord } from "../../shop-file/types";
import { lineItemFields } from "./orders";
import { derivedId, fromExample, restAmount, restId, restMoneySet, restTimestamp, toMinor, zeroBag } from "./shared";

/** The refunded lines, each with the line item it refunds (REST embeds it); no tax in the records. */
function refundLineItems(refund: RefundRecord, order: OrderRecord) {
  const zero = zeroBag(order.currencyCode, order.presentmentCurrencyCode);
  return (refund.refundLineItems ?? []).map((r) => {
    const line = (order.lineItems ?? []).find((l) => l.id === r.lineItem.id);
    if (!line) throw new Error(`Refund ${refund.id} refunds ${r.lineItem.id}, not a line of ${order.id}`);
    const {
      current_quantity: _c,
      attributed_staffs: _a,
      sales_line_item_group_id: _g,
      ...embedded
    } = lineItemFields(line, order);
    return {
      id: restId(r.id),
      quantity: r.quantity,
      line_item_id: restId(line.id),
      location_id: null,
      restock_type: "no_restock",
      subtotal: Number(restAmount(r.subtotalSet.shopMoney)),
      total_tax: 0,
      subtotal_set: restMoneySet(r.subtotalSet),
      total_tax_set: restMoneySet(zero),
      line_item: embedded,
    };
  });
}

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

/** The REST fields of one refund, with the lines it refunded (none for an amount-only refund). */
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
    refund_line_items: refundLineItems(refund, order),
    // A refund of nothing (a restock-only refund) moves no money, so it has no transaction.
    transactions: refundsMoney ? [refundTransaction(refund, order, shop)] : [],
  };
}

/** refunds/create */
export function refundPayload(refund: RefundRecord, order: OrderRecord, shop: ShopRecord): Record<string, unknown> {
  return fromExample("refunds/create", refundFields(refund, order, shop));
}
