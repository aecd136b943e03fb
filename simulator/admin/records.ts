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
