// Bulk operations through the gateway against a real simulator over HTTP: the backfill's bulk queries streamed
// back equal to the store, resumption after a line, a failure halfway, a busy shop, the finish webhook waking the
// waiter, and a bulk mutation round trip through a staged upload.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API_VERSION } from "../../app/shopify/api-version";
import { runBulkMutation, runBulkQuery, startBulkQuery, waitForBulkOperation } from "../../app/shopify/bulk";
import { BulkFinishNotifier } from "../../app/shopify/bulk-finish";
import { createAdminClient, type AdminClient } from "../../app/shopify/client";
import {
  BACKFILL_CUSTOMERS_BULK_QUERY,
  BACKFILL_ORDERS_BULK_QUERY,
  TAGS_ADD_MUTATION,
} from "../../app/shopify/documents";
import { BulkOperationError } from "../../app/shopify/errors";
import { jsonlLines, streamBulkResult, type BulkLine } from "../../app/shopify/jsonl";
import { fetchTransport } from "../../app/shopify/transport.server";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { createAdminSimulator, type AdminSimulator } from "../../simulator/admin/index";
import { APP_APPROVAL } from "../support/approval";

let sim: AdminSimulator;
let server: { url: string; close: () => Promise<void> };
let shop: string;
let notifier: BulkFinishNotifier;

const FAST_POLL = { initialMs: 5, maxMs: 40, factor: 2 };
/** Real waits, but never long: the simulator finishes small operations in milliseconds. */
const shortSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 20)).unref());

function client(sleep: (ms: number) => Promise<void> = shortSleep): AdminClient {
  const transport = fetchTransport({
    shop,
    accessToken: sim.tokens.issue(shop),
    endpoint: `${server.url}/store/${shop}/admin/api/${API_VERSION}/graphql.json`,
  });
  return createAdminClient({ shop, transport, sleep });
}

async function collect<T>(lines: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

beforeEach(async () => {
  sim = createAdminSimulator({ apiKey: "key", apiSecret: "secret", protectedCustomerData: APP_APPROVAL });
  shop = seedDemoShop(sim, { customers: 5, ordersEach: 2 }).domain;
  server = await sim.listen();
  notifier = new BulkFinishNotifier();
});
afterEach(async () => {
  await server.close();
  await sim.dispose();
});

const state = () => sim.shops.getShop(shop)!;

function expectedCustomerLines() {
  return [...state().customers.values()].map((c) => ({
    id: c.id,
    firstName: c.firstName,
    lastName: c.lastName,
    defaultEmailAddress: c.email ? { emailAddress: c.email } : null,
    locale: c.locale,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  }));
}

describe("bulk queries", () => {
  it("stream every customer of the store, one line each", async () => {
    // When the backfill's customer query runs
    const operation = await runBulkQuery(client(), BACKFILL_CUSTOMERS_BULK_QUERY, { notifier, poll: FAST_POLL });
    // Then it completed and its lines are the store's customers, numbered from 1
    expect(operation).toMatchObject({
      type: "QUERY",
      status: "COMPLETED",
      errorCode: null,
      objectCount: 5,
      rootObjectCount: 5,
      partialDataUrl: null,
    });
    const lines = await collect(streamBulkResult(operation.url!));
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5]);
    expect(lines.map((l) => l.value)).toEqual(expectedCustomerLines());
  });

  it("stream every order with its refunds inline (Order.refunds is a list, not a connection)", async () => {
    // Given refunds on one order and a cancelled other
    const [first, second] = [...state().orders.values()];
    sim.refundOrder(shop, first.id, { amount: "2.50" });
    sim.refundOrder(shop, first.id, { amount: "1.25" });
    sim.cancelOrder(shop, second.id);
    // When the backfill's order query runs
    const operation = await runBulkQuery(client(), BACKFILL_ORDERS_BULK_QUERY, { notifier, poll: FAST_POLL });
    // Then there is one line per order (no __parentId lines) and each equals the store's order
    const lines = (await collect(streamBulkResult(operation.url!))).map((l) => l.value);
    const expected = [...state().orders.values()].map((o) => ({
      id: o.id,
      name: o.name,
      processedAt: o.processedAt,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
      cancelledAt: o.cancelledAt,
      test: o.test,
      customer: o.customer,
      currentTotalPriceSet: { shopMoney: o.currentTotalPriceSet.shopMoney },
      discountCodes: o.discountCodes,
      currentTotalDiscountsSet: { shopMoney: o.totalDiscountsSet.shopMoney },
      refunds: (state().refundsByOrder.get(o.id) ?? []).map((r) => ({
        id: r.id,
        createdAt: r.createdAt,
        processedAt: r.createdAt,
        totalRefundedSet: { shopMoney: r.totalRefundedSet.shopMoney },
      })),
    }));
    expect(operation).toMatchObject({ status: "COMPLETED", objectCount: 10 });
    expect(lines).toEqual(expected);
    expect((lines[0] as { refunds: unknown[] }).refunds).toHaveLength(2);
    expect((lines[1] as { cancelledAt: string | null }).cancelledAt).not.toBeNull();
  });

  it("resume after line N with exactly the rest", async () => {
    const operation = await runBulkQuery(client(), BACKFILL_CUSTOMERS_BULK_QUERY, { notifier, poll: FAST_POLL });
    const all = await collect(streamBulkResult(operation.url!));
    // When the stream is read again after line 2
    const rest = await collect(streamBulkResult(operation.url!, fetch, { afterLine: 2 }));
    // Then lines 3.. come, with their own numbers
    expect(rest).toEqual(all.slice(2));
    expect(rest.map((l) => l.line)).toEqual([3, 4, 5]);
  });

  it("report a failure halfway with its error code and the partial data", async () => {
    // Given Shopify will fail the next bulk operation halfway
    sim.faults.inject({ kind: "bulk-fail-halfway" });
    // When the customers query runs
    const operation = await runBulkQuery(client(), BACKFILL_CUSTOMERS_BULK_QUERY, { notifier, poll: FAST_POLL });
    // Then it is reported, not thrown: FAILED, its code, no url, and a partial file with what was written
    expect(operation).toMatchObject({
      status: "FAILED",
      errorCode: "INTERNAL_SERVER_ERROR",
      url: null,
      rootObjectCount: 3,
    });
    const partial = await collect(streamBulkResult(operation.partialDataUrl!));
    expect(partial.map((l) => l.value)).toEqual(expectedCustomerLines().slice(0, 3));
  });

  it("refuse a query Shopify's bulk rules forbid, typed with Shopify's code", async () => {
    const failure = await runBulkQuery(client(), `query NoConnection { shop { name } }`, {
      notifier,
      poll: FAST_POLL,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BulkOperationError);
    expect(failure).toMatchObject({ code: "INVALID", message: expect.stringContaining("at least one connection") });
  });

  it("fail clearly when the shop is busy and waiting was not asked for, or wait for room when it was", async () => {
    // Given the shop runs as many bulk queries as Shopify allows (held in CREATED)
    sim.bulk.pause();
    const c = client();
    for (let i = 0; i < 5; i++) await startBulkQuery(c, BACKFILL_CUSTOMERS_BULK_QUERY);
    // Then a sixth that must not wait fails with Shopify's code
    const failure = await startBulkQuery(c, BACKFILL_CUSTOMERS_BULK_QUERY, { whenBusy: "fail" }).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ name: "BulkOperationError", code: "OPERATION_IN_PROGRESS" });
    // And one that may wait is accepted once the others finish
    const refusedBefore = sim.requests.forShop(shop).length;
    const waiting = runBulkQuery(c, BACKFILL_CUSTOMERS_BULK_QUERY, { notifier, poll: FAST_POLL });
    while (sim.requests.forShop(shop).length < refusedBefore + 2) await new Promise((r) => setTimeout(r, 5));
    sim.bulk.resume();
    expect(await waiting).toMatchObject({ status: "COMPLETED", objectCount: 5 });
  });

  it("wake the waiter early when the bulk_operations/finish webhook says the operation is over", async () => {
    // Given the finish events reach the notifier, as the webhook handler will do
    sim.onEvent((event) => {
      if (event.topic === "bulk_operations/finish") notifier.notify(event.shop, event.payload.admin_graphql_api_id);
    });
    // And a client whose poll would otherwise sleep for a minute
    const minuteLong = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
    sim.bulk.pause();
    const c = client(minuteLong);
    const id = await startBulkQuery(c, BACKFILL_CUSTOMERS_BULK_QUERY);
    const waiting = waitForBulkOperation(c, id, { notifier, poll: { initialMs: 60_000, maxMs: 60_000, factor: 1 } });
    // When the operation finishes
    await new Promise((r) => setTimeout(r, 20));
    sim.bulk.resume();
    // Then the waiter returns long before its next poll would have
    const started = Date.now();
    expect(await waiting).toMatchObject({ id, status: "COMPLETED" });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("stop waiting when the job's signal aborts", async () => {
    sim.bulk.pause();
    const c = client();
    const id = await startBulkQuery(c, BACKFILL_CUSTOMERS_BULK_QUERY);
    const abort = new AbortController();
    const waiting = waitForBulkOperation(c, id, { notifier, poll: FAST_POLL, signal: abort.signal });
    abort.abort(new Error("worker shutting down"));
    await expect(waiting).rejects.toThrow("worker shutting down");
    sim.bulk.resume();
  });
});

describe("bulk mutations", () => {
  it("tag every customer through a staged upload and stream one result per line", async () => {
    // Given a tagsAdd for each customer
    const customers = [...state().customers.values()].map((c) => c.id);
    const variables = customers.map((id) => ({ id, tags: ["tier:gold"] }));
    // When it runs as a bulk mutation
    const run = await runBulkMutation(client(), TAGS_ADD_MUTATION, variables, { notifier, poll: FAST_POLL });
    // Then it completed with a result per input line, each without userErrors
    expect(run.operation).toMatchObject({ type: "MUTATION", status: "COMPLETED", objectCount: customers.length });
    const results = (await collect(run.results)) as BulkLine<{
      data: { tagsAdd: { node: { id: string }; userErrors: unknown[] } };
      __lineNumber: number;
    }>[];
    expect(results.map((r) => r.value.__lineNumber)).toEqual(customers.map((_, i) => i));
    expect(results.map((r) => r.value.data.tagsAdd)).toEqual(customers.map((id) => ({ node: { id }, userErrors: [] })));
    // And the store has the tag on every customer
    expect(customers.every((id) => state().customers.get(id)!.tags.includes("tier:gold"))).toBe(true);
  });

  it("stream the partial result when it fails halfway", async () => {
    sim.faults.inject({ kind: "bulk-fail-halfway" });
    const customers = [...state().customers.values()].map((c) => c.id);
    const run = await runBulkMutation(
      client(),
      TAGS_ADD_MUTATION,
      customers.map((id) => ({ id, tags: ["tier:silver"] })),
      { notifier, poll: FAST_POLL },
    );
    expect(run.operation).toMatchObject({ status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR", url: null });
    const results = await collect(run.results);
    expect(results).toHaveLength(3);
    expect(customers.filter((id) => state().customers.get(id)!.tags.includes("tier:silver"))).toEqual(
      customers.slice(0, 3),
    );
  });
});

describe("streaming JSONL", () => {
  function chunked(text: string, sizes: number[], onCancel?: () => void) {
    const bytes = new TextEncoder().encode(text);
    const chunks: Uint8Array[] = [];
    let at = 0;
    for (const size of sizes) {
      chunks.push(bytes.slice(at, at + size));
      at += size;
    }
    if (at < bytes.length) chunks.push(bytes.slice(at));
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
      cancel: onCancel,
    });
  }

  it("puts back together lines and characters split across chunks", async () => {
    // Given a file whose chunks cut a line in two and a Thai character between its bytes
    const text = `{"name":"สมชาย"}\n{"n":2}\r\n{"n":3}`;
    const thaiStart = new TextEncoder().encode(`{"name":"ส`).length;
    const fakeFetch = (async () => new Response(chunked(text, [thaiStart - 1, 2, 5, 7]))) as unknown as typeof fetch;
    // When it is streamed
    const lines = await collect(streamBulkResult("http://127.0.0.1/files/x.jsonl", fakeFetch));
    // Then every line is whole, the last one without a trailing newline too
    expect(lines).toEqual([
      { line: 1, value: { name: "สมชาย" } },
      { line: 2, value: { n: 2 } },
      { line: 3, value: { n: 3 } },
    ]);
  });

  it("stops the download when the reader stops early", async () => {
    let cancelled = false;
    const fakeFetch = (async () =>
      new Response(
        chunked(`{"n":1}\n{"n":2}\n{"n":3}\n`, [8, 8], () => (cancelled = true)),
      )) as unknown as typeof fetch;
    for await (const line of streamBulkResult("http://127.0.0.1/files/x.jsonl", fakeFetch)) {
      expect(line.line).toBe(1);
      break;
    }
    expect(cancelled).toBe(true);
  });

  it("names the line that is not JSON", async () => {
    async function* bytes() {
      yield new TextEncoder().encode(`{"n":1}\n{"n":\n`);
    }
    await expect(collect(jsonlLines(bytes()))).rejects.toThrow(/line 2 of the bulk result is not JSON/);
  });
});
