// Changes a shop undergoes outside the app (shoppers and staff), applied as Shopify would, each announced as an event.
import type { CustomerRecord, MoneyBag, OrderRecord, RefundRecord } from "../shop-file/types";
import { isoAt, type Clock } from "./clock";
import type { EventBus } from "./events";
import { evaluateCheckout, recordCheckout, redeemDiscountCodes, type CheckoutResult } from "./checkout";
import { addAmounts, compareAmounts, isDecimal, moneyBag, subtractAmount } from "./money";
import type { ShopState, Store } from "./store";

export interface PlaceOrderInput {
  customerId?: string | null;
  email?: string | null;
  /** Decimal string in the shop currency, e.g. "49.90". */
  total: string;
  processedAt?: string;
  test?: boolean;
  discountCodes?: string[];
  totalDiscounts?: string;
}

/** A cart at checkout: Shopify works out the discounts (checkout.ts evaluateCheckout). */
export interface CheckoutInput {
  customerId?: string | null;
  /** Line items' total before discounts, decimal string in the shop currency, e.g. "120.00". */
  subtotal: string;
  /** The chosen shipping rate before discounts; default "0.00". */
  shipping?: string;
  /** Number of items; needed only when a discount has a minimum quantity or takes an amount off each item. */
  quantity?: number;
  /** Discount codes the buyer entered. */
  codes?: string[];
  /** When the buyer checks out; default now (the simulator's clock). */
  at?: string;
}

export interface PlaceOrderAtCheckoutInput extends Omit<CheckoutInput, "at"> {
  email?: string | null;
  processedAt?: string;
  test?: boolean;
}

export interface CustomerInput {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  locale?: string;
  tags?: string[];
}

const clone = <T>(value: T): T => structuredClone(value);

function bag(amount: string, currency: string): MoneyBag {
  return moneyBag(amount, currency);
}

export function shopperActions(store: Store, events: EventBus, clock: Clock) {
  const orderOf = (domain: string, orderId: string) => {
    const shop = store.require(domain);
    const order = shop.orders.get(orderId);
    if (!order) throw new Error(`unknown order ${orderId} in ${domain}`);
    return { shop, order };
  };

  const customerOf = (shop: ShopState, customerId: string | null | undefined) => {
    const customer = customerId ? shop.customers.get(customerId) : undefined;
    if (customerId && !customer) throw new Error(`unknown customer ${customerId} in ${shop.domain}`);
    return customer;
  };

  const cartOf = (shop: ShopState, input: CheckoutInput, at: string) => {
    const shipping = input.shipping ?? "0.00";
    for (const [name, value] of [
      ["subtotal", input.subtotal],
      ["shipping", shipping],
    ] as const) {
      if (!isDecimal(value) || value.startsWith("-"))
        throw new Error(`checkout ${name} is a decimal >= 0, not ${value}`);
    }
    if (input.quantity !== undefined && (!Number.isInteger(input.quantity) || input.quantity < 0))
      throw new Error(`checkout quantity is a whole number >= 0, not ${input.quantity}`);
    return {
      customer: customerOf(shop, input.customerId),
      subtotal: input.subtotal,
      shipping,
      quantity: input.quantity ?? null,
      codes: input.codes ?? [],
      at,
    };
  };

  /** A new paid order, announced as Shopify announces one (orders/create, orders/paid). */
  const createOrder = (
    shop: ShopState,
    customer: CustomerRecord | undefined,
    fields: {
      email?: string | null;
      processedAt?: string;
      test?: boolean;
      total: string;
      subtotal: string;
      totalDiscounts: string;
      refunded: string;
      discountCodes: string[];
    },
  ): OrderRecord => {
    const now = isoAt(clock);
    const currency = shop.record.currencyCode;
    const id = shop.nextId("Order");
    const number = shop.orders.size + 1001;
    const order: OrderRecord = {
      __typename: "Order",
      id,
      name: `#${number}`,
      customer: customer ? { id: customer.id } : null,
      email: fields.email ?? customer?.email ?? null,
      createdAt: now,
      updatedAt: now,
      processedAt: fields.processedAt ?? now,
      cancelledAt: null,
      cancelReason: null,
      test: !!fields.test,
      currencyCode: currency,
      presentmentCurrencyCode: currency,
      totalPriceSet: bag(fields.total, currency),
      currentTotalPriceSet: bag(fields.total, currency),
      totalRefundedSet: bag(fields.refunded, currency),
      subtotalPriceSet: bag(fields.subtotal, currency),
      totalDiscountsSet: bag(fields.totalDiscounts, currency),
      discountCodes: fields.discountCodes,
      edited: false,
    };
    // Search finds the order only once its index has caught up (search-index.ts); a read by id finds it now.
    shop.orderIndex.willChange(id, null, clock.now());
    shop.putOrder(order);
    events.emit({ shop: shop.domain, topic: "orders/create", resource: clone(order) });
    events.emit({ shop: shop.domain, topic: "orders/paid", resource: clone(order) });
    return clone(order);
  };

  return {
    placeOrder(domain: string, input: PlaceOrderInput): OrderRecord {
      const shop = store.require(domain);
      const customer = customerOf(shop, input.customerId);
      const now = isoAt(clock);
      const zero = addAmounts(["0"], input.total.includes(".") ? input.total.split(".")[1].length : 0);
      // A minimum subtotal is checked before discounts: what the shopper paid plus what the discounts took off.
      const beforeDiscounts = addAmounts([input.total, input.totalDiscounts ?? zero]);
      redeemDiscountCodes(shop, {
        codes: input.discountCodes ?? [],
        customer,
        subtotal: beforeDiscounts,
        at: input.processedAt ?? now,
      });
      return createOrder(shop, customer, {
        email: input.email,
        processedAt: input.processedAt,
        test: input.test,
        total: input.total,
        subtotal: input.total,
        totalDiscounts: input.totalDiscounts ?? zero,
        refunded: zero,
        discountCodes: input.discountCodes ?? [],
      });
    },

    /**
     * What checkout would apply to this cart now, without placing an order or counting any use: the automatic
     * discounts the buyer qualifies for and the entered codes, combined as Shopify combines them. Throws
     * CheckoutDiscountError for an entered code checkout refuses.
     */
    checkout(domain: string, input: CheckoutInput): CheckoutResult {
      const shop = store.require(domain);
      return evaluateCheckout(shop, cartOf(shop, input, input.at ?? isoAt(clock)));
    },

    /**
     * A buyer completes checkout: the discounts checkout() answers apply and their use is counted (codes and automatic
     * discounts); the order records the codes, what the discounts took off (totalDiscountsSet, shipping discounts
     * included), its subtotal after order discounts and its total with shipping after shipping discounts.
     */
    placeOrderAtCheckout(
      domain: string,
      input: PlaceOrderAtCheckoutInput,
    ): { order: OrderRecord; checkout: CheckoutResult } {
      const shop = store.require(domain);
      const cart = cartOf(shop, input, input.processedAt ?? isoAt(clock));
      const result = evaluateCheckout(shop, cart);
      recordCheckout(shop, result, cart.customer);
      const order = createOrder(shop, cart.customer, {
        email: input.email,
        processedAt: input.processedAt,
        test: input.test,
        total: result.total,
        subtotal: subtractAmount(addAmounts([result.subtotal], 2), result.orderDiscounts),
        totalDiscounts: result.totalDiscounts,
        refunded: "0.00",
        discountCodes: result.discountCodes,
      });
      return { order, checkout: result };
    },

    refundOrder(domain: string, orderId: string, input: { amount: string; note?: string | null }): RefundRecord {
      const { shop, order } = orderOf(domain, orderId);
      if (compareAmounts(input.amount, order.currentTotalPriceSet.shopMoney.amount) > 0) {
        throw new Error(`refund of ${input.amount} exceeds what is left on ${orderId}`);
      }
      const now = isoAt(clock);
      const currency = shop.record.currencyCode;
      shop.orderIndex.willChange(order.id, order, clock.now());
      const refund: RefundRecord = {
        __typename: "Refund",
        id: shop.nextId("Refund"),
        order: { id: order.id },
        createdAt: now,
        note: input.note ?? null,
        totalRefundedSet: bag(input.amount, currency),
      };
      order.totalRefundedSet = bag(addAmounts([order.totalRefundedSet.shopMoney.amount, input.amount]), currency);
      order.currentTotalPriceSet = bag(
        subtractAmount(order.currentTotalPriceSet.shopMoney.amount, input.amount),
        currency,
      );
      order.updatedAt = now;
      shop.putRefund(refund);
      shop.putOrder(order);
      events.emit({
        shop: shop.domain,
        topic: "refunds/create",
        resource: { refund: clone(refund), order: clone(order) },
      });
      events.emit({ shop: shop.domain, topic: "orders/updated", resource: clone(order) });
      return clone(refund);
    },

    cancelOrder(domain: string, orderId: string, reason = "CUSTOMER"): OrderRecord {
      const { shop, order } = orderOf(domain, orderId);
      const now = isoAt(clock);
      shop.orderIndex.willChange(order.id, order, clock.now());
      order.cancelledAt = now;
      order.cancelReason = reason;
      order.updatedAt = now;
      shop.putOrder(order);
      events.emit({ shop: shop.domain, topic: "orders/cancelled", resource: clone(order) });
      events.emit({ shop: shop.domain, topic: "orders/updated", resource: clone(order) });
      return clone(order);
    },

    /** An order edit changes what the order is worth now, not what it was placed for. */
    editOrder(domain: string, orderId: string, input: { newTotal: string }): OrderRecord {
      const { shop, order } = orderOf(domain, orderId);
      const currency = shop.record.currencyCode;
      shop.orderIndex.willChange(order.id, order, clock.now());
      order.currentTotalPriceSet = bag(
        subtractAmount(input.newTotal, order.totalRefundedSet.shopMoney.amount),
        currency,
      );
      order.edited = true;
      order.updatedAt = isoAt(clock);
      shop.putOrder(order);
      events.emit({ shop: shop.domain, topic: "orders/updated", resource: clone(order) });
      return clone(order);
    },

    deleteOrder(domain: string, orderId: string): OrderRecord {
      const shop = store.require(domain);
      const order = shop.removeOrder(orderId);
      if (!order) throw new Error(`unknown order ${orderId} in ${domain}`);
      events.emit({ shop: shop.domain, topic: "orders/delete", resource: clone(order) });
      return clone(order);
    },

    createCustomer(domain: string, input: CustomerInput): CustomerRecord {
      const shop = store.require(domain);
      const now = isoAt(clock);
      const customer: CustomerRecord = {
        __typename: "Customer",
        id: shop.nextId("Customer"),
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
        email: input.email ?? null,
        phone: input.phone ?? null,
        locale: input.locale ?? shop.record.primaryLocale,
        tags: input.tags ?? [],
        createdAt: now,
        updatedAt: now,
        defaultAddress: null,
      };
      shop.customerIndex.willChange(customer.id, null, clock.now());
      shop.putCustomer(customer);
      events.emit({ shop: shop.domain, topic: "customers/create", resource: clone(customer) });
      return clone(customer);
    },

    updateCustomer(domain: string, customerId: string, patch: CustomerInput): CustomerRecord {
      const shop = store.require(domain);
      const customer = shop.customers.get(customerId);
      if (!customer) throw new Error(`unknown customer ${customerId} in ${domain}`);
      shop.customerIndex.willChange(customer.id, customer, clock.now());
      Object.assign(customer, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
      customer.updatedAt = isoAt(clock);
      shop.customers.touch();
      events.emit({ shop: shop.domain, topic: "customers/update", resource: clone(customer) });
      return clone(customer);
    },

    /** Like a redaction: the customer goes, their orders stay without a customer. */
    deleteCustomer(domain: string, customerId: string): CustomerRecord {
      const shop = store.require(domain);
      const customer = shop.removeCustomer(customerId);
      if (!customer) throw new Error(`unknown customer ${customerId} in ${domain}`);
      events.emit({ shop: shop.domain, topic: "customers/delete", resource: clone(customer) });
      return clone(customer);
    },
  };
}
