// Automatic discounts, free shipping discounts and deleting discounts through the local Shopify's GraphQL entry point:
// each mutation's answer and Shopify's refusals (including the 25 automatic discounts active at once), and the reads a
// client makes of any discount (automaticDiscountNode, discountNode, discountNodes with title:/status: filters).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createAdminSimulator,
  createFakeClock,
  type AdminSimulator,
  type FakeClock,
} from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";

const START = "2026-04-01T00:00:00Z";
const HOUR = 3_600_000;

let sim: AdminSimulator;
let clock: FakeClock;
let shop: string;
let gold: string;
let silver: string;

async function gql(query: string, variables: Record<string, unknown> = {}) {
  return (await sim.graphql(shop, { query, variables })).body as { data?: any; errors?: any[] };
}

/** The data of a request that must not fail. */
async function run(query: string, variables: Record<string, unknown> = {}) {
  const body = await gql(query, variables);
  expect(body.errors).toBeUndefined();
  return body.data;
}

const ERRORS = "userErrors { field message code extraInfo }";
const AUTO_BASIC_CREATE = `mutation C($d: DiscountAutomaticBasicInput!) { discountAutomaticBasicCreate(automaticBasicDiscount: $d) { automaticDiscountNode { id } ${ERRORS} } }`;
const AUTO_BASIC_UPDATE = `mutation U($id: ID!, $d: DiscountAutomaticBasicInput!) { discountAutomaticBasicUpdate(id: $id, automaticBasicDiscount: $d) { automaticDiscountNode { id } ${ERRORS} } }`;
const AUTO_SHIP_CREATE = `mutation C($d: DiscountAutomaticFreeShippingInput!) { discountAutomaticFreeShippingCreate(freeShippingAutomaticDiscount: $d) { automaticDiscountNode { id } ${ERRORS} } }`;
const AUTO_SHIP_UPDATE = `mutation U($id: ID!, $d: DiscountAutomaticFreeShippingInput!) { discountAutomaticFreeShippingUpdate(id: $id, freeShippingAutomaticDiscount: $d) { automaticDiscountNode { id } ${ERRORS} } }`;
const CODE_SHIP_CREATE = `mutation C($d: DiscountCodeFreeShippingInput!) { discountCodeFreeShippingCreate(freeShippingCodeDiscount: $d) { codeDiscountNode { id } ${ERRORS} } }`;
const CODE_SHIP_UPDATE = `mutation U($id: ID!, $d: DiscountCodeFreeShippingInput!) { discountCodeFreeShippingUpdate(id: $id, freeShippingCodeDiscount: $d) { codeDiscountNode { id } ${ERRORS} } }`;
const CODE_BASIC_CREATE = `mutation C($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { codeDiscountNode { id } ${ERRORS} } }`;
const AUTO_ACTIVATE = `mutation A($id: ID!) { discountAutomaticActivate(id: $id) { automaticDiscountNode { id } ${ERRORS} } }`;
const AUTO_DEACTIVATE = `mutation D($id: ID!) { discountAutomaticDeactivate(id: $id) { automaticDiscountNode { id } ${ERRORS} } }`;
const AUTO_DELETE = `mutation X($id: ID!) { discountAutomaticDelete(id: $id) { deletedAutomaticDiscountId ${ERRORS} } }`;
const CODE_DELETE = `mutation X($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId ${ERRORS} } }`;

const AUTOMATIC_FIELDS = `
  id
  automaticDiscount {
    __typename
    ... on DiscountAutomaticBasic {
      title status startsAt endsAt discountClasses asyncUsageCount
      combinesWith { orderDiscounts productDiscounts shippingDiscounts }
      minimumRequirement { ... on DiscountMinimumSubtotal { greaterThanOrEqualToSubtotal { amount currencyCode } } ... on DiscountMinimumQuantity { greaterThanOrEqualToQuantity } }
      context { __typename ... on DiscountCustomerSegments { segments { id } } ... on DiscountBuyerSelectionAll { all } }
      customerGets { value { ... on DiscountPercentage { percentage } ... on DiscountAmount { amount { amount } appliesOnEachItem } } items { ... on AllDiscountItems { allItems } } }
    }
    ... on DiscountAutomaticFreeShipping {
      title status startsAt endsAt discountClasses asyncUsageCount appliesOnOneTimePurchase appliesOnSubscription
      combinesWith { orderDiscounts productDiscounts shippingDiscounts }
      minimumRequirement { ... on DiscountMinimumSubtotal { greaterThanOrEqualToSubtotal { amount currencyCode } } }
      context { __typename ... on DiscountCustomerSegments { segments { id } } ... on DiscountBuyerSelectionAll { all } }
      maximumShippingPrice { amount currencyCode }
      destinationSelection { ... on DiscountCountryAll { allCountries } }
    }
  }`;
const READ_AUTOMATIC = `query R($id: ID!) { automaticDiscountNode(id: $id) { ${AUTOMATIC_FIELDS} } }`;

function goldPercent(overrides: Record<string, unknown> = {}) {
  return {
    title: "Gold 15%",
    startsAt: START,
    context: { customerSegments: { add: [gold] } },
    customerGets: { value: { percentage: 0.15 }, items: { all: true } },
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
    ...overrides,
  };
}

function goldShipping(overrides: Record<string, unknown> = {}) {
  return {
    title: "Gold free shipping",
    startsAt: START,
    context: { customerSegments: { add: [gold] } },
    combinesWith: { orderDiscounts: true, productDiscounts: false, shippingDiscounts: false },
    destination: { all: true },
    ...overrides,
  };
}

async function createAuto(query: string, d: Record<string, unknown>): Promise<string> {
  const data = await run(query, { d });
  const payload = Object.values(data)[0] as { automaticDiscountNode: { id: string } | null; userErrors: unknown[] };
  expect(payload.userErrors).toEqual([]);
  return payload.automaticDiscountNode!.id;
}

beforeEach(async () => {
  clock = createFakeClock(Date.parse(START));
  sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    clock,
    protectedCustomerData: { level: 2, fields: ["name", "email"] },
    plans: { standard: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } },
  });
  ({ domain: shop } = seedDemoShop(sim, { customers: 2, ordersEach: 1 }));
  const segment = async (name: string, tag: string) =>
    (
      await run(`mutation S($n: String!, $q: String!) { segmentCreate(name: $n, query: $q) { segment { id } } }`, {
        n: name,
        q: `customer_tags CONTAINS '${tag}'`,
      })
    ).segmentCreate.segment.id as string;
  gold = await segment("Gold", "tier:gold");
  silver = await segment("Silver", "tier:silver");
});
afterEach(() => sim.dispose());

describe("automatic amount off discounts", () => {
  it("creates a percentage off limited to a segment and reads back every setting", async () => {
    const id = await createAuto(
      AUTO_BASIC_CREATE,
      goldPercent({ minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "50.00" } } }),
    );
    expect(id).toMatch(/^gid:\/\/shopify\/DiscountAutomaticNode\/\d+$/);
    expect((await run(READ_AUTOMATIC, { id })).automaticDiscountNode).toEqual({
      id,
      automaticDiscount: {
        __typename: "DiscountAutomaticBasic",
        title: "Gold 15%",
        status: "ACTIVE",
        startsAt: START,
        endsAt: null,
        discountClasses: ["ORDER"],
        asyncUsageCount: 0,
        combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
        minimumRequirement: { greaterThanOrEqualToSubtotal: { amount: "50.00", currencyCode: "USD" } },
        context: { __typename: "DiscountCustomerSegments", segments: [{ id: gold }] },
        customerGets: { value: { percentage: 0.15 }, items: { allItems: true } },
      },
    });
  });

  it("updates what the input names and keeps the rest; a segment is added and removed by id", async () => {
    const id = await createAuto(AUTO_BASIC_CREATE, goldPercent());
    const data = await run(AUTO_BASIC_UPDATE, {
      id,
      d: {
        title: "Silver 10%",
        customerGets: { value: { percentage: 0.1 } },
        context: { customerSegments: { add: [silver], remove: [gold] } },
        minimumRequirement: { quantity: { greaterThanOrEqualToQuantity: "3" } },
      },
    });
    expect(data.discountAutomaticBasicUpdate).toEqual({ automaticDiscountNode: { id }, userErrors: [] });
    const read = (await run(READ_AUTOMATIC, { id })).automaticDiscountNode.automaticDiscount;
    expect(read).toMatchObject({
      title: "Silver 10%",
      startsAt: START,
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      minimumRequirement: { greaterThanOrEqualToQuantity: "3" },
      context: { segments: [{ id: silver }] },
      customerGets: { value: { percentage: 0.1 } },
    });
  });

  it("refuses what Shopify refuses, with its userErrors", async () => {
    const refusal = async (d: Record<string, unknown>) =>
      (await run(AUTO_BASIC_CREATE, { d })).discountAutomaticBasicCreate;
    const F = "automaticBasicDiscount";
    expect(await refusal(goldPercent({ title: "  " }))).toEqual({
      automaticDiscountNode: null,
      userErrors: [{ field: [F, "title"], message: "Title can't be blank", code: "BLANK", extraInfo: null }],
    });
    expect((await refusal(goldPercent({ startsAt: undefined }))).userErrors).toEqual([
      { field: [F, "startsAt"], message: "Starts at can't be blank", code: "BLANK", extraInfo: null },
    ]);
    expect((await refusal(goldPercent({ endsAt: "2026-03-31T00:00:00Z" }))).userErrors).toEqual([
      {
        field: [F, "endsAt"],
        message: "Ends at needs to be after starts_at",
        code: "END_DATE_BEFORE_START_DATE",
        extraInfo: null,
      },
    ]);
    for (const percentage of [0, 1.5]) {
      expect(
        (await refusal(goldPercent({ customerGets: { value: { percentage }, items: { all: true } } }))).userErrors,
      ).toEqual([
        {
          field: [F, "customerGets", "value", "percentage"],
          message: "Value must be between 0.0 and 1.0",
          code: "VALUE_OUTSIDE_RANGE",
          extraInfo: null,
        },
      ]);
    }
    expect((await refusal(goldPercent({ customerGets: undefined }))).userErrors).toEqual([
      { field: [F, "customerGets"], message: "Customer gets can't be blank", code: "BLANK", extraInfo: null },
    ]);
    const unknown = "gid://shopify/Segment/424242";
    expect((await refusal(goldPercent({ context: { customerSegments: { add: [unknown] } } }))).userErrors).toEqual([
      {
        field: [F, "context", "customerSegments", "add"],
        message: `Segment with id ${unknown} does not exist.`,
        code: "INVALID",
        extraInfo: null,
      },
    ]);
    const both = { subtotal: { greaterThanOrEqualToSubtotal: "10" }, quantity: { greaterThanOrEqualToQuantity: "2" } };
    expect((await refusal(goldPercent({ minimumRequirement: both }))).userErrors).toEqual([
      {
        field: [F, "minimumRequirement"],
        message: "Specify a minimum subtotal or a quantity, but not both.",
        code: "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT",
        extraInfo: null,
      },
    ]);
    // And none of them was made
    expect((await run(`{ discountNodesCount { count } }`)).discountNodesCount.count).toBe(0);
  });

  it("names a discount that does not exist, or of the other kind, when updating", async () => {
    const shipping = await createAuto(AUTO_SHIP_CREATE, goldShipping());
    expect((await run(AUTO_BASIC_UPDATE, { id: shipping, d: { title: "x" } })).discountAutomaticBasicUpdate).toEqual({
      automaticDiscountNode: null,
      userErrors: [
        {
          field: ["id"],
          message: "Discount is not an amount off automatic discount",
          code: "INVALID",
          extraInfo: null,
        },
      ],
    });
    const missing = "gid://shopify/DiscountAutomaticNode/999";
    expect((await run(AUTO_BASIC_UPDATE, { id: missing, d: { title: "x" } })).discountAutomaticBasicUpdate).toEqual({
      automaticDiscountNode: null,
      userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID", extraInfo: null }],
    });
  });
});

describe("free shipping discounts", () => {
  it("creates an automatic free shipping discount with a maximum shipping price and updates it", async () => {
    const id = await createAuto(
      AUTO_SHIP_CREATE,
      goldShipping({
        maximumShippingPrice: "20.00",
        minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "40.00" } },
      }),
    );
    expect((await run(READ_AUTOMATIC, { id })).automaticDiscountNode.automaticDiscount).toEqual({
      __typename: "DiscountAutomaticFreeShipping",
      title: "Gold free shipping",
      status: "ACTIVE",
      startsAt: START,
      endsAt: null,
      discountClasses: ["SHIPPING"],
      asyncUsageCount: 0,
      appliesOnOneTimePurchase: true,
      appliesOnSubscription: false,
      combinesWith: { orderDiscounts: true, productDiscounts: false, shippingDiscounts: false },
      minimumRequirement: { greaterThanOrEqualToSubtotal: { amount: "40.00", currencyCode: "USD" } },
      context: { __typename: "DiscountCustomerSegments", segments: [{ id: gold }] },
      maximumShippingPrice: { amount: "20.00", currencyCode: "USD" },
      destinationSelection: { allCountries: true },
    });
    const updated = await run(AUTO_SHIP_UPDATE, { id, d: { maximumShippingPrice: null, minimumRequirement: null } });
    expect(updated.discountAutomaticFreeShippingUpdate.userErrors).toEqual([]);
    expect((await run(READ_AUTOMATIC, { id })).automaticDiscountNode.automaticDiscount).toMatchObject({
      maximumShippingPrice: null,
      minimumRequirement: null,
      title: "Gold free shipping",
    });
  });

  it("refuses a discount that applies to nothing, and does not simulate shipping countries", async () => {
    const body = await run(AUTO_SHIP_CREATE, {
      d: goldShipping({ appliesOnOneTimePurchase: false, appliesOnSubscription: false }),
    });
    expect(body.discountAutomaticFreeShippingCreate.userErrors).toEqual([
      {
        field: ["freeShippingAutomaticDiscount", "appliesOnSubscription"],
        message: "A discount cannot have both appliesOnOneTimePurchase and appliesOnSubscription set to false.",
        code: "APPLIES_ON_NOTHING",
        extraInfo: null,
      },
    ]);
    const countries = await gql(AUTO_SHIP_CREATE, { d: goldShipping({ destination: { countries: { add: ["TH"] } } }) });
    expect(countries.errors?.[0]).toMatchObject({ extensions: { code: "SIMULATOR_NOT_IMPLEMENTED" } });
  });

  it("creates a free shipping code, reads it by code, keeps codes unique across kinds and updates its code", async () => {
    const created = await run(CODE_SHIP_CREATE, {
      d: {
        title: "Gold ships free",
        code: "GOLDSHIP",
        startsAt: START,
        context: { customerSegments: { add: [gold] } },
        maximumShippingPrice: "15",
        usageLimit: 100,
        appliesOncePerCustomer: true,
        destination: { all: true },
      },
    });
    expect(created.discountCodeFreeShippingCreate.userErrors).toEqual([]);
    const id = created.discountCodeFreeShippingCreate.codeDiscountNode.id;
    expect(id).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
    const read = `query R($code: String!) { codeDiscountNodeByCode(code: $code) { id codeDiscount { __typename ... on DiscountCodeFreeShipping { title usageLimit appliesOncePerCustomer discountClasses maximumShippingPrice { amount } codes(first: 5) { nodes { code } } context { ... on DiscountCustomerSegments { segments { id } } } } } } }`;
    expect((await run(read, { code: "goldship" })).codeDiscountNodeByCode).toEqual({
      id,
      codeDiscount: {
        __typename: "DiscountCodeFreeShipping",
        title: "Gold ships free",
        usageLimit: 100,
        appliesOncePerCustomer: true,
        discountClasses: ["SHIPPING"],
        maximumShippingPrice: { amount: "15" },
        codes: { nodes: [{ code: "GOLDSHIP" }] },
        context: { segments: [{ id: gold }] },
      },
    });
    // An amount off code cannot take the same code
    const taken = await run(CODE_BASIC_CREATE, {
      d: { title: "x", code: "GoldShip", startsAt: START, customerGets: { value: { percentage: 0.1 } } },
    });
    expect(taken.discountCodeBasicCreate.userErrors).toEqual([
      {
        field: ["basicCodeDiscount", "code"],
        message: "Code must be unique. Please try a different code.",
        code: "TAKEN",
        extraInfo: null,
      },
    ]);
    // Nor can another free shipping code, nor a blank one; a title is needed too
    const again = await run(CODE_SHIP_CREATE, { d: { title: "", code: "goldship", startsAt: START } });
    expect(again.discountCodeFreeShippingCreate).toEqual({
      codeDiscountNode: null,
      userErrors: [
        {
          field: ["freeShippingCodeDiscount", "title"],
          message: "Title can't be blank",
          code: "BLANK",
          extraInfo: null,
        },
        {
          field: ["freeShippingCodeDiscount", "code"],
          message: "Code must be unique. Please try a different code.",
          code: "TAKEN",
          extraInfo: null,
        },
      ],
    });
    const blank = await run(CODE_SHIP_CREATE, { d: { title: "Blank", code: " ", startsAt: START } });
    expect(blank.discountCodeFreeShippingCreate.userErrors).toEqual([
      { field: ["freeShippingCodeDiscount", "code"], message: "Code can't be blank", code: "BLANK", extraInfo: null },
    ]);
    const updated = await run(CODE_SHIP_UPDATE, { id, d: { code: "GOLDSHIP2" } });
    expect(updated.discountCodeFreeShippingUpdate.userErrors).toEqual([]);
    expect((await run(read, { code: "GOLDSHIP" })).codeDiscountNodeByCode).toBeNull();
    expect((await run(read, { code: "GOLDSHIP2" })).codeDiscountNodeByCode.id).toBe(id);
  });
});

describe("activating, deactivating and deleting", () => {
  it("deactivates an automatic discount (expired now) and activates it again (no end)", async () => {
    const id = await createAuto(AUTO_BASIC_CREATE, goldPercent({ endsAt: "2026-12-31T00:00:00Z" }));
    clock.advance(HOUR);
    expect((await run(AUTO_DEACTIVATE, { id })).discountAutomaticDeactivate.userErrors).toEqual([]);
    const status = async () => (await run(READ_AUTOMATIC, { id })).automaticDiscountNode.automaticDiscount;
    expect(await status()).toMatchObject({ status: "EXPIRED", endsAt: "2026-04-01T01:00:00Z" });
    expect((await run(AUTO_ACTIVATE, { id })).discountAutomaticActivate.userErrors).toEqual([]);
    expect(await status()).toMatchObject({ status: "ACTIVE", startsAt: START, endsAt: null });
  });

  it("activates a scheduled discount from now", async () => {
    const id = await createAuto(AUTO_SHIP_CREATE, goldShipping({ startsAt: "2026-05-01T00:00:00Z" }));
    expect((await run(READ_AUTOMATIC, { id })).automaticDiscountNode.automaticDiscount.status).toBe("SCHEDULED");
    await run(AUTO_ACTIVATE, { id });
    expect((await run(READ_AUTOMATIC, { id })).automaticDiscountNode.automaticDiscount).toMatchObject({
      status: "ACTIVE",
      startsAt: START,
    });
  });

  it("deletes an automatic discount: its id is answered once, then it is gone", async () => {
    const id = await createAuto(AUTO_BASIC_CREATE, goldPercent());
    expect((await run(AUTO_DELETE, { id })).discountAutomaticDelete).toEqual({
      deletedAutomaticDiscountId: id,
      userErrors: [],
    });
    expect((await run(READ_AUTOMATIC, { id })).automaticDiscountNode).toBeNull();
    expect((await run(AUTO_DELETE, { id })).discountAutomaticDelete).toEqual({
      deletedAutomaticDiscountId: null,
      userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID", extraInfo: null }],
    });
  });

  it("deletes a code discount and frees its code for a new discount", async () => {
    const d = { title: "Gold 10", code: "GOLD10", startsAt: START, customerGets: { value: { percentage: 0.1 } } };
    const id = (await run(CODE_BASIC_CREATE, { d })).discountCodeBasicCreate.codeDiscountNode.id;
    expect((await run(CODE_DELETE, { id })).discountCodeDelete).toEqual({ deletedCodeDiscountId: id, userErrors: [] });
    expect((await run(`{ codeDiscountNodeByCode(code: "GOLD10") { id } }`)).codeDiscountNodeByCode).toBeNull();
    expect((await run(`query Q($id: ID!) { codeDiscountNode(id: $id) { id } }`, { id })).codeDiscountNode).toBeNull();
    const again = await run(CODE_BASIC_CREATE, { d });
    expect(again.discountCodeBasicCreate.userErrors).toEqual([]);
    expect(again.discountCodeBasicCreate.codeDiscountNode.id).not.toBe(id);
  });

  it("answers an unknown id with a userError", async () => {
    const id = "gid://shopify/DiscountAutomaticNode/777";
    const expected = {
      automaticDiscountNode: null,
      userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID", extraInfo: null }],
    };
    expect((await run(AUTO_ACTIVATE, { id })).discountAutomaticActivate).toEqual(expected);
    expect((await run(AUTO_DEACTIVATE, { id })).discountAutomaticDeactivate).toEqual(expected);
    expect((await run(CODE_DELETE, { id: "gid://shopify/DiscountCodeNode/777" })).discountCodeDelete).toEqual({
      deletedCodeDiscountId: null,
      userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID", extraInfo: null }],
    });
  });

  it("keeps the methods apart: code mutations do not find an automatic discount, nor the other way round", async () => {
    const auto = await createAuto(AUTO_BASIC_CREATE, goldPercent());
    const d = { title: "Gold 10", code: "GOLD10", startsAt: START, customerGets: { value: { percentage: 0.1 } } };
    const code = (await run(CODE_BASIC_CREATE, { d })).discountCodeBasicCreate.codeDiscountNode.id;
    expect((await run(CODE_DELETE, { id: auto })).discountCodeDelete.deletedCodeDiscountId).toBeNull();
    expect((await run(AUTO_DELETE, { id: code })).discountAutomaticDelete.deletedAutomaticDiscountId).toBeNull();
    expect((await run(`query Q($id: ID!) { codeDiscountNode(id: $id) { id } }`, { id: auto })).codeDiscountNode).toBe(
      null,
    );
  });
});

describe("at most 25 automatic discounts active at once", () => {
  const LIMIT_ERROR = {
    field: null,
    message:
      "The active period overlaps with other automatic discounts. At any given time, only 25 automatic discounts can be active.",
    code: "ACTIVE_PERIOD_OVERLAP",
    extraInfo: null,
  };

  it("refuses a 26th active automatic discount, counts code discounts apart, and frees a place on deactivation", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const query = i % 2 === 0 ? AUTO_BASIC_CREATE : AUTO_SHIP_CREATE;
      ids.push(
        await createAuto(query, i % 2 === 0 ? goldPercent({ title: `P${i}` }) : goldShipping({ title: `S${i}` })),
      );
    }
    const refused = (await run(AUTO_BASIC_CREATE, { d: goldPercent({ title: "P25" }) })).discountAutomaticBasicCreate;
    expect(refused).toEqual({ automaticDiscountNode: null, userErrors: [LIMIT_ERROR] });
    expect((await run(AUTO_SHIP_CREATE, { d: goldShipping() })).discountAutomaticFreeShippingCreate.userErrors).toEqual(
      [LIMIT_ERROR],
    );
    // A code discount is not an automatic one
    const code = await run(CODE_BASIC_CREATE, {
      d: { title: "Code", code: "C1", startsAt: START, customerGets: { value: { percentage: 0.1 } } },
    });
    expect(code.discountCodeBasicCreate.userErrors).toEqual([]);
    // Updating one of the 25 is not one more
    expect(
      (await run(AUTO_BASIC_UPDATE, { id: ids[0], d: { title: "P0 renamed" } })).discountAutomaticBasicUpdate,
    ).toEqual({ automaticDiscountNode: { id: ids[0] }, userErrors: [] });
    // Deactivating one frees its place; activating it again while the place is taken is refused
    await run(AUTO_DEACTIVATE, { id: ids[3] });
    const extra = await createAuto(AUTO_BASIC_CREATE, goldPercent({ title: "P25" }));
    expect((await run(AUTO_ACTIVATE, { id: ids[3] })).discountAutomaticActivate).toEqual({
      automaticDiscountNode: null,
      userErrors: [LIMIT_ERROR],
    });
    // Deleting frees a place too
    await run(AUTO_DELETE, { id: extra });
    expect((await run(AUTO_ACTIVATE, { id: ids[3] })).discountAutomaticActivate.userErrors).toEqual([]);
  });

  it("counts discounts active at the same moment: a period after the others end is accepted", async () => {
    for (let i = 0; i < 25; i++) await createAuto(AUTO_BASIC_CREATE, goldPercent({ endsAt: "2026-06-01T00:00:00Z" }));
    const before = goldPercent({ startsAt: "2026-05-31T23:59:59Z" });
    expect((await run(AUTO_BASIC_CREATE, { d: before })).discountAutomaticBasicCreate.userErrors).toEqual([
      LIMIT_ERROR,
    ]);
    const after = await createAuto(AUTO_BASIC_CREATE, goldPercent({ startsAt: "2026-06-01T00:00:00Z" }));
    expect((await run(READ_AUTOMATIC, { id: after })).automaticDiscountNode.automaticDiscount.status).toBe("SCHEDULED");
    // Moving it earlier would overlap the 25
    expect(
      (await run(AUTO_BASIC_UPDATE, { id: after, d: { startsAt: "2026-05-01T00:00:00Z" } }))
        .discountAutomaticBasicUpdate.userErrors,
    ).toEqual([LIMIT_ERROR]);
  });
});

describe("reading discounts of both methods", () => {
  let percent: string;
  let shipping: string;
  let code: string;
  let expired: string;
  let scheduled: string;

  beforeEach(async () => {
    percent = await createAuto(AUTO_BASIC_CREATE, goldPercent({ title: "Gold tier 15%" }));
    shipping = await createAuto(AUTO_SHIP_CREATE, goldShipping({ title: "Gold tier free shipping" }));
    code = (
      await run(CODE_BASIC_CREATE, {
        d: {
          title: "Silver tier 10%",
          code: "SILVER10",
          startsAt: START,
          customerGets: { value: { percentage: 0.1 } },
        },
      })
    ).discountCodeBasicCreate.codeDiscountNode.id;
    expired = await createAuto(AUTO_BASIC_CREATE, goldPercent({ title: "Old", startsAt: "2026-01-01T00:00:00Z" }));
    await run(AUTO_DEACTIVATE, { id: expired });
    scheduled = await createAuto(AUTO_SHIP_CREATE, goldShipping({ title: "Later", startsAt: "2026-09-01T00:00:00Z" }));
  });

  const LIST = `query L($q: String, $first: Int!, $after: String) { discountNodes(first: $first, after: $after, query: $q) { nodes { id discount { __typename ... on DiscountAutomaticBasic { title status } ... on DiscountAutomaticFreeShipping { title status } ... on DiscountCodeBasic { title status codes(first: 1) { nodes { code } } } } } pageInfo { hasNextPage endCursor } } }`;
  const number = (id: string) => id.split("/").pop();
  const nodeId = (id: string) => `gid://shopify/DiscountNode/${number(id)}`;
  const titles = async (q: string | null) =>
    (await run(LIST, { q, first: 50 })).discountNodes.nodes.map(
      (n: { discount: { title: string } }) => n.discount.title,
    );

  it("lists code and automatic discounts as DiscountNodes with the union member each one is", async () => {
    const all = await run(LIST, { q: null, first: 50 });
    expect(all.discountNodes.nodes).toEqual([
      {
        id: nodeId(percent),
        discount: { __typename: "DiscountAutomaticBasic", title: "Gold tier 15%", status: "ACTIVE" },
      },
      {
        id: nodeId(shipping),
        discount: { __typename: "DiscountAutomaticFreeShipping", title: "Gold tier free shipping", status: "ACTIVE" },
      },
      {
        id: nodeId(code),
        discount: {
          __typename: "DiscountCodeBasic",
          title: "Silver tier 10%",
          status: "ACTIVE",
          codes: { nodes: [{ code: "SILVER10" }] },
        },
      },
      { id: nodeId(expired), discount: { __typename: "DiscountAutomaticBasic", title: "Old", status: "EXPIRED" } },
      {
        id: nodeId(scheduled),
        discount: { __typename: "DiscountAutomaticFreeShipping", title: "Later", status: "SCHEDULED" },
      },
    ]);
    // One numeric id space: the DiscountNode id has the number of the discount's own id
    expect(new Set([percent, shipping, code, expired, scheduled].map(number)).size).toBe(5);
  });

  it("filters by title (a quoted phrase, any case), status (one or several), method and type", async () => {
    expect(await titles(`title:"gold tier 15%"`)).toEqual(["Gold tier 15%"]);
    expect(await titles(`title:'Silver tier 10%'`)).toEqual(["Silver tier 10%"]);
    expect(await titles(`title:"Gold tier"`)).toEqual([]);
    expect(await titles(`status:expired`)).toEqual(["Old"]);
    expect(await titles(`status:active,scheduled`)).toEqual([
      "Gold tier 15%",
      "Gold tier free shipping",
      "Silver tier 10%",
      "Later",
    ]);
    expect(await titles(`status:active method:automatic`)).toEqual(["Gold tier 15%", "Gold tier free shipping"]);
    expect(await titles(`type:free_shipping`)).toEqual(["Gold tier free shipping", "Later"]);
    expect(await titles(`code:silver10`)).toEqual(["Silver tier 10%"]);
    expect(await titles(`-status:expired AND title:Later`)).toEqual(["Later"]);
    expect(await titles(`-status:active,expired`)).toEqual(["Later"]);
  });

  it("pages with cursors, counts, and finds one discount by any of its ids", async () => {
    const first = (await run(LIST, { q: null, first: 2 })).discountNodes;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await run(LIST, { q: null, first: 10, after: first.pageInfo.endCursor })).discountNodes;
    expect(second.nodes.map((n: { id: string }) => n.id)).toEqual([code, expired, scheduled].map(nodeId));
    expect(
      (await run(`{ discountNodesCount(query: "status:active") { count precision } }`)).discountNodesCount,
    ).toEqual({ count: 3, precision: "EXACT" });
    const one = `query One($id: ID!) { discountNode(id: $id) { id discount { ... on DiscountAutomaticFreeShipping { title } } } }`;
    for (const id of [shipping, nodeId(shipping)]) {
      expect((await run(one, { id })).discountNode).toEqual({
        id: nodeId(shipping),
        discount: { title: "Gold tier free shipping" },
      });
    }
    expect((await run(one, { id: "gid://shopify/DiscountNode/1" })).discountNode).toBeNull();
    const autos = await run(`{ automaticDiscountNodes(first: 10, query: "status:active") { nodes { id } } }`);
    expect(autos.automaticDiscountNodes.nodes).toEqual([{ id: percent }, { id: shipping }]);
  });
});

describe("access scopes", () => {
  it("needs write_discounts to change discounts and read_discounts to list them", async () => {
    sim.access.install(shop, { scopes: "read_customers" });
    const create = await gql(AUTO_BASIC_CREATE, { d: goldPercent() });
    expect(create.data).toEqual({ discountAutomaticBasicCreate: null });
    expect(create.errors).toEqual([
      expect.objectContaining({
        message:
          "Access denied for discountAutomaticBasicCreate field. Required access: `write_discounts` access scope.",
        path: ["discountAutomaticBasicCreate"],
        extensions: expect.objectContaining({ code: "ACCESS_DENIED" }),
      }),
    ]);
    const list = await gql(`{ discountNodes(first: 5) { nodes { id } } }`);
    expect(list.data).toBeNull();
    expect(list.errors?.[0].message).toBe(
      "Access denied for discountNodes field. Required access: `read_discounts` access scope.",
    );
    sim.access.install(shop, { scopes: "write_discounts,read_customers" });
    expect((await gql(`{ discountNodes(first: 5) { nodes { id } } }`)).errors).toBeUndefined();
  });
});
