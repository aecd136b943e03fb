// Every GraphQL document the app sends to Shopify. Each is tagged #graphql and checked against the real Admin schema
// by tests/integration/gateway-documents.test.ts; no GraphQL lives anywhere else.

/** The shop's settings the ledger and the scoring need: money is in its currency, days are in its time zone. */
export const SHOP_QUERY = `#graphql
  query ShopSettings {
    shop {
      name
      currencyCode
      ianaTimezone
      primaryDomain {
        localization {
          defaultLocale
        }
      }
    }
  }
`;

/** What the ledger keeps of a customer (bulk-records.ts customerFromBulk reads it), the same in every query. */
const LEDGER_CUSTOMER_FIELDS = `
  id
  firstName
  lastName
  defaultEmailAddress {
    emailAddress
  }
  locale
  createdAt
  updatedAt
`;

/**
 * One page of customers, oldest id first (reconciliation walks it with paging.ts). Same fields as the bulk query, so
 * one normaliser reads both; `defaultEmailAddress` rather than `email`, which 2026-04 deprecates.
 */
export const CUSTOMERS_PAGE_QUERY = `#graphql
  query CustomersPage($first: Int!, $after: String) {
    customers(first: $first, after: $after, sortKey: ID) {
      nodes {${LEDGER_CUSTOMER_FIELDS}      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/**
 * One customer as the ledger keeps them: re-read when two versions of the same second differ (customer-refresh job).
 */
export const CUSTOMER_QUERY = `#graphql
  query LedgerCustomer($id: ID!) {
    customer(id: $id) {${LEDGER_CUSTOMER_FIELDS}    }
  }
`;

/** Backfill: every customer of the shop, one JSONL line each. */
export const BACKFILL_CUSTOMERS_BULK_QUERY = `#graphql
  query BackfillCustomers {
    customers {
      edges {
        node {${LEDGER_CUSTOMER_FIELDS}        }
      }
    }
  }
`;

/** What the ledger keeps of an order: the backfill and reconciliation read the same fields (bulk-records.ts). */
const LEDGER_ORDER_FIELDS = `
          id
          name
          processedAt
          createdAt
          updatedAt
          cancelledAt
          test
          customer {
            id
          }
          currentTotalPriceSet {
            shopMoney {
              amount
              currencyCode
            }
          }
          discountCodes
          currentTotalDiscountsSet {
            shopMoney {
              amount
              currencyCode
            }
          }
          refunds {
            id
            createdAt
            processedAt
            totalRefundedSet {
              shopMoney {
                amount
                currencyCode
              }
            }
          }
`;

/**
 * What the ledger keeps of a line item (bulk-records.ts lineFromBulk): the amount is quantity × the unit price before
 * discounts less the discounts allocated to the line (order-level ones included), as the REST bodies give it.
 */
const LEDGER_LINE_FIELDS = `
                id
                title
                variantTitle
                vendor
                sku
                quantity
                isGiftCard
                originalUnitPriceSet {
                  shopMoney {
                    amount
                    currencyCode
                  }
                }
                discountAllocations {
                  allocatedAmountSet {
                    shopMoney {
                      amount
                      currencyCode
                    }
                  }
                }
`;

/**
 * Backfill: every order with what the ledger keeps. `refunds` is a list ([Refund!]!), not a connection, so each
 * order's refunds come inline on the order's own line; `customer` is an object, so only its id is inline too.
 * (Orders older than 60 days need the read_all_orders scope.)
 */
export const BACKFILL_ORDERS_BULK_QUERY = `#graphql
  query BackfillOrders {
    orders {
      edges {
        node {${LEDGER_ORDER_FIELDS}
          lineItems {
            edges {
              node {${LEDGER_LINE_FIELDS}
                product {
                  id
                }
                variant {
                  id
                }
              }
            }
          }
        }
      }
    }
  }
`;

/**
 * The same without the lines' product and variant, which need read_products: an installation without it reads its
 * lines without their product (docs/rules.md#line-items-and-products).
 */
export const BACKFILL_ORDERS_WITHOUT_PRODUCTS_BULK_QUERY = `#graphql
  query BackfillOrdersWithoutProducts {
    orders {
      edges {
        node {${LEDGER_ORDER_FIELDS}
          lineItems {
            edges {
              node {${LEDGER_LINE_FIELDS}              }
            }
          }
        }
      }
    }
  }
`;

/**
 * Backfill, products phase: the catalogue (needs read_products; a shop without it has the phase wait, parked like other
 * features). Product types and vendors are what the ledger's line items are read with.
 */
export const BACKFILL_PRODUCTS_BULK_QUERY = `#graphql
  query BackfillProducts {
    products {
      edges {
        node {
          id
          title
          handle
          productType
          vendor
          status
          updatedAt
        }
      }
    }
  }
`;

/**
 * One product as the ledger keeps it (the products import's fields): re-read when two versions of the same second
 * differ (product-refresh job). Needs read_products.
 */
export const PRODUCT_QUERY = `#graphql
  query LedgerProduct($id: ID!) {
    product(id: $id) {
      id
      title
      handle
      productType
      vendor
      status
      updatedAt
    }
  }
`;

const REFUND_LINE_FIELDS = `
            id
            quantity
            lineItem {
              id
            }
            subtotalSet {
              shopMoney {
                amount
                currencyCode
              }
            }
`;

/**
 * Refunded lines of refunds the backfill read (25 refunds by id, 30 lines each: a query within Shopify's cost limit). A bulk query cannot read them: Order.refunds
 * is a list, and Shopify's bulk operations take no connection (Refund.refundLineItems) inside a list field.
 */
export const REFUND_LINES_QUERY = `#graphql
  query RefundLines($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Refund {
        id
        refundLineItems(first: 30) {
          nodes {${REFUND_LINE_FIELDS}          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  }
`;

/** The rest of one refund's refunded lines, when it has more than REFUND_LINES_QUERY reads for each. */
export const REFUND_LINES_PAGE_QUERY = `#graphql
  query RefundLinesPage($id: ID!, $after: String) {
    refund(id: $id) {
      id
      refundLineItems(first: 250, after: $after) {
        nodes {${REFUND_LINE_FIELDS}        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

export const BULK_OPERATION_RUN_QUERY_MUTATION = `#graphql
  mutation BulkOperationRunQuery($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const BULK_OPERATION_RUN_MUTATION_MUTATION = `#graphql
  mutation BulkOperationRunMutation($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
    bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** A bulk operation's progress and, once it is over, where its result is. */
export const BULK_OPERATION_QUERY = `#graphql
  query BulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) {
      id
      type
      status
      errorCode
      objectCount
      rootObjectCount
      fileSize
      url
      partialDataUrl
      createdAt
      completedAt
    }
  }
`;

/** Where to upload the JSONL of variables a bulk mutation reads. */
export const STAGED_UPLOADS_CREATE_MUTATION = `#graphql
  mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
    stagedUploadsCreate(input: $input) {
      stagedTargets {
        url
        resourceUrl
        parameters {
          name
          value
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Adds tags to a customer (or any taggable resource); sync sends only the app's own prefixed tags. */
export const TAGS_ADD_MUTATION = `#graphql
  mutation TagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Removes tags the app added earlier (it never removes a tag it did not add). */
export const TAGS_REMOVE_MUTATION = `#graphql
  mutation TagsRemove($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/**
 * Reconciliation: Shopify's own lifetime figures per customer, oldest id first. A customer whose figures differ
 * from the ledger's has their orders re-read (CUSTOMER_ORDERS_QUERY).
 */
export const RECONCILE_CUSTOMERS_QUERY = `#graphql
  query ReconcileCustomers($first: Int!, $after: String) {
    customers(first: $first, after: $after, sortKey: ID) {
      nodes {
        id
        numberOfOrders
        amountSpent {
          amount
          currencyCode
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/** One customer's orders with what the ledger keeps (the same fields as the backfill's orders). */
export const CUSTOMER_ORDERS_QUERY = `#graphql
  query CustomerOrders($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, query: $query, sortKey: ID) {
      nodes {
${LEDGER_ORDER_FIELDS}      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/**
 * Up to 250 orders by id, read directly (not through search): how reconciliation tells an order Shopify deleted (null)
 * from one its lagging search index has not returned yet. Same fields as the backfill's orders.
 */
export const ORDERS_BY_ID_QUERY = `#graphql
  query OrdersById($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Order {
${LEDGER_ORDER_FIELDS}      }
    }
  }
`;

/** At most this many ids in one `nodes(ids:)` read (Shopify's limit). */
export const NODES_PER_READ = 250;

/** The tags of up to 250 customers by id: what the sync reads before it first writes a customer's tags. */
export const CUSTOMER_TAGS_QUERY = `#graphql
  query CustomerTags($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Customer {
        id
        tags
      }
    }
  }
`;

// ---- Tier segments and discount codes (app/services/tier-segments.server.ts) ----------------------------------

/** A customer segment per tier; the query selects the tier's tag. */
export const SEGMENT_CREATE_MUTATION = `#graphql
  mutation SegmentCreate($name: String!, $query: String!) {
    segmentCreate(name: $name, query: $query) {
      segment {
        id
        name
        query
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/**
 * The shop's segments, to find one by name: a create whose answer was lost (the process killed, the connection
 * dropped) made the segment, and the retry is told its name is taken.
 */
export const SEGMENTS_QUERY = `#graphql
  query Segments($first: Int!, $after: String) {
    segments(first: $first, after: $after) {
      nodes {
        id
        name
        query
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const SEGMENT_UPDATE_MUTATION = `#graphql
  mutation SegmentUpdate($id: ID!, $name: String, $query: String) {
    segmentUpdate(id: $id, name: $name, query: $query) {
      segment {
        id
        name
        query
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const SEGMENT_DELETE_MUTATION = `#graphql
  mutation SegmentDelete($id: ID!) {
    segmentDelete(id: $id) {
      deletedSegmentId
      userErrors {
        field
        message
      }
    }
  }
`;

/** The tier's discount code, limited to the tier's segment (context.customerSegments). */
export const DISCOUNT_CODE_BASIC_CREATE_MUTATION = `#graphql
  mutation DiscountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_CODE_BASIC_UPDATE_MUTATION = `#graphql
  mutation DiscountCodeBasicUpdate($id: ID!, $basicCodeDiscount: DiscountCodeBasicInput!) {
    discountCodeBasicUpdate(id: $id, basicCodeDiscount: $basicCodeDiscount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_CODE_DEACTIVATE_MUTATION = `#graphql
  mutation DiscountCodeDeactivate($id: ID!) {
    discountCodeDeactivate(id: $id) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_CODE_ACTIVATE_MUTATION = `#graphql
  mutation DiscountCodeActivate($id: ID!) {
    discountCodeActivate(id: $id) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** One customer's tier metafields (a bulk mutation's one line; the paced sync aliases metafieldsSet instead). */
// ---- Campaign codes (app/services/campaign-delivery.server.ts) ----------------------------------------------------
// Tier perks (services/tier-discounts.server.ts): per tier, a percentage off and free shipping, automatic or as a code,
// limited to the tier's segment; deleted when the perk or the tier goes.

export const DISCOUNT_AUTOMATIC_BASIC_CREATE_MUTATION = `#graphql
  mutation DiscountAutomaticBasicCreate($automaticBasicDiscount: DiscountAutomaticBasicInput!) {
    discountAutomaticBasicCreate(automaticBasicDiscount: $automaticBasicDiscount) {
      automaticDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_AUTOMATIC_BASIC_UPDATE_MUTATION = `#graphql
  mutation DiscountAutomaticBasicUpdate($id: ID!, $automaticBasicDiscount: DiscountAutomaticBasicInput!) {
    discountAutomaticBasicUpdate(id: $id, automaticBasicDiscount: $automaticBasicDiscount) {
      automaticDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_AUTOMATIC_FREE_SHIPPING_CREATE_MUTATION = `#graphql
  mutation DiscountAutomaticFreeShippingCreate($freeShippingAutomaticDiscount: DiscountAutomaticFreeShippingInput!) {
    discountAutomaticFreeShippingCreate(freeShippingAutomaticDiscount: $freeShippingAutomaticDiscount) {
      automaticDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_AUTOMATIC_FREE_SHIPPING_UPDATE_MUTATION = `#graphql
  mutation DiscountAutomaticFreeShippingUpdate($id: ID!, $freeShippingAutomaticDiscount: DiscountAutomaticFreeShippingInput!) {
    discountAutomaticFreeShippingUpdate(id: $id, freeShippingAutomaticDiscount: $freeShippingAutomaticDiscount) {
      automaticDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_AUTOMATIC_DELETE_MUTATION = `#graphql
  mutation DiscountAutomaticDelete($id: ID!) {
    discountAutomaticDelete(id: $id) {
      deletedAutomaticDiscountId
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_CODE_FREE_SHIPPING_CREATE_MUTATION = `#graphql
  mutation DiscountCodeFreeShippingCreate($freeShippingCodeDiscount: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: $freeShippingCodeDiscount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_CODE_FREE_SHIPPING_UPDATE_MUTATION = `#graphql
  mutation DiscountCodeFreeShippingUpdate($id: ID!, $freeShippingCodeDiscount: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingUpdate(id: $id, freeShippingCodeDiscount: $freeShippingCodeDiscount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_CODE_DELETE_MUTATION = `#graphql
  mutation DiscountCodeDelete($id: ID!) {
    discountCodeDelete(id: $id) {
      deletedCodeDiscountId
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Discounts with a title (a tier discount whose create answer was lost is found by its title). */
export const DISCOUNTS_BY_TITLE_QUERY = `#graphql
  query DiscountsByTitle($query: String!) {
    discountNodes(first: 10, query: $query) {
      nodes {
        id
        discount {
          __typename
          ... on DiscountAutomaticBasic {
            title
          }
          ... on DiscountAutomaticFreeShipping {
            title
          }
          ... on DiscountCodeBasic {
            title
          }
          ... on DiscountCodeFreeShipping {
            title
          }
        }
      }
    }
  }
`;

// A batch of recipients gets one basic code discount limited to them (DISCOUNT_CODE_BASIC_CREATE_MUTATION, with the
// first recipient's code), then the rest of their codes added to it. Adding is asynchronous: the answer names a bulk
// creation, read until `done` for each code's outcome.

/** At most this many codes per discountRedeemCodeBulkAdd call (Shopify's limit). */
export const REDEEM_CODES_PER_CALL = 250;

export const DISCOUNT_REDEEM_CODE_BULK_ADD_MUTATION = `#graphql
  mutation DiscountRedeemCodeBulkAdd($discountId: ID!, $codes: [DiscountRedeemCodeInput!]!) {
    discountRedeemCodeBulkAdd(discountId: $discountId, codes: $codes) {
      bulkCreation {
        id
        done
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_REDEEM_CODE_BULK_CREATION_QUERY = `#graphql
  query DiscountRedeemCodeBulkCreation($id: ID!) {
    discountRedeemCodeBulkCreation(id: $id) {
      done
      codesCount
      importedCount
      failedCount
      codes(first: 250) {
        nodes {
          code
          discountRedeemCode {
            id
          }
          errors {
            code
            message
          }
        }
      }
    }
  }
`;

/** Which discount a code belongs to (null: none): how a rerun tells a code it already created from a taken one. */
export const CODE_DISCOUNT_BY_CODE_QUERY = `#graphql
  query CodeDiscountByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
    }
  }
`;

/** A code discount by its code, with its title: a tier code whose create answer was lost is recognised by both. */
export const TIER_DISCOUNT_BY_CODE_QUERY = `#graphql
  query TierDiscountByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
      codeDiscount {
        ... on DiscountCodeBasic {
          title
        }
        ... on DiscountCodeFreeShipping {
          title
        }
      }
    }
  }
`;

export const METAFIELDS_SET_MUTATION = `#graphql
  mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      userErrors {
        field
        message
        code
        elementIndex
      }
    }
  }
`;

export const METAFIELDS_DELETE_MUTATION = `#graphql
  mutation MetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      userErrors {
        field
        message
      }
    }
  }
`;

/**
 * Shopify's own view of every customer: its RFM group and predicted spend tier (Customer.statistics, read with
 * read_customers), read in one bulk query after backfill and daily (services/shopify-stats.server.ts).
 */
export const CUSTOMER_STATISTICS_BULK_QUERY = `#graphql
  query CustomerStatisticsBulk {
    customers {
      edges {
        node {
          id
          statistics {
            rfmGroup
            predictedSpendTier
          }
        }
      }
    }
  }
`;

/** Every customer's tags, for a sync large enough to go through bulk operations (instead of `nodes` 250 at a time). */
export const SYNC_CUSTOMER_TAGS_BULK_QUERY = `#graphql
  query SyncCustomerTagsBulk {
    customers {
      edges {
        node {
          id
          tags
        }
      }
    }
  }
`;

// ---- The sync's batched mutation -------------------------------------------------------------------------------
// Shopify has no multi-customer tag mutation, so the sync sends many aliased mutations in one request. The document
// is built from the four parts below for a given number of each (SyncMutationShape); tests/integration/
// gateway-documents.test.ts validates built documents of several shapes against the schema.

/** How many of each mutation one sync request carries. Shopify charges 10 points per mutation field. */
export interface SyncMutationShape {
  tagsAdd: number;
  tagsRemove: number;
  metafieldsSet: number;
  metafieldsDelete: number;
}

/** At most this many mutation fields in one request: 10 points each, within the single-query limit of 1000. */
export const SYNC_MUTATION_FIELDS_MAX = 100;

const USER_ERRORS = "userErrors { field message }";

/**
 * The aliased sync mutation for `shape`. Aliases and variables are numbered per kind: `add3: tagsAdd(id: $addId3,
 * tags: $addTags3)`, `remove0`, `set1: metafieldsSet(metafields: $set1)`, `delete0: metafieldsDelete(metafields: $delete0)`.
 */
export function syncCustomersMutation(shape: SyncMutationShape): string {
  const fields = shape.tagsAdd + shape.tagsRemove + shape.metafieldsSet + shape.metafieldsDelete;
  if (fields === 0 || fields > SYNC_MUTATION_FIELDS_MAX)
    throw new RangeError(`a sync request carries 1–${SYNC_MUTATION_FIELDS_MAX} mutations, not ${fields}`);
  const variables: string[] = [];
  const selections: string[] = [];
  for (let i = 0; i < shape.tagsAdd; i++) {
    variables.push(`$addId${i}: ID!`, `$addTags${i}: [String!]!`);
    selections.push(`add${i}: tagsAdd(id: $addId${i}, tags: $addTags${i}) { ${USER_ERRORS} }`);
  }
  for (let i = 0; i < shape.tagsRemove; i++) {
    variables.push(`$removeId${i}: ID!`, `$removeTags${i}: [String!]!`);
    selections.push(`remove${i}: tagsRemove(id: $removeId${i}, tags: $removeTags${i}) { ${USER_ERRORS} }`);
  }
  for (let i = 0; i < shape.metafieldsSet; i++) {
    variables.push(`$set${i}: [MetafieldsSetInput!]!`);
    selections.push(`set${i}: metafieldsSet(metafields: $set${i}) { userErrors { field message code elementIndex } }`);
  }
  for (let i = 0; i < shape.metafieldsDelete; i++) {
    variables.push(`$delete${i}: [MetafieldIdentifierInput!]!`);
    selections.push(`delete${i}: metafieldsDelete(metafields: $delete${i}) { ${USER_ERRORS} }`);
  }
  // Built, not a literal: the gateway test counts the tagged literals against the exported documents.
  return [
    "#graphql",
    `  mutation SyncCustomers(${variables.join(", ")}) {\n    ${selections.join("\n    ")}\n  }\n`,
  ].join("\n");
}

/**
 * Flow triggers, many per request: `trigger0: flowTriggerReceive(handle: $handle0, payload: $payload0)`, … (10 points
 * each, so at most SYNC_MUTATION_FIELDS_MAX per request). Validated for several sizes in gateway-documents.test.ts.
 */
export function flowTriggersMutation(count: number): string {
  if (count < 1 || count > SYNC_MUTATION_FIELDS_MAX)
    throw new RangeError(`a request carries 1–${SYNC_MUTATION_FIELDS_MAX} triggers, not ${count}`);
  const variables: string[] = [];
  const selections: string[] = [];
  for (let i = 0; i < count; i++) {
    variables.push(`$handle${i}: String!`, `$payload${i}: JSON!`);
    selections.push(
      `trigger${i}: flowTriggerReceive(handle: $handle${i}, payload: $payload${i}) { userErrors { field message } }`,
    );
  }
  return [
    "#graphql",
    `  mutation FlowTriggers(${variables.join(", ")}) {\n    ${selections.join("\n    ")}\n  }\n`,
  ].join("\n");
}

// ---- Rewards (services/redemption.server.ts, docs/rules.md#points-redemption) ---------------------------------------
// Shopify offers no idempotency for storeCreditAccountCredit or giftCardCreate: a gift card is found again by the code
// the app chose (search lags), a store credit by the account's newest credit transactions.

/** Store credit for a redemption: on the customer (Shopify opens the account in that currency), with Shopify's email. */
export const STORE_CREDIT_CREDIT_MUTATION = `#graphql
  mutation RewardStoreCreditCredit($id: ID!, $creditInput: StoreCreditAccountCreditInput!) {
    storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
      storeCreditAccountTransaction {
        id
        createdAt
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/**
 * A customer's newest store credit credits in one currency (`accounts`: "currency_code:USD"): how recovery finds a
 * credit whose answer was lost. Sized under the single-query cost limit (1000).
 */
export const CUSTOMER_STORE_CREDITS_QUERY = `#graphql
  query RewardStoreCredits($id: ID!, $accounts: String!) {
    customer(id: $id) {
      storeCreditAccounts(first: 2, query: $accounts) {
        nodes {
          id
          transactions(first: 50, query: "type:credit", sortKey: CREATED_AT, reverse: true) {
            nodes {
              createdAt
              amount {
                amount
                currencyCode
              }
              ... on StoreCreditAccountCreditTransaction {
                id
                expiresAt
              }
            }
          }
        }
      }
    }
  }
`;

/** A gift card for a redemption, with the app's code and the customer. */
export const GIFT_CARD_CREATE_MUTATION = `#graphql
  mutation RewardGiftCardCreate($input: GiftCardCreateInput!) {
    giftCardCreate(input: $input) {
      giftCard {
        id
      }
      giftCardCode
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Shopify sends the card to its customer (creating it sends nothing). */
export const GIFT_CARD_NOTIFY_CUSTOMER_MUTATION = `#graphql
  mutation RewardGiftCardNotify($id: ID!) {
    giftCardSendNotificationToCustomer(id: $id) {
      giftCard {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Gift cards by code (a lagging search): how a card whose create answer was lost is found. */
export const GIFT_CARDS_BY_CODE_QUERY = `#graphql
  query RewardGiftCardsByCode($query: String!) {
    giftCards(first: 5, query: $query) {
      nodes {
        id
        lastCharacters
        customer {
          id
        }
      }
    }
  }
`;

/**
 * The birthday bonus: one page of customers, oldest id first, with the customer metafield the merchant chose for birth
 * dates (Shopify's standard one is `facts.birth_date`, a `date`). Read with read_customers.
 */
export const BIRTHDAY_METAFIELDS_QUERY = `#graphql
  query BirthdayMetafields($first: Int!, $after: String, $namespace: String!, $key: String!) {
    customers(first: $first, after: $after, sortKey: ID) {
      nodes {
        id
        metafield(namespace: $namespace, key: $key) {
          type
          value
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/**
 * Referrals' self-referral guard (docs/referrals.md): the referrer and the friend who ordered, with the email, phone
 * and default address compared, and the order's own email. Read with read_customers and read_orders; the phone and the
 * address only when asked ($phone, $address): they are protected customer data the app may not be approved for.
 */
export const REFERRAL_PEOPLE_QUERY = `#graphql
  query ReferralPeople($referrer: ID!, $friend: ID!, $order: ID!, $phone: Boolean!, $address: Boolean!) {
    referrer: customer(id: $referrer) {
      id
      defaultEmailAddress {
        emailAddress
      }
      defaultPhoneNumber @include(if: $phone) {
        phoneNumber
      }
      defaultAddress @include(if: $address) {
        address1
        zip
        countryCodeV2
      }
    }
    friend: customer(id: $friend) {
      id
      defaultEmailAddress {
        emailAddress
      }
      defaultPhoneNumber @include(if: $phone) {
        phoneNumber
      }
      defaultAddress @include(if: $address) {
        address1
        zip
        countryCodeV2
      }
    }
    order(id: $order) {
      id
      email
    }
  }
`;

/**
 * Whether customers accept email marketing now, and since when (a sign-up campaign for subscribers only reads it
 * before choosing; the Klaviyo sync records the time so a consent webhook older than it changes nothing).
 */
export const CUSTOMER_EMAIL_MARKETING_QUERY = `#graphql
  query CustomerEmailMarketing($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Customer {
        id
        defaultEmailAddress {
          marketingState
          marketingUpdatedAt
        }
      }
    }
  }
`;
