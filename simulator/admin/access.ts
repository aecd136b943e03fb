// What the installed app may read and write in a shop, as Shopify decides it: the access scopes granted to the
// installation, the 60-day order window without read_all_orders, and protected customer data approval.
//
// Access scopes (https://shopify.dev/docs/api/usage/access-scopes): a field or mutation needing a scope the app was not
// granted is refused with, since 2020-07, "Access denied for <field> field. Required access: <scope> access scope." and
// extensions {code: ACCESS_DENIED, documentation, requiredAccess}
// (https://shopify.dev/changelog/new-error-messages-for-graphql-operations-without-necessary-access-scopes; mutations
// alike since 2022-01: https://shopify.dev/changelog/authorization-errors-in-mutations-are-refined). A write_ scope
// includes its read_ scope.
//
// Orders (https://shopify.dev/docs/api/admin-graphql/latest/objects/Order): "Only the last 60 days' worth of orders
// from a store are accessible from the Order object by default"; read_all_orders lifts the window. The docs do not say
// which timestamp counts; the simulator uses created_at (an order is "from" the store's last 60 days when it was created
// there), and an older order is simply not there: absent from lists and search, null from order(id:) and nodes (REST
// answers 404 for it).
//
// Protected customer data (https://shopify.dev/docs/apps/launch/protected-customer-data): level 1 is access to customer
// data at all (customers, orders, refunds, segment members and the webhooks about them); level 2 adds the protected
// fields one by one (name, email, phone, address). "GraphQL requests to unapproved types will return an HTTP 200 Ok
// response with an error message in the errors hash"; unapproved fields are redacted: null, with an error at the
// field's path. Webhook topics that carry customer data cannot be subscribed to without approval ("This app is not
// approved to subscribe to webhook topics containing protected customer data."), and payload fields the app is not
// approved for are redacted.
import { GraphQLError } from "graphql";
import { parseGid } from "./gid";

export const ACCESS_SCOPES_DOCS = "https://shopify.dev/api/usage/access-scopes";
export const PROTECTED_DATA_DOCS = "https://shopify.dev/docs/apps/launch/protected-customer-data";

/** Orders older than this are outside an app's reach without read_all_orders. */
export const ORDER_WINDOW_DAYS = 60;
const DAY_MS = 86_400_000;

export type ProtectedField = "name" | "email" | "phone" | "address";
export const PROTECTED_FIELDS: readonly ProtectedField[] = ["name", "email", "phone", "address"];

/** What the Partner Dashboard approved for the app: nothing, customer data without the fields, or some fields too. */
export type ProtectedCustomerData = { level: 0 } | { level: 1 } | { level: 2; fields: readonly ProtectedField[] };

export const NO_PROTECTED_DATA: ProtectedCustomerData = { level: 0 };

export interface Installation {
  /** Granted access scopes, as the merchant approved them (handles, in the order granted). */
  scopes: string[];
  protectedCustomerData: ProtectedCustomerData;
}

export function parseScopes(scopes: string | readonly string[]): string[] {
  const list = typeof scopes === "string" ? scopes.split(",") : [...scopes];
  return [...new Set(list.map((s) => s.trim()).filter(Boolean))];
}

export function validateProtectedCustomerData(value: ProtectedCustomerData): ProtectedCustomerData {
  if (value.level === 2) {
    const unknown = value.fields.filter((f) => !PROTECTED_FIELDS.includes(f));
    if (unknown.length) throw new Error(`unknown protected customer fields: ${unknown.join(", ")}`);
    if (value.fields.length === 0)
      throw new Error("level 2 protected customer data names at least one field (name, email, phone, address)");
    return { level: 2, fields: [...new Set(value.fields)] };
  }
  if (value.level !== 0 && value.level !== 1)
    throw new Error(`protected customer data level is 0, 1 or 2, not ${String((value as { level: unknown }).level)}`);
  return { level: value.level };
}

/** The installation's grant, asked questions by the resolvers. */
export class AccessGrant {
  private readonly scopes: Set<string>;

  constructor(readonly installation: Installation) {
    this.scopes = new Set(installation.scopes);
  }

  /** write_X includes read_X. */
  has(scope: string): boolean {
    if (this.scopes.has(scope)) return true;
    const read = /^read_(.+)$/.exec(scope);
    return !!read && this.scopes.has(`write_${read[1]}`);
  }

  get allOrders(): boolean {
    return this.has("read_all_orders");
  }

  /** The oldest created_at the app may see, or null for every order. */
  orderWindowStart(now: number): number | null {
    return this.allOrders ? null : now - ORDER_WINDOW_DAYS * DAY_MS;
  }

  get customerData(): boolean {
    return this.installation.protectedCustomerData.level >= 1;
  }

  field(field: ProtectedField): boolean {
    const pcd = this.installation.protectedCustomerData;
    return pcd.level === 2 && pcd.fields.includes(field);
  }
}

export function accessDenied(field: string, scope: string): GraphQLError {
  const requiredAccess = `\`${scope}\` access scope.`;
  return new GraphQLError(`Access denied for ${field} field. Required access: ${requiredAccess}`, {
    extensions: { code: "ACCESS_DENIED", documentation: ACCESS_SCOPES_DOCS, requiredAccess },
  });
}

export function objectNotApproved(type: string): GraphQLError {
  return new GraphQLError(
    `This app is not approved to access the ${type} object. See ${PROTECTED_DATA_DOCS} for more details.`,
    {
      extensions: { code: "ACCESS_DENIED", documentation: PROTECTED_DATA_DOCS },
    },
  );
}

export function fieldNotApproved(field: string): GraphQLError {
  return new GraphQLError(
    `This app is not approved to use the ${field} field. See ${PROTECTED_DATA_DOCS} for more details.`,
    {
      extensions: { code: "ACCESS_DENIED", documentation: PROTECTED_DATA_DOCS },
    },
  );
}

/**
 * The scope each field or mutation needs, by "Parent.field", from each one's reference page on shopify.dev
 * ("Requires `read_orders` access scope." etc.), for everything the app uses:
 * https://shopify.dev/docs/api/admin-graphql/latest/queries/orders, …/queries/order, …/queries/customers,
 * …/queries/customer, …/queries/segments, …/queries/customerSegmentMembers, …/mutations/segmentCreate (write_customers),
 * …/queries/codeDiscountNodeByCode (read_discounts), …/mutations/discountCodeBasicCreate (write_discounts),
 * …/mutations/discountRedeemCodeBulkAdd (write_discounts). `shop`, bulk operations, staged uploads and
 * flowTriggerReceive need no scope of their own (a bulk query needs what its query reads).
 * Fields returning another resource need that resource's scope: Order.customer needs read_customers, Customer.orders
 * read_orders.
 * Rewards, from the 2026-04 schema's requiredAccess (of the fields, and of the types they return) and the reference pages
 * (https://shopify.dev/docs/api/admin-graphql/2026-04/objects/StoreCreditAccount "Requires `read_store_credit_accounts`
 * access scope", …/objects/StoreCreditAccountCreditTransaction "Requires `read_store_credit_account_transactions`",
 * …/mutations/storeCreditAccountCredit "Requires `write_store_credit_account_transactions`", …/objects/GiftCard
 * "Requires `read_gift_cards`", …/mutations/giftCardCreate "Requires `write_gift_cards`"): a StoreCreditAccount wherever
 * it is reached (the payload's transaction.account too) needs read_store_credit_accounts, which the write scope on
 * transactions does not include; StoreCreditAccount.owner needs read_customers; a transaction's origin (an order
 * transaction) read_orders; GiftCard.transactions read_gift_card_transactions. giftCardCreate's customerId and
 * recipientAttributes.id need write_customers (resolvers/index.ts, targetsOf).
 */
export const REQUIRED_SCOPE: Record<string, string> = {
  "QueryRoot.order": "read_orders",
  "QueryRoot.orders": "read_orders",
  "QueryRoot.customer": "read_customers",
  "QueryRoot.customers": "read_customers",
  "QueryRoot.customerSegmentMembers": "read_customers",
  "QueryRoot.segment": "read_customers",
  "QueryRoot.segments": "read_customers",
  "QueryRoot.codeDiscountNode": "read_discounts",
  "QueryRoot.codeDiscountNodeByCode": "read_discounts",
  "QueryRoot.discountRedeemCodeBulkCreation": "read_discounts",
  "Order.customer": "read_customers",
  "Refund.order": "read_orders",
  "Customer.orders": "read_orders",
  "Customer.lastOrder": "read_orders",
  "CustomerSegmentMember.lastOrderId": "read_orders",
  "Mutation.segmentCreate": "write_customers",
  "Mutation.segmentUpdate": "write_customers",
  "Mutation.segmentDelete": "write_customers",
  "Mutation.discountCodeBasicCreate": "write_discounts",
  "Mutation.discountCodeBasicUpdate": "write_discounts",
  "Mutation.discountCodeActivate": "write_discounts",
  "Mutation.discountCodeDeactivate": "write_discounts",
  "Mutation.discountRedeemCodeBulkAdd": "write_discounts",
  "Mutation.storeCreditAccountCredit": "write_store_credit_account_transactions",
  "Mutation.storeCreditAccountDebit": "write_store_credit_account_transactions",
  "QueryRoot.storeCreditAccount": "read_store_credit_accounts",
  "Customer.storeCreditAccounts": "read_store_credit_accounts",
  "StoreCreditAccountCreditTransaction.account": "read_store_credit_accounts",
  "StoreCreditAccountDebitTransaction.account": "read_store_credit_accounts",
  "StoreCreditAccountExpirationTransaction.account": "read_store_credit_accounts",
  "StoreCreditAccountCreditTransaction.origin": "read_orders",
  "StoreCreditAccountDebitTransaction.origin": "read_orders",
  "StoreCreditAccountExpirationTransaction.origin": "read_orders",
  "StoreCreditAccount.transactions": "read_store_credit_account_transactions",
  "StoreCreditAccount.owner": "read_customers",
  "Mutation.giftCardCreate": "write_gift_cards",
  "Mutation.giftCardDeactivate": "write_gift_cards",
  "Mutation.giftCardSendNotificationToCustomer": "write_gift_cards",
  "Mutation.giftCardSendNotificationToRecipient": "write_gift_cards",
  "QueryRoot.giftCard": "read_gift_cards",
  "QueryRoot.giftCards": "read_gift_cards",
  "QueryRoot.giftCardsCount": "read_gift_cards",
  "QueryRoot.giftCardConfiguration": "read_gift_cards",
  "GiftCard.customer": "read_customers",
  "GiftCard.order": "read_orders",
  "GiftCard.transactions": "read_gift_card_transactions",
  "GiftCardRecipient.recipient": "read_customers",
  "QueryRoot.product": "read_products",
  "QueryRoot.products": "read_products",
  "QueryRoot.productVariant": "read_products",
  "LineItem.product": "read_products",
  "LineItem.variant": "read_products",
};

/** What reading a node of each type needs (node, nodes). */
const READ_SCOPE_OF_TYPE: Record<string, string> = {
  Customer: "read_customers",
  Order: "read_orders",
  Refund: "read_orders",
  Segment: "read_customers",
  DiscountCodeNode: "read_discounts",
  StoreCreditAccount: "read_store_credit_accounts",
  StoreCreditAccountCreditTransaction: "read_store_credit_account_transactions",
  StoreCreditAccountDebitTransaction: "read_store_credit_account_transactions",
  GiftCard: "read_gift_cards",
  Product: "read_products",
  ProductVariant: "read_products",
};

/** What changing a resource of each type needs (tagsAdd/tagsRemove, metafieldsSet/metafieldsDelete on its owner). */
const WRITE_SCOPE_OF_TYPE: Record<string, string> = {
  Customer: "write_customers",
  Order: "write_orders",
  DraftOrder: "write_draft_orders",
  Product: "write_products",
  Article: "write_content",
};

export function readScopeOfId(id: string): string | null {
  const type = parseGid(id)?.type;
  return type ? (READ_SCOPE_OF_TYPE[type] ?? null) : null;
}

export function writeScopeOfId(id: string): string | null {
  const type = parseGid(id)?.type;
  return type ? (WRITE_SCOPE_OF_TYPE[type] ?? null) : null;
}

/** Types whose objects are protected customer data (level 1), by the object name Shopify's message uses. */
export const PROTECTED_TYPES: Record<string, string> = {
  Customer: "Customer",
  CustomerConnection: "Customer",
  CustomerSegmentMember: "Customer",
  CustomerSegmentMemberConnection: "Customer",
  Order: "Order",
  OrderConnection: "Order",
  Refund: "Order",
  // StoreCreditAccount.owner: a Customer (the local Shopify has no company locations).
  HasStoreCreditAccounts: "Customer",
};

/** Protected customer fields (level 2), by "Parent.field". */
export const PROTECTED_FIELD_OF: Record<string, ProtectedField> = {
  "Customer.firstName": "name",
  "Customer.lastName": "name",
  "Customer.displayName": "name",
  "Customer.email": "email",
  "Customer.defaultEmailAddress": "email",
  "Customer.phone": "phone",
  "Customer.defaultPhoneNumber": "phone",
  "Customer.defaultAddress": "address",
  "Customer.addresses": "address",
  "Customer.addressesV2": "address",
  "CustomerSegmentMember.firstName": "name",
  "CustomerSegmentMember.lastName": "name",
  "CustomerSegmentMember.displayName": "name",
  "CustomerSegmentMember.defaultEmailAddress": "email",
  "CustomerSegmentMember.defaultPhoneNumber": "phone",
  "CustomerSegmentMember.defaultAddress": "address",
  "Order.email": "email",
  "Order.phone": "phone",
  "Order.billingAddress": "address",
  "Order.shippingAddress": "address",
};

/** Webhook topics and what a subscription to them needs: a scope, and whether the payload is customer data. */
export const TOPIC_ACCESS: Record<string, { scope: string; customerData: boolean }> = {
  "orders/create": { scope: "read_orders", customerData: true },
  "orders/updated": { scope: "read_orders", customerData: true },
  "orders/paid": { scope: "read_orders", customerData: true },
  "orders/cancelled": { scope: "read_orders", customerData: true },
  "orders/delete": { scope: "read_orders", customerData: true },
  "refunds/create": { scope: "read_orders", customerData: true },
  "customers/create": { scope: "read_customers", customerData: true },
  "customers/update": { scope: "read_customers", customerData: true },
  "customers/delete": { scope: "read_customers", customerData: true },
  "customers_email_marketing_consent/update": { scope: "read_customers", customerData: true },
  "products/create": { scope: "read_products", customerData: false },
  "products/update": { scope: "read_products", customerData: false },
  "products/delete": { scope: "read_products", customerData: false },
};
