// The local Klaviyo refuses what Klaviyo refuses (per Klaviyo's vendored OpenAPI description and docs): no key, no
// or another revision, bodies the schema refuses; it throttles per the endpoint's documented burst/steady limits
// with Retry-After; bulk import jobs upsert profiles; events are recorded once per unique_id.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLocalKlaviyo, klaviyoRateLimit, klaviyoRevision, klaviyoSpec } from "../../simulator/klaviyo/index";

let clock = Date.UTC(2026, 11, 6, 1, 0, 0);
const klaviyo = createLocalKlaviyo({ now: () => clock, autoRunJobs: false });
const A = klaviyo.addAccount({ privateKey: "pk_account_a", id: "AAAAAA" });
const B = klaviyo.addAccount({ privateKey: "pk_account_b", id: "BBBBBB" });
let server: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  server = await klaviyo.listen();
});
afterAll(() => server.close());
beforeEach(() => {
  clock += 120_000; // fresh burst and steady windows
  klaviyo.faults.clear();
});

const JSONAPI = "application/vnd.api+json";
async function call(path: string, init: { body?: unknown; headers?: Record<string, string | null> } = {}) {
  const headers: Record<string, string> = {};
  const merged: Record<string, string | null> = {
    authorization: "Klaviyo-API-Key pk_account_a",
    revision: klaviyoRevision(),
    accept: JSONAPI,
    ...(init.body === undefined ? {} : { "content-type": JSONAPI }),
    ...init.headers,
  };
  for (const [k, v] of Object.entries(merged)) if (v !== null) headers[k] = v;
  const res = await fetch(`${server.url}${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : null };
}

const importBody = (profiles: Record<string, unknown>[]) => ({
  data: {
    type: "profile-bulk-import-job",
    attributes: { profiles: { data: profiles.map((attributes) => ({ type: "profile", attributes })) } },
  },
});
const eventBody = (name: string, email: string, properties: Record<string, unknown>, uniqueId?: string) => ({
  data: {
    type: "event",
    attributes: {
      properties,
      metric: { data: { type: "metric", attributes: { name } } },
      profile: { data: { type: "profile", attributes: { email } } },
      ...(uniqueId ? { unique_id: uniqueId } : {}),
    },
  },
});

describe("local Klaviyo: strictness", () => {
  it("pins the vendored revision and reads rate limits from the description", () => {
    expect(klaviyoRevision()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const op = klaviyoSpec().match("POST", "/api/profile-bulk-import-jobs");
    expect(op).not.toBeNull();
    expect(klaviyoRateLimit((op as { operation: Record<string, unknown> }).operation)).toEqual({
      burst: 10,
      steady: 150,
    });
  });

  it("answers GET accounts for a valid key and revision", async () => {
    const r = await call("/api/accounts");
    expect(r.status).toBe(200);
    expect(r.body!.data[0]).toMatchObject({ type: "account", id: "AAAAAA" });
  });

  it("refuses a missing or unknown key (401), a missing revision and another revision (400), with Klaviyo's error shape", async () => {
    const noKey = await call("/api/accounts", { headers: { authorization: null } });
    expect(noKey.status).toBe(401);
    expect(noKey.body!.errors[0]).toMatchObject({ status: 401, code: "not_authenticated" });
    expect((await call("/api/accounts", { headers: { authorization: "Klaviyo-API-Key pk_nope" } })).status).toBe(401);
    const noRevision = await call("/api/accounts", { headers: { revision: null } });
    expect(noRevision.status).toBe(400);
    expect(noRevision.body!.errors[0]).toMatchObject({ code: "invalid", source: { parameter: "revision" } });
    const other = await call("/api/accounts", { headers: { revision: "2023-02-22" } });
    expect(other.status).toBe(400);
    expect(other.body!.errors[0].detail).toContain(klaviyoRevision());
  });

  it("refuses bodies the schema refuses, and a wrong content type, and creates nothing", async () => {
    const before = klaviyo.jobs().length;
    const wrongType = await call("/api/profile-bulk-import-jobs", {
      body: { data: { type: "profile", attributes: {} } },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body!.errors.map((e: { source: { pointer: string } }) => e.source.pointer)).toContain(
      "/data/type",
    );
    const noProfiles = await call("/api/profile-bulk-import-jobs", {
      body: { data: { type: "profile-bulk-import-job", attributes: {} } },
    });
    expect(noProfiles.status).toBe(400);
    expect(noProfiles.body!.errors[0].source.pointer).toBe("/data/attributes/profiles");
    const badEmailType = await call("/api/profile-bulk-import-jobs", { body: importBody([{ email: 42 }]) });
    expect(badEmailType.status).toBe(400);
    const plainJson = await call("/api/profile-bulk-import-jobs", {
      body: importBody([{ email: "a@example.com" }]),
      headers: { "content-type": "text/plain" },
    });
    expect(plainJson.status).toBe(400);
    const unidentified = await call("/api/profile-bulk-import-jobs", { body: importBody([{ first_name: "Nobody" }]) });
    expect(unidentified.status).toBe(400);
    const eventNoMetric = await call("/api/events", {
      body: {
        data: {
          type: "event",
          attributes: {
            properties: {},
            profile: { data: { type: "profile", attributes: { email: "x@example.com" } } },
          },
        },
      },
    });
    expect(eventNoMetric.status).toBe(400);
    const huge = await call("/api/profile-bulk-import-jobs", {
      body: importBody([{ email: "big@example.com", properties: { blob: "x".repeat(5 * 1024 * 1024) } }]),
    });
    expect(huge.status).toBe(413);
    expect(huge.body!.errors[0].code).toBe("payload_too_large");
    expect(klaviyo.jobs().length).toBe(before);
    expect(klaviyo.events().length).toBe(0);
  });
});

describe("local Klaviyo: jobs, events, limits, faults", () => {
  it("a bulk import job upserts profiles by identifier and merges properties; another account cannot read it", async () => {
    const created = await call("/api/profile-bulk-import-jobs", {
      body: importBody([
        {
          email: "Ann@Example.com",
          external_id: "gid://shopify/Customer/1",
          properties: { tier: "Gold", segment: "Champions" },
        },
        { email: "bob@example.com", properties: { tier: "Silver" } },
      ]),
    });
    expect(created.status).toBe(202);
    expect(created.body!.data.attributes).toMatchObject({ status: "queued", total_count: 2 });
    const id = created.body!.data.id as string;
    expect(
      (
        await call(`/api/profile-bulk-import-jobs/${id}`, {
          headers: { authorization: "Klaviyo-API-Key pk_account_b" },
        })
      ).status,
    ).toBe(404);
    klaviyo.runJobs();
    const done = await call(`/api/profile-bulk-import-jobs/${id}`);
    expect(done.body!.data.attributes).toMatchObject({ status: "complete", completed_count: 2, failed_count: 0 });
    await call("/api/profile-bulk-import-jobs", {
      body: importBody([{ external_id: "gid://shopify/Customer/1", properties: { tier: "Platinum", points: 120 } }]),
    });
    klaviyo.runJobs();
    const profiles = klaviyo.profiles(A.id);
    expect(profiles).toHaveLength(2);
    expect(profiles.find((p) => p.external_id === "gid://shopify/Customer/1")).toMatchObject({
      email: "ann@example.com",
      properties: { tier: "Platinum", segment: "Champions", points: 120 },
    });
    expect(klaviyo.profiles(B.id)).toHaveLength(0);
  });

  it("records an event once per unique_id, profile and metric", async () => {
    const body = eventBody("Tier changed", "ann@example.com", { tier: "Gold" }, "tier-1-gold");
    expect((await call("/api/events", { body })).status).toBe(202);
    expect((await call("/api/events", { body })).status).toBe(202);
    expect(
      (
        await call("/api/events", {
          body: eventBody("Tier changed", "ann@example.com", { tier: "Gold" }, "tier-1-plat"),
        })
      ).status,
    ).toBe(202);
    expect(klaviyo.events(A.id).map((e) => e.uniqueId)).toEqual(["tier-1-gold", "tier-1-plat"]);
  });

  it("throttles past the burst limit with 429 and Retry-After, then past the steady limit for the rest of the minute", async () => {
    // GET /api/accounts: burst 1/s, steady 15/m in the vendored description.
    expect((await call("/api/accounts")).status).toBe(200);
    const burst = await call("/api/accounts");
    expect(burst.status).toBe(429);
    expect(burst.body!.errors[0].code).toBe("throttled");
    expect(Number(burst.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    clock = Math.floor(clock / 60_000) * 60_000; // start of a minute
    clock += 60_000;
    for (let i = 0; i < 15; i++) {
      expect((await call("/api/accounts")).status).toBe(200);
      clock += 1000;
    }
    const steady = await call("/api/accounts");
    expect(steady.status).toBe(429);
    expect(Number(steady.headers.get("retry-after"))).toBe(45);
    expect((await call("/api/accounts", { headers: { authorization: "Klaviyo-API-Key pk_account_b" } })).status).toBe(
      200,
    );
  });

  it("injected faults: 503 then a connection reset, and nothing is recorded", async () => {
    klaviyo.faults.inject({ kind: "http", status: 503 }, { operation: "create_event" });
    klaviyo.faults.inject({ kind: "reset" }, { operation: "create_event" });
    const before = klaviyo.events().length;
    expect(
      (await call("/api/events", { body: eventBody("Offer issued", "bob@example.com", { code: "X" }) })).status,
    ).toBe(503);
    await expect(
      call("/api/events", { body: eventBody("Offer issued", "bob@example.com", { code: "X" }) }),
    ).rejects.toThrow();
    expect(klaviyo.events().length).toBe(before);
  });
});
