// Store credit through the local Shopify's GraphQL entry point (simulator/admin/resolvers/store-credit.ts): crediting
// a customer (the account is opened in the credit's currency), crediting and debiting an account, Shopify's refusals in
// its words (as recorded from the real 2026-04 Admin API), expiry and the soonest-expiring-first rule, the "store credit
// issued" email of notify: true, the scopes each field needs, and @idempotent, which these mutations do not support.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createAdminSimulator,
  createFakeClock,
  type AdminSimulator,
  type FakeClock,
} from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";

const START = "2026-04-01T00:00:00Z";
const DAY = 86_400_000;
const SCOPES =
  "read_customers,write_customers,read_orders,write_store_credit_account_transactions,read_store_credit_accounts";

let sim: AdminSimulator;
let clock: FakeClock;
let shop: string;
let alice: { id: string; email: string | null };
let bob: { id: string; email: string | null };

type Body = { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: any }[] };

async function gql(query: string, variables: Record<string, unknown> = {}): Promise<Body> {
  return (await sim.graphql(shop, { query, variables })).body as Body;
}

async function run(query: string, variables: Record<string, unknown> = {}) {
  const body = await gql(query, variables);
  expect(body.errors).toBeUndefined();
  return body.data;
}

const TRANSACTION = `amount { amount currencyCode } balanceAfterTransaction { amount currencyCode } createdAt event origin { __typename }`;
const CREDIT = `mutation C($id: ID!, $creditInput: StoreCreditAccountCreditInput!) {
  storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
    storeCreditAccountTransaction { id ${TRANSACTION} expiresAt remainingAmount { amount }
      account { id balance { amount currencyCode } owner { ... on Customer { id } } } }
    userErrors { field message code }
  }
}`;
const DEBIT = `mutation D($id: ID!, $debitInput: StoreCreditAccountDebitInput!) {
  storeCreditAccountDebit(id: $id, debitInput: $debitInput) {
    storeCreditAccountTransaction { id ${TRANSACTION} account { id balance { amount currencyCode } } }
    userErrors { field message code }
  }
}`;
const ACCOUNTS = `query A($id: ID!, $query: String) {
  customer(id: $id) { storeCreditAccounts(first: 5, query: $query) { nodes { id balance { amount currencyCode } } } }
}`;

const usd = (amount: string) => ({ amount, currencyCode: "USD" });

async function credit(id: string, creditInput: Record<string, unknown>) {
  return (await run(CREDIT, { id, creditInput })).storeCreditAccountCredit;
}
async function debit(id: string, debitInput: Record<string, unknown>) {
  return (await run(DEBIT, { id, debitInput })).storeCreditAccountDebit;
}

beforeEach(() => {
  clock = createFakeClock(Date.parse(START));
  sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    clock,
    scopes: SCOPES,
    protectedCustomerData: { level: 2, fields: ["name", "email"] },
    plans: { standard: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } },
  });
  const seeded = seedDemoShop(sim, { customers: 2, ordersEach: 0 });
  shop = seeded.domain;
  [alice, bob] = seeded.customers;
});
afterEach(() => sim.dispose());

describe("storeCreditAccountCredit", () => {
  it("opens the customer's account in the credit's currency and answers the transaction as Shopify does", async () => {
    const payload = await credit(alice.id, { creditAmount: usd("7.23") });
    expect(payload.userErrors).toEqual([]);
    const t = payload.storeCreditAccountTransaction;
    expect(t).toEqual({
      id: expect.stringMatching(/^gid:\/\/shopify\/StoreCreditAccountCreditTransaction\/\d+$/),
      amount: usd("7.23"),
      balanceAfterTransaction: usd("7.23"),
      createdAt: START,
      event: "ADJUSTMENT",
      origin: null,
      expiresAt: null,
      remainingAmount: { amount: "7.23" },
      account: {
        id: expect.stringMatching(/^gid:\/\/shopify\/StoreCreditAccount\/\d+$/),
        balance: usd("7.23"),
        owner: { id: alice.id },
      },
    });
    // The account is found from the customer and by its id; nobody else got one.
    expect((await run(ACCOUNTS, { id: alice.id })).customer.storeCreditAccounts.nodes).toEqual([
      { id: t.account.id, balance: usd("7.23") },
    ]);
    expect((await run(ACCOUNTS, { id: bob.id })).customer.storeCreditAccounts.nodes).toEqual([]);
    const read = await run(`query R($id: ID!) { storeCreditAccount(id: $id) { id balance { amount } } }`, {
      id: t.account.id,
    });
    expect(read.storeCreditAccount).toEqual({ id: t.account.id, balance: { amount: "7.23" } });
  });

  it("credits the same account again by customer or account id, and opens a second account for another currency", async () => {
    const first = await credit(alice.id, { creditAmount: usd("5") });
    const accountId = first.storeCreditAccountTransaction.account.id;
    // Shopify prints Decimals without trailing zeros but with one decimal: 5 → "5.0", 2.00 CHF → "2.0".
    expect(first.storeCreditAccountTransaction.amount).toEqual(usd("5.0"));
    const second = await credit(accountId, { creditAmount: usd("1.11") });
    expect(second.storeCreditAccountTransaction.balanceAfterTransaction).toEqual(usd("6.11"));
    const third = await credit(alice.id, { creditAmount: usd("0.89") });
    expect(third.storeCreditAccountTransaction.account).toMatchObject({ id: accountId, balance: usd("7.0") });
    const chf = await credit(alice.id, { creditAmount: { amount: "2.00", currencyCode: "CHF" } });
    expect(chf.storeCreditAccountTransaction.account.id).not.toBe(accountId);
    expect(chf.storeCreditAccountTransaction.account.balance).toEqual({ amount: "2.0", currencyCode: "CHF" });
    expect((await run(ACCOUNTS, { id: alice.id })).customer.storeCreditAccounts.nodes).toHaveLength(2);
    expect(
      (await run(ACCOUNTS, { id: alice.id, query: "currency_code:CHF" })).customer.storeCreditAccounts.nodes,
    ).toEqual([{ id: chf.storeCreditAccountTransaction.account.id, balance: { amount: "2.0", currencyCode: "CHF" } }]);
  });

  it("refuses each bad credit with Shopify's code and message, one error at a time, and opens nothing", async () => {
    const account = (await credit(alice.id, { creditAmount: usd("10") })).storeCreditAccountTransaction.account.id;
    const refusal = async (id: string, creditInput: Record<string, unknown>) => {
      const payload = (await run(CREDIT, { id, creditInput })).storeCreditAccountCredit;
      expect(payload.storeCreditAccountTransaction).toBeNull();
      return payload.userErrors;
    };
    expect(await refusal("gid://shopify/Customer/999999999999999", { creditAmount: usd("1.00") })).toEqual([
      { field: ["id"], message: "Owner does not exist", code: "OWNER_NOT_FOUND" },
    ]);
    expect(await refusal("gid://shopify/CompanyLocation/999999999999999", { creditAmount: usd("1.00") })).toEqual([
      { field: ["id"], message: "Owner does not exist", code: "OWNER_NOT_FOUND" },
    ]);
    // An unknown account wins over a zero amount.
    expect(await refusal("gid://shopify/StoreCreditAccount/999999999999999", { creditAmount: usd("0.00") })).toEqual([
      { field: ["id"], message: "Store credit account does not exist", code: "ACCOUNT_NOT_FOUND" },
    ]);
    // A past expiry wins over a negative amount.
    expect(await refusal(account, { creditAmount: usd("-5.00"), expiresAt: "2000-01-01T00:00:00Z" })).toEqual([
      {
        field: ["creditInput", "expiresAt"],
        message: "The expiry date must be in the future",
        code: "EXPIRES_AT_IN_PAST",
      },
    ]);
    expect(await refusal(alice.id, { creditAmount: usd("1.00"), expiresAt: START })).toEqual([
      {
        field: ["creditInput", "expiresAt"],
        message: "The expiry date must be in the future",
        code: "EXPIRES_AT_IN_PAST",
      },
    ]);
    for (const amount of ["0.00", "-1"])
      expect(await refusal(alice.id, { creditAmount: usd(amount) })).toEqual([
        {
          field: ["creditInput", "creditAmount", "amount"],
          message: "A positive amount must be used to credit a store credit account",
          code: "NEGATIVE_OR_ZERO_AMOUNT",
        },
      ]);
    expect(await refusal(account, { creditAmount: { amount: "2.00", currencyCode: "CAD" } })).toEqual([
      {
        field: ["creditInput", "creditAmount", "currencyCode"],
        message: "The currency provided does not match the currency of the store credit account",
        code: "MISMATCHING_CURRENCY",
      },
    ]);
    expect(await refusal(alice.id, { creditAmount: usd("99990.00") })).toEqual([
      {
        field: ["creditInput", "creditAmount", "amount"],
        message: "The operation would cause the account's credit limit to be exceeded",
        code: "CREDIT_LIMIT_EXCEEDED",
      },
    ]);
    // Bob was never credited: none of the refusals opened an account for him, and Alice's balance is unchanged.
    expect(await refusal(bob.id, { creditAmount: usd("0") })).toHaveLength(1);
    expect((await run(ACCOUNTS, { id: bob.id })).customer.storeCreditAccounts.nodes).toEqual([]);
    expect((await run(ACCOUNTS, { id: alice.id })).customer.storeCreditAccounts.nodes).toEqual([
      { id: account, balance: usd("10.0") },
    ]);
  });

  it("answers a result-only currency with a top-level error, as Shopify does", async () => {
    const answer = await gql(CREDIT, {
      id: alice.id,
      creditInput: { creditAmount: { amount: "1.00", currencyCode: "USDC" } },
    });
    expect(answer.data).toEqual({ storeCreditAccountCredit: null });
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message: 'CurrencyCode "USDC" is invalid. It can only be used as a result and not as an input value.',
        path: ["storeCreditAccountCredit"],
        extensions: { code: "CURRENCY_CODE_INVALID" },
      }),
    ]);
  });
});

describe("storeCreditAccountDebit", () => {
  it("debits by account or customer id; the transaction's amount is negative", async () => {
    const account = (await credit(alice.id, { creditAmount: usd("8.34") })).storeCreditAccountTransaction.account.id;
    const byAccount = await debit(account, { debitAmount: usd("2.22") });
    expect(byAccount).toEqual({
      storeCreditAccountTransaction: {
        id: expect.stringMatching(/^gid:\/\/shopify\/StoreCreditAccountDebitTransaction\/\d+$/),
        amount: usd("-2.22"),
        balanceAfterTransaction: usd("6.12"),
        createdAt: START,
        event: "ADJUSTMENT",
        origin: null,
        account: { id: account, balance: usd("6.12") },
      },
      userErrors: [],
    });
    const byCustomer = await debit(alice.id, { debitAmount: usd("6.12") });
    expect(byCustomer.storeCreditAccountTransaction.account.balance).toEqual(usd("0.0"));
  });

  it("refuses unknown accounts, zero amounts, other currencies and more than the balance", async () => {
    const account = (await credit(alice.id, { creditAmount: usd("5") })).storeCreditAccountTransaction.account.id;
    const refusal = async (id: string, debitInput: Record<string, unknown>) => {
      const payload = (await run(DEBIT, { id, debitInput })).storeCreditAccountDebit;
      expect(payload.storeCreditAccountTransaction).toBeNull();
      return payload.userErrors;
    };
    const notFound = [{ field: ["id"], message: "Store credit account does not exist", code: "ACCOUNT_NOT_FOUND" }];
    expect(await refusal("gid://shopify/Customer/999999999999999", { debitAmount: usd("1.00") })).toEqual(notFound);
    expect(await refusal("gid://shopify/StoreCreditAccount/999999999999999", { debitAmount: usd("1.00") })).toEqual(
      notFound,
    );
    // A customer without an account in that currency has nothing to debit (a debit opens no account).
    expect(await refusal(bob.id, { debitAmount: usd("1.00") })).toEqual(notFound);
    expect(await refusal(alice.id, { debitAmount: { amount: "1.00", currencyCode: "CHF" } })).toEqual(notFound);
    expect(await refusal(alice.id, { debitAmount: usd("0.00") })).toEqual([
      {
        field: ["debitInput", "debitAmount", "amount"],
        message: "A positive amount must be used to debit a store credit account",
        code: "NEGATIVE_OR_ZERO_AMOUNT",
      },
    ]);
    expect(await refusal(account, { debitAmount: { amount: "1.00", currencyCode: "CHF" } })).toEqual([
      {
        field: ["debitInput", "debitAmount", "currencyCode"],
        message: "The currency provided does not match the currency of the store credit account",
        code: "MISMATCHING_CURRENCY",
      },
    ]);
    expect(await refusal(alice.id, { debitAmount: usd("5.01") })).toEqual([
      {
        field: ["debitInput", "debitAmount", "amount"],
        message: "The store credit account does not have sufficient funds to satisfy the request",
        code: "INSUFFICIENT_FUNDS",
      },
    ]);
    expect((await run(ACCOUNTS, { id: alice.id })).customer.storeCreditAccounts.nodes).toEqual([
      { id: account, balance: usd("5.0") },
    ]);
  });
});

describe("expiry and the transaction history", () => {
  const HISTORY = `query H($id: ID!, $query: String, $sortKey: TransactionSortKeys, $reverse: Boolean) {
    storeCreditAccount(id: $id) {
      balance { amount }
      transactions(first: 10, query: $query, sortKey: $sortKey, reverse: $reverse) {
        nodes { __typename createdAt amount { amount } balanceAfterTransaction { amount }
          ... on StoreCreditAccountCreditTransaction { id expiresAt remainingAmount { amount } }
          ... on StoreCreditAccountExpirationTransaction { creditTransaction { id } } }
      }
    }
  }`;

  it("spends the soonest-expiring credit first, and takes what is left of a credit off the balance when it expires", async () => {
    // The lasting credit is the older one, so spending oldest-first would take from it.
    const lasting = await credit(alice.id, { creditAmount: usd("5") });
    const account = lasting.storeCreditAccountTransaction.account.id;
    clock.advance(60_000);
    const expiring = await credit(alice.id, {
      creditAmount: usd("10"),
      expiresAt: new Date(Date.parse(START) + DAY).toISOString(),
    });
    expect(expiring.storeCreditAccountTransaction.expiresAt).toBe("2026-04-02T00:00:00Z");
    clock.advance(60_000);
    await debit(account, { debitAmount: usd("3") });
    let history = (await run(HISTORY, { id: account, query: "type:credit" })).storeCreditAccount;
    expect(history.balance).toEqual({ amount: "12.0" });
    expect(history.transactions.nodes.map((t: any) => t.remainingAmount.amount)).toEqual(["5.0", "7.0"]);

    clock.advance(2 * DAY);
    history = (await run(HISTORY, { id: account })).storeCreditAccount;
    expect(history.balance).toEqual({ amount: "5.0" });
    expect(
      history.transactions.nodes.map((t: any) => [t.__typename, t.amount.amount, t.balanceAfterTransaction.amount]),
    ).toEqual([
      ["StoreCreditAccountCreditTransaction", "5.0", "5.0"],
      ["StoreCreditAccountCreditTransaction", "10.0", "15.0"],
      ["StoreCreditAccountDebitTransaction", "-3.0", "12.0"],
      ["StoreCreditAccountExpirationTransaction", "-7.0", "5.0"],
    ]);
    const expiration = history.transactions.nodes[3];
    expect(expiration.createdAt).toBe("2026-04-02T00:00:00Z");
    expect(expiration.creditTransaction.id).toBe(expiring.storeCreditAccountTransaction.id);
    // The expired credit keeps the remaining amount it had when it expired, and nothing more can be spent from it.
    expect(history.transactions.nodes[1].remainingAmount).toEqual({ amount: "7.0" });
    const tooMuch = (await run(DEBIT, { id: account, debitInput: { debitAmount: usd("5.01") } }))
      .storeCreditAccountDebit;
    expect(tooMuch.userErrors[0].code).toBe("INSUFFICIENT_FUNDS");
  });

  it("filters by type (ignoring unknown types) and expiry, and sorts by creation or expiry", async () => {
    const at = (days: number) => new Date(Date.parse(START) + days * DAY).toISOString().replace(".000Z", "Z");
    const account = (await credit(alice.id, { creditAmount: usd("1"), expiresAt: at(30) }))
      .storeCreditAccountTransaction.account.id;
    await credit(alice.id, { creditAmount: usd("2"), expiresAt: at(10) });
    await credit(alice.id, { creditAmount: usd("3") });
    await debit(alice.id, { debitAmount: usd("1") });
    const amounts = async (variables: Record<string, unknown>) =>
      (await run(HISTORY, { id: account, ...variables })).storeCreditAccount.transactions.nodes.map(
        (t: any) => t.amount.amount,
      );
    expect(await amounts({})).toEqual(["1.0", "2.0", "3.0", "-1.0"]);
    expect(await amounts({ reverse: true })).toEqual(["-1.0", "3.0", "2.0", "1.0"]);
    expect(await amounts({ query: "type:debit" })).toEqual(["-1.0"]);
    expect(await amounts({ query: "type:credit OR type:debit_revert" })).toEqual(["1.0", "2.0", "3.0"]);
    expect(await amounts({ query: "type:bogus" })).toEqual(["1.0", "2.0", "3.0", "-1.0"]);
    expect(await amounts({ query: `expires_at:<='${at(20)}'` })).toEqual(["2.0"]);
    expect(await amounts({ sortKey: "EXPIRES_AT" })).toEqual(["2.0", "1.0", "3.0", "-1.0"]);
  });

  it("finds accounts and credit or debit transactions by node id", async () => {
    const t = (await credit(alice.id, { creditAmount: usd("4") })).storeCreditAccountTransaction;
    const d = (await debit(alice.id, { debitAmount: usd("1") })).storeCreditAccountTransaction;
    const data = await run(
      `query N($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on StoreCreditAccount { balance { amount } } } }`,
      { ids: [t.account.id, t.id, d.id, d.id.replace("Debit", "Credit")] },
    );
    expect(data.nodes).toEqual([
      { __typename: "StoreCreditAccount", id: t.account.id, balance: { amount: "3.0" } },
      { __typename: "StoreCreditAccountCreditTransaction", id: t.id },
      { __typename: "StoreCreditAccountDebitTransaction", id: d.id },
      null,
    ]);
  });
});

describe("notify", () => {
  it("records the 'store credit issued' email to the customer's address only when notify is true", async () => {
    const state = sim.shops.getShop(shop)!;
    await credit(alice.id, { creditAmount: usd("1") });
    await credit(alice.id, { creditAmount: usd("1"), notify: false });
    expect(state.customerNotifications).toEqual([]);
    const t = (await credit(alice.id, { creditAmount: usd("2.50"), notify: true })).storeCreditAccountTransaction;
    expect(state.customerNotifications).toEqual([
      {
        template: "store_credit_issued",
        customerId: alice.id,
        channel: "email",
        to: alice.email,
        subjectId: t.id,
        sendAt: START,
        recordedAt: START,
      },
    ]);
    // A refused credit sends nothing; a customer without an email address gets no email.
    await run(CREDIT, { id: alice.id, creditInput: { creditAmount: usd("0"), notify: true } });
    const silent = sim.createCustomer(shop, { firstName: "No", lastName: "Email", phone: "+14155550123" });
    await credit(silent.id, { creditAmount: usd("1"), notify: true });
    expect(state.customerNotifications).toHaveLength(1);
  });
});

describe("access", () => {
  function scopeError(field: string, scope: string, path: (string | number)[]) {
    return expect.objectContaining({
      message: `Access denied for ${field} field. Required access: \`${scope}\` access scope.`,
      path,
      extensions: expect.objectContaining({ code: "ACCESS_DENIED", requiredAccess: `\`${scope}\` access scope.` }),
    });
  }

  it("needs write_store_credit_account_transactions to credit or debit", async () => {
    sim.access.install(shop, { scopes: "read_customers,read_store_credit_accounts" });
    for (const [query, field, variables] of [
      [CREDIT, "storeCreditAccountCredit", { id: alice.id, creditInput: { creditAmount: usd("1") } }],
      [DEBIT, "storeCreditAccountDebit", { id: alice.id, debitInput: { debitAmount: usd("1") } }],
    ] as const) {
      const answer = await gql(query, variables);
      expect(answer.data).toEqual({ [field]: null });
      expect(answer.errors).toEqual([scopeError(field, "write_store_credit_account_transactions", [field])]);
    }
    expect(sim.shops.getShop(shop)!.storeCreditAccounts.size).toBe(0);
  });

  it("needs read_store_credit_accounts for an account wherever it is reached, which the write scope does not give", async () => {
    sim.access.install(shop, { scopes: "read_customers,write_store_credit_account_transactions" });
    const query = `mutation C($id: ID!, $creditInput: StoreCreditAccountCreditInput!) {
      storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
        storeCreditAccountTransaction { amount { amount } account { id } } userErrors { code }
      }
    }`;
    const answer = await gql(query, { id: alice.id, creditInput: { creditAmount: usd("1") } });
    // The credit is made, but its account (non-null) is refused, which nulls the transaction.
    expect(answer.data).toEqual({ storeCreditAccountCredit: { storeCreditAccountTransaction: null, userErrors: [] } });
    expect(sim.shops.getShop(shop)!.storeCreditTransactions.size).toBe(1);
    expect(answer.errors).toEqual([
      scopeError("account", "read_store_credit_accounts", [
        "storeCreditAccountCredit",
        "storeCreditAccountTransaction",
        "account",
      ]),
    ]);
    const accountId = sim.shops.getShop(shop)!.storeCreditAccounts.values().next().value!.id;
    const read = await gql(`query R($id: ID!) { storeCreditAccount(id: $id) { id } }`, { id: accountId });
    expect(read.errors).toEqual([
      scopeError("storeCreditAccount", "read_store_credit_accounts", ["storeCreditAccount"]),
    ]);
    const list = await gql(ACCOUNTS, { id: alice.id });
    expect(list.errors).toEqual([
      scopeError("storeCreditAccounts", "read_store_credit_accounts", ["customer", "storeCreditAccounts"]),
    ]);
  });

  it("needs read_store_credit_account_transactions for the history and read_customers for the owner", async () => {
    const account = (await credit(alice.id, { creditAmount: usd("1") })).storeCreditAccountTransaction.account.id;
    sim.access.install(shop, { scopes: "read_store_credit_accounts,read_customers" });
    const history = await gql(
      `query H($id: ID!) { storeCreditAccount(id: $id) { transactions(first: 1) { nodes { createdAt } } } }`,
      {
        id: account,
      },
    );
    expect(history.errors).toEqual([
      scopeError("transactions", "read_store_credit_account_transactions", ["storeCreditAccount", "transactions"]),
    ]);
    sim.access.install(shop, { scopes: "read_store_credit_accounts" });
    const owner = await gql(
      `query O($id: ID!) { storeCreditAccount(id: $id) { balance { amount } owner { ... on Customer { id } } } }`,
      {
        id: account,
      },
    );
    expect(owner.errors).toEqual([scopeError("owner", "read_customers", ["storeCreditAccount", "owner"])]);
    // The owner is customer data: without protected customer data approval it is refused like any Customer.
    sim.access.install(shop, {
      scopes: "read_store_credit_accounts,read_customers",
      protectedCustomerData: { level: 0 },
    });
    const unapproved = await gql(
      `query O($id: ID!) { storeCreditAccount(id: $id) { balance { amount } owner { ... on Customer { id } } } }`,
      { id: account },
    );
    expect(unapproved.errors?.map((e) => [e.message, e.path])).toEqual([
      [
        "This app is not approved to access the Customer object. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.",
        ["storeCreditAccount", "owner"],
      ],
    ]);
  });
});

describe("idempotency", () => {
  it("does not offer @idempotent on these mutations: the request is refused loudly and credits nothing", async () => {
    const query = `mutation C($id: ID!, $creditInput: StoreCreditAccountCreditInput!, $key: String!) {
      storeCreditAccountCredit(id: $id, creditInput: $creditInput) @idempotent(key: $key) {
        storeCreditAccountTransaction { id } userErrors { code }
      }
    }`;
    const answer = await gql(query, { id: alice.id, creditInput: { creditAmount: usd("1") }, key: "redemption-1" });
    expect(answer.data).toEqual({ storeCreditAccountCredit: null });
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("@idempotent on storeCreditAccountCredit"),
        extensions: { code: "SIMULATOR_NOT_IMPLEMENTED" },
      }),
    ]);
    expect(sim.shops.getShop(shop)!.storeCreditAccounts.size).toBe(0);
  });

  it("lets an app find a credit it already made from the account's newest credits", async () => {
    await credit(alice.id, { creditAmount: usd("4") });
    clock.advance(60_000);
    const attemptStarted = clock.now();
    await credit(alice.id, { creditAmount: usd("2.5") });
    const data = await run(
      `query L($id: ID!) { customer(id: $id) { storeCreditAccounts(first: 5, query: "currency_code:USD") { nodes {
        transactions(first: 5, sortKey: CREATED_AT, reverse: true, query: "type:credit") { nodes { createdAt amount { amount } } }
      } } } }`,
      { id: alice.id },
    );
    const recent = data.customer.storeCreditAccounts.nodes[0].transactions.nodes.filter(
      (t: any) => Date.parse(t.createdAt) >= attemptStarted,
    );
    expect(recent).toEqual([{ createdAt: "2026-04-01T00:01:00Z", amount: { amount: "2.5" } }]);
  });
});
