// Where Shopify is strict, the local Shopify is too (issue #18): input array limits, page sizes, metafield writes,
// staged uploads and their storage endpoint, bulk operation concurrency, and every scalar of the 2026-04 schema.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isScalarType } from "graphql";
import {
  createAdminSimulator,
  createFakeClock,
  type AdminSimulator,
  type FakeClock,
} from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { adminSchema } from "../../simulator/admin/schema";
import { scalarProblem } from "../../simulator/admin/scalars";
import { parseMultipart } from "../../simulator/admin/multipart";
import { STAGED_UPLOAD_MAX_BYTES, checkStagedUpload, createStagedTarget } from "../../simulator/admin/staged-policy";
import { createLocalShopify } from "../../simulator/local-shopify";

// The protected customer data approval the app holds (name and email). Given loosely typed so this file runs with and
// without the access-scope work landing in parallel (tests/support/approval.ts there says the same).
const APPROVED = { protectedCustomerData: { level: 2, fields: ["name", "email"] } } as Record<string, unknown>;

let sim: AdminSimulator;
let clock: FakeClock;
let shop: string;
let customers: { id: string }[];

beforeEach(() => {
  clock = createFakeClock();
  sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    clock,
    ...APPROVED,
    plans: { standard: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } },
  });
  ({ domain: shop, customers } = seedDemoShop(sim, { customers: 4, ordersEach: 1 }));
});
afterEach(() => sim.dispose());

async function gql(query: string, variables: Record<string, unknown> = {}) {
  return (await sim.graphql(shop, { query, variables })).body as { data?: any; errors?: any[] };
}

const tooBig = (path: (string | number)[], size = 251) => ({
  message: `The input array size of ${size} is greater than the maximum allowed of 250.`,
  locations: [expect.objectContaining({ line: 1 })],
  path,
  extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
});

describe("input arrays: at most 250 items (https://shopify.dev/docs/api/usage/limits#input-limits)", () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `gid://shopify/Customer/${9_000_000 + i}`);

  it("answers nodes(ids:) with 250 ids and refuses 251 before running, naming the field and argument", async () => {
    const query = `query N($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
    expect((await gql(query, { ids: ids(250) })).data.nodes).toHaveLength(250);
    expect(await gql(query, { ids: ids(251) })).toEqual({ errors: [tooBig(["nodes", "ids"])] });
  });

  it("names an aliased field by its alias, and a literal list counts too", async () => {
    const literal = `{ a: nodes(ids: [${ids(251)
      .map((id) => JSON.stringify(id))
      .join(",")}]) { id } }`;
    expect(await gql(literal)).toEqual({ errors: [tooBig(["a", "ids"])] });
  });

  it("checks lists nested in input objects (discountRedeemCodeBulkAdd's documented 250 codes)", async () => {
    const query = `mutation B($id: ID!, $codes: [DiscountRedeemCodeInput!]!) { discountRedeemCodeBulkAdd(discountId: $id, codes: $codes) { userErrors { message } } }`;
    const codes = Array.from({ length: 300 }, (_, i) => ({ code: `C${i}` }));
    expect(await gql(query, { id: "gid://shopify/DiscountCodeNode/1", codes })).toEqual({
      errors: [tooBig(["discountRedeemCodeBulkAdd", "codes"], 300)],
    });
  });

  it("does not count arrays inside a JSON scalar as input arrays", async () => {
    const query = `mutation F($p: JSON!) { flowTriggerReceive(handle: "nope", payload: $p) { userErrors { field message } } }`;
    const body = await gql(query, { p: { items: Array.from({ length: 300 }, (_, i) => i) } });
    expect(body.errors).toBeUndefined();
    expect(body.data.flowTriggerReceive.userErrors[0].field).toEqual(["handle"]);
  });

  it("refuses more than 25 metafields in one metafieldsSet with its own userError", async () => {
    const m = Array.from({ length: 26 }, (_, i) => ({
      ownerId: customers[0].id,
      key: `k${i}`,
      type: "single_line_text_field",
      value: "v",
    }));
    const body = await gql(
      `mutation S($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field message code elementIndex } } }`,
      { m },
    );
    expect(body.data.metafieldsSet.userErrors).toEqual([
      {
        field: ["metafields"],
        message: "Exceeded the maximum metafields input limit of 25.",
        code: "LESS_THAN_OR_EQUAL_TO",
        elementIndex: null,
      },
    ]);
  });
});

describe("connections: first or last required, page size limits", () => {
  it("refuses first: 251 on customers and takes 250", async () => {
    expect((await gql(`{ customers(first: 250) { nodes { id } } }`)).data.customers.nodes).toHaveLength(4);
    const body = await gql(`{ customers(first: 251) { nodes { id } } }`);
    expect(body.errors?.[0].message).toBe("The first argument must be between 0 and 250.");
  });

  it("allows customerSegmentMembers pages over 250, as its schema documents a maximum of 1000", async () => {
    // (a page of 1000 members costs 1002 points, over the single query limit, so 1000 is not reachable in practice)
    const q = (n: number) =>
      `{ customerSegmentMembers(first: ${n}, query: "number_of_orders >= 0") { edges { node { id } } } }`;
    expect((await gql(q(500))).data.customerSegmentMembers.edges).toHaveLength(4);
  });

  it("refuses a connection with neither first nor last", async () => {
    expect((await gql(`{ segments { nodes { id } } }`)).errors?.[0].message).toBe(
      "you must provide one of first or last",
    );
  });
});

describe("metafieldsSet refuses what Shopify refuses, and writes nothing", () => {
  const SET = `mutation S($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { namespace key } userErrors { field message code elementIndex } } }`;
  const set = async (input: Record<string, unknown>) =>
    (await gql(SET, { m: [{ ownerId: customers[0].id, type: "single_line_text_field", value: "gold", ...input }] }))
      .data.metafieldsSet;

  it.each([
    [
      { namespace: "ab", key: "tier" },
      ["metafields", "0", "namespace"],
      "Namespace is too short (minimum is 3 characters)",
      "TOO_SHORT",
    ],
    [
      { namespace: "loyalty", key: "t" },
      ["metafields", "0", "key"],
      "Key is too short (minimum is 2 characters)",
      "TOO_SHORT",
    ],
    [
      { namespace: "n".repeat(256), key: "tier" },
      ["metafields", "0", "namespace"],
      "Namespace is too long (maximum is 255 characters)",
      "TOO_LONG",
    ],
    [
      { namespace: "loyalty", key: "k".repeat(65) },
      ["metafields", "0", "key"],
      "Key is too long (maximum is 64 characters)",
      "TOO_LONG",
    ],
    [
      { namespace: "loyalty", key: "tier.level" },
      ["metafields", "0", "key"],
      "Key contains one or more invalid characters.",
      "INVALID",
    ],
    [
      { namespace: "loyal ty", key: "tier" },
      ["metafields", "0", "namespace"],
      "Namespace contains one or more invalid characters.",
      "INVALID",
    ],
    [
      { namespace: "$app:bad/suffix", key: "tier" },
      ["metafields", "0", "namespace"],
      "Namespace contains one or more invalid characters.",
      "INVALID",
    ],
    [
      { namespace: "protected", key: "tier" },
      ["metafields", "0", "namespace"],
      "Namespace protected is a reserved namespace",
      null,
    ],
    [
      { namespace: "app--999", key: "tier" },
      ["metafields", "0"],
      "Access to this namespace and key on Metafields for this resource type is not allowed.",
      "APP_NOT_AUTHORIZED",
    ],
    [
      { namespace: "loyalty", key: "tier", type: undefined },
      ["metafields", "0", "type"],
      "Type can't be blank",
      "BLANK",
    ],
  ])("refuses %j", async (input, field, message, code) => {
    expect(await set(input)).toEqual({ metafields: [], userErrors: [{ field, message, code, elementIndex: null }] });
    expect(sim.shops.getShop(shop)!.metafieldsOf(customers[0].id)).toEqual([]);
  });

  it("resolves $app and the app's own app--{id} namespace to the same place", async () => {
    expect((await set({ namespace: "$app", key: "tier" })).userErrors).toEqual([]);
    expect(await set({ namespace: "app--1", key: "tier", value: "silver" })).toEqual({
      metafields: [{ namespace: "app--1", key: "tier" }],
      userErrors: [],
    });
    expect(
      sim.shops
        .getShop(shop)!
        .metafieldsOf(customers[0].id)
        .map((m) => [m.namespace, m.value]),
    ).toEqual([["app--1", "silver"]]);
  });

  it("needs the type again when no definition fixes it, even over an existing value", async () => {
    await set({ namespace: "loyalty", key: "tier" });
    expect((await set({ namespace: "loyalty", key: "tier", type: undefined })).userErrors[0]).toMatchObject({
      field: ["metafields", "0", "type"],
      code: "BLANK",
    });
  });

  it.each([
    ["single_line_text_field", "gold\nsilver", "Value must be a single line text string."],
    ["single_line_text_field", "  ", "Value can't be blank."],
    ["number_integer", "12.5", "Value must be an integer."],
    ["number_decimal", "1,5", "Value must be a decimal."],
    ["boolean", "yes", "Value must be true or false."],
    ["json", "{not json", "Value is invalid JSON."],
    ["date", "2026-02-30", "Value must be in YYYY-MM-DD format."],
    ["date_time", "December 5, 2026", "Value must be in YYYY-MM-DDTHH:MM:SS format."],
    ["color", "red", "Value must be a hex color code."],
    ["list.single_line_text_field", '"a"', "Value must be a JSON array."],
    [
      "list.single_line_text_field",
      JSON.stringify(Array.from({ length: 129 }, (_, i) => `v${i}`)),
      "Value has more than 128 elements.",
    ],
  ])("refuses a %s value %j", async (type, value, message) => {
    expect((await set({ namespace: "loyalty", key: "field", type, value })).userErrors).toEqual([
      { field: ["metafields", "0", "value"], message, code: "INVALID_VALUE", elementIndex: null },
    ]);
  });

  it("names the list element at fault with elementIndex", async () => {
    const errors = (
      await set({
        namespace: "loyalty",
        key: "ints",
        type: "list.number_integer",
        value: JSON.stringify([1, "2", "x"]),
      })
    ).userErrors;
    expect(errors).toEqual([
      {
        field: ["metafields", "0", "value"],
        message: "Value must be an integer.",
        code: "INVALID_VALUE",
        elementIndex: 2,
      },
    ]);
  });

  it("takes json values up to 128KB in 2026-04 and text up to 64KB", async () => {
    const json = (bytes: number) => JSON.stringify("x".repeat(bytes - 2));
    expect((await set({ namespace: "loyalty", key: "big", type: "json", value: json(128 * 1024) })).userErrors).toEqual(
      [],
    );
    expect(
      (await set({ namespace: "loyalty", key: "big", type: "json", value: json(128 * 1024 + 1) })).userErrors,
    ).toEqual([
      {
        field: ["metafields", "0", "value"],
        message: "Value is too long (maximum is 131072 bytes)",
        code: "TOO_LONG",
        elementIndex: null,
      },
    ]);
    expect(
      (await set({ namespace: "loyalty", key: "text", value: "é".repeat(32 * 1024) + "x" })).userErrors[0],
    ).toMatchObject({ code: "TOO_LONG" });
  });

  it("lets one bad element refuse the whole call, naming it by its index in field", async () => {
    const m = [
      { ownerId: customers[0].id, namespace: "loyalty", key: "tier", type: "single_line_text_field", value: "gold" },
      { ownerId: customers[1].id, namespace: "loyalty", key: "tier", type: "number_integer", value: "gold" },
    ];
    const data = (await gql(SET, { m })).data.metafieldsSet;
    expect(data).toEqual({
      metafields: [],
      userErrors: [
        {
          field: ["metafields", "1", "value"],
          message: "Value must be an integer.",
          code: "INVALID_VALUE",
          elementIndex: null,
        },
      ],
    });
    expect(sim.shops.getShop(shop)!.metafieldsOf(customers[0].id)).toEqual([]);
  });
});

describe("the app's own definitions from shopify.app.toml fix the metafield types", () => {
  it("refuses a write of another type and takes the definition's type when none is given", async () => {
    const local = createLocalShopify({ apiKey: "key", apiSecret: "secret", ...APPROVED });
    try {
      local.admin.shops.addShop({ ...sim.shops.getShop(shop)!.record, myshopifyDomain: "toml.myshopify.com" });
      const customer = local.admin.createCustomer("toml.myshopify.com", {
        firstName: "A",
        lastName: "B",
        email: "a@example.com",
      });
      local.install("toml.myshopify.com");
      const send = async (m: Record<string, unknown>) =>
        (
          (
            await local.admin.graphql("toml.myshopify.com", {
              query: SET_APP,
              variables: { m: [{ ownerId: customer.id, namespace: "$app", ...m }] },
            })
          ).body as any
        ).data.metafieldsSet;
      // [customer.metafields.app.status] is json: a text write is refused as Shopify refuses it
      expect(await send({ key: "status", type: "single_line_text_field", value: "gold" })).toEqual({
        userErrors: [
          {
            field: ["metafields", "0", "type"],
            message: "Type 'single_line_text_field' must be consistent with the definition's type: 'json'.",
            code: "INVALID_TYPE",
            elementIndex: null,
          },
        ],
      });
      // [customer.metafields.app.tier] is single_line_text_field: no type needed, and a newline is refused
      expect(await send({ key: "tier", value: "gold" })).toEqual({ userErrors: [] });
      expect((await send({ key: "tier", value: "gold\n" })).userErrors[0]).toMatchObject({
        message: "Value must be a single line text string.",
      });
    } finally {
      await local.admin.dispose();
    }
  });
  const SET_APP = `mutation S($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field message code elementIndex } } }`;
});

describe("staged uploads: a signed Cloud Storage POST policy, checked by the storage endpoint", () => {
  let server: { url: string; close: () => Promise<void> };
  let token: string;
  beforeEach(async () => {
    server = await sim.listen();
    token = sim.tokens.issue(shop);
  });
  afterEach(() => server.close());

  async function http(query: string, variables: Record<string, unknown> = {}) {
    const response = await fetch(`${server.url}/store/${shop}/admin/api/2026-04/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as any;
  }
  async function target() {
    const data = await http(
      `mutation { stagedUploadsCreate(input: [{ resource: BULK_MUTATION_VARIABLES, filename: "vars.jsonl", mimeType: "text/jsonl", httpMethod: POST }]) { stagedTargets { url resourceUrl parameters { name value } } userErrors { message } } }`,
    );
    return data.data.stagedUploadsCreate.stagedTargets[0] as {
      url: string;
      parameters: { name: string; value: string }[];
    };
  }
  const param = (t: { parameters: { name: string; value: string }[] }, name: string) =>
    t.parameters.find((p) => p.name === name)!.value;
  async function post(
    url: string,
    fields: [string, string][],
    file = '{"id":"gid://shopify/Customer/1","tags":["a"]}\n',
  ) {
    const form = new FormData();
    for (const [name, value] of fields) form.append(name, value);
    form.append("file", new Blob([file], { type: "text/jsonl" }), "vars.jsonl");
    const response = await fetch(url, { method: "POST", body: form });
    return { status: response.status, body: await response.text() };
  }
  const storageError = (code: string, details: string) =>
    expect.stringMatching(
      new RegExp(
        `<Error><Code>${code}</Code><Message>[^<]+</Message><Details>${details.replace(/[[\]{}()"$.^*+?|\\]/g, "\\$&")}</Details></Error>$`,
      ),
    );

  it("hands out a target with a key, content type, policy and signature, and stores what is POSTed to it", async () => {
    const t = await target();
    expect(t.parameters.map((p) => p.name)).toEqual([
      "key",
      "Content-Type",
      "success_action_status",
      "acl",
      "policy",
      "x-goog-credential",
      "x-goog-algorithm",
      "x-goog-date",
      "x-goog-signature",
    ]);
    const policy = JSON.parse(Buffer.from(param(t, "policy"), "base64").toString("utf8"));
    expect(policy.conditions).toContainEqual({ key: param(t, "key") });
    expect(policy.conditions).toContainEqual(["content-length-range", 0, 100 * 1024 * 1024]);
    expect(Date.parse(policy.expiration)).toBe(clock.now() + 60 * 60 * 1000);
    const uploaded = await post(
      t.url,
      t.parameters.map((p) => [p.name, p.value]),
    );
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toContain(`<Key>${param(t, "key")}</Key>`);
  });

  it("refuses a form without a policy", async () => {
    const t = await target();
    const res = await post(
      t.url,
      t.parameters.filter((p) => p.name !== "policy").map((p) => [p.name, p.value]),
    );
    expect(res).toEqual({ status: 400, body: storageError("InvalidPolicyDocument", "Missing policy") });
  });

  it("refuses a policy it did not sign (one changed to name another key)", async () => {
    const t = await target();
    const forged = JSON.parse(Buffer.from(param(t, "policy"), "base64").toString("utf8"));
    forged.conditions = forged.conditions.map((c: any) => (c.key ? { key: "tmp/other" } : c));
    const fields = t.parameters.map(
      (p) =>
        [p.name, p.name === "policy" ? Buffer.from(JSON.stringify(forged)).toString("base64") : p.value] as [
          string,
          string,
        ],
    );
    const res = await post(t.url, fields);
    expect(res).toEqual({
      status: 403,
      body: storageError(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.",
      ),
    });
  });

  it("refuses another key or another content type than the policy's", async () => {
    const t = await target();
    const withKey = await post(
      t.url,
      t.parameters.map((p) => [p.name, p.name === "key" ? "tmp/elsewhere.jsonl" : p.value]),
    );
    expect(withKey).toEqual({
      status: 400,
      body: storageError("InvalidPolicyDocument", `Failed condition: {"key":"${param(t, "key")}"}`),
    });
    const withType = await post(
      t.url,
      t.parameters.map((p) => [p.name, p.name === "Content-Type" ? "application/json" : p.value]),
    );
    expect(withType).toEqual({
      status: 400,
      body: storageError("InvalidPolicyDocument", `Failed condition: {"Content-Type":"text/jsonl"}`),
    });
  });

  it("refuses form fields the policy does not name", async () => {
    const t = await target();
    const res = await post(t.url, [
      ...t.parameters.map((p) => [p.name, p.value] as [string, string]),
      ["submit", "Upload"],
    ]);
    expect(res).toEqual({
      status: 400,
      body: storageError("InvalidPolicyDocument", "Policy did not reference these fields: submit"),
    });
  });

  it("refuses an upload after the policy expired", async () => {
    const t = await target();
    clock.advance(60 * 60 * 1000);
    const res = await post(
      t.url,
      t.parameters.map((p) => [p.name, p.value]),
    );
    expect(res).toEqual({ status: 400, body: storageError("InvalidPolicyDocument", "Policy expired") });
  });

  it("refuses a file over the policy's 100 MB", () => {
    const secret = Buffer.alloc(32, 7);
    const t = createStagedTarget({
      secret,
      url: "http://x",
      shopNumericId: 1,
      filename: "v.jsonl",
      mimeType: "text/jsonl",
      now: clock.now(),
    });
    const parts = [
      ...t.parameters.map((p) => ({ name: p.name, filename: null, data: Buffer.from(p.value) })),
      { name: "file", filename: "v.jsonl", data: Buffer.alloc(STAGED_UPLOAD_MAX_BYTES + 1) },
    ];
    expect(checkStagedUpload(parts, secret, clock.now())).toEqual({
      ok: false,
      status: 400,
      code: "EntityTooLarge",
      message: "Your proposed upload is larger than the maximum object size specified in your Policy Document.",
      details: "Content-length exceeds upper bound on range",
    });
    parts[parts.length - 1].data = Buffer.alloc(STAGED_UPLOAD_MAX_BYTES);
    expect(checkStagedUpload(parts, secret, clock.now())).toMatchObject({ ok: true });
    expect(parseMultipart).toBeTypeOf("function");
  });

  const RUN = `mutation M($m: String!, $path: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $path) { bulkOperation { id } userErrors { field message code } } }`;
  const TAGS = `mutation T($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { message } } }`;
  const NO_SUCH_FILE = {
    field: ["stagedUploadPath"],
    message:
      "The JSONL file could not be found. Try uploading the file again, and check that you've entered the URL correctly for the stagedUploadPath mutation argument.",
    code: "NO_SUCH_FILE",
  };

  it("runs a bulk mutation only from a file that was uploaded and has not expired", async () => {
    const t = await target();
    // Never uploaded: the key alone is not a file
    expect((await http(RUN, { m: TAGS, path: param(t, "key") })).data.bulkOperationRunMutation).toEqual({
      bulkOperation: null,
      userErrors: [NO_SUCH_FILE],
    });
    expect(
      (
        await post(
          t.url,
          t.parameters.map((p) => [p.name, p.value]),
        )
      ).status,
    ).toBe(201);
    // Uploaded, then left for a day
    clock.advance(24 * 60 * 60 * 1000);
    expect((await http(RUN, { m: TAGS, path: param(t, "key") })).data.bulkOperationRunMutation).toEqual({
      bulkOperation: null,
      userErrors: [NO_SUCH_FILE],
    });
  });

  it("runs five bulk mutations at a time per shop, refuses a sixth, and still takes bulk queries", async () => {
    sim.bulk.pause();
    const started: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t = await target();
      await post(
        t.url,
        t.parameters.map((p) => [p.name, p.value]),
      );
      const run = (await http(RUN, { m: TAGS, path: param(t, "key") })).data.bulkOperationRunMutation;
      expect(run.userErrors).toEqual([]);
      started.push(run.bulkOperation.id);
    }
    const t = await target();
    await post(
      t.url,
      t.parameters.map((p) => [p.name, p.value]),
    );
    expect((await http(RUN, { m: TAGS, path: param(t, "key") })).data.bulkOperationRunMutation).toEqual({
      bulkOperation: null,
      userErrors: [
        {
          field: null,
          message: `A bulk mutation operation for this app and shop is already in progress: ${started.join(", ")}.`,
          code: "OPERATION_IN_PROGRESS",
        },
      ],
    });
    const query = await http(
      `mutation { bulkOperationRunQuery(query: "{ customers { edges { node { id } } } }") { bulkOperation { id } userErrors { code } } }`,
    );
    expect(query.data.bulkOperationRunQuery.userErrors).toEqual([]);
    sim.bulk.resume();
    await sim.bulk.drain();
  });
});

describe("scalars: every 2026-04 scalar parsed as Shopify parses it", () => {
  it.each([
    ["DateTime", "2026-12-05T10:00:00Z"],
    ["DateTime", "2026-12-05T10:00:00.123+07:00"],
    ["DateTime", "2026-12-05T10:00:00"],
    ["DateTime", "2026-12-05"],
    ["Date", "2026-02-28"],
    ["Decimal", "29.99"],
    ["Decimal", 29.99],
    ["Money", "-100.57"],
    ["UnsignedInt64", "18446744073709551615"],
    ["BigInt", "-9223372036854775808"],
    ["URL", "https://example.myshopify.com/path?q=1"],
    ["Color", "#6A8D48"],
    ["UtcOffset", "-07:00"],
    ["ARN", "arn:aws:events:us-east-1::event-source/aws.partner/shopify.com/123/source"],
    ["JSON", { a: [1, "b", null] }],
    ["JSON", "a string is a JSON value"],
    ["HTML", "<p>Grey cotton knit sweater.</p>"],
    ["FormattedString", "Your <strong>domain</strong>"],
    ["ID", "gid://shopify/Customer/1"],
  ])("accepts %s %j", (type, value) => {
    expect(scalarProblem(type, value)).toBeNull();
  });

  it.each([
    ["DateTime", "December 5, 2026"],
    ["DateTime", "2026-12-05 10:00:00"],
    ["DateTime", "2026-13-05T10:00:00Z"],
    ["DateTime", "2026-02-30T10:00:00Z"],
    ["DateTime", "2026-12-05T24:00:00Z"],
    ["DateTime", 1764928800000],
    ["Date", "2026-02-30"],
    ["Date", "05/12/2026"],
    ["Decimal", "1e5"],
    ["Decimal", "29.99 USD"],
    ["Money", "$100"],
    ["UnsignedInt64", "-1"],
    ["UnsignedInt64", "18446744073709551616"],
    ["UnsignedInt64", 1.5],
    ["BigInt", "9223372036854775808"],
    ["URL", "example.com"],
    ["URL", "/relative/path"],
    ["URL", "javascript:alert(1)"],
    ["URL", "https://exa mple.com"],
    ["Color", "red"],
    ["UtcOffset", "+25:00"],
    ["ARN", "not-an-arn"],
    ["Int", 2 ** 31],
    ["Float", "1.5"],
    ["String", 5],
  ])("refuses %s %j with graphql-ruby's explanation", (type, value) => {
    expect(scalarProblem(type, value)).toBe(`Could not coerce value ${JSON.stringify(value)} to ${type}`);
  });

  it("has a parser for every scalar of the schema and refuses a scalar it does not know", () => {
    const scalars = Object.values(adminSchema().getTypeMap()).filter(
      (t) => isScalarType(t) && !t.name.startsWith("__"),
    );
    expect(scalars.length).toBeGreaterThan(15);
    for (const t of scalars) expect(scalarProblem(t.name, "x") ?? "").not.toContain("no parser");
    expect(scalarProblem("Frobnicate", "x")).toContain("no parser for the Frobnicate scalar");
  });

  it("refuses a variable DateTime Date.parse would have taken, naming the input field", async () => {
    const query = `mutation D($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { userErrors { message } } }`;
    const d = {
      title: "T",
      code: "T10",
      startsAt: "December 5, 2026",
      customerGets: { value: { percentage: 0.1 }, items: { all: true } },
      context: { all: "ALL" },
    };
    const body = await gql(query, { d });
    expect(body).toEqual({
      errors: [
        {
          message:
            'Variable $d of type DiscountCodeBasicInput! was provided invalid value for startsAt (Could not coerce value "December 5, 2026" to DateTime)',
          locations: [{ line: 1, column: 12 }],
          extensions: {
            value: d,
            problems: [{ path: ["startsAt"], explanation: `Could not coerce value "December 5, 2026" to DateTime` }],
          },
        },
      ],
    });
  });

  it("refuses a literal of the wrong form in the document", async () => {
    const body = await gql(
      `mutation { stagedUploadsCreate(input: [{ resource: BULK_MUTATION_VARIABLES, filename: "v.jsonl", mimeType: "text/jsonl", fileSize: "-1" }]) { userErrors { message } } }`,
    );
    expect(body.errors?.[0]).toMatchObject({
      extensions: { code: "argumentLiteralsIncompatible", argumentName: "input" },
    });
  });
});
