// Changes a shop undergoes outside the app (shoppers and staff), applied as Shopify would, each announced as an event.
import type {
  CustomerRecord,
  LineItemRecord,
  MoneyBag,
  OrderRecord,
  ProductFileRecord,
  RefundLineItemRecord,
  RefundRecord,
  ShopRecord,
} from "../shop-file/types";
import { fromMinor, toMinor } from "../webhooks/payloads/shared";
import { isoAt, type Clock } from "./clock";
import type { EventBus } from "./events";
import { evaluateCheckout, recordCheckout, redeemDiscountCodes, type CheckoutResult } from "./checkout";
import { addAmounts, compareAmounts, isDecimal, moneyBag, subtractAmount } from "./money";
import type { ShopState, Store } from "./store";
import type { ProductRecord } from "./records";

export interface PlaceOrderInput {
  customerId?: string | null;
  email?: string | null;
  /** Decimal string in the shop currency, e.g. "49.90". */
  total: string;
  processedAt?: string;
  test?: boolean;
  discountCodes?: string[];
  totalDiscounts?: string;
  /**
   * The order's line items. Their amounts (quantity × price − discount) must sum to `total` exactly, and their
   * discounts to `totalDiscounts` when it is given (it defaults to their sum): Shopify's totals are its lines'.
   */
  lines?: LineInput[];
}

/** A line of an order: a variant of one of the shop's products, or a custom line (title and price). */
export interface LineInput {
  variantId?: string;
  /** A custom line's title (a variant's line takes its product's). */
  title?: string;
  /** Unit price before discounts, decimal in the shop currency (default: the variant's price). */
  price?: string;
  quantity: number;
  /** The discount allocated to the line in all, decimal (default 0). */
  discount?: string;
  giftCard?: boolean;
}

/** A product as the merchant creates or updates it (productCreate / productUpdate in the admin). */
export interface ProductInput {
  title: string;
  handle?: string;
  productType?: string;
  vendor?: string;
  status?: "ACTIVE" | "ARCHIVED" | "DRAFT";
  variants?: { title?: string; sku?: string | null; price: string }[];
  /** The product's featured image (its first media), as the storefront shows it; none by default. */
  featuredImage?: ProductRecord["featuredImage"];
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
  /** Whether they accept email marketing (defaultEmailAddress.marketingState). */
  emailMarketingState?: CustomerRecord["emailMarketingState"];
}

const clone = <T>(value: T): T => structuredClone(value);

/** Shopify's handle of a title: lower case, runs of anything else than letters and digits as one dash. */
const handleOf = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-|-$/g, "");

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

  /** The order's line items from what the caller gives, checked as Shopify's totals would be. */
  const lineItemsOf = (shop: ShopState, lines: LineInput[], total: string, totalDiscounts: string | undefined) => {
    const currency = shop.record.currencyCode;
    let sum = 0n;
    let discounts = 0n;
    const items = lines.map((input): LineItemRecord => {
      if (!Number.isInteger(input.quantity) || input.quantity < 1)
        throw new Error(`a line's quantity is a whole number >= 1, not ${input.quantity}`);
      const variant = input.variantId ? shop.productVariants.get(input.variantId) : undefined;
      if (input.variantId && !variant) throw new Error(`unknown variant ${input.variantId} in ${shop.domain}`);
      const product = variant ? shop.products.get(variant.productId) : undefined;
      const price = input.price ?? variant?.price;
      const title = product?.title ?? input.title;
      if (price === undefined || title === undefined)
        throw new Error("a custom line (no variantId) needs its title and price");
      const unit = toMinor(price, currency);
      const discount = toMinor(input.discount ?? "0", currency);
      if (unit < 0n || discount < 0n || discount > unit * BigInt(input.quantity))
        throw new Error(`line ${title}: price ${price}, discount ${input.discount} do not make a line`);
      sum += unit * BigInt(input.quantity) - discount;
      discounts += discount;
      return {
        id: shop.nextId("LineItem"),
        product: product ? { id: product.id } : null,
        variant: variant ? { id: variant.id } : null,
        title,
        variantTitle: variant && variant.title !== "Default Title" ? variant.title : null,
        vendor: product?.vendor ?? null,
        sku: variant?.sku ?? null,
        quantity: input.quantity,
        isGiftCard: !!input.giftCard,
        originalUnitPriceSet: bag(fromMinor(unit, currency), currency),
        discountAllocations:
          discount > 0n ? [{ allocatedAmountSet: bag(fromMinor(discount, currency), currency) }] : [],
      };
    });
    if (sum !== toMinor(total, currency))
      throw new Error(`the lines come to ${fromMinor(sum, currency)}, the order's total is ${total}`);
    if (totalDiscounts !== undefined && toMinor(totalDiscounts, currency) !== discounts)
      throw new Error(`the lines' discounts come to ${fromMinor(discounts, currency)}, not ${totalDiscounts}`);
    return { items, discounts: fromMinor(discounts, currency) };
  };

  /**
   * Refunded lines: each quantity at most what is left of its line; the subtotal is the units' share of the line's
   * amount after discounts, floored, and the last units refunded take what is left, so a line refunded whole gives back
   * exactly its amount.
   */
  const refundLinesOf = (shop: ShopState, order: OrderRecord, lines: { lineItemId: string; quantity: number }[]) => {
    const currency = shop.record.currencyCode;
    const held = shop.refundsByOrder.get(order.id) ?? [];
    let sum = 0n;
    const items = lines.map((input): RefundLineItemRecord => {
      const line = (order.lineItems ?? []).find((l) => l.id === input.lineItemId);
      if (!line) throw new Error(`order ${order.id} has no line ${input.lineItemId}`);
      const before = held.flatMap((r) => r.refundLineItems ?? []).filter((r) => r.lineItem.id === line.id);
      const refundedQty = before.reduce((n, r) => n + r.quantity, 0);
      if (!Number.isInteger(input.quantity) || input.quantity < 1 || refundedQty + input.quantity > line.quantity)
        throw new Error(`line ${line.id}: ${input.quantity} more of ${line.quantity - refundedQty} left to refund`);
      const amount =
        toMinor(line.originalUnitPriceSet.shopMoney.amount, currency) * BigInt(line.quantity) -
        line.discountAllocations.reduce((n, a) => n + toMinor(a.allocatedAmountSet.shopMoney.amount, currency), 0n);
      const refundedAmount = before.reduce((n, r) => n + toMinor(r.subtotalSet.shopMoney.amount, currency), 0n);
      const subtotal =
        refundedQty + input.quantity === line.quantity
          ? amount - refundedAmount
          : (amount * BigInt(input.quantity)) / BigInt(line.quantity);
      sum += subtotal;
      return {
        id: shop.nextId("RefundLineItem"),
        lineItem: { id: line.id },
        quantity: input.quantity,
        subtotalSet: bag(fromMinor(subtotal, currency), currency),
      };
    });
    return { items, amount: fromMinor(sum, currency) };
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
      lineItems?: LineItemRecord[];
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
      ...(fields.lineItems ? { lineItems: fields.lineItems } : {}),
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
      const lines = input.lines ? lineItemsOf(shop, input.lines, input.total, input.totalDiscounts) : null;
      const totalDiscounts = input.totalDiscounts ?? lines?.discounts ?? zero;
      // A minimum subtotal is checked before discounts: what the shopper paid plus what the discounts took off.
      const beforeDiscounts = addAmounts([input.total, totalDiscounts]);
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
        totalDiscounts,
        refunded: zero,
        discountCodes: input.discountCodes ?? [],
        lineItems: lines?.items,
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

    /**
     * A refund of an amount, of lines (their subtotals, unless an amount is given too: shipping or a goodwill part), or
     * both.
     */
    refundOrder(
      domain: string,
      orderId: string,
      input: { amount?: string; note?: string | null; lines?: { lineItemId: string; quantity: number }[] },
    ): RefundRecord {
      const { shop, order } = orderOf(domain, orderId);
      const refundLines = input.lines?.length ? refundLinesOf(shop, order, input.lines) : null;
      const amount = input.amount ?? refundLines?.amount;
      if (amount === undefined) throw new Error("a refund needs an amount or lines");
      if (compareAmounts(amount, order.currentTotalPriceSet.shopMoney.amount) > 0) {
        throw new Error(`refund of ${amount} exceeds what is left on ${orderId}`);
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
        totalRefundedSet: bag(amount, currency),
        ...(refundLines ? { refundLineItems: refundLines.items } : {}),
      };
      order.totalRefundedSet = bag(addAmounts([order.totalRefundedSet.shopMoney.amount, amount]), currency);
      order.currentTotalPriceSet = bag(subtractAmount(order.currentTotalPriceSet.shopMoney.amount, amount), currency);
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

    /** The merchant adds a product (products/create); its variants get ids, a product without any gets one. */
    createProduct(domain: string, input: ProductInput): ProductFileRecord {
      const shop = store.require(domain);
      const now = isoAt(clock);
      const id = shop.nextId("Product");
      const product: ProductFileRecord = {
        __typename: "Product",
        id,
        title: input.title,
        handle: input.handle ?? handleOf(input.title),
        productType: input.productType ?? "",
        vendor: input.vendor ?? shop.record.name,
        status: input.status ?? "ACTIVE",
        createdAt: now,
        updatedAt: now,
        variants: (input.variants?.length ? input.variants : [{ price: "0.00" }]).map((v) => ({
          id: shop.nextId("ProductVariant"),
          title: v.title ?? "Default Title",
          sku: v.sku ?? null,
          price: v.price,
        })),
      };
      shop.putProduct(product);
      if (input.featuredImage) shop.products.set({ ...shop.products.get(id)!, featuredImage: input.featuredImage });
      events.emit({ shop: shop.domain, topic: "products/create", resource: clone(product) });
      return clone(product);
    },

    /** The merchant edits a product (products/update); its variants are kept. */
    updateProduct(
      domain: string,
      productId: string,
      patch: Partial<Omit<ProductInput, "variants">>,
    ): ProductFileRecord {
      const shop = store.require(domain);
      const product = shop.productWithVariants(productId);
      if (!product) throw new Error(`unknown product ${productId} in ${domain}`);
      Object.assign(product, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
      product.updatedAt = isoAt(clock);
      shop.putProduct(product);
      events.emit({ shop: shop.domain, topic: "products/update", resource: clone(product) });
      return clone(product);
    },

    /** The merchant deletes a product (products/delete): line items that named it keep their title. */
    deleteProduct(domain: string, productId: string): { id: string } {
      const shop = store.require(domain);
      if (!shop.removeProduct(productId)) throw new Error(`unknown product ${productId} in ${domain}`);
      events.emit({ shop: shop.domain, topic: "products/delete", resource: { id: productId } });
      return { id: productId };
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
        ...(input.emailMarketingState ? { emailMarketingState: input.emailMarketingState } : {}),
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
      const consentBefore = customer.emailMarketingState ?? "NOT_SUBSCRIBED";
      Object.assign(customer, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
      customer.updatedAt = isoAt(clock);
      shop.customers.touch();
      events.emit({ shop: shop.domain, topic: "customers/update", resource: clone(customer) });
      // Shopify announces a change of email marketing consent on its own topic too (for a customer with an email).
      if ((customer.emailMarketingState ?? "NOT_SUBSCRIBED") !== consentBefore && customer.email !== null)
        events.emit({
          shop: shop.domain,
          topic: "customers_email_marketing_consent/update",
          resource: clone(customer),
        });
      return clone(customer);
    },

    /** The merchant renames the shop (Settings → Store details): Shopify announces it with shop/update. */
    renameShop(domain: string, name: string): ShopRecord {
      const shop = store.require(domain);
      if (name.trim() === "") throw new Error("a shop's name cannot be empty");
      if (shop.record.name === name) return clone(shop.record);
      shop.record.name = name;
      events.emit({ shop: shop.domain, topic: "shop/update" });
      return clone(shop.record);
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
