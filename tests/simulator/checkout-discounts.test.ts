// Checkout as Shopify applies discounts: automatic discounts for the buyers their segment holds now, entered codes,
// minimum subtotal and maximum shipping price, live periods, and the best combination when not all combine. Discounts
// are made through the GraphQL entry point; carts go through the shopper actions checkout / placeOrderAtCheckout.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createAdminSimulator,
  createFakeClock,
  type AdminSimulator,
  type FakeClock,
} from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { CheckoutDiscountError, percentOf } from "../../simulator/admin/checkout";

const START = "2026-04-01T00:00:00Z";

let sim: AdminSimulator;
let clock: FakeClock;
let shop: string;
let goldSegment: string;
let silverSegment: string;
/** Customers: a gold member, a silver member, and one in no tier. */
let goldBuyer: string;
let silverBuyer: string;
let nobody: string;

async function run(query: string, variables: Record<string, unknown> = {}) {
  const body = (await sim.graphql(shop, { query, variables })).body as { data?: any; errors?: any[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

/** Runs a create mutation that must succeed; answers the created id. */
async function create(mutation: string, argument: string, input: Record<string, unknown>): Promise<string> {
  const data = await run(
    `mutation M($d: ${argument}!) { ${mutation}(${argumentName[mutation]}: $d) { automaticDiscountNode: ${
      mutation.startsWith("discountCode") ? "codeDiscountNode" : "automaticDiscountNode"
    } { id } userErrors { field message } } }`,
    { d: input },
  );
  expect(data[mutation].userErrors).toEqual([]);
  return data[mutation].automaticDiscountNode.id;
}

const argumentName: Record<string, string> = {
  discountAutomaticBasicCreate: "automaticBasicDiscount",
  discountAutomaticFreeShippingCreate: "freeShippingAutomaticDiscount",
  discountCodeBasicCreate: "basicCodeDiscount",
  discountCodeFreeShippingCreate: "freeShippingCodeDiscount",
};

const NONE = { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false };

function percentOff(segment: string | null, percentage: number, extra: Record<string, unknown> = {}) {
  return create("discountAutomaticBasicCreate", "DiscountAutomaticBasicInput", {
    title: `${percentage * 100}% off`,
    startsAt: START,
    ...(segment ? { context: { customerSegments: { add: [segment] } } } : {}),
    customerGets: { value: { percentage }, items: { all: true } },
    combinesWith: { ...NONE, shippingDiscounts: true },
    ...extra,
  });
}

function amountOff(segment: string | null, amount: string, extra: Record<string, unknown> = {}) {
  return create("discountAutomaticBasicCreate", "DiscountAutomaticBasicInput", {
    title: `${amount} off`,
    startsAt: START,
    ...(segment ? { context: { customerSegments: { add: [segment] } } } : {}),
    customerGets: { value: { discountAmount: { amount, appliesOnEachItem: false } }, items: { all: true } },
    combinesWith: NONE,
    ...extra,
  });
}

function freeShipping(segment: string | null, extra: Record<string, unknown> = {}) {
  return create("discountAutomaticFreeShippingCreate", "DiscountAutomaticFreeShippingInput", {
    title: "Free shipping",
    startsAt: START,
    ...(segment ? { context: { customerSegments: { add: [segment] } } } : {}),
    combinesWith: { ...NONE, orderDiscounts: true },
    ...extra,
  });
}

/** What checkout takes off, in short: [title, amount] per applied discount, and the total. */
function summary(customerId: string, cart: { subtotal: string; shipping?: string; codes?: string[] }) {
  const result = sim.checkout(shop, { customerId, ...cart });
  return { applied: result.applied.map((a) => [a.title, a.amount]), total: result.total };
}

function refusal(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    if (error instanceof CheckoutDiscountError) return error.reason;
    throw error;
  }
  throw new Error("checkout accepted the code");
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
  ({ domain: shop } = seedDemoShop(sim, { customers: 0 }));
  goldBuyer = sim.createCustomer(shop, { email: "g@example.com", tags: ["tier:gold"] }).id;
  silverBuyer = sim.createCustomer(shop, { email: "s@example.com", tags: ["tier:silver"] }).id;
  nobody = sim.createCustomer(shop, { email: "n@example.com", tags: [] }).id;
  const segment = async (name: string, tag: string) =>
    (
      await run(`mutation S($n: String!, $q: String!) { segmentCreate(name: $n, query: $q) { segment { id } } }`, {
        n: name,
        q: `customer_tags CONTAINS '${tag}'`,
      })
    ).segmentCreate.segment.id as string;
  goldSegment = await segment("Gold", "tier:gold");
  silverSegment = await segment("Silver", "tier:silver");
});
afterEach(() => sim.dispose());

describe("automatic discounts follow the segment", () => {
  beforeEach(async () => {
    await percentOff(goldSegment, 0.15, { title: "Gold 15%" });
    await freeShipping(goldSegment, { title: "Gold free shipping", maximumShippingPrice: "20.00" });
    await percentOff(silverSegment, 0.1, { title: "Silver 10%" });
  });

  it("gives a segment member its percentage off and free shipping, together", () => {
    expect(summary(goldBuyer, { subtotal: "120.00", shipping: "9.90" })).toEqual({
      applied: [
        ["Gold 15%", "18.00"],
        ["Gold free shipping", "9.90"],
      ],
      total: "102.00",
    });
  });

  it("gives a buyer in no segment (or a guest) neither", () => {
    expect(summary(nobody, { subtotal: "120.00", shipping: "9.90" })).toEqual({ applied: [], total: "129.90" });
    expect(sim.checkout(shop, { subtotal: "120.00", shipping: "9.90" }).total).toBe("129.90");
  });

  it("gives a member of another segment only that segment's discount", () => {
    expect(summary(silverBuyer, { subtotal: "120.00", shipping: "9.90" })).toEqual({
      applied: [["Silver 10%", "12.00"]],
      total: "117.90",
    });
  });

  it("follows the customer's tags at the next checkout", () => {
    sim.updateCustomer(shop, goldBuyer, { tags: ["tier:silver"] });
    expect(summary(goldBuyer, { subtotal: "120.00", shipping: "9.90" })).toEqual({
      applied: [["Silver 10%", "12.00"]],
      total: "117.90",
    });
    sim.updateCustomer(shop, goldBuyer, { tags: [] });
    expect(summary(goldBuyer, { subtotal: "120.00", shipping: "9.90" }).applied).toEqual([]);
    sim.updateCustomer(shop, goldBuyer, { tags: ["vip", "tier:gold"] });
    expect(summary(goldBuyer, { subtotal: "120.00", shipping: "9.90" }).total).toBe("102.00");
  });

  it("makes shipping free only up to the maximum shipping price", () => {
    expect(summary(goldBuyer, { subtotal: "100.00", shipping: "20.00" })).toEqual({
      applied: [
        ["Gold 15%", "15.00"],
        ["Gold free shipping", "20.00"],
      ],
      total: "85.00",
    });
    expect(summary(goldBuyer, { subtotal: "100.00", shipping: "20.01" })).toEqual({
      applied: [["Gold 15%", "15.00"]],
      total: "105.01",
    });
  });

  it("rounds a percentage half up to the cent, exactly", () => {
    // (and free shipping, with nothing to ship, takes nothing off: it is not shown)
    expect(summary(goldBuyer, { subtotal: "33.33" })).toEqual({ applied: [["Gold 15%", "5.00"]], total: "28.33" });
    expect(percentOf("0.04", 0.125)).toBe("0.01");
    expect(percentOf("19.99", 0.15)).toBe("3.00");
    expect(percentOf("1000000000000.10", 0.07)).toBe("70000000000.01");
  });
});

describe("requirements and live periods", () => {
  it("applies a minimum subtotal to the subtotal before discounts", async () => {
    await freeShipping(goldSegment, { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "50.00" } } });
    expect(summary(goldBuyer, { subtotal: "49.99", shipping: "5.00" })).toEqual({ applied: [], total: "54.99" });
    expect(summary(goldBuyer, { subtotal: "50.00", shipping: "5.00" })).toEqual({
      applied: [["Free shipping", "5.00"]],
      total: "50.00",
    });
  });

  it("applies a minimum quantity when the cart says its quantity", async () => {
    await percentOff(goldSegment, 0.2, { minimumRequirement: { quantity: { greaterThanOrEqualToQuantity: "3" } } });
    expect(sim.checkout(shop, { customerId: goldBuyer, subtotal: "50.00", quantity: 2 }).applied).toEqual([]);
    expect(sim.checkout(shop, { customerId: goldBuyer, subtotal: "50.00", quantity: 3 }).total).toBe("40.00");
    expect(() => sim.checkout(shop, { customerId: goldBuyer, subtotal: "50.00" })).toThrow(/quantity/);
  });

  it("does not apply a deactivated, deleted, expired or not yet started discount", async () => {
    await percentOff(goldSegment, 0.15, { endsAt: "2026-04-10T00:00:00Z" });
    const shipping = await freeShipping(goldSegment);
    await percentOff(goldSegment, 0.3, { title: "Summer", startsAt: "2026-06-01T00:00:00Z", combinesWith: NONE });
    expect(summary(goldBuyer, { subtotal: "100.00", shipping: "8.00" }).total).toBe("85.00");

    await run(`mutation D($id: ID!) { discountAutomaticDeactivate(id: $id) { userErrors { message } } }`, {
      id: shipping,
    });
    expect(summary(goldBuyer, { subtotal: "100.00", shipping: "8.00" })).toEqual({
      applied: [["15% off", "15.00"]],
      total: "93.00",
    });
    await run(`mutation A($id: ID!) { discountAutomaticActivate(id: $id) { userErrors { message } } }`, {
      id: shipping,
    });
    await run(`mutation X($id: ID!) { discountAutomaticDelete(id: $id) { userErrors { message } } }`, {
      id: shipping,
    });
    expect(summary(goldBuyer, { subtotal: "100.00", shipping: "8.00" }).total).toBe("93.00");

    // The percentage ends on 2026-04-10; the summer discount starts on 2026-06-01
    clock.set(Date.parse("2026-04-10T00:00:00Z"));
    expect(summary(goldBuyer, { subtotal: "100.00", shipping: "8.00" })).toEqual({ applied: [], total: "108.00" });
    clock.set(Date.parse("2026-06-01T00:00:00Z"));
    expect(summary(goldBuyer, { subtotal: "100.00", shipping: "8.00" })).toEqual({
      applied: [["Summer", "30.00"]],
      total: "78.00",
    });
  });
});

describe("combinations", () => {
  it("applies only the better of two order discounts that do not combine", async () => {
    await percentOff(goldSegment, 0.15, { combinesWith: NONE });
    await amountOff(goldSegment, "10.00");
    expect(summary(goldBuyer, { subtotal: "50.00" })).toEqual({ applied: [["10.00 off", "10.00"]], total: "40.00" });
    expect(summary(goldBuyer, { subtotal: "100.00" })).toEqual({ applied: [["15% off", "15.00"]], total: "85.00" });
  });

  it("applies order discounts together when each combines with order discounts, never beyond the subtotal", async () => {
    const order = { ...NONE, orderDiscounts: true };
    await amountOff(goldSegment, "30.00", { title: "A", combinesWith: order });
    await amountOff(goldSegment, "30.00", { title: "B", combinesWith: order });
    await percentOff(goldSegment, 0.1, { title: "C", combinesWith: NONE });
    expect(summary(goldBuyer, { subtotal: "100.00" })).toEqual({
      applied: [
        ["A", "30.00"],
        ["B", "30.00"],
      ],
      total: "40.00",
    });
    expect(summary(goldBuyer, { subtotal: "50.00" })).toEqual({
      applied: [
        ["A", "30.00"],
        ["B", "20.00"],
      ],
      total: "0.00",
    });
  });

  it("needs both sides to allow the other's class: an order and a shipping discount that do not combine", async () => {
    // The percentage combines with shipping discounts, but the free shipping does not combine with order discounts
    await percentOff(goldSegment, 0.15);
    await freeShipping(goldSegment, { combinesWith: NONE });
    expect(summary(goldBuyer, { subtotal: "100.00", shipping: "9.90" })).toEqual({
      applied: [["15% off", "15.00"]],
      total: "94.90",
    });
    expect(summary(goldBuyer, { subtotal: "50.00", shipping: "9.90" })).toEqual({
      applied: [["Free shipping", "9.90"]],
      total: "50.00",
    });
  });

  it("applies one shipping discount at most, even when both say they combine with shipping discounts", async () => {
    const all = { orderDiscounts: true, productDiscounts: true, shippingDiscounts: true };
    await freeShipping(null, { title: "Everyone ships free", combinesWith: all });
    await freeShipping(goldSegment, { title: "Gold ships free", combinesWith: all });
    expect(summary(goldBuyer, { subtotal: "10.00", shipping: "4.00" })).toEqual({
      applied: [["Everyone ships free", "4.00"]],
      total: "10.00",
    });
  });

  it("prefers an entered code when it saves as much as an automatic discount, and says which codes were left out", async () => {
    await freeShipping(goldSegment, { title: "Gold ships free" });
    await create("discountCodeFreeShippingCreate", "DiscountCodeFreeShippingInput", {
      title: "Ship code",
      code: "SHIPFREE",
      startsAt: START,
      combinesWith: NONE,
      destination: { all: true },
    });
    await create("discountCodeBasicCreate", "DiscountCodeBasicInput", {
      title: "Code 5%",
      code: "FIVE",
      startsAt: START,
      customerGets: { value: { percentage: 0.05 }, items: { all: true } },
      combinesWith: NONE,
    });
    const result = sim.checkout(shop, {
      customerId: goldBuyer,
      subtotal: "40.00",
      shipping: "6.00",
      codes: ["shipfree", "FIVE"],
    });
    expect(result).toEqual({
      subtotal: "40.00",
      shipping: "6.00",
      applied: [
        {
          id: expect.stringMatching(/DiscountCodeNode/),
          title: "Ship code",
          method: "code",
          discountClass: "SHIPPING",
          code: "shipfree",
          amount: "6.00",
        },
      ],
      discountCodes: ["shipfree"],
      notCombined: ["FIVE"],
      orderDiscounts: "0.00",
      shippingDiscounts: "6.00",
      totalDiscounts: "6.00",
      total: "40.00",
    });
  });
});

describe("entered codes", () => {
  it("refuses a code checkout cannot apply, as today, and an unknown or deleted one", async () => {
    const id = await create("discountCodeFreeShippingCreate", "DiscountCodeFreeShippingInput", {
      title: "Gold ship code",
      code: "GOLDSHIP",
      startsAt: START,
      context: { customerSegments: { add: [goldSegment] } },
      maximumShippingPrice: "10.00",
      destination: { all: true },
    });
    expect(refusal(() => sim.checkout(shop, { customerId: nobody, subtotal: "20.00", codes: ["GOLDSHIP"] }))).toBe(
      "not_eligible",
    );
    expect(
      refusal(() =>
        sim.checkout(shop, { customerId: goldBuyer, subtotal: "20", shipping: "12.00", codes: ["GOLDSHIP"] }),
      ),
    ).toBe("shipping_price");
    expect(refusal(() => sim.checkout(shop, { customerId: goldBuyer, subtotal: "20.00", codes: ["NOPE"] }))).toBe(
      "unknown",
    );
    expect(summary(goldBuyer, { subtotal: "20.00", shipping: "7.50", codes: ["GOLDSHIP"] })).toEqual({
      applied: [["Gold ship code", "7.50"]],
      total: "20.00",
    });
    await run(`mutation X($id: ID!) { discountCodeDelete(id: $id) { userErrors { message } } }`, { id });
    expect(refusal(() => sim.checkout(shop, { customerId: goldBuyer, subtotal: "20.00", codes: ["GOLDSHIP"] }))).toBe(
      "unknown",
    );
  });
});

describe("placing the order", () => {
  it("records the codes, what the discounts took off and the totals, and counts each discount's use", async () => {
    const percent = await percentOff(goldSegment, 0.15, { title: "Gold 15%" });
    const shipping = await create("discountCodeFreeShippingCreate", "DiscountCodeFreeShippingInput", {
      title: "Gold ship code",
      code: "GOLDSHIP",
      startsAt: START,
      context: { customerSegments: { add: [goldSegment] } },
      combinesWith: { ...NONE, orderDiscounts: true },
      usageLimit: 1,
      destination: { all: true },
    });
    const { order, checkout } = sim.placeOrderAtCheckout(shop, {
      customerId: goldBuyer,
      subtotal: "80.00",
      shipping: "6.50",
      codes: ["GoldShip"],
    });
    expect(checkout.total).toBe("68.00");
    const read = await run(
      `query O($id: ID!) { order(id: $id) { discountCodes totalPriceSet { shopMoney { amount } } subtotalPriceSet { shopMoney { amount } } totalDiscountsSet { shopMoney { amount } } customer { id } } }`,
      { id: order.id },
    );
    expect(read.order).toEqual({
      discountCodes: ["GoldShip"],
      totalPriceSet: { shopMoney: { amount: "68.00" } },
      subtotalPriceSet: { shopMoney: { amount: "68.00" } },
      totalDiscountsSet: { shopMoney: { amount: "18.50" } },
      customer: { id: goldBuyer },
    });
    const usage = await run(
      `query U($a: ID!, $c: ID!) { a: discountNode(id: $a) { discount { ... on DiscountAutomaticBasic { asyncUsageCount } } } c: codeDiscountNode(id: $c) { codeDiscount { ... on DiscountCodeFreeShipping { asyncUsageCount } } } }`,
      { a: percent, c: shipping },
    );
    expect(usage).toEqual({
      a: { discount: { asyncUsageCount: 1 } },
      c: { codeDiscount: { asyncUsageCount: 1 } },
    });
    // The code's only use is taken; the automatic discount still applies
    expect(
      refusal(() => sim.placeOrderAtCheckout(shop, { customerId: goldBuyer, subtotal: "80.00", codes: ["GOLDSHIP"] })),
    ).toBe("used_up");
    const next = sim.placeOrderAtCheckout(shop, { customerId: goldBuyer, subtotal: "80.00", shipping: "6.50" });
    expect(next.order).toMatchObject({
      discountCodes: [],
      totalPriceSet: { shopMoney: { amount: "74.50" } },
      totalDiscountsSet: { shopMoney: { amount: "12.00" } },
    });
  });

  it("counts the order toward segments: the next checkout sees the new amount spent", async () => {
    const big = (await run(`mutation { segmentCreate(name: "Big", query: "amount_spent >= 100") { segment { id } } }`))
      .segmentCreate.segment.id;
    await percentOff(big, 0.1, { title: "Big spender" });
    expect(summary(nobody, { subtotal: "60.00" }).applied).toEqual([]);
    sim.placeOrderAtCheckout(shop, { customerId: nobody, subtotal: "60.00" });
    sim.placeOrderAtCheckout(shop, { customerId: nobody, subtotal: "60.00" });
    expect(summary(nobody, { subtotal: "60.00" })).toEqual({ applied: [["Big spender", "6.00"]], total: "54.00" });
  });
});
