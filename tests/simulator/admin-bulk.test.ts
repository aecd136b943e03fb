// Bulk operations: JSONL like Shopify's (nested connections flattened with __parentId), bulk mutations from a
// staged upload, the finish event, concurrency and a failure halfway.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAdminSimulator, type AdminSimulator, type SimulatorEvent } from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { APP_APPROVAL } from "../support/approval";

let sim: AdminSimulator;
let server: { url: string; close: () => Promise<void> };
let shop: string;
let token: string;

beforeEach(async () => {
  sim = createAdminSimulator({ apiKey: "key", apiSecret: "secret", protectedCustomerData: APP_APPROVAL });
  shop = seedDemoShop(sim, { customers: 4, ordersEach: 2 }).domain;
  server = await sim.listen();
  token = sim.tokens.issue(shop);
});
afterEach(async () => {
  await server.close();
  await sim.dispose();
});

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${server.url}/store/${shop}/admin/api/2026-04/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as any;
}

const RUN_QUERY = `mutation R($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }`;
const CUSTOMERS_WITH_ORDERS = `{ customers { edges { node { id email orders { edges { node { id name } } } } } } }`;

async function finished(id: string) {
  await sim.bulk.drain();
  return (
    await gql(
      `query B($id: ID!) { bulkOperation(id: $id) { status objectCount rootObjectCount url partialDataUrl errorCode } }`,
      { id },
    )
  ).data.bulkOperation;
}

describe("bulk queries", () => {
  it("write every customer and, after it, its orders with __parentId", async () => {
    const events: SimulatorEvent[] = [];
    sim.onEvent((e) => events.push(e));
    // When a bulk query over customers and their orders runs
    const started = await gql(RUN_QUERY, { q: CUSTOMERS_WITH_ORDERS });
    expect(started.data.bulkOperationRunQuery).toMatchObject({ bulkOperation: { status: "CREATED" }, userErrors: [] });
    const op = await finished(started.data.bulkOperationRunQuery.bulkOperation.id);
    // Then it completes with a JSONL file that matches the store
    expect(op).toMatchObject({
      status: "COMPLETED",
      objectCount: "12",
      rootObjectCount: "4",
      errorCode: null,
      partialDataUrl: null,
    });
    const lines = (await (await fetch(op.url)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const state = sim.shops.getShop(shop)!;
    const expected = [...state.customers.values()].flatMap((c) => [
      { id: c.id, email: c.email },
      ...state.ordersOf(c.id).map((o) => ({ id: o.id, name: o.name, __parentId: c.id })),
    ]);
    expect(lines).toEqual(expected);
    // And the finish event is announced for the webhook sender
    expect(events.filter((e) => e.topic === "bulk_operations/finish")).toEqual([
      {
        shop,
        topic: "bulk_operations/finish",
        payload: expect.objectContaining({
          admin_graphql_api_id: started.data.bulkOperationRunQuery.bulkOperation.id,
          status: "completed",
          type: "query",
          error_code: null,
        }),
      },
    ]);
  });

  it("is reported by currentBulkOperation", async () => {
    const started = await gql(RUN_QUERY, { q: `{ orders { edges { node { id } } } }` });
    await sim.bulk.drain();
    const current = await gql(`{ currentBulkOperation { id status objectCount } }`);
    expect(current.data.currentBulkOperation).toEqual({
      id: started.data.bulkOperationRunQuery.bulkOperation.id,
      status: "COMPLETED",
      objectCount: "8",
    });
  });

  it("refuses a query without a connection", async () => {
    const started = await gql(RUN_QUERY, { q: `{ shop { name } }` });
    expect(started.data.bulkOperationRunQuery).toEqual({
      bulkOperation: null,
      userErrors: [
        { field: ["query"], message: "Bulk queries must contain at least one connection.", code: "INVALID" },
      ],
    });
  });

  it("allows five bulk queries at a time and refuses the sixth", async () => {
    // Given operations that stay in progress
    sim.bulk.pause();
    const results = [];
    for (let i = 0; i < 6; i++)
      results.push((await gql(RUN_QUERY, { q: `{ orders { edges { node { id } } } }` })).data.bulkOperationRunQuery);
    expect(results.slice(0, 5).every((r) => r.userErrors.length === 0)).toBe(true);
    // Named as Shopify names them since 2026-01: the running operations, code OPERATION_IN_PROGRESS
    const running = results
      .slice(0, 5)
      .map((r) => r.bulkOperation.id)
      .join(", ");
    expect(results[5]).toEqual({
      bulkOperation: null,
      userErrors: [
        {
          field: null,
          message: `A bulk query operation for this app and shop is already in progress: ${running}.`,
          code: "OPERATION_IN_PROGRESS",
        },
      ],
    });
    // And once they finish, a new one is accepted
    sim.bulk.resume();
    await sim.bulk.drain();
    expect(
      (await gql(RUN_QUERY, { q: `{ orders { edges { node { id } } } }` })).data.bulkOperationRunQuery.userErrors,
    ).toEqual([]);
  });

  it("fails halfway when told to, with partial data and an error code", async () => {
    const events: SimulatorEvent[] = [];
    sim.onEvent((e) => events.push(e));
    sim.faults.inject({ kind: "bulk-fail-halfway" });
    const started = await gql(RUN_QUERY, { q: `{ customers { edges { node { id } } } }` });
    const op = await finished(started.data.bulkOperationRunQuery.bulkOperation.id);
    expect(op).toMatchObject({ status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR", url: null, rootObjectCount: "2" });
    expect((await (await fetch(op.partialDataUrl)).text()).trim().split("\n")).toHaveLength(2);
    expect(events.find((e) => e.topic === "bulk_operations/finish")).toMatchObject({
      payload: { status: "failed", error_code: "internal_server_error" },
    });
  });
});

describe("bulk mutations", () => {
  it("run a mutation per line of a staged upload and write a result per line", async () => {
    const customers = [...sim.shops.getShop(shop)!.customers.values()];
    // Given a JSONL of tagsAdd variables uploaded to the staged target
    const staged = await gql(
      `mutation { stagedUploadsCreate(input: [{ resource: BULK_MUTATION_VARIABLES, filename: "tags.jsonl", mimeType: "text/jsonl", httpMethod: POST }]) { stagedTargets { url parameters { name value } } userErrors { message } } }`,
    );
    const target = staged.data.stagedUploadsCreate.stagedTargets[0];
    const form = new FormData();
    for (const p of target.parameters) form.append(p.name, p.value);
    const jsonl = customers.map((c) => JSON.stringify({ id: c.id, tags: ["tier:gold"] })).join("\n");
    form.append("file", new Blob([jsonl], { type: "text/jsonl" }), "tags.jsonl");
    expect((await fetch(target.url, { method: "POST", body: form })).status).toBe(201);
    const key = target.parameters.find((p: any) => p.name === "key").value;
    // When the bulk mutation runs
    const started = await gql(
      `mutation M($m: String!, $path: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $path) { bulkOperation { id } userErrors { message code } } }`,
      {
        m: `mutation T($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { message } } }`,
        path: key,
      },
    );
    expect(started.data.bulkOperationRunMutation.userErrors).toEqual([]);
    const op = await finished(started.data.bulkOperationRunMutation.bulkOperation.id);
    // Then every customer is tagged and the result has one line per input line
    expect(op).toMatchObject({ status: "COMPLETED", objectCount: String(customers.length) });
    expect(customers.every((c) => c.tags.includes("tier:gold"))).toBe(true);
    const lines = (await (await fetch(op.url)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[1]).toEqual({ data: { tagsAdd: { node: { id: customers[1].id }, userErrors: [] } }, __lineNumber: 1 });
  });

  it("refuses a staged upload path that was never uploaded", async () => {
    const started = await gql(
      `mutation { bulkOperationRunMutation(mutation: "mutation T($id: ID!) { tagsAdd(id: $id, tags: [\\"a\\"]) { userErrors { message } } }", stagedUploadPath: "tmp/nothing.jsonl") { bulkOperation { id } userErrors { code } } }`,
    );
    expect(started.data.bulkOperationRunMutation).toEqual({
      bulkOperation: null,
      userErrors: [{ code: "NO_SUCH_FILE" }],
    });
  });
});
