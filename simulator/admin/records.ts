// Records the simulator keeps beyond the shop-file types: metafields, definitions, segments, discounts, bulk ops.
import type { MoneyV2 } from "../shop-file/types";

export interface MetafieldRecord {
  __typename: "Metafield";
  id: string;
  ownerId: string;
  ownerType: string; // MetafieldOwnerType enum value
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * A product of the shop, as far as the simulator needs one: what a product reference points at (metafieldsSet checks
 * that it exists) and what the storefront's Liquid shows of it (title, url from the handle, featured image). Only an
 * ACTIVE product is on the storefront.
 */
export interface ProductRecord {
  __typename: "Product";
  id: string; // gid://shopify/Product/123
  title: string;
  handle: string;
  status: "ACTIVE" | "ARCHIVED" | "DRAFT";
  productType: string;
  vendor: string;
  featuredImage: { url: string; altText: string | null; width: number; height: number } | null;
  createdAt: string;
  updatedAt: string;
}

export interface MetafieldDefinitionRecord {
  __typename: "MetafieldDefinition";
  id: string;
  name: string;
  namespace: string;
  key: string;
  ownerType: string;
  type: string;
  description: string | null;
  access: { admin: string | null; storefront: string | null; customerAccount: string | null };
  createdAt: string;
}

export interface SegmentRecord {
  __typename: "Segment";
  id: string;
  name: string;
  query: string;
  creationDate: string;
  lastEditDate: string;
}

export interface RedeemCodeRecord {
  id: string; // gid://shopify/DiscountRedeemCode/…
  code: string;
  asyncUsageCount: number;
  /** Customers who placed an order with this code (checkout.ts), for "once per customer". */
  usedBy?: string[];
}

/** What a discount takes off: an amount off the order (ORDER class) or free shipping (SHIPPING class). */
export type DiscountValue =
  | { kind: "percentage"; percentage: number }
  | { kind: "amount"; amount: MoneyV2; appliesOnEachItem: boolean }
  /** Shipping rates up to maximumShippingPrice (any rate when null) become free; destinations are all countries. */
  | { kind: "freeShipping"; maximumShippingPrice: MoneyV2 | null };

export type DiscountBuyers =
  | { kind: "all" }
  | { kind: "customers"; ids: string[] }
  | { kind: "segments"; ids: string[] };

/** Code discounts are redeemed by entering a code; automatic discounts apply by themselves to the buyers they allow. */
export type DiscountMethod = "code" | "automatic";

export interface DiscountRecord {
  /**
   * gid://shopify/DiscountCodeNode/… (method "code") or gid://shopify/DiscountAutomaticNode/… ("automatic"). Code and
   * automatic discounts share one numeric id space, as Shopify's do: DiscountNode/N names the same discount.
   */
  id: string;
  method: DiscountMethod;
  title: string;
  /** A code discount's redeem codes; always empty for an automatic discount. */
  codes: RedeemCodeRecord[];
  startsAt: string;
  endsAt: string | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  value: DiscountValue;
  buyers: DiscountBuyers;
  combinesWith: { orderDiscounts: boolean; productDiscounts: boolean; shippingDiscounts: boolean };
  minimumSubtotal: MoneyV2 | null;
  /** Minimum number of items (UnsignedInt64 as a decimal string); never set together with minimumSubtotal. */
  minimumQuantity: string | null;
  appliesOnOneTimePurchase: boolean;
  appliesOnSubscription: boolean;
  tags: string[];
  /** Orders an automatic discount applied to (a code discount counts on each redeem code instead). */
  automaticUsageCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface RedeemCodeBulkCreationRecord {
  id: string;
  discountId: string;
  createdAt: string;
  /** Shopify adds codes asynchronously: the mutation's answer says not done; a later read of the creation says done. */
  done: boolean;
  results: {
    code: string;
    redeemCodeId: string | null;
    errors: { field: string[] | null; message: string; code: string | null }[];
  }[];
}

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";

export interface BulkOperationRecord {
  __typename: "BulkOperation";
  id: string;
  type: "QUERY" | "MUTATION";
  status: BulkStatus;
  query: string;
  createdAt: string;
  completedAt: string | null;
  objectCount: string; // UnsignedInt64 is serialised as a string
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
}

export interface AccessTokenRecord {
  token: string;
  shop: string;
  scope: string;
  online: boolean;
  userId: number | null;
  expiresAt: number | null; // epoch ms
  refreshToken: string | null;
}

/**
 * A store credit account: one owner (a customer; the simulator has no company locations), one currency, a balance
 * (https://shopify.dev/docs/api/admin-graphql/2026-04/objects/StoreCreditAccount). The balance is kept as Shopify
 * prints a Decimal ("7.23", "2.0").
 */
export interface StoreCreditAccountRecord {
  __typename: "StoreCreditAccount";
  id: string; // gid://shopify/StoreCreditAccount/…
  ownerId: string; // gid://shopify/Customer/…
  currencyCode: string;
  balance: string;
  createdAt: string;
}

/**
 * One movement of a store credit account. Credit and debit transactions are Nodes with ids of their own type sharing
 * one numeric sequence (gid://shopify/StoreCreditAccountCreditTransaction/N, …DebitTransaction/N+1, as Shopify's);
 * an expiration transaction is not a Node (its id here only orders pages).
 */
export interface StoreCreditTransactionRecord {
  __typename:
    | "StoreCreditAccountCreditTransaction"
    | "StoreCreditAccountDebitTransaction"
    | "StoreCreditAccountExpirationTransaction";
  id: string;
  accountId: string;
  /** Signed, as Shopify shows it: a debit or an expiration is negative ("-2.22"). */
  amount: string;
  balanceAfter: string;
  createdAt: string;
  /** Credits only: when what is left of the credit expires (null: never). */
  expiresAt: string | null;
  /** Credits only: what debits have not spent yet; it stays as it was when the credit expired. */
  remainingAmount: string | null;
  /** Expiration transactions: the credit that expired. */
  creditTransactionId: string | null;
}

/** The recipient a gift card is addressed to (GiftCardRecipientInput). */
export interface GiftCardRecipientRecord {
  customerId: string;
  message: string | null;
  preferredName: string | null;
  sendNotificationAt: string | null;
}

/** A gift card issued through the Admin API (source api_client); its full code is in no field Shopify serves. */
export interface GiftCardRecord {
  __typename: "GiftCard";
  id: string; // gid://shopify/GiftCard/…
  /** Lower case, as Shopify stores it ("GCNVA16718242" comes back as "gcnva16718242"). */
  code: string;
  lastCharacters: string;
  maskedCode: string;
  initialValue: MoneyV2;
  balance: MoneyV2;
  customerId: string | null;
  recipient: GiftCardRecipientRecord | null;
  expiresOn: string | null;
  note: string | null;
  templateSuffix: string | null;
  enabled: boolean;
  deactivatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  source: "api_client";
}

/**
 * An email or SMS Shopify sends a customer on the app's behalf, recorded so tests can see it went (or did not):
 * - store_credit_issued: storeCreditAccountCredit with notify: true ("the account owner will receive a "store credit
 *   issued" email notification", https://shopify.dev/changelog/store-credit-notify-flag);
 * - gift_card: a gift card's code sent to its customer (giftCardSendNotificationToCustomer) or to its recipient
 *   (giftCardSendNotificationToRecipient, or scheduled by recipientAttributes.sendNotificationAt at creation);
 * - gift_card_purchase_confirmation: giftCardSendNotificationToCustomer on a card that has a recipient ("If the gift
 *   card has a designated recipient, a purchase confirmation is sent instead").
 */
export interface CustomerNotificationRecord {
  template: "store_credit_issued" | "gift_card" | "gift_card_purchase_confirmation";
  customerId: string;
  channel: "email" | "sms";
  /** The address or phone number it goes to. */
  to: string;
  /** The StoreCreditAccountCreditTransaction or GiftCard it is about. */
  subjectId: string;
  /** When Shopify sends it: now, or a recipient's scheduled sendNotificationAt. */
  sendAt: string;
  recordedAt: string;
}
