// Store credit: storeCreditAccountCredit / storeCreditAccountDebit, storeCreditAccount(id:), Customer.storeCreditAccounts
// and StoreCreditAccount.transactions, as the 2026-04 schema types them and Shopify answers them.
//
// What Shopify documents (https://shopify.dev/docs/api/admin-graphql/2026-04/mutations/storeCreditAccountCredit and the
// schema descriptions): the id is a StoreCreditAccount, a Customer or a CompanyLocation; for an owner "it automatically
// creates an account if one doesn't exist for the specified currency"; accounts are per currency ("A single owner can
// have multiple accounts, each holding a different currency"); "Credits can optionally include an expiration date";
// "Debit transactions will always spend the soonest expiring credit first"; an expiration transaction is "created
// automatically when a store credit account credit transaction expires" for "the remaining amount of the credit
// transaction"; notify: true sends the owner a "store credit issued" email at the customer's default email address
// (https://shopify.dev/changelog/store-credit-notify-flag). Scopes (schema requiredAccess and the reference pages):
// the mutations need write_store_credit_account_transactions, a StoreCreditAccount read_store_credit_accounts, its
// transactions read_store_credit_account_transactions, its owner read_customers (access.ts).
//
// What Shopify answers, recorded from the real 2026-04 Admin API (github.com/airhorns/shopify-draft-proxy
// fixtures/conformance/harry-test-heelo.myshopify.com/2026-04/customers/store-credit-account-parity.json and
// store-credit-account-unknown-id-user-errors.json): the messages and fields below; one userError at a time, checked in
// this order: the id (unknown account or debit target: ACCOUNT_NOT_FOUND "Store credit account does not exist"; unknown
// owner on credit: OWNER_NOT_FOUND "Owner does not exist"), then expiresAt (a past one wins over a negative amount),
// the amount, the account's currency, the limit or the funds. event is ADJUSTMENT and origin null for these API
// transactions; a debit's amount is negative. A credit of 100000.00 USD on a small balance was refused with
// CREDIT_LIMIT_EXCEEDED; the limit itself is not documented: the simulator refuses a credit that would bring the
// balance to 100000 or more. Currencies that are result-only (USDC, XXX) are refused with a top-level
// CURRENCY_CODE_INVALID error; a currency other than the shop's is accepted (a CHF account was created in a CAD shop);
// UNSUPPORTED_CURRENCY is never answered (which currencies Shopify refuses is not documented).
//
// Not simulated (SIMULATOR_NOT_IMPLEMENTED): company locations (a CompanyLocation id finds no owner, as an unknown one
// does on Shopify), ids of other types, amounts with more than two decimals, deprecated currencies, the `event` of an
// expiration transaction (undocumented), debit reverts (there are no orders paid with store credit), and @idempotent on
// these mutations (idempotency.ts). Idempotency: Shopify offers none for these mutations and a transaction carries no
// reference of the app's; an app that must not credit twice reads the account's transactions (newest first:
// `transactions(first:, sortKey: CREATED_AT, reverse: true, query: "type:credit")`) before retrying.
import type { GraphQLResolveInfo } from "graphql";
import type { CustomerRecord } from "../../shop-file/types";
import { isoAt } from "../clock";
import type { ResolverContext, ResolverMap } from "../context";
import { connectionObject, paginate, type ConnectionArgs } from "../connection";
import { recordNotification } from "../customer-notifications";
import { decimalInput, decimalPlaces, isPositive, shopifyDecimal } from "../decimal-text";
import { gid, numericId, parseGid } from "../gid";
import { refuseUndocumentedIdempotency } from "../idempotency";
import { addAmounts, compareAmounts, money, subtractAmount } from "../money";
import type { StoreCreditAccountRecord, StoreCreditTransactionRecord } from "../records";
import { searchFilter, type SearchSpec } from "../search-query";
import { notImplemented, shopifyError } from "../shopify-error";
import type { ShopState } from "../store";

/** A credit may not bring the balance to this or more (see the header: Shopify's limit is undocumented). */
export const STORE_CREDIT_LIMIT = "100000";

/** CurrencyCode values that "can only be used as a result and not as an input value" (recorded for USDC and XXX). */
const RESULT_ONLY_CURRENCIES = new Set(["USDC", "XXX"]);
/** Deprecated in the 2026-04 CurrencyCode enum; what store credit does with them is not documented. */
const DEPRECATED_CURRENCIES = new Set(["BYR", "STD", "VEF"]);

const CREDIT = "StoreCreditAccountCreditTransaction";
const DEBIT = "StoreCreditAccountDebitTransaction";
const EXPIRATION = "StoreCreditAccountExpirationTransaction";

type UserError = { field: string[] | null; message: string; code: string };

const userError = (field: string[] | null, message: string, code: string): UserError => ({ field, message, code });

interface MoneyInput {
  amount: string | number;
  currencyCode: string;
}

// ---- the ledger --------------------------------------------------------------------------------------------------

function transactionsOf(shop: ShopState, accountId: string): StoreCreditTransactionRecord[] {
  return shop.storeCreditTransactions.view(`account:${accountId}`, (all) =>
    all.filter((t) => t.accountId === accountId).sort((a, b) => numericId(a.id) - numericId(b.id)),
  );
}

function nextTransactionId(shop: ShopState, type: StoreCreditTransactionRecord["__typename"]): string {
  // Credit, debit and expiration transactions count up one sequence, as Shopify's ids do.
  return gid(type, numericId(shop.nextId("StoreCreditAccountTransaction")));
}

function expiredCreditIds(shop: ShopState, accountId: string): Set<string> {
  return new Set(
    transactionsOf(shop, accountId)
      .filter((t) => t.__typename === EXPIRATION)
      .map((t) => t.creditTransactionId!),
  );
}

/**
 * Credits whose expiresAt has come expire: an expiration transaction at that moment takes what is left of each off the
 * balance. Run before anything reads or changes store credit, so the ledger is always as of the clock.
 */
function settleExpirations(shop: ShopState, now: number): void {
  const due = [...shop.storeCreditTransactions.values()]
    .filter(
      (t) =>
        t.__typename === CREDIT &&
        t.expiresAt !== null &&
        Date.parse(t.expiresAt) <= now &&
        isPositive(t.remainingAmount ?? "0"),
    )
    .sort((a, b) => Date.parse(a.expiresAt!) - Date.parse(b.expiresAt!) || numericId(a.id) - numericId(b.id));
  for (const credit of due) {
    if (expiredCreditIds(shop, credit.accountId).has(credit.id)) continue;
    const account = shop.storeCreditAccounts.get(credit.accountId);
    if (!account) continue;
    const amount = credit.remainingAmount!;
    account.balance = shopifyDecimal(subtractAmount(account.balance, amount));
    shop.storeCreditAccounts.touch();
    shop.storeCreditTransactions.set({
      __typename: EXPIRATION,
      id: nextTransactionId(shop, EXPIRATION),
      accountId: account.id,
      amount: shopifyDecimal(`-${amount}`),
      balanceAfter: account.balance,
      createdAt: credit.expiresAt!,
      expiresAt: null,
      remainingAmount: null,
      creditTransactionId: credit.id,
    });
  }
}

function settle(ctx: ResolverContext): void {
  settleExpirations(ctx.shop, ctx.core.clock.now());
}

/** Spends `amount` from the credits still open, soonest expiring first (never-expiring last), oldest first on ties. */
function spendCredits(shop: ShopState, accountId: string, amount: string): void {
  const expired = expiredCreditIds(shop, accountId);
  const open = transactionsOf(shop, accountId)
    .filter((t) => t.__typename === CREDIT && !expired.has(t.id) && isPositive(t.remainingAmount ?? "0"))
    .sort((a, b) => {
      const ea = a.expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(a.expiresAt);
      const eb = b.expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(b.expiresAt);
      return ea - eb || numericId(a.id) - numericId(b.id);
    });
  let left = amount;
  for (const credit of open) {
    if (!isPositive(left)) break;
    const remaining = credit.remainingAmount!;
    const spent = compareAmounts(remaining, left) <= 0 ? remaining : left;
    credit.remainingAmount = shopifyDecimal(subtractAmount(remaining, spent));
    left = subtractAmount(left, spent);
  }
  shop.storeCreditTransactions.touch();
}

// ---- the mutations -----------------------------------------------------------------------------------------------

type Target = { account: StoreCreditAccountRecord } | { ownerId: string } | { error: UserError };

const ACCOUNT_NOT_FOUND = userError(["id"], "Store credit account does not exist", "ACCOUNT_NOT_FOUND");
const OWNER_NOT_FOUND = userError(["id"], "Owner does not exist", "OWNER_NOT_FOUND");

function accountOf(shop: ShopState, ownerId: string, currencyCode: string): StoreCreditAccountRecord | undefined {
  for (const account of shop.storeCreditAccounts.values())
    if (account.ownerId === ownerId && account.currencyCode === currencyCode) return account;
  return undefined;
}

/** The account an id names: itself, or its owner's account in the currency (a credit may open one). */
function targetOf(ctx: ResolverContext, field: string, id: string, currencyCode: string, credit: boolean): Target {
  const type = parseGid(id)?.type;
  switch (type) {
    case "StoreCreditAccount": {
      const account = ctx.shop.storeCreditAccounts.get(id);
      return account ? { account } : { error: ACCOUNT_NOT_FOUND };
    }
    case "Customer": {
      const customer = ctx.shop.customers.get(id);
      const account = customer ? accountOf(ctx.shop, customer.id, currencyCode) : undefined;
      if (account) return { account };
      if (!credit) return { error: ACCOUNT_NOT_FOUND };
      return customer ? { ownerId: customer.id } : { error: OWNER_NOT_FOUND };
    }
    case "CompanyLocation":
      // The local Shopify has no B2B companies: every company location is unknown, answered as Shopify answers one.
      return { error: credit ? OWNER_NOT_FOUND : ACCOUNT_NOT_FOUND };
    default:
      throw notImplemented(`${field} with a ${type ?? "malformed"} id`);
  }
}

/** Refusals of the money itself that are errors of the whole field, not userErrors (see the header). */
function checkMoney(field: string, input: MoneyInput): string {
  if (RESULT_ONLY_CURRENCIES.has(input.currencyCode)) {
    throw shopifyError(
      `CurrencyCode "${input.currencyCode}" is invalid. It can only be used as a result and not as an input value.`,
      { code: "CURRENCY_CODE_INVALID" },
    );
  }
  if (DEPRECATED_CURRENCIES.has(input.currencyCode))
    throw notImplemented(`${field} in the deprecated currency ${input.currencyCode}`);
  const amount = decimalInput(input.amount);
  if (amount === null) throw notImplemented(`${field} with the amount ${JSON.stringify(input.amount)}`);
  if (decimalPlaces(amount) > 2) throw notImplemented(`${field} with more than two decimals (${amount})`);
  return amount;
}

function openAccount(ctx: ResolverContext, ownerId: string, currencyCode: string): StoreCreditAccountRecord {
  const account: StoreCreditAccountRecord = {
    __typename: "StoreCreditAccount",
    id: ctx.shop.nextId("StoreCreditAccount"),
    ownerId,
    currencyCode,
    balance: "0.0",
    createdAt: isoAt(ctx.core.clock),
  };
  ctx.shop.storeCreditAccounts.set(account);
  return account;
}

const failed = (error: UserError) => ({ storeCreditAccountTransaction: null, userErrors: [error] });

function credit(
  ctx: ResolverContext,
  info: GraphQLResolveInfo,
  args: { id: string; creditInput: { creditAmount: MoneyInput; expiresAt?: string | null; notify?: boolean | null } },
) {
  refuseUndocumentedIdempotency(info);
  const input = args.creditInput;
  const amount = checkMoney(info.fieldName, input.creditAmount);
  const currencyCode = input.creditAmount.currencyCode;
  settle(ctx);
  const target = targetOf(ctx, info.fieldName, args.id, currencyCode, true);
  if ("error" in target) return failed(target.error);
  const now = ctx.core.clock.now();
  if (input.expiresAt != null && Date.parse(input.expiresAt) <= now)
    return failed(
      userError(["creditInput", "expiresAt"], "The expiry date must be in the future", "EXPIRES_AT_IN_PAST"),
    );
  if (!isPositive(amount))
    return failed(
      userError(
        ["creditInput", "creditAmount", "amount"],
        "A positive amount must be used to credit a store credit account",
        "NEGATIVE_OR_ZERO_AMOUNT",
      ),
    );
  if ("account" in target && target.account.currencyCode !== currencyCode)
    return failed(
      userError(
        ["creditInput", "creditAmount", "currencyCode"],
        "The currency provided does not match the currency of the store credit account",
        "MISMATCHING_CURRENCY",
      ),
    );
  const before = "account" in target ? target.account.balance : "0";
  if (compareAmounts(addAmounts([before, amount]), STORE_CREDIT_LIMIT) >= 0)
    return failed(
      userError(
        ["creditInput", "creditAmount", "amount"],
        "The operation would cause the account's credit limit to be exceeded",
        "CREDIT_LIMIT_EXCEEDED",
      ),
    );
  const account = "account" in target ? target.account : openAccount(ctx, target.ownerId, currencyCode);
  account.balance = shopifyDecimal(addAmounts([account.balance, amount]));
  ctx.shop.storeCreditAccounts.touch();
  const transaction: StoreCreditTransactionRecord = {
    __typename: CREDIT,
    id: nextTransactionId(ctx.shop, CREDIT),
    accountId: account.id,
    amount: shopifyDecimal(amount),
    balanceAfter: account.balance,
    createdAt: isoAt(ctx.core.clock),
    // Shopify's DateTime answers are UTC, to the second.
    expiresAt: input.expiresAt == null ? null : isoAt({ now: () => Date.parse(input.expiresAt!) }),
    remainingAmount: shopifyDecimal(amount),
    creditTransactionId: null,
  };
  ctx.shop.storeCreditTransactions.set(transaction);
  if (input.notify) {
    // "For store credit accounts owned by a Customer, the email will be sent to the customer's default email address"
    // (https://shopify.dev/changelog/store-credit-notify-flag): a customer without one gets nothing.
    const owner = ctx.shop.customers.get(account.ownerId);
    if (owner?.email)
      recordNotification(ctx.shop, ctx.core.clock, {
        template: "store_credit_issued",
        customerId: owner.id,
        channel: "email",
        to: owner.email,
        subjectId: transaction.id,
      });
  }
  return { storeCreditAccountTransaction: transaction, userErrors: [] };
}

function debit(
  ctx: ResolverContext,
  info: GraphQLResolveInfo,
  args: { id: string; debitInput: { debitAmount: MoneyInput } },
) {
  refuseUndocumentedIdempotency(info);
  const input = args.debitInput;
  const amount = checkMoney(info.fieldName, input.debitAmount);
  const currencyCode = input.debitAmount.currencyCode;
  settle(ctx);
  const target = targetOf(ctx, info.fieldName, args.id, currencyCode, false);
  if ("error" in target) return failed(target.error);
  if (!("account" in target)) return failed(ACCOUNT_NOT_FOUND);
  const account = target.account;
  if (!isPositive(amount))
    return failed(
      userError(
        ["debitInput", "debitAmount", "amount"],
        "A positive amount must be used to debit a store credit account",
        "NEGATIVE_OR_ZERO_AMOUNT",
      ),
    );
  if (account.currencyCode !== currencyCode)
    return failed(
      userError(
        ["debitInput", "debitAmount", "currencyCode"],
        "The currency provided does not match the currency of the store credit account",
        "MISMATCHING_CURRENCY",
      ),
    );
  if (compareAmounts(amount, account.balance) > 0)
    return failed(
      userError(
        ["debitInput", "debitAmount", "amount"],
        "The store credit account does not have sufficient funds to satisfy the request",
        "INSUFFICIENT_FUNDS",
      ),
    );
  spendCredits(ctx.shop, account.id, amount);
  account.balance = shopifyDecimal(subtractAmount(account.balance, amount));
  ctx.shop.storeCreditAccounts.touch();
  const transaction: StoreCreditTransactionRecord = {
    __typename: DEBIT,
    id: nextTransactionId(ctx.shop, DEBIT),
    accountId: account.id,
    amount: shopifyDecimal(`-${amount}`),
    balanceAfter: account.balance,
    createdAt: isoAt(ctx.core.clock),
    expiresAt: null,
    remainingAmount: null,
    creditTransactionId: null,
  };
  ctx.shop.storeCreditTransactions.set(transaction);
  return { storeCreditAccountTransaction: transaction, userErrors: [] };
}

// ---- the reads ---------------------------------------------------------------------------------------------------

const accountSearch: SearchSpec<StoreCreditAccountRecord> = {
  resource: "store credit accounts",
  fields: {
    currency_code: { kind: "string", get: (a) => a.currencyCode },
    id: { kind: "number", get: (a) => numericId(a.id) },
  },
};

const TRANSACTION_TYPES: Record<StoreCreditTransactionRecord["__typename"], string> = {
  StoreCreditAccountCreditTransaction: "credit",
  StoreCreditAccountDebitTransaction: "debit",
  StoreCreditAccountExpirationTransaction: "expiration",
};
const KNOWN_TYPES = new Set(["credit", "debit", "debit_revert", "expiration"]);

const transactionSearch: SearchSpec<StoreCreditTransactionRecord> = {
  resource: "store credit account transactions",
  fields: {
    // "Only applicable to StoreCreditAccountCreditTransaction objects. All other objects are handled as if they have a
    // null expiry date."
    expires_at: { kind: "date", get: (t) => (t.__typename === CREDIT ? t.expiresAt : null) },
    id: { kind: "number", get: (t) => numericId(t.id) },
    type: { kind: "string", get: (t) => TRANSACTION_TYPES[t.__typename] },
  },
};

/** `type:` terms with a value other than credit, debit, debit_revert, expiration "will be ignored" (schema). */
function dropUnknownTypes(query: string): string {
  return query.replace(/(^|[\s(])(-?)type:(\S+?)(?=$|[\s)])/gi, (whole, before: string, _not, value: string) =>
    KNOWN_TYPES.has(value.replace(/^["']|["']$/g, "").toLowerCase()) ? whole : before,
  );
}

const TRANSACTION_SORT: Record<string, (t: StoreCreditTransactionRecord) => number> = {
  CREATED_AT: (t) => Date.parse(t.createdAt),
  // A transaction without an expiry (debits, expirations, credits that never expire) comes last.
  EXPIRES_AT: (t) =>
    t.__typename === CREDIT && t.expiresAt !== null ? Date.parse(t.expiresAt) : Number.MAX_SAFE_INTEGER,
};

type TransactionArgs = ConnectionArgs & { query?: string | null; sortKey?: string | null };

function transactionConnection(
  ctx: ResolverContext,
  info: GraphQLResolveInfo,
  account: StoreCreditAccountRecord,
  args: TransactionArgs,
) {
  settle(ctx);
  const value = TRANSACTION_SORT[args.sortKey ?? "CREATED_AT"];
  if (!value) throw notImplemented(`StoreCreditAccount.transactions(sortKey: ${args.sortKey})`);
  const query = args.query?.trim() ? dropUnknownTypes(args.query) : "";
  const matches = query.trim() ? searchFilter(transactionSearch, query) : () => true;
  const items = transactionsOf(ctx.shop, account.id)
    .filter(matches)
    .sort((a, b) => value(a) - value(b) || numericId(a.id) - numericId(b.id));
  return connectionObject(paginate(items, args, value, ctx, info));
}

function accountOfTransaction(ctx: ResolverContext, t: StoreCreditTransactionRecord): StoreCreditAccountRecord {
  const account = ctx.shop.storeCreditAccounts.get(t.accountId);
  if (!account) throw new Error(`store credit transaction ${t.id} has no account ${t.accountId}`);
  return account;
}

/** Fields every transaction type shares. */
function transactionFields(type: StoreCreditTransactionRecord["__typename"]): ResolverMap {
  const currency = (ctx: ResolverContext, t: StoreCreditTransactionRecord) => accountOfTransaction(ctx, t).currencyCode;
  return {
    [`${type}.account`]: (t: StoreCreditTransactionRecord, _a, ctx) => accountOfTransaction(ctx, t),
    [`${type}.amount`]: (t: StoreCreditTransactionRecord, _a, ctx) => money(t.amount, currency(ctx, t)),
    [`${type}.balanceAfterTransaction`]: (t: StoreCreditTransactionRecord, _a, ctx) =>
      money(t.balanceAfter, currency(ctx, t)),
    [`${type}.event`]: (t: StoreCreditTransactionRecord) => {
      if (t.__typename === EXPIRATION) throw notImplemented("the event of a store credit expiration transaction");
      return "ADJUSTMENT";
    },
    // Transactions the app makes come from no order.
    [`${type}.origin`]: () => null,
  };
}

export function storeCreditAccountById(ctx: ResolverContext, id: string): StoreCreditAccountRecord | null {
  settle(ctx);
  return ctx.shop.storeCreditAccounts.get(id) ?? null;
}

export function storeCreditTransactionById(ctx: ResolverContext, id: string): StoreCreditTransactionRecord | null {
  settle(ctx);
  return ctx.shop.storeCreditTransactions.get(id) ?? null;
}

export const storeCreditResolvers: ResolverMap = {
  "Mutation.storeCreditAccountCredit": (_s, args, ctx, info) => credit(ctx, info, args),
  "Mutation.storeCreditAccountDebit": (_s, args, ctx, info) => debit(ctx, info, args),

  "QueryRoot.storeCreditAccount": (_s, args: { id: string }, ctx) => storeCreditAccountById(ctx, args.id),

  "Customer.storeCreditAccounts": (c: CustomerRecord, args: ConnectionArgs & { query?: string | null }, ctx, info) => {
    settle(ctx);
    const matches = args.query?.trim() ? searchFilter(accountSearch, args.query) : () => true;
    const items = [...ctx.shop.storeCreditAccounts.values()]
      .filter((a) => a.ownerId === c.id && matches(a))
      .sort((a, b) => numericId(a.id) - numericId(b.id));
    return connectionObject(paginate(items, args, (a) => numericId(a.id), ctx, info));
  },

  "StoreCreditAccount.balance": (a: StoreCreditAccountRecord, _a, ctx) => {
    settle(ctx);
    return money(a.balance, a.currencyCode);
  },
  "StoreCreditAccount.owner": (a: StoreCreditAccountRecord, _a, ctx) => ctx.shop.customers.get(a.ownerId) ?? null,
  "StoreCreditAccount.transactions": (a: StoreCreditAccountRecord, args: TransactionArgs, ctx, info) =>
    transactionConnection(ctx, info, a, args),

  ...transactionFields(CREDIT),
  ...transactionFields(DEBIT),
  ...transactionFields(EXPIRATION),
  [`${CREDIT}.remainingAmount`]: (t: StoreCreditTransactionRecord, _a, ctx) => {
    settle(ctx);
    return money(t.remainingAmount!, accountOfTransaction(ctx, t).currencyCode);
  },
  [`${EXPIRATION}.creditTransaction`]: (t: StoreCreditTransactionRecord, _a, ctx) =>
    ctx.shop.storeCreditTransactions.get(t.creditTransactionId!) ?? null,
};
