// Gift cards: giftCardCreate, giftCardDeactivate, giftCardSendNotificationToCustomer / …ToRecipient, giftCard(id:),
// giftCards(query:), giftCardsCount and giftCardConfiguration, as the 2026-04 schema types them and Shopify answers.
//
// Documented (schema descriptions, https://shopify.dev/docs/api/admin-graphql/2026-04/mutations/giftCardCreate and the
// input objects): a code "must be 8-20 characters long and contain only letters(a-z) and numbers(0-9). It isn't case
// sensitive. If not provided, then a random code will be generated" (16 characters); the full code is only in the
// create payload (giftCardCode), a GiftCard shows lastCharacters and maskedCode; customerId and recipientAttributes.id
// "Require `write_customers` access_scope" (access.ts via resolvers/index.ts); "After a gift card is deactivated, it
// can't be used for further purchases or re-enabled"; a recipient's sendNotificationAt is "The scheduled datetime on
// which the gift card will be sent to the recipient"; manual issuing is limited to $2,000 USD "(or equivalent in global
// currencies)" (https://shopify.dev/changelog/update-new-maximum-value-for-gift-cards), read as
// giftCardConfiguration.issueLimit. Scopes: read_gift_cards / write_gift_cards (schema requiredAccess).
//
// Answered as recorded from the real 2026-04 Admin API (github.com/airhorns/shopify-draft-proxy fixtures/conformance/
// harry-test-heelo.myshopify.com/2026-04/gift-cards/gift-card-create-validation.json, gift-card-recipient-validation
// .json, gift-card-notification-validation.json, and 2025-01/gift-cards/gift-card-create-initial-value-limit.json,
// gift-card-lifecycle.json): one userError at a time, customer before code; messages and codes as below (a taken code
// has code null); the code comes back lower-cased; maskedCode "•••• •••• •••• yteu"; amounts "10.0"; a new card has no
// transactions; an expiresOn in the past is accepted (the card is simply expired); a recipient's preferredName over 255
// or message over 200 characters and a malformed Customer id are errors of the whole field, not userErrors; the issue
// limit of a CAD shop is 3000.0 CAD ("can't exceed $3,000.00 CAD"; the simulator writes it in the shop's money format
// with currency). Codes are compared without spaces and dashes, as the same project observed.
//
// Notifications (ShopState.customerNotifications): Shopify documents that giftCardSendNotificationToCustomer /
// …ToRecipient send the card, and that a recipient's sendNotificationAt schedules it. It does not document that
// giftCardCreate with a customerId emails the customer (the admin asks the merchant to "Send gift card" as a separate
// step), so the local Shopify records nothing for it: an app that wants the shopper to receive the code calls
// giftCardSendNotificationToCustomer (or shows the code itself). Without a sendNotificationAt, a recipient is not
// notified at creation either (undocumented).
//
// Idempotency: none for these mutations (idempotency.ts). An app that must not issue a card twice chooses the code
// itself (kept before calling): a retry with the same code is refused ("Code has already been taken") and the card is
// found with giftCards(query: "<code>"), a free-text search of codes; search lags behind like Shopify's
// (search-index.ts), giftCard(id:) does not. The note is not searchable (not a documented filter).
//
// Not simulated (SIMULATOR_NOT_IMPLEMENTED): giftCardUpdate, giftCardCredit, giftCardDebit (absent resolvers),
// savedSearchId, the sort keys other than ID, CREATED_AT, UPDATED_AT, INITIAL_VALUE, BALANCE, status:expiring,
// initial values with more than two decimals, and @idempotent on these mutations.
import { type GraphQLResolveInfo, GraphQLError } from "graphql";
import type { CustomerRecord } from "../../shop-file/types";
import { formatMoney, shopMoneyFormats } from "../../storefront/money-format";
import { isoAt } from "../clock";
import type { ResolverContext, ResolverMap } from "../context";
import { byIdThen, connectionObject, paginate, type ConnectionArgs } from "../connection";
import { contactOf, recordNotification } from "../customer-notifications";
import { decimalInput, decimalPlaces, isPositive, shopifyDecimal } from "../decimal-text";
import { numericId, parseGid } from "../gid";
import { refuseUndocumentedIdempotency } from "../idempotency";
import { compareAmounts, money } from "../money";
import type { GiftCardRecipientRecord, GiftCardRecord } from "../records";
import { searchFilter, type SearchSpec } from "../search-query";
import { notImplemented, shopifyError } from "../shopify-error";
import type { ShopState } from "../store";

/**
 * Shopify's limits per currency where known: USD from the changelog above ($2,000 issue, $10,000 purchase), CAD as
 * recorded (3000.0 / 14000.0). Other currencies: unknown ("or equivalent"); the issue limit is then not checked unless a
 * test sets ShopState.giftCardIssueLimit, and giftCardConfiguration is not answered.
 */
const LIMITS: Record<string, { issue: string; purchase: string }> = {
  USD: { issue: "2000", purchase: "10000" },
  CAD: { issue: "3000", purchase: "14000" },
};

const CODE_MIN = 8;
const CODE_MAX = 20;
const GENERATED_CODE_LENGTH = 16;
const PREFERRED_NAME_MAX = 255;
const MESSAGE_MAX = 200;
const SEND_WINDOW_DAYS = 90;
const DAY_MS = 86_400_000;

type UserError = { field: string[] | null; message: string; code: string | null };
const userError = (field: string[] | null, message: string, code: string | null): UserError => ({
  field,
  message,
  code,
});

interface RecipientInput {
  id: string;
  message?: string | null;
  preferredName?: string | null;
  sendNotificationAt?: string | null;
}

interface GiftCardCreateInput {
  initialValue: string | number;
  code?: string | null;
  customerId?: string | null;
  expiresOn?: string | null;
  note?: string | null;
  recipientAttributes?: RecipientInput | null;
  templateSuffix?: string | null;
}

// ---- helpers -----------------------------------------------------------------------------------------------------

function issueLimit(shop: ShopState): string | null {
  return shop.giftCardIssueLimit ?? LIMITS[shop.record.currencyCode]?.issue ?? null;
}

/** The shop's calendar day now (expiresOn is a date in the shop's time zone). */
function shopToday(shop: ShopState, now: number): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: shop.record.ianaTimezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(now));
}

function isExpired(shop: ShopState, card: GiftCardRecord, now: number): boolean {
  return card.expiresOn !== null && card.expiresOn < shopToday(shop, now);
}

/** A Customer id Shopify can look up, or the top-level error it answers for a malformed one. */
function checkCustomerId(id: string): void {
  const parsed = parseGid(id);
  if (parsed?.type !== "Customer" || !/^\d+$/.test(parsed.id))
    throw shopifyError(`Invalid id: ${id}`, { code: "RESOURCE_NOT_FOUND" });
}

function tooLong(info: GraphQLResolveInfo, message: string): GraphQLError {
  const field = info.fieldNodes[0];
  const input = field.arguments?.find((a) => a.name.value === "input");
  return new GraphQLError(message, {
    nodes: input ? [field, input] : [field],
    extensions: { code: "INVALID_FIELD_ARGUMENTS" },
  });
}

const HTML_TAG = /<[^>]*>/;

function normaliseCode(code: string): string {
  return code.replace(/[\s-]/g, "").toLowerCase();
}

function codeError(shop: ShopState, code: string): UserError | null {
  const field = ["input", "code"];
  if (code.length < CODE_MIN) return userError(field, `Code must be at least ${CODE_MIN} characters long`, "TOO_SHORT");
  if (code.length > CODE_MAX) return userError(field, `Code must be at most ${CODE_MAX} characters long`, "TOO_LONG");
  if (!/^[a-z0-9]+$/.test(code))
    return userError(field, "Code can only contain letters(a-z) and numbers(0-9)", "INVALID");
  if (shop.giftCardCodes.has(code)) return userError(field, "Code has already been taken", null);
  return null;
}

function generatedCode(shop: ShopState): string {
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (;;) {
    let code = "";
    for (let i = 0; i < GENERATED_CODE_LENGTH; i++) code += alphabet[Math.floor(Math.random() * alphabet.length)];
    if (!shop.giftCardCodes.has(code)) return code;
  }
}

function recipientError(ctx: ResolverContext, recipient: RecipientInput): UserError | null {
  const at = (name: string) => ["input", "recipientAttributes", name];
  if (!ctx.shop.customers.get(recipient.id))
    return userError(at("id"), "Recipient could not be found", "RECIPIENT_NOT_FOUND");
  const texts: [keyof RecipientInput, string][] = [
    ["preferredName", "Preferred name"],
    ["message", "Message"],
  ];
  for (const [key, label] of texts) {
    const value = recipient[key];
    if (value != null && value.trim() === "") return userError(at(key), `${label} can't be blank`, "INVALID");
  }
  for (const [key, label] of texts) {
    const value = recipient[key];
    if (value != null && HTML_TAG.test(value))
      return userError(at(key), `${label} cannot contain HTML tags`, "INVALID");
  }
  if (recipient.sendNotificationAt != null) {
    const at_ = Date.parse(recipient.sendNotificationAt);
    const now = ctx.core.clock.now();
    if (!(at_ >= now && at_ <= now + SEND_WINDOW_DAYS * DAY_MS))
      return userError(at("sendNotificationAt"), "Send notification at must be within 90 days from now", "INVALID");
  }
  return null;
}

// ---- giftCardCreate ----------------------------------------------------------------------------------------------

const createFailed = (error: UserError) => ({ giftCard: null, giftCardCode: null, userErrors: [error] });

function create(ctx: ResolverContext, info: GraphQLResolveInfo, input: GiftCardCreateInput) {
  refuseUndocumentedIdempotency(info);
  if (input.customerId != null) checkCustomerId(input.customerId);
  const recipient = input.recipientAttributes ?? null;
  if (recipient) {
    checkCustomerId(recipient.id);
    if ((recipient.preferredName?.length ?? 0) > PREFERRED_NAME_MAX)
      throw tooLong(info, `preferredName is too long (maximum is ${PREFERRED_NAME_MAX})`);
    if ((recipient.message?.length ?? 0) > MESSAGE_MAX)
      throw tooLong(info, `message is too long (maximum is ${MESSAGE_MAX})`);
  }
  const value = decimalInput(input.initialValue);
  if (value === null || decimalPlaces(value) > 2)
    throw notImplemented(`giftCardCreate with the initial value ${JSON.stringify(input.initialValue)}`);

  const shop = ctx.shop;
  if (input.customerId != null && !shop.customers.get(input.customerId))
    return createFailed(userError(["input", "customerId"], "The customer could not be found.", "CUSTOMER_NOT_FOUND"));
  if (!isPositive(value))
    return createFailed(userError(["input", "initialValue"], "must be greater than 0", "GREATER_THAN"));
  const code = input.code == null ? null : normaliseCode(input.code);
  const badCode = code === null ? null : codeError(shop, code);
  if (badCode) return createFailed(badCode);
  const badRecipient = recipient ? recipientError(ctx, recipient) : null;
  if (badRecipient) return createFailed(badRecipient);
  const limit = issueLimit(shop);
  if (limit !== null && compareAmounts(value, limit) > 0) {
    const shown = formatMoney(Number(limit) * 100, shopMoneyFormats(shop.record).moneyWithCurrencyFormat);
    return createFailed(userError(["input", "initialValue"], `can't exceed ${shown}`, "GIFT_CARD_LIMIT_EXCEEDED"));
  }

  const finalCode = code ?? generatedCode(shop);
  const now = isoAt(ctx.core.clock);
  const amount = money(shopifyDecimal(value), shop.record.currencyCode);
  const last = finalCode.slice(-4);
  const card: GiftCardRecord = {
    __typename: "GiftCard",
    id: shop.nextId("GiftCard"),
    code: finalCode,
    lastCharacters: last,
    maskedCode: `•••• •••• •••• ${last}`,
    initialValue: amount,
    balance: { ...amount },
    customerId: input.customerId ?? null,
    recipient: recipient
      ? {
          customerId: recipient.id,
          message: recipient.message ?? null,
          preferredName: recipient.preferredName ?? null,
          sendNotificationAt:
            recipient.sendNotificationAt == null
              ? null
              : isoAt({ now: () => Date.parse(recipient.sendNotificationAt!) }),
        }
      : null,
    expiresOn: input.expiresOn ?? null,
    note: input.note ?? null,
    templateSuffix: input.templateSuffix ?? null,
    enabled: true,
    deactivatedAt: null,
    createdAt: now,
    updatedAt: now,
    source: "api_client",
  };
  shop.giftCardIndex.willChange(card.id, null, ctx.core.clock.now());
  shop.giftCards.set(card);
  shop.giftCardCodes.set(finalCode, card.id);
  if (card.recipient?.sendNotificationAt) notifyRecipient(ctx, card, card.recipient, card.recipient.sendNotificationAt);
  return { giftCard: card, giftCardCode: finalCode, userErrors: [] };
}

function notifyRecipient(
  ctx: ResolverContext,
  card: GiftCardRecord,
  recipient: GiftCardRecipientRecord,
  sendAt?: string,
): boolean {
  const customer = ctx.shop.customers.get(recipient.customerId);
  const contact = customer ? contactOf(customer) : null;
  if (!customer || !contact) return false;
  recordNotification(ctx.shop, ctx.core.clock, {
    template: "gift_card",
    customerId: customer.id,
    ...contact,
    subjectId: card.id,
    ...(sendAt ? { sendAt } : {}),
  });
  return true;
}

// ---- giftCardDeactivate, notifications ----------------------------------------------------------------------------

const NOT_FOUND = userError(["id"], "The gift card could not be found.", "GIFT_CARD_NOT_FOUND");

function deactivate(ctx: ResolverContext, info: GraphQLResolveInfo, id: string) {
  refuseUndocumentedIdempotency(info);
  const card = ctx.shop.giftCards.get(id);
  if (!card) return { giftCard: null, userErrors: [NOT_FOUND] };
  // Deactivating a deactivated card answers it as it is (Shopify's answer to that is not recorded).
  if (card.enabled) {
    ctx.shop.giftCardIndex.willChange(card.id, card, ctx.core.clock.now());
    const now = isoAt(ctx.core.clock);
    card.enabled = false;
    card.deactivatedAt = now;
    card.updatedAt = now;
    ctx.shop.giftCards.touch();
  }
  return { giftCard: card, userErrors: [] };
}

/** The refusals both send-notification mutations share, in the order Shopify checks them. */
function unusable(ctx: ResolverContext, card: GiftCardRecord | undefined): UserError | null {
  if (!card) return NOT_FOUND;
  if (isExpired(ctx.shop, card, ctx.core.clock.now()))
    return userError(["id"], "The gift card has expired.", "INVALID");
  if (!card.enabled) return userError(["id"], "The gift card is deactivated.", "INVALID");
  return null;
}

const NO_CONTACT = (who: string) =>
  userError(null, `The ${who} has no contact information (e.g. email address or phone number).`, "INVALID");

function sendToCustomer(ctx: ResolverContext, info: GraphQLResolveInfo, id: string) {
  refuseUndocumentedIdempotency(info);
  const card = ctx.shop.giftCards.get(id);
  const refusal = unusable(ctx, card);
  if (refusal) return { giftCard: null, userErrors: [refusal] };
  if (!card!.customerId)
    return { giftCard: null, userErrors: [userError(null, "The gift card has no customer.", "INVALID")] };
  const customer = ctx.shop.customers.get(card!.customerId);
  if (!customer)
    return { giftCard: null, userErrors: [userError(null, "The customer could not be found.", "CUSTOMER_NOT_FOUND")] };
  const contact = contactOf(customer);
  if (!contact) return { giftCard: null, userErrors: [NO_CONTACT("customer")] };
  recordNotification(ctx.shop, ctx.core.clock, {
    // "If the gift card has a designated recipient, a purchase confirmation is sent instead."
    template: card!.recipient ? "gift_card_purchase_confirmation" : "gift_card",
    customerId: customer.id,
    ...contact,
    subjectId: card!.id,
  });
  return { giftCard: card, userErrors: [] };
}

function sendToRecipient(ctx: ResolverContext, info: GraphQLResolveInfo, id: string) {
  refuseUndocumentedIdempotency(info);
  const card = ctx.shop.giftCards.get(id);
  const refusal = unusable(ctx, card);
  if (refusal) return { giftCard: null, userErrors: [refusal] };
  const recipient = card!.recipient;
  if (!recipient)
    return { giftCard: null, userErrors: [userError(null, "The gift card has no recipient.", "INVALID")] };
  if (!ctx.shop.customers.get(recipient.customerId))
    return { giftCard: null, userErrors: [userError(null, "Recipient could not be found", "RECIPIENT_NOT_FOUND")] };
  if (!notifyRecipient(ctx, card!, recipient)) return { giftCard: null, userErrors: [NO_CONTACT("recipient")] };
  return { giftCard: card, userErrors: [] };
}

// ---- reads -------------------------------------------------------------------------------------------------------

/** "full", "partial", "empty" and "full_or_partial", as balance_status: matches them. */
function balanceStatuses(card: GiftCardRecord): string[] {
  const left = compareAmounts(card.balance.amount, "0");
  if (left <= 0) return ["empty"];
  const full = compareAmounts(card.balance.amount, card.initialValue.amount) >= 0;
  return [full ? "full" : "partial", "full_or_partial"];
}

function giftCardSearch(shop: ShopState, now: number): SearchSpec<GiftCardRecord> {
  return {
    resource: "gift cards",
    fields: {
      id: { kind: "number", get: (g) => numericId(g.id) },
      created_at: { kind: "date", get: (g) => g.createdAt },
      updated_at: { kind: "date", get: (g) => g.updatedAt },
      expires_on: { kind: "date", get: (g) => g.expiresOn },
      customer_id: { kind: "number", get: (g) => (g.customerId ? numericId(g.customerId) : null) },
      recipient_id: { kind: "number", get: (g) => (g.recipient ? numericId(g.recipient.customerId) : null) },
      source: { kind: "string", get: (g) => g.source },
      initial_value: { kind: "number", get: (g) => Number(g.initialValue.amount) },
      balance_status: { kind: "tags", get: balanceStatuses },
      status: {
        kind: "tags",
        get: (g) => [g.enabled ? "enabled" : "disabled", ...(isExpired(shop, g, now) ? ["expired"] : [])],
      },
    },
    // "a case-insensitive search of multiple fields in a document, including gift card codes": the code (whole or in
    // part, e.g. its last characters) and the customer's name.
    freeText: (g, text) => {
      const t = text.toLowerCase();
      if (g.code.includes(normaliseCode(t))) return true;
      const customer = g.customerId ? shop.customers.get(g.customerId) : undefined;
      return !!customer && [customer.firstName, customer.lastName].some((v) => v?.toLowerCase().includes(t));
    },
  };
}

const SORT: Record<string, (g: GiftCardRecord) => number> = {
  ID: (g) => numericId(g.id),
  CREATED_AT: (g) => Date.parse(g.createdAt),
  UPDATED_AT: (g) => Date.parse(g.updatedAt),
  INITIAL_VALUE: (g) => Number(g.initialValue.amount),
  BALANCE: (g) => Number(g.balance.amount),
};

type ListArgs = { query?: string | null; savedSearchId?: string | null; sortKey?: string | null };

/** Gift cards sorted; a `query` is answered by the lagging search index (search-index.ts), like customers'. */
function listGiftCards(ctx: ResolverContext, args: ListArgs) {
  if (args.savedSearchId) throw notImplemented("giftCards' savedSearchId");
  const sortKey = args.sortKey ?? "ID";
  const value = SORT[sortKey];
  if (!value) throw notImplemented(`giftCards(sortKey: ${sortKey})`);
  const shop = ctx.shop;
  const sorted = shop.giftCards.view(`sort:${sortKey}`, (all) => all.sort(byIdThen(value)));
  const query = args.query?.trim();
  if (!query) return { items: sorted, value };
  if (/(^|[\s(:-])status:\s*["']?expiring/i.test(query)) throw notImplemented("giftCards(query: status:expiring)");
  const now = ctx.core.clock.now();
  const filter = searchFilter(giftCardSearch(shop, now), query);
  shop.giftCardIndex.settle(now);
  const items = sorted.filter((g) => {
    const indexed = shop.giftCardIndex.view(g, now);
    return indexed !== null && filter(indexed);
  });
  return { items, value };
}

export function giftCardById(ctx: ResolverContext, id: string): GiftCardRecord | null {
  return ctx.shop.giftCards.get(id) ?? null;
}

export const giftCardResolvers: ResolverMap = {
  "Mutation.giftCardCreate": (_s, args: { input: GiftCardCreateInput }, ctx, info) => create(ctx, info, args.input),
  "Mutation.giftCardDeactivate": (_s, args: { id: string }, ctx, info) => deactivate(ctx, info, args.id),
  "Mutation.giftCardSendNotificationToCustomer": (_s, args: { id: string }, ctx, info) =>
    sendToCustomer(ctx, info, args.id),
  "Mutation.giftCardSendNotificationToRecipient": (_s, args: { id: string }, ctx, info) =>
    sendToRecipient(ctx, info, args.id),

  "QueryRoot.giftCard": (_s, args: { id: string }, ctx) => giftCardById(ctx, args.id),
  "QueryRoot.giftCards": (_s, args: ConnectionArgs & ListArgs, ctx, info) => {
    const { items, value } = listGiftCards(ctx, args);
    return connectionObject(paginate(items, args, value, ctx, info));
  },
  "QueryRoot.giftCardsCount": (_s, args: ListArgs & { limit?: number | null }, ctx) => {
    const count = listGiftCards(ctx, args).items.length;
    const limit = args.limit ?? null;
    return limit !== null && count > limit ? { count: limit, precision: "AT_LEAST" } : { count, precision: "EXACT" };
  },
  "QueryRoot.giftCardConfiguration": (_s, _a, ctx) => {
    const currency = ctx.shop.record.currencyCode;
    const limits = LIMITS[currency];
    const issue = ctx.shop.giftCardIssueLimit ?? limits?.issue;
    if (!issue || !limits) throw notImplemented(`giftCardConfiguration for a shop in ${currency}`);
    return {
      issueLimit: money(shopifyDecimal(issue), currency),
      purchaseLimit: money(shopifyDecimal(limits.purchase), currency),
      // "null if the shop hasn't set a default expiration for gift cards"
      expirationConfiguration: null,
    };
  },

  "GiftCard.customer": (g: GiftCardRecord, _a, ctx): CustomerRecord | null =>
    g.customerId ? (ctx.shop.customers.get(g.customerId) ?? null) : null,
  "GiftCard.recipientAttributes": (g: GiftCardRecord, _a, ctx) =>
    g.recipient
      ? {
          message: g.recipient.message,
          preferredName: g.recipient.preferredName,
          sendNotificationAt: g.recipient.sendNotificationAt,
          recipient: ctx.shop.customers.get(g.recipient.customerId) ?? null,
        }
      : null,
  // "This value is `null` if the gift card was issued manually": every card here is.
  "GiftCard.order": () => null,
  // Nothing spends or tops up a card in the local Shopify (no giftCardCredit/Debit, no gift card payments).
  "GiftCard.transactions": (_g: GiftCardRecord, args: ConnectionArgs, ctx, info) =>
    connectionObject(paginate([] as { id: string }[], args, () => 0, ctx, info)),
};
