// Gift cards through the local Shopify's GraphQL entry point (simulator/admin/resolvers/gift-cards.ts): issuing one
// (the full code only in the create payload), Shopify's refusals in its words (as recorded from the real Admin API),
// deactivating, the notifications Shopify sends (and the one it does not document), reading and searching (search lags
// like Shopify's), the issue limit, the scopes, and how an app finds a card it already issued, since these mutations
// offer no idempotency key.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createAdminSimulator,
  createFakeClock,
  type AdminSimulator,
  type FakeClock,
} from "../../simulator/admin/index";
import { demoShopRecord, seedDemoShop } from "../../simulator/admin/demo-shop";

const START = "2026-04-01T00:00:00Z";
const DAY = 86_400_000;
const SCOPES = "read_customers,write_customers,read_orders,write_gift_cards,read_gift_card_transactions";

let sim: AdminSimulator;
let clock: FakeClock;
let shop: string;
let alice: { id: string; email: string | null };
let bob: { id: string; email: string | null };

type Body = { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: any }[] };

async function gql(query: string, variables: Record<string, unknown> = {}, domain = shop): Promise<Body> {
  return (await sim.graphql(domain, { query, variables })).body as Body;
}

async function run(query: string, variables: Record<string, unknown> = {}) {
  const body = await gql(query, variables);
  expect(body.errors).toBeUndefined();
  return body.data;
}

const CARD = `id balance { amount currencyCode } initialValue { amount currencyCode } lastCharacters maskedCode expiresOn
  customer { id } enabled createdAt updatedAt deactivatedAt note templateSuffix order { id }
  recipientAttributes { message preferredName sendNotificationAt recipient { id } }
  transactions(first: 5) { nodes { id } }`;
const CREATE = `mutation C($input: GiftCardCreateInput!) {
  giftCardCreate(input: $input) { giftCard { ${CARD} } giftCardCode userErrors { field code message } }
}`;
const DEACTIVATE = `mutation D($id: ID!) {
  giftCardDeactivate(id: $id) { giftCard { id enabled deactivatedAt updatedAt } userErrors { field code message } }
}`;
const TO_CUSTOMER = `mutation N($id: ID!) {
  giftCardSendNotificationToCustomer(id: $id) { giftCard { id } userErrors { field code message } }
}`;
const TO_RECIPIENT = `mutation N($id: ID!) {
  giftCardSendNotificationToRecipient(id: $id) { giftCard { id } userErrors { field code message } }
}`;
const SEARCH = `query S($query: String, $sortKey: GiftCardSortKeys, $reverse: Boolean) {
  giftCards(first: 10, query: $query, sortKey: $sortKey, reverse: $reverse) { nodes { id lastCharacters } }
  giftCardsCount(query: $query) { count precision }
}`;

async function create(input: Record<string, unknown>) {
  const payload = (await run(CREATE, { input })).giftCardCreate;
  expect(payload.userErrors).toEqual([]);
  return payload as { giftCard: any; giftCardCode: string };
}

/** The userErrors of a refused giftCardCreate (which must create nothing). */
async function refused(input: Record<string, unknown>) {
  const before = sim.shops.getShop(shop)!.giftCards.size;
  const payload = (await run(CREATE, { input })).giftCardCreate;
  expect(payload.giftCard).toBeNull();
  expect(payload.giftCardCode).toBeNull();
  expect(sim.shops.getShop(shop)!.giftCards.size).toBe(before);
  return payload.userErrors;
}

const notifications = () => sim.shops.getShop(shop)!.customerNotifications;

beforeEach(() => {
  clock = createFakeClock(Date.parse(START));
  sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    clock,
    scopes: SCOPES,
    protectedCustomerData: { level: 2, fields: ["name", "email", "phone"] },
    plans: { standard: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } },
  });
  const seeded = seedDemoShop(sim, { customers: 2, ordersEach: 0 });
  shop = seeded.domain;
  [alice, bob] = seeded.customers;
});
afterEach(() => sim.dispose());

describe("giftCardCreate", () => {
  it("issues a card for a customer: the full code only in the payload, lower-cased; the card shows its last characters", async () => {
    const { giftCard, giftCardCode } = await create({
      initialValue: "25.00",
      code: "Loyalty-2026 ABCD",
      customerId: alice.id,
      note: "redemption r-17",
      expiresOn: "2027-04-01",
    });
    expect(giftCardCode).toBe("loyalty2026abcd");
    expect(giftCard).toEqual({
      id: expect.stringMatching(/^gid:\/\/shopify\/GiftCard\/\d+$/),
      balance: { amount: "25.0", currencyCode: "USD" },
      initialValue: { amount: "25.0", currencyCode: "USD" },
      lastCharacters: "abcd",
      maskedCode: "•••• •••• •••• abcd",
      expiresOn: "2027-04-01",
      customer: { id: alice.id },
      enabled: true,
      createdAt: START,
      updatedAt: START,
      deactivatedAt: null,
      note: "redemption r-17",
      templateSuffix: null,
      order: null,
      recipientAttributes: null,
      transactions: { nodes: [] },
    });
    const read = await run(`query R($id: ID!) { giftCard(id: $id) { ${CARD} } }`, { id: giftCard.id });
    expect(read.giftCard).toEqual(giftCard);
    // Shopify does not document an email to the customer on creation: none is recorded.
    expect(notifications()).toEqual([]);
  });

  it("generates a 16-character code when none is given, and accepts an expiry in the past (the card is just expired)", async () => {
    sim.search.setLag(0);
    const { giftCard, giftCardCode } = await create({ initialValue: 10, expiresOn: "2000-01-01" });
    expect(giftCardCode).toMatch(/^[0-9a-z]{16}$/);
    expect(giftCard.lastCharacters).toBe(giftCardCode.slice(-4));
    expect(giftCard.initialValue).toEqual({ amount: "10.0", currencyCode: "USD" });
    expect(giftCard.customer).toBeNull();
    const expired = await run(SEARCH, { query: "status:expired" });
    expect(expired.giftCards.nodes.map((n: any) => n.id)).toEqual([giftCard.id]);
  });

  it("refuses values, codes and customers as Shopify words it, one error at a time, customer first", async () => {
    expect(await refused({ initialValue: "0" })).toEqual([
      { field: ["input", "initialValue"], code: "GREATER_THAN", message: "must be greater than 0" },
    ]);
    expect(await refused({ initialValue: "10", code: "abc" })).toEqual([
      { field: ["input", "code"], code: "TOO_SHORT", message: "Code must be at least 8 characters long" },
    ]);
    expect(await refused({ initialValue: "10", code: "x".repeat(21) })).toEqual([
      { field: ["input", "code"], code: "TOO_LONG", message: "Code must be at most 20 characters long" },
    ]);
    expect(await refused({ initialValue: "10", code: "bad!code" })).toEqual([
      { field: ["input", "code"], code: "INVALID", message: "Code can only contain letters(a-z) and numbers(0-9)" },
    ]);
    const missing = [
      { field: ["input", "customerId"], code: "CUSTOMER_NOT_FOUND", message: "The customer could not be found." },
    ];
    expect(await refused({ initialValue: "10", customerId: "gid://shopify/Customer/999999999999" })).toEqual(missing);
    expect(
      await refused({ initialValue: "10", code: "abc", customerId: "gid://shopify/Customer/999999999999" }),
    ).toEqual(missing);
    // A taken code, whatever its case or spacing, is refused with no code (as Shopify answers it).
    await create({ initialValue: "10", code: "parityokmrktyteu" });
    expect(await refused({ initialValue: "10", code: "PARITY-OKMR-KTYTEU" })).toEqual([
      { field: ["input", "code"], code: null, message: "Code has already been taken" },
    ]);
  });

  it("refuses more than the shop's issue limit, in the shop's money format", async () => {
    await create({ initialValue: "2000.00" });
    expect(await refused({ initialValue: "2000.01" })).toEqual([
      { field: ["input", "initialValue"], code: "GIFT_CARD_LIMIT_EXCEEDED", message: "can't exceed $2,000.00 USD" },
    ]);
    const config = await run(
      `{ giftCardConfiguration { issueLimit { amount currencyCode } purchaseLimit { amount currencyCode } expirationConfiguration { expirationUnit expirationValue } } }`,
    );
    expect(config.giftCardConfiguration).toEqual({
      issueLimit: { amount: "2000.0", currencyCode: "USD" },
      purchaseLimit: { amount: "10000.0", currencyCode: "USD" },
      expirationConfiguration: null,
    });
    sim.shops.getShop(shop)!.giftCardIssueLimit = "500";
    expect((await refused({ initialValue: "500.01" }))[0].message).toBe("can't exceed $500.00 USD");
  });

  it("refuses a malformed customer id and over-long recipient texts as errors of the whole field", async () => {
    const malformed = await gql(CREATE, {
      input: { initialValue: "10", recipientAttributes: { id: "gid://shopify/Customer/no-contact-recipient" } },
    });
    expect(malformed.data).toEqual({ giftCardCreate: null });
    expect(malformed.errors).toEqual([
      expect.objectContaining({
        message: "Invalid id: gid://shopify/Customer/no-contact-recipient",
        path: ["giftCardCreate"],
        extensions: { code: "RESOURCE_NOT_FOUND" },
      }),
    ]);
    const long = await gql(CREATE, {
      input: { initialValue: "10", recipientAttributes: { id: bob.id, preferredName: "x".repeat(256) } },
    });
    expect(long.errors).toEqual([
      expect.objectContaining({
        message: "preferredName is too long (maximum is 255)",
        path: ["giftCardCreate"],
        extensions: { code: "INVALID_FIELD_ARGUMENTS" },
      }),
    ]);
    const longMessage = await gql(CREATE, {
      input: { initialValue: "10", recipientAttributes: { id: bob.id, message: "x".repeat(201) } },
    });
    expect(longMessage.errors?.[0].message).toBe("message is too long (maximum is 200)");
    expect(sim.shops.getShop(shop)!.giftCards.size).toBe(0);
  });

  it("refuses recipients that do not exist, blank or HTML texts, and sending dates outside the next 90 days", async () => {
    const at = (name: string) => ["input", "recipientAttributes", name];
    const recipient = (attributes: Record<string, unknown>) => ({
      initialValue: "10",
      recipientAttributes: { id: bob.id, ...attributes },
    });
    expect(await refused(recipient({ id: "gid://shopify/Customer/999999999999" }))).toEqual([
      { field: at("id"), code: "RECIPIENT_NOT_FOUND", message: "Recipient could not be found" },
    ]);
    expect(await refused(recipient({ preferredName: " " }))).toEqual([
      { field: at("preferredName"), code: "INVALID", message: "Preferred name can't be blank" },
    ]);
    expect(await refused(recipient({ message: "" }))).toEqual([
      { field: at("message"), code: "INVALID", message: "Message can't be blank" },
    ]);
    expect(await refused(recipient({ preferredName: "<b>Bob</b>" }))).toEqual([
      { field: at("preferredName"), code: "INVALID", message: "Preferred name cannot contain HTML tags" },
    ]);
    expect(await refused(recipient({ message: "<script>alert(1)</script>" }))).toEqual([
      { field: at("message"), code: "INVALID", message: "Message cannot contain HTML tags" },
    ]);
    const window = {
      field: at("sendNotificationAt"),
      code: "INVALID",
      message: "Send notification at must be within 90 days from now",
    };
    expect(await refused(recipient({ sendNotificationAt: "2000-01-01T00:00:00Z" }))).toEqual([window]);
    expect(await refused(recipient({ sendNotificationAt: "2026-06-30T00:00:01Z" }))).toEqual([window]);
  });
});

describe("notifications", () => {
  it("sends the card to its customer on request, by email, or by text without an email address", async () => {
    const { giftCard } = await create({ initialValue: "5.00", customerId: alice.id });
    clock.advance(60_000);
    expect((await run(TO_CUSTOMER, { id: giftCard.id })).giftCardSendNotificationToCustomer).toEqual({
      giftCard: { id: giftCard.id },
      userErrors: [],
    });
    const textOnly = sim.createCustomer(shop, { firstName: "Text", lastName: "Only", phone: "+14155550123" });
    const second = await create({ initialValue: "5.00", customerId: textOnly.id });
    await run(TO_CUSTOMER, { id: second.giftCard.id });
    expect(notifications()).toEqual([
      {
        template: "gift_card",
        customerId: alice.id,
        channel: "email",
        to: alice.email,
        subjectId: giftCard.id,
        sendAt: "2026-04-01T00:01:00Z",
        recordedAt: "2026-04-01T00:01:00Z",
      },
      expect.objectContaining({ customerId: textOnly.id, channel: "sms", to: "+14155550123" }),
    ]);
  });

  it("schedules the recipient's card at sendNotificationAt, and sends the customer a purchase confirmation instead", async () => {
    const sendAt = "2026-04-10T09:00:00Z";
    const { giftCard } = await create({
      initialValue: "5.00",
      customerId: alice.id,
      recipientAttributes: { id: bob.id, preferredName: "Bob", message: "Thanks!", sendNotificationAt: sendAt },
    });
    expect(giftCard.recipientAttributes).toEqual({
      message: "Thanks!",
      preferredName: "Bob",
      sendNotificationAt: sendAt,
      recipient: { id: bob.id },
    });
    expect(notifications()).toEqual([
      expect.objectContaining({ template: "gift_card", customerId: bob.id, to: bob.email, sendAt, recordedAt: START }),
    ]);
    await run(TO_CUSTOMER, { id: giftCard.id });
    await run(TO_RECIPIENT, { id: giftCard.id });
    expect(notifications().slice(1)).toEqual([
      expect.objectContaining({ template: "gift_card_purchase_confirmation", customerId: alice.id, sendAt: START }),
      expect.objectContaining({ template: "gift_card", customerId: bob.id, sendAt: START }),
    ]);
  });

  it("refuses to send what cannot be sent, as Shopify words it, and sends nothing", async () => {
    const error = async (query: string, id: string) => {
      const payload = Object.values(await run(query, { id }))[0] as { giftCard: unknown; userErrors: unknown[] };
      expect(payload.giftCard).toBeNull();
      return payload.userErrors;
    };
    const bare = (await create({ initialValue: "5.00" })).giftCard.id;
    const noContact = sim.createCustomer(shop, { firstName: "No", lastName: "Contact" });
    const unreachable = (await create({ initialValue: "5.00", customerId: noContact.id })).giftCard.id;
    const unreachableRecipient = (await create({ initialValue: "5.00", recipientAttributes: { id: noContact.id } }))
      .giftCard.id;
    const expired = (await create({ initialValue: "5.00", customerId: alice.id, expiresOn: "2000-01-01" })).giftCard.id;
    const deactivated = (await create({ initialValue: "5.00", customerId: alice.id })).giftCard.id;
    await run(DEACTIVATE, { id: deactivated });

    expect(await error(TO_CUSTOMER, "gid://shopify/GiftCard/999999999")).toEqual([
      { field: ["id"], code: "GIFT_CARD_NOT_FOUND", message: "The gift card could not be found." },
    ]);
    for (const query of [TO_CUSTOMER, TO_RECIPIENT]) {
      expect(await error(query, deactivated)).toEqual([
        { field: ["id"], code: "INVALID", message: "The gift card is deactivated." },
      ]);
      expect(await error(query, expired)).toEqual([
        { field: ["id"], code: "INVALID", message: "The gift card has expired." },
      ]);
    }
    expect(await error(TO_CUSTOMER, bare)).toEqual([
      { field: null, code: "INVALID", message: "The gift card has no customer." },
    ]);
    expect(await error(TO_CUSTOMER, unreachable)).toEqual([
      {
        field: null,
        code: "INVALID",
        message: "The customer has no contact information (e.g. email address or phone number).",
      },
    ]);
    expect(await error(TO_RECIPIENT, bare)).toEqual([
      { field: null, code: "INVALID", message: "The gift card has no recipient." },
    ]);
    expect(await error(TO_RECIPIENT, unreachableRecipient)).toEqual([
      {
        field: null,
        code: "INVALID",
        message: "The recipient has no contact information (e.g. email address or phone number).",
      },
    ]);
    expect(notifications()).toEqual([]);
  });
});

describe("giftCardDeactivate", () => {
  it("disables a card for good: enabled false, deactivatedAt and updatedAt now; again changes nothing", async () => {
    const { giftCard } = await create({ initialValue: "5.00" });
    clock.advance(30_000);
    const first = (await run(DEACTIVATE, { id: giftCard.id })).giftCardDeactivate;
    expect(first).toEqual({
      giftCard: {
        id: giftCard.id,
        enabled: false,
        deactivatedAt: "2026-04-01T00:00:30Z",
        updatedAt: "2026-04-01T00:00:30Z",
      },
      userErrors: [],
    });
    clock.advance(30_000);
    expect((await run(DEACTIVATE, { id: giftCard.id })).giftCardDeactivate).toEqual(first);
    expect((await run(DEACTIVATE, { id: "gid://shopify/GiftCard/1" })).giftCardDeactivate).toEqual({
      giftCard: null,
      userErrors: [{ field: ["id"], code: "GIFT_CARD_NOT_FOUND", message: "The gift card could not be found." }],
    });
  });
});

describe("giftCards", () => {
  it("finds cards by code (whole or last characters) once the search index has them, not before", async () => {
    const { giftCard, giftCardCode } = await create({ initialValue: "5.00", code: "rewardcode7369" });
    // Search lags behind the write, as Shopify's does; a direct read does not.
    expect((await run(SEARCH, { query: giftCardCode })).giftCards.nodes).toEqual([]);
    expect((await run(`query R($id: ID!) { giftCard(id: $id) { id } }`, { id: giftCard.id })).giftCard).toEqual({
      id: giftCard.id,
    });
    clock.advance(sim.search.lagMs);
    for (const query of [giftCardCode, "REWARDCODE7369", "7369", `id:${giftCard.id.split("/").pop()} AND 7369`]) {
      const found = await run(SEARCH, { query });
      expect(found.giftCards.nodes).toEqual([{ id: giftCard.id, lastCharacters: "7369" }]);
      expect(found.giftCardsCount).toEqual({ count: 1, precision: "EXACT" });
    }
    expect((await run(SEARCH, { query: "nothing" })).giftCards.nodes).toEqual([]);
  });

  it("filters by customer, recipient, balance status, status, source, initial value and dates, and sorts", async () => {
    sim.search.setLag(0);
    const a = (await create({ initialValue: "30", customerId: alice.id })).giftCard.id;
    clock.advance(DAY);
    const b = (await create({ initialValue: "10", customerId: bob.id, recipientAttributes: { id: alice.id } })).giftCard
      .id;
    const c = (await create({ initialValue: "20" })).giftCard.id;
    await run(DEACTIVATE, { id: c });
    const ids = async (query: string, extra: Record<string, unknown> = {}) =>
      (await run(SEARCH, { query, ...extra })).giftCards.nodes.map((n: any) => n.id);
    const numeric = (id: string) => id.split("/").pop();
    expect(await ids(`customer_id:${numeric(alice.id)}`)).toEqual([a]);
    expect(await ids(`recipient_id:${numeric(alice.id)}`)).toEqual([b]);
    expect(await ids("balance_status:full")).toEqual([a, b, c]);
    expect(await ids("balance_status:empty")).toEqual([]);
    expect(await ids("status:disabled")).toEqual([c]);
    expect(await ids("status:enabled")).toEqual([a, b]);
    expect(await ids("source:api_client")).toEqual([a, b, c]);
    expect(await ids("source:manual")).toEqual([]);
    expect(await ids("initial_value:>=20")).toEqual([a, c]);
    expect(await ids("created_at:>=2026-04-02")).toEqual([b, c]);
    expect(await ids("", { sortKey: "INITIAL_VALUE" })).toEqual([b, c, a]);
    expect(await ids("", { sortKey: "INITIAL_VALUE", reverse: true })).toEqual([a, c, b]);
    const limited = await run(`{ giftCardsCount(limit: 2) { count precision } }`);
    expect(limited.giftCardsCount).toEqual({ count: 2, precision: "AT_LEAST" });
  });

  it("fails loudly on what it does not simulate rather than answering wrongly", async () => {
    for (const [query, what] of [
      ["note:x", "search field 'note'"],
      ["status:expiring", "status:expiring"],
    ]) {
      const answer = await gql(SEARCH, { query });
      expect(answer.errors?.[0]).toMatchObject({
        message: expect.stringContaining(what),
        extensions: { code: "SIMULATOR_NOT_IMPLEMENTED" },
      });
    }
    const sorted = await gql(SEARCH, { sortKey: "CUSTOMER_NAME" });
    expect(sorted.errors?.[0].extensions).toEqual({ code: "SIMULATOR_NOT_IMPLEMENTED" });
  });

  it("answers node(id:) for a gift card", async () => {
    const { giftCard } = await create({ initialValue: "5.00" });
    const data = await run(`query N($id: ID!) { node(id: $id) { __typename id ... on GiftCard { enabled } } }`, {
      id: giftCard.id,
    });
    expect(data.node).toEqual({ __typename: "GiftCard", id: giftCard.id, enabled: true });
  });
});

describe("another currency", () => {
  it("issues in the shop's currency; a limit Shopify does not publish for it is not invented", async () => {
    const domain = "baht.myshopify.com";
    sim.shops.addShop({ ...demoShopRecord(domain), currencyCode: "THB" });
    const created = await gql(CREATE, { input: { initialValue: "1500" } }, domain);
    expect(created.data.giftCardCreate.giftCard.initialValue).toEqual({ amount: "1500.0", currencyCode: "THB" });
    const config = await gql(`{ giftCardConfiguration { issueLimit { amount } } }`, {}, domain);
    expect(config.errors?.[0].extensions).toEqual({ code: "SIMULATOR_NOT_IMPLEMENTED" });
    sim.shops.getShop(domain)!.giftCardIssueLimit = "70000";
    const over = await gql(CREATE, { input: { initialValue: "70000.01" } }, domain);
    expect(over.data.giftCardCreate.userErrors).toEqual([
      { field: ["input", "initialValue"], code: "GIFT_CARD_LIMIT_EXCEEDED", message: "can't exceed ฿70,000.00 THB" },
    ]);
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

  it("needs write_gift_cards to issue, deactivate or send, and read_gift_cards to read", async () => {
    const { giftCard } = await create({ initialValue: "5.00", customerId: alice.id });
    sim.access.install(shop, { scopes: "read_customers,write_customers,read_gift_cards" });
    for (const [query, field, variables] of [
      [CREATE, "giftCardCreate", { input: { initialValue: "5" } }],
      [DEACTIVATE, "giftCardDeactivate", { id: giftCard.id }],
      [TO_CUSTOMER, "giftCardSendNotificationToCustomer", { id: giftCard.id }],
    ] as const) {
      const answer = await gql(query, variables);
      expect(answer.data).toEqual({ [field]: null });
      expect(answer.errors).toEqual([scopeError(field, "write_gift_cards", [field])]);
    }
    expect(sim.shops.getShop(shop)!.giftCards.size).toBe(1);
    sim.access.install(shop, { scopes: "read_customers" });
    const read = await gql(`query R($id: ID!) { giftCard(id: $id) { id } giftCardsCount { count } }`, {
      id: giftCard.id,
    });
    expect(read.errors).toEqual([
      scopeError("giftCard", "read_gift_cards", ["giftCard"]),
      scopeError("giftCardsCount", "read_gift_cards", ["giftCardsCount"]),
    ]);
  });

  it("needs write_customers and customer data approval to give a card to a customer, read_customers to see them", async () => {
    sim.access.install(shop, { scopes: "read_customers,write_gift_cards" });
    const denied = await gql(CREATE, { input: { initialValue: "5", customerId: alice.id } });
    expect(denied.errors).toEqual([scopeError("giftCardCreate", "write_customers", ["giftCardCreate"])]);
    const recipient = await gql(CREATE, { input: { initialValue: "5", recipientAttributes: { id: bob.id } } });
    expect(recipient.errors).toEqual([scopeError("giftCardCreate", "write_customers", ["giftCardCreate"])]);
    sim.access.install(shop, { scopes: "write_customers,write_gift_cards", protectedCustomerData: { level: 0 } });
    const unapproved = await gql(CREATE, { input: { initialValue: "5", customerId: alice.id } });
    expect(unapproved.errors?.[0].message).toBe(
      "This app is not approved to access the Customer object. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.",
    );
    expect(sim.shops.getShop(shop)!.giftCards.size).toBe(0);
    sim.access.install(shop, { scopes: "write_gift_cards", protectedCustomerData: { level: 1 } });
    const { giftCard } = (await gql(`mutation { giftCardCreate(input: { initialValue: "5" }) { giftCard { id } } }`))
      .data.giftCardCreate;
    const customer = await gql(`query R($id: ID!) { giftCard(id: $id) { id customer { id } } }`, { id: giftCard.id });
    expect(customer.errors).toEqual([scopeError("customer", "read_customers", ["giftCard", "customer"])]);
    const transactions = await gql(
      `query R($id: ID!) { giftCard(id: $id) { transactions(first: 1) { nodes { id } } } }`,
      {
        id: giftCard.id,
      },
    );
    expect(transactions.errors).toEqual([
      scopeError("transactions", "read_gift_card_transactions", ["giftCard", "transactions"]),
    ]);
  });
});

describe("idempotency", () => {
  it("refuses @idempotent on giftCardCreate loudly (Shopify documents none for it) and issues nothing", async () => {
    const answer = await gql(
      `mutation C($input: GiftCardCreateInput!) { giftCardCreate(input: $input) @idempotent(key: "redemption-17") { giftCard { id } } }`,
      { input: { initialValue: "5" } },
    );
    expect(answer.data).toEqual({ giftCardCreate: null });
    expect(answer.errors?.[0]).toMatchObject({
      message: expect.stringContaining("@idempotent on giftCardCreate"),
      extensions: { code: "SIMULATOR_NOT_IMPLEMENTED" },
    });
    expect(sim.shops.getShop(shop)!.giftCards.size).toBe(0);
  });

  it("lets an app that chose the code find the card after a lost answer: the retry is refused as taken, search finds it", async () => {
    // The app keeps its code before calling; the first answer is lost.
    const code = "rdm17alice2026ab";
    const first = await create({ initialValue: "15", code, customerId: alice.id, note: "redemption 17" });
    const retry = await refused({ initialValue: "15", code, customerId: alice.id, note: "redemption 17" });
    expect(retry).toEqual([{ field: ["input", "code"], code: null, message: "Code has already been taken" }]);
    clock.advance(sim.search.lagMs);
    const found = await run(
      `query F($q: String!) { giftCards(first: 2, query: $q) { nodes { id initialValue { amount } customer { id } } } }`,
      { q: `${code} customer_id:${alice.id.split("/").pop()}` },
    );
    expect(found.giftCards.nodes).toEqual([
      { id: first.giftCard.id, initialValue: { amount: "15.0" }, customer: { id: alice.id } },
    ]);
  });
});
