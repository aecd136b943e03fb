// flowTriggerReceive in the Admin double: it accepts exactly the app's declared trigger extensions (read from
// extensions/*/shopify.extension.toml) with exactly their fields, records what it accepts, and refuses the rest.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAdminSimulator, type AdminSimulator } from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { declaredFlowTriggers, FLOW_TRIGGER_KEY } from "../../simulator/local-shopify";

let sim: AdminSimulator;
let shop: string;
let customer: number;
const MUTATION = `mutation T($handle: String!, $payload: JSON!) { flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } } }`;

beforeEach(() => {
  sim = createAdminSimulator({ apiKey: "key", apiSecret: "secret", flowTriggers: declaredFlowTriggers("extensions") });
  const seeded = seedDemoShop(sim);
  shop = seeded.domain;
  customer = Number(seeded.customers[0].id.split("/").pop());
});
afterEach(() => sim.dispose());

const send = async (handle: string, payload: unknown) =>
  (
    (await sim.graphql(shop, { query: MUTATION, variables: { handle, payload } })).body as {
      data: { flowTriggerReceive: { userErrors: { message: string }[] } };
    }
  ).data.flowTriggerReceive.userErrors.map((e) => e.message);

describe("flowTriggerReceive", () => {
  it("reads the app's three trigger extensions", () => {
    expect(Object.keys(declaredFlowTriggers("extensions")).sort()).toEqual([
      "campaign-offer-issued",
      "loyalty-tier-changed",
      "rfm-segment-changed",
    ]);
  });

  it("declares field keys Shopify accepts (letters and spaces only), and refuses a folder that does not", () => {
    const keys = Object.values(declaredFlowTriggers("extensions"))
      .flat()
      .flatMap((f) => (f.key === undefined ? [] : [f.key]));
    expect(keys).toContain("from tier");
    for (const key of keys) expect(key).toMatch(FLOW_TRIGGER_KEY);
    const dir = mkdtempSync(path.join(tmpdir(), "flow-"));
    try {
      mkdirSync(path.join(dir, "bad"));
      writeFileSync(
        path.join(dir, "bad", "shopify.extension.toml"),
        '[[extensions]]\ntype = "flow_trigger"\nhandle = "bad"\n[[settings.fields]]\ntype = "single_line_text_field"\nkey = "from_tier"\n',
      );
      expect(() => declaredFlowTriggers(dir)).toThrow(/'from_tier' must contain only letters and spaces/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("accepts a payload with exactly the declared fields and records it", async () => {
    expect(
      await send("loyalty-tier-changed", {
        customer_id: customer,
        "from tier": "Silver",
        "to tier": "Gold",
        direction: "up",
      }),
    ).toEqual([]);
    expect(sim.shops.getShop(shop)!.flowTriggers).toEqual([
      {
        handle: "loyalty-tier-changed",
        payload: { customer_id: customer, "from tier": "Silver", "to tier": "Gold", direction: "up" },
        receivedAt: expect.any(String),
      },
    ]);
  });

  it("refuses an unknown handle, a missing or unknown field, a wrong type and a customer the shop does not have", async () => {
    expect(await send("nope", {})).toEqual(["Invalid handle 'nope'."]);
    expect(await send("rfm-segment-changed", { customer_id: customer, "from segment": "loyal" })).toEqual([
      "Missing required field 'to segment'.",
    ]);
    expect(
      await send("rfm-segment-changed", {
        customer_id: customer,
        "from segment": "loyal",
        "to segment": "at_risk",
        extra: 1,
      }),
    ).toEqual(["Unknown field 'extra'."]);
    expect(
      await send("rfm-segment-changed", { customer_id: customer, "from segment": 3, "to segment": "at_risk" }),
    ).toEqual(["Field 'from segment' must be text."]);
    expect(
      await send("rfm-segment-changed", { customer_id: 1, "from segment": "loyal", "to segment": "at_risk" }),
    ).toEqual(["Customer '1' does not exist."]);
    expect(sim.shops.getShop(shop)!.flowTriggers).toEqual([]);
  });
});
