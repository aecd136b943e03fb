// The truth summary: what the ledger must conclude from a shop file (docs/rules.md#ledger), computed record by
// record as the file streams past, so it costs one small entry per customer and nothing per order.
import type { ShopFileRecord } from "../shop-file/types";
import { currencyDecimals, parseMinor } from "./money";

export interface CustomerTruth {
  /** Orders with this customer, not test, not cancelled, current total > 0. */
  qualifyingOrders: number;
  /** Sum of those orders' current totals (shop money), integer minor units. */
  spendMinor: number;
  /** Latest processedAt among them. */
  lastOrderAt: string;
}

/** What the lines of one product come to, over every order of the file (test and cancelled ones included). */
export interface ProductTruth {
  lines: number;
  quantity: number;
  refundedQuantity: number;
  amountMinor: number;
  refundedAmountMinor: number;
}

export interface TruthSummary {
  shop: string;
  currencyCode: string;
  decimals: number;
  /** The latest record update in the file (customers' and orders' updatedAt, refunds' createdAt). */
  latestAt: string | null;
  records: { shops: number; customers: number; orders: number; refunds: number };
  orders: {
    guest: number;
    test: number;
    cancelled: number;
    edited: number;
    /** Orders with totalRefunded > 0. */
    refunded: number;
    /** Orders whose current total is 0 because everything was refunded. */
    fullyRefunded: number;
    discounted: number;
    qualifying: number;
  };
  customers: {
    /** Customers with at least one order of any kind. */
    withOrders: number;
    /** Customers with at least one qualifying order: the RFM population at endDate. */
    qualifying: number;
  };
  qualifyingSpendMinor: number;
  /** Only customers with at least one qualifying order, in file order; everyone else is a prospect. */
  perCustomer: Record<string, CustomerTruth>;
  /** The catalogue and the line items (docs/shop-file-format.md): totals, and per product id. */
  lines: {
    products: number;
    lineItems: number;
    refundLineItems: number;
    /** Σ of every line's amount after discounts; equals Σ of the orders' subtotals. */
    amountMinor: number;
    perProduct: Record<string, ProductTruth>;
  };
  /** The structure the generator planted (generate.ts adds it): product id pairs. */
  catalogue?: { boughtTogether: [string, string][]; boughtNext: [string, string][] };
}

export class TruthAccumulator {
  private shop = "";
  private currencyCode = "";
  private decimals = 2;
  private latestAt: string | null = null;
  private latestMs = Number.NEGATIVE_INFINITY;
  private readonly records = { shops: 0, customers: 0, orders: 0, refunds: 0 };
  private readonly orders = {
    guest: 0,
    test: 0,
    cancelled: 0,
    edited: 0,
    refunded: 0,
    fullyRefunded: 0,
    discounted: 0,
    qualifying: 0,
  };
  private readonly customersWithOrders = new Set<string>();
  private qualifyingSpendMinor = 0;
  private readonly perCustomer = new Map<string, CustomerTruth>();
  private readonly lines = { products: 0, lineItems: 0, refundLineItems: 0, amountMinor: 0 };
  private readonly perProduct = new Map<string, ProductTruth>();
  /** line id → its product, for the current order only (its refunds follow it in the file). */
  private readonly productOfLine = new Map<string, { product: string }>();

  private productTruth(id: string): ProductTruth {
    let entry = this.perProduct.get(id);
    if (!entry) {
      entry = { lines: 0, quantity: 0, refundedQuantity: 0, amountMinor: 0, refundedAmountMinor: 0 };
      this.perProduct.set(id, entry);
    }
    return entry;
  }

  add(record: ShopFileRecord): void {
    switch (record.__typename) {
      case "Shop":
        this.records.shops++;
        this.shop = record.myshopifyDomain;
        this.currencyCode = record.currencyCode;
        this.decimals = currencyDecimals(record.currencyCode);
        return;
      case "Customer":
        this.records.customers++;
        this.seen(record.updatedAt);
        return;
      case "Refund":
        this.records.refunds++;
        this.seen(record.createdAt);
        for (const r of record.refundLineItems ?? []) {
          this.lines.refundLineItems++;
          const line = this.productOfLine.get(r.lineItem.id);
          if (!line) continue;
          const entry = this.productTruth(line.product);
          entry.refundedQuantity += r.quantity;
          entry.refundedAmountMinor += parseMinor(r.subtotalSet.shopMoney.amount, this.decimals);
        }
        return;
      case "Product":
        this.lines.products++;
        return;
      case "Order":
        this.addOrder(record);
    }
  }

  private addOrder(order: Extract<ShopFileRecord, { __typename: "Order" }>): void {
    this.records.orders++;
    this.seen(order.updatedAt);
    this.productOfLine.clear();
    for (const line of order.lineItems ?? []) {
      const amount =
        parseMinor(line.originalUnitPriceSet.shopMoney.amount, this.decimals) * line.quantity -
        line.discountAllocations.reduce(
          (sum, a) => sum + parseMinor(a.allocatedAmountSet.shopMoney.amount, this.decimals),
          0,
        );
      this.lines.lineItems++;
      this.lines.amountMinor += amount;
      if (!line.product) continue;
      this.productOfLine.set(line.id, { product: line.product.id });
      const entry = this.productTruth(line.product.id);
      entry.lines++;
      entry.quantity += line.quantity;
      entry.amountMinor += amount;
    }
    const o = this.orders;
    if (order.customer === null) o.guest++;
    else this.customersWithOrders.add(order.customer.id);
    if (order.test) o.test++;
    if (order.cancelledAt !== null) o.cancelled++;
    if (order.edited) o.edited++;
    if (order.discountCodes.length > 0) o.discounted++;
    const current = parseMinor(order.currentTotalPriceSet.shopMoney.amount, this.decimals);
    if (parseMinor(order.totalRefundedSet.shopMoney.amount, this.decimals) > 0) {
      o.refunded++;
      if (current === 0) o.fullyRefunded++;
    }
    if (order.customer === null || order.test || order.cancelledAt !== null || current <= 0) return;
    o.qualifying++;
    this.qualifyingSpendMinor += current;
    const at = order.processedAt ?? order.createdAt;
    const entry = this.perCustomer.get(order.customer.id);
    if (entry === undefined) {
      this.perCustomer.set(order.customer.id, { qualifyingOrders: 1, spendMinor: current, lastOrderAt: at });
    } else {
      entry.qualifyingOrders++;
      entry.spendMinor += current;
      if (Date.parse(at) > Date.parse(entry.lastOrderAt)) entry.lastOrderAt = at;
    }
  }

  private seen(at: string): void {
    // Same-shape UTC timestamps compare as strings; anything else is parsed.
    if (
      this.latestAt !== null &&
      at.length === this.latestAt.length &&
      at.endsWith("Z") &&
      this.latestAt.endsWith("Z")
    ) {
      if (at > this.latestAt) {
        this.latestAt = at;
        this.latestMs = Date.parse(at);
      }
      return;
    }
    const ms = Date.parse(at);
    if (ms > this.latestMs) {
      this.latestMs = ms;
      this.latestAt = at;
    }
  }

  summary(): TruthSummary {
    if (!Number.isSafeInteger(this.qualifyingSpendMinor)) throw new Error("qualifying spend exceeds safe integers");
    return {
      shop: this.shop,
      currencyCode: this.currencyCode,
      decimals: this.decimals,
      latestAt: this.latestAt,
      records: { ...this.records },
      orders: { ...this.orders },
      customers: { withOrders: this.customersWithOrders.size, qualifying: this.perCustomer.size },
      qualifyingSpendMinor: this.qualifyingSpendMinor,
      perCustomer: Object.fromEntries(this.perCustomer),
      lines: { ...this.lines, perProduct: Object.fromEntries(this.perProduct) },
    };
  }
}
