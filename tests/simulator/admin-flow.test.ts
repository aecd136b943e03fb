// flowTriggerReceive in the Admin double: it accepts exactly the app's declared trigger extensions (read from
// extensions/*/shopify.extension.toml) with exactly their fields, records what it accepts, and refuses the rest. And
// Flow's action runner: the app's action extensions read as Shopify checks them, a run signed as Flow signs it.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAdminSimulator, type AdminSimulator } from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHmac } from "node:crypto";
import { declaredFlowTriggers, FLOW_TRIGGER_KEY } from "../../simulator/local-shopify";
import { declaredFlowActions, flowActionRequest } from "../../simulator/flow/actions";

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
  it("reads the app's trigger extensions (and not its action)", () => {
    expect(Object.keys(declaredFlowTriggers("extensions")).sort()).toEqual([
      "campaign-offer-issued",
      "loyalty-tier-changed",
      "points-earned",
      "points-expiring",
      "referral-completed",
      "reward-redeemed",
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

describe("Flow actions (simulator/flow/actions.ts)", () => {
  it("reads the app's Award points action", () => {
    const actions = declaredFlowActions("extensions");
    expect(Object.keys(actions)).toEqual(["award-points"]);
    expect(actions["award-points"].runtimePath).toBe("/flow/award-points");
  });

  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("refuses an action extension Shopify would refuse", () => {
    /** Reading a folder holding one action extension with these lines. */
    const bad = (extension: string, fields: string) => {
      const dir = mkdtempSync(path.join(tmpdir(), "flow-action-"));
      dirs.push(dir);
      mkdirSync(path.join(dir, "a"));
      writeFileSync(
        path.join(dir, "a", "shopify.extension.toml"),
        `[[extensions]]\ntype = "flow_action"\nhandle = "a"\nname = "A"\n${extension}\n[settings]\n${fields}`,
      );
      return () => declaredFlowActions(dir);
    };
    const ok = 'runtime_url = "https://app.example/flow/a"';
    expect(bad(ok, "")()).toMatchObject({ a: { runtimePath: "/flow/a", fields: [] } });
    expect(bad('runtime_url = "http://app.example/flow/a"', "")).toThrow(/https/);
    expect(bad('runtime_url = "/flow/a"', "")).toThrow(/absolute/);
    expect(bad(ok, '[[settings.fields]]\ntype = "money"\nkey = "x"\nname = "X"')).toThrow(
      /unknown Flow action field type/,
    );
    expect(bad(ok, '[[settings.fields]]\ntype = "customer_reference"\nkey = "customer"')).toThrow(/has no key/);
    expect(bad(ok, '[[settings.fields]]\ntype = "number_integer"\nkey = "points"')).toThrow(
      /needs a key .* and a name/,
    );
  });

  it("signs a run as Flow does: base64 HMAC-SHA256 of the exact body with the app's secret", () => {
    const definition = declaredFlowActions("extensions")["award-points"];
    const request = flowActionRequest({
      appUrl: "http://127.0.0.1:3000",
      apiSecret: "secret",
      shop: "s.myshopify.com",
      shopId: 7,
      definition,
      properties: { customer_id: 5, points: 10, reason: "r" },
      actionRunId: "run-0000-0001",
    });
    expect(request.url).toBe("http://127.0.0.1:3000/flow/award-points");
    expect(JSON.parse(request.body)).toEqual({
      shop_id: 7,
      shopify_domain: "s.myshopify.com",
      action_run_id: "run-0000-0001",
      action_definition_id: "Award points",
      handle: "award-points",
      properties: { customer_id: 5, points: 10, reason: "r" },
    });
    expect(request.headers["X-Shopify-Hmac-Sha256"]).toBe(
      createHmac("sha256", "secret").update(request.body).digest("base64"),
    );
  });
});
