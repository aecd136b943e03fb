// In-memory state of every simulated shop, with the indexes that keep 100k customers / 1M orders linear.
import type {
  CustomerRecord,
  OrderRecord,
  ProductFileRecord,
  ProductVariantFileRecord,
  RefundRecord,
  ShopRecord,
} from "../shop-file/types";
import { AccessGrant, type Installation } from "./access";
import { gid, numericId } from "./gid";
import { SearchIndex } from "./search-index";
import type {
  BulkOperationRecord,
  CustomerNotificationRecord,
  DiscountRecord,
  GiftCardRecord,
  MetafieldDefinitionRecord,
  MetafieldRecord,
  ProductRecord,
  RedeemCodeBulkCreationRecord,
  SegmentRecord,
  StoreCreditAccountRecord,
  StoreCreditTransactionRecord,
} from "./records";

/** A keyed collection that remembers a version, so derived views (sorted, filtered) can be cached safely. */
export class Collection<T extends { id: string }> {
  readonly byId = new Map<string, T>();
  version = 0;
  private views = new Map<string, { version: number; items: T[] }>();

  get size(): number {
    return this.byId.size;
  }
  get(id: string): T | undefined {
    return this.byId.get(id);
  }
  set(record: T): void {
    this.byId.set(record.id, record);
    this.touch();
  }
  delete(id: string): boolean {
    const removed = this.byId.delete(id);
    if (removed) this.touch();
    return removed;
  }
  /** Call after mutating a record in place. */
  touch(): void {
    this.version++;
  }
  values(): IterableIterator<T> {
    return this.byId.values();
  }
  /** A derived list, rebuilt only when the collection changed since it was last built. */
  view(key: string, build: (all: T[]) => T[]): T[] {
    const cached = this.views.get(key);
    if (cached && cached.version === this.version) return cached.items;
    const items = build([...this.byId.values()]);
    if (this.views.size > 32) this.views.clear();
    this.views.set(key, { version: this.version, items });
    return items;
  }
}

export class ShopState {
  readonly customers = new Collection<CustomerRecord>();
  readonly orders = new Collection<OrderRecord>();
  /** Orders of each customer, so per-customer figures never scan every order. */
  readonly ordersByCustomer = new Map<string, Set<string>>();
  readonly refundsByOrder = new Map<string, RefundRecord[]>();
  /** Refunds by id (node/nodes reads of refunds, e.g. their refunded lines). */
  readonly refundsById = new Map<string, RefundRecord>();
  /** The shop's products (records.ts ProductRecord); a deleted product is gone from here. */
  readonly products = new Collection<ProductRecord>();
  /** Variants of the products, by id, with their product (a deleted product's variants go with it). */
  readonly productVariants = new Map<string, ProductVariantFileRecord & { productId: string }>();
  readonly metafieldDefinitions = new Collection<MetafieldDefinitionRecord>();
  /** ownerId → "namespace.key" → metafield */
  readonly metafieldsByOwner = new Map<string, Map<string, MetafieldRecord>>();
  readonly metafieldsById = new Map<string, MetafieldRecord>();
  readonly segments = new Collection<SegmentRecord>();
  readonly discounts = new Collection<DiscountRecord>();
  /** Flow triggers the app sent (flowTriggerReceive), in order. */
  readonly flowTriggers: { handle: string; payload: Record<string, unknown>; receivedAt: string }[] = [];
  /** lower-cased code → discount id */
  readonly discountCodes = new Map<string, string>();
  readonly redeemCodeBulkCreations = new Map<string, RedeemCodeBulkCreationRecord>();
  readonly bulkOperations = new Collection<BulkOperationRecord>();
  /** Store credit accounts and their transactions (resolvers/store-credit.ts). */
  readonly storeCreditAccounts = new Collection<StoreCreditAccountRecord>();
  readonly storeCreditTransactions = new Collection<StoreCreditTransactionRecord>();
  /** Gift cards (resolvers/gift-cards.ts), and lower-cased code → gift card id. */
  readonly giftCards = new Collection<GiftCardRecord>();
  readonly giftCardCodes = new Map<string, string>();
  /**
   * The shop's gift card issue limit in its currency (giftCardConfiguration.issueLimit), when a test sets one; null:
   * Shopify's default for the currency (resolvers/gift-cards.ts).
   */
  giftCardIssueLimit: string | null = null;
  /** Emails and texts Shopify sent (or scheduled) to customers because of the app's calls, in order (records.ts). */
  readonly customerNotifications: CustomerNotificationRecord[] = [];
  private readonly lastIds = new Map<string, number>();
  /** What search sees of orders and customers: it lags behind the records (search-index.ts). */
  readonly orderIndex: SearchIndex<OrderRecord>;
  readonly customerIndex: SearchIndex<CustomerRecord>;
  readonly giftCardIndex: SearchIndex<GiftCardRecord>;
  /** The app's installation in this shop: granted scopes and protected customer data approval (access.ts). */
  private installationState: Installation;
  private grant: AccessGrant;
  /** The simulator's clock. */
  readonly now: () => number;
  /** Observers of accepted writes to the shop's records (observeWrites). */
  private readonly writeObservers = new Set<(write: StoreWrite) => void>();

  constructor(
    public record: ShopRecord,
    defaults: ShopDefaults = {
      installation: { scopes: [], protectedCustomerData: { level: 0 } },
      searchLagMs: () => 0,
      now: () => Date.now(),
    },
  ) {
    this.now = defaults.now;
    this.installationState = structuredClone(defaults.installation);
    this.grant = new AccessGrant(this.installationState);
    this.orderIndex = new SearchIndex(defaults.searchLagMs);
    this.customerIndex = new SearchIndex(defaults.searchLagMs);
    this.giftCardIndex = new SearchIndex(defaults.searchLagMs);
  }

  get installation(): Installation {
    return this.installationState;
  }

  set installation(next: Installation) {
    this.installationState = structuredClone(next);
    this.grant = new AccessGrant(this.installationState);
  }

  /** The installation's grant, as the resolvers ask it. */
  get access(): AccessGrant {
    return this.grant;
  }

  get domain(): string {
    return this.record.myshopifyDomain;
  }

  /** Next numeric id for a resource type; above every id seen so far, like Shopify's ever-growing ids. */
  nextId(type: string): string {
    const next = (this.lastIds.get(type) ?? 1_000_000) + 1;
    this.lastIds.set(type, next);
    return gid(type, next);
  }

  private seeId(type: string, id: string): void {
    const n = numericId(id);
    if (n > (this.lastIds.get(type) ?? 1_000_000)) this.lastIds.set(type, n);
  }

  putCustomer(customer: CustomerRecord): void {
    this.seeId("Customer", customer.id);
    this.customers.set(customer);
  }

  removeCustomer(id: string): CustomerRecord | undefined {
    const customer = this.customers.get(id);
    if (!customer) return undefined;
    this.customers.delete(id);
    this.customerIndex.forget(id);
    // Shopify keeps a deleted (redacted) customer's orders, without the customer.
    for (const orderId of this.ordersByCustomer.get(id) ?? []) {
      const order = this.orders.get(orderId);
      if (!order) continue;
      this.orderIndex.willChange(order.id, order, this.now());
      order.customer = null;
    }
    if (this.ordersByCustomer.has(id)) this.orders.touch();
    this.ordersByCustomer.delete(id);
    this.metafieldsByOwner.get(id)?.forEach((m) => this.metafieldsById.delete(m.id));
    this.metafieldsByOwner.delete(id);
    return customer;
  }

  putOrder(order: OrderRecord): void {
    this.seeId("Order", order.id);
    for (const line of order.lineItems ?? []) this.seeId("LineItem", line.id);
    const previous = this.orders.get(order.id);
    if (previous?.customer && previous.customer.id !== order.customer?.id) {
      this.ordersByCustomer.get(previous.customer.id)?.delete(order.id);
    }
    if (order.customer) {
      let set = this.ordersByCustomer.get(order.customer.id);
      if (!set) this.ordersByCustomer.set(order.customer.id, (set = new Set()));
      set.add(order.id);
    }
    this.orders.set(order);
  }

  removeOrder(id: string): OrderRecord | undefined {
    const order = this.orders.get(id);
    if (!order) return undefined;
    if (order.customer) this.ordersByCustomer.get(order.customer.id)?.delete(id);
    this.orders.delete(id);
    this.orderIndex.forget(id);
    for (const refund of this.refundsByOrder.get(id) ?? []) this.refundsById.delete(refund.id);
    this.refundsByOrder.delete(id);
    return order;
  }

  /** A product of the catalogue (a shop file's Product line, or productCreate/Update): its variants with it. */
  putProduct(product: ProductFileRecord): void {
    this.seeId("Product", product.id);
    const held = this.products.get(product.id);
    for (const [id, v] of this.productVariants) if (v.productId === product.id) this.productVariants.delete(id);
    for (const variant of product.variants) {
      this.seeId("ProductVariant", variant.id);
      this.productVariants.set(variant.id, { ...variant, productId: product.id });
    }
    const { variants: _variants, ...fields } = product;
    this.products.set({ ...fields, featuredImage: held?.featuredImage ?? null });
  }

  removeProduct(id: string): ProductRecord | undefined {
    const product = this.products.get(id);
    if (!product) return undefined;
    for (const [vid, v] of this.productVariants) if (v.productId === id) this.productVariants.delete(vid);
    this.products.delete(id);
    return product;
  }

  /** A product as a shop file or a webhook shows it: with its variants. */
  productWithVariants(id: string): ProductFileRecord | null {
    const product = this.products.get(id);
    if (!product) return null;
    const { featuredImage: _image, ...fields } = product;
    const variants = [...this.productVariants.values()]
      .filter((v) => v.productId === id)
      .map(({ productId: _p, ...v }) => v);
    return { ...fields, variants };
  }

  putRefund(refund: RefundRecord): void {
    this.seeId("Refund", refund.id);
    for (const line of refund.refundLineItems ?? []) this.seeId("RefundLineItem", line.id);
    this.refundsById.set(refund.id, refund);
    const list = this.refundsByOrder.get(refund.order.id) ?? [];
    const at = list.findIndex((r) => r.id === refund.id);
    if (at >= 0) list[at] = refund;
    else list.push(refund);
    this.refundsByOrder.set(refund.order.id, list);
  }

  ordersOf(customerId: string): OrderRecord[] {
    const ids = this.ordersByCustomer.get(customerId);
    if (!ids) return [];
    const out: OrderRecord[] = [];
    for (const id of ids) {
      const order = this.orders.get(id);
      if (order) out.push(order);
    }
    return out;
  }

  metafieldsOf(ownerId: string): MetafieldRecord[] {
    return [...(this.metafieldsByOwner.get(ownerId)?.values() ?? [])];
  }

  getMetafield(ownerId: string, namespace: string, key: string): MetafieldRecord | undefined {
    return this.metafieldsByOwner.get(ownerId)?.get(`${namespace}.${key}`);
  }

  deleteMetafield(ownerId: string, namespace: string, key: string): MetafieldRecord | undefined {
    const owned = this.metafieldsByOwner.get(ownerId);
    const existing = owned?.get(`${namespace}.${key}`);
    if (!existing) return undefined;
    owned!.delete(`${namespace}.${key}`);
    this.metafieldsById.delete(existing.id);
    this.noteWrite({ kind: "metafield-delete", ownerId, key: `${namespace}.${key}`, value: null });
    return existing;
  }

  putMetafield(metafield: MetafieldRecord): void {
    let owned = this.metafieldsByOwner.get(metafield.ownerId);
    if (!owned) this.metafieldsByOwner.set(metafield.ownerId, (owned = new Map()));
    owned.set(`${metafield.namespace}.${metafield.key}`, metafield);
    this.metafieldsById.set(metafield.id, metafield);
    this.noteWrite({
      kind: "metafield",
      ownerId: metafield.ownerId,
      key: `${metafield.namespace}.${metafield.key}`,
      value: metafield.value,
    });
  }

  /**
   * Calls `observer` after every accepted write to a metafield (set or deleted) or to a customer's tags, with the
   * simulator's clock: where a benchmark times how soon a change reaches the store (bench/reliability/load.ts,
   * freshness). An observer sees writes only after they are made; it changes nothing of what the simulator accepts or
   * answers. Returns a function that stops observing.
   */
  observeWrites(observer: (write: StoreWrite) => void): () => void {
    this.writeObservers.add(observer);
    return () => this.writeObservers.delete(observer);
  }

  /** Tells the observers of a write just made (metafields here; tags by the tagsAdd/tagsRemove resolvers). */
  noteWrite(write: Omit<StoreWrite, "at">): void {
    if (this.writeObservers.size === 0) return;
    const at = this.now();
    for (const observer of this.writeObservers) observer({ ...write, at });
  }
}

/** A write the store accepted (ShopState.observeWrites). */
export interface StoreWrite {
  kind: "metafield" | "metafield-delete" | "tags";
  ownerId: string;
  /** "namespace.key" of a metafield; null for tags. */
  key: string | null;
  /** The metafield's value, or the owner's tags joined by ", "; null for a deletion. */
  value: string | null;
  /** The simulator's clock (ms since the epoch). */
  at: number;
}

/** What a shop starts with: the installation every shop has until told otherwise, and the search index's lag. */
export interface ShopDefaults {
  installation: Installation;
  searchLagMs: () => number;
  now: () => number;
}

export class Store {
  private readonly shops = new Map<string, ShopState>();

  constructor(private readonly defaults?: ShopDefaults) {}

  add(record: ShopRecord): ShopState {
    const domain = record.myshopifyDomain.toLowerCase();
    if (this.shops.has(domain)) throw new Error(`shop ${domain} already exists in the simulator`);
    const state = new ShopState({ ...record, myshopifyDomain: domain }, this.defaults);
    this.shops.set(domain, state);
    return state;
  }

  get(domain: string): ShopState | undefined {
    return this.shops.get(domain.toLowerCase());
  }

  require(domain: string): ShopState {
    const shop = this.get(domain);
    if (!shop) throw new Error(`unknown shop ${domain} in the simulator`);
    return shop;
  }

  remove(domain: string): boolean {
    return this.shops.delete(domain.toLowerCase());
  }

  domains(): string[] {
    return [...this.shops.keys()];
  }
}
