// The Klaviyo client (app/services/klaviyo-client.server.ts) against the local Klaviyo, which validates every request
// against Klaviyo's vendored description: import jobs, events with unique_id, profile deletion; typed outcomes for
// 429 (Retry-After), 5xx, resets and refusals, with no retry of its own; pacing within the documented limits. And the
// pure rules of app/domain/klaviyo.ts: the properties, their digest, open codes, event payloads.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLocalKlaviyo } from "../../simulator/klaviyo/index";
import {
  createKlaviyoClient,
  KLAVIYO_PACE_FRACTION,
  KLAVIYO_RATE_LIMITS,
  paceDelay,
  resetKlaviyoPacing,
} from "../../app/services/klaviyo-client.server";
import {
  eventPayload,
  importErrorProfile,
  isOpen,
  LOYALTY_PROPERTY_KEYS,
  profileProperties,
  propertiesDigest,
  type ProfileFacts,
} from "../../app/domain/klaviyo";

const KEY = "pk_client_test_0123456789abcdef";
const klaviyo = createLocalKlaviyo();
const account = klaviyo.addAccount({ privateKey: KEY, name: "Client test" });
let origin: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ url: origin, close } = await klaviyo.listen());
});
afterAll(() => close());
beforeEach(() => {
  klaviyo.faults.clear();
  resetKlaviyoPacing();
});

const client = () => createKlaviyoClient({ origin, privateKey: KEY });
const facts: ProfileFacts = {
  tierKey: "gold",
  tierName: "Gold",
  segmentKey: "champions",
  segmentName: "Champions",
  pointsAvailable: 120,
  pointsPending: 30,
  clv12Minor: 123456n,
  currency: "THB",
  openCodes: [
    { code: "WB-ZZZ", source: "campaign", expiresAt: new Date("2027-01-01T00:00:00Z") },
    { code: "RW-AAA", source: "reward", expiresAt: null },
  ],
};

describe("import jobs", () => {
  it("unset removes only the named properties; a key both set and unset is refused; import errors name the failed profiles, page after page", async () => {
    const c = client();
    const ext = (i: number) => `gid://shopify/Customer/77${i}`;
    const made = await c.createImportJob([
      { email: "u@example.com", externalId: ext(0), properties: { ...profileProperties(facts), mine: "kept" } },
    ]);
    if (made.kind !== "ok") throw new Error(made.message);
    await c.importJob(made.value.id);
    const unset = await c.createImportJob([
      { email: null, externalId: ext(0), properties: {}, unset: LOYALTY_PROPERTY_KEYS },
    ]);
    if (unset.kind !== "ok") throw new Error(unset.message);
    await c.importJob(unset.value.id);
    expect(klaviyo.profiles(account.id).find((p) => p.external_id === ext(0))!.properties).toEqual({ mine: "kept" });
    // Klaviyo's description takes unset beside properties; setting and unsetting one key is refused, nothing recorded
    const jobs = klaviyo.jobs().length;
    const both = await fetch(`${origin}/api/profile-bulk-import-jobs`, {
      method: "POST",
      headers: {
        authorization: `Klaviyo-API-Key ${KEY}`,
        revision: "2026-07-15",
        "content-type": "application/vnd.api+json",
      },
      body: JSON.stringify({
        data: {
          type: "profile-bulk-import-job",
          attributes: {
            profiles: {
              data: [
                {
                  type: "profile",
                  attributes: { external_id: ext(0), properties: { loyalty_tier: "x" } },
                  meta: { patch_properties: { unset: "loyalty_tier" } },
                },
              ],
            },
          },
        },
      }),
    });
    expect(both.status).toBe(400);
    expect(klaviyo.jobs().length).toBe(jobs);
    // 150 failed profiles of 151: the errors come in pages of 100, each naming its profile
    const failed = Array.from({ length: 150 }, (_, i) => ext(i + 1));
    klaviyo.faults.failProfiles(failed, { detail: "bad" });
    const big = await c.createImportJob(
      [ext(0), ...failed].map((id) => ({ email: null, externalId: id, properties: { a: 1 } })),
    );
    if (big.kind !== "ok") throw new Error(big.message);
    expect(await c.importJob(big.value.id)).toMatchObject({ value: { completed: 1, failed: 150 } });
    const errors = await c.importErrors(big.value.id);
    if (errors.kind !== "ok") throw new Error(errors.message);
    expect(errors.value).toHaveLength(150);
    expect(errors.value.map((e) => importErrorProfile(e.originalPayload).externalId)).toEqual(failed);
    expect(errors.value[0]).toMatchObject({ detail: "bad", pointer: "/data/attributes/profiles/data/1" });
    expect(
      klaviyo.requests().filter((r) => r.operationId === "get_errors_for_bulk_import_profiles_job" && r.status === 200),
    ).toHaveLength(2);
    // Another account's job is not found
    const other = klaviyo.addAccount({ privateKey: "pk_other_errors_0123456789", name: "Other" });
    const stranger = createKlaviyoClient({ origin, privateKey: "pk_other_errors_0123456789" });
    expect(await stranger.importErrors(big.value.id)).toMatchObject({ kind: "refused", status: 404 });
    expect(other.id).not.toBe(account.id);
  });

  it("creates a job the local Klaviyo accepts, reads it to complete, and the profile carries the properties", async () => {
    const c = client();
    const created = await c.createImportJob([
      { email: "Ada@Example.com", externalId: "gid://shopify/Customer/1", properties: profileProperties(facts) },
    ]);
    expect(created).toMatchObject({ kind: "ok", status: 202, value: { status: "queued", total: 1 } });
    if (created.kind !== "ok") return;
    const read = await c.importJob(created.value.id);
    expect(read).toMatchObject({
      kind: "ok",
      value: { id: created.value.id, status: "complete", completed: 1, failed: 0 },
    });
    const p = klaviyo.profiles(account.id).find((x) => x.external_id === "gid://shopify/Customer/1")!;
    expect(p.email).toBe("ada@example.com");
    expect(p.properties).toMatchObject({
      loyalty_tier: "Gold",
      loyalty_predicted_clv_12m: 1234.56,
      loyalty_predicted_clv_currency: "THB",
      loyalty_open_offer_codes: ["RW-AAA", "WB-ZZZ"],
    });
  });

  it("refuses more than 10,000 profiles before sending; another account's job is not found (refused 404)", async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ({ email: null, externalId: `x${i}`, properties: {} }));
    await expect(client().createImportJob(many)).rejects.toThrow(RangeError);
    const other = createKlaviyoClient({ origin, privateKey: "pk_other_account_000000000000" });
    klaviyo.addAccount({ privateKey: "pk_other_account_000000000000" });
    const created = await client().createImportJob([
      { email: null, externalId: "gid://shopify/Customer/9", properties: {} },
    ]);
    if (created.kind !== "ok") throw new Error("not created");
    expect(await other.importJob(created.value.id)).toMatchObject({ kind: "refused", status: 404 });
  });
});

describe("outcomes, without retries", () => {
  it("429 → rate-limited with Retry-After; 5xx and a reset → failed; a wrong key → refused with Klaviyo's errors", async () => {
    const c = client();
    const event = {
      metric: "Points earned",
      profile: { email: "bo@example.com", externalId: "gid://shopify/Customer/2" },
      properties: { points: 10 },
      time: new Date("2026-12-01T10:00:00Z"),
      uniqueId: "6f1c1d0a-0000-4000-8000-000000000001",
    };
    klaviyo.faults.inject({ kind: "http", status: 429, retryAfter: 3 }, { operation: "create_event" });
    expect(await c.createEvent(event)).toMatchObject({ kind: "rate-limited", retryAfterMs: 3000 });
    klaviyo.faults.inject({ kind: "http", status: 503 }, { operation: "create_event" });
    expect(await c.createEvent(event)).toMatchObject({ kind: "failed", status: 503 });
    klaviyo.faults.inject({ kind: "reset" }, { operation: "create_event" });
    expect(await c.createEvent(event)).toMatchObject({ kind: "failed", status: null });
    // Nothing recorded by the faults, and each call was exactly one request (no hidden retry)
    expect(klaviyo.events(account.id).filter((e) => e.uniqueId === event.uniqueId)).toHaveLength(0);
    const wrong = createKlaviyoClient({ origin, privateKey: "pk_unknown_key_00000000000000" });
    const refused = await wrong.createEvent(event);
    expect(refused).toMatchObject({ kind: "refused", status: 401, errors: [{ code: "not_authenticated" }] });
  });

  it("an event's body passes the description; the same unique_id twice is recorded once", async () => {
    const c = client();
    const e = {
      ...eventPayload({
        event: "reward-redeemed",
        at: new Date("2026-12-02T08:30:00Z"),
        reward: "฿100 off",
        code: "RW-1",
        expiresAt: null,
        points: 500,
      }),
      profile: { email: "cy@example.com", externalId: "gid://shopify/Customer/3" },
      uniqueId: "6f1c1d0a-0000-4000-8000-000000000002",
    };
    expect(await c.createEvent(e)).toMatchObject({ kind: "ok", status: 202 });
    expect(await c.createEvent(e)).toMatchObject({ kind: "ok", status: 202 });
    const recorded = klaviyo.events(account.id).filter((x) => x.uniqueId === e.uniqueId);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      metric: "Reward redeemed",
      time: "2026-12-02T08:30:00.000Z",
      properties: { reward: "฿100 off", code: "RW-1", points: 500 },
    });
  });

  it("Bulk Create Events: one request for many events grouped by profile; sent again, nothing more is recorded", async () => {
    const c = client();
    const events = Array.from({ length: 30 }, (_, i) => ({
      metric: i % 2 ? "Points earned" : "Tier changed",
      profile: { email: `bulk${i % 10}@example.com`, externalId: `gid://shopify/Customer/b${i % 10}` },
      properties: { n: i },
      time: new Date("2026-12-03T00:00:00Z"),
      uniqueId: `6f1c1d0a-0000-4000-8000-2${String(i).padStart(11, "0")}`,
    }));
    const requestsBefore = klaviyo.requests().length;
    expect(await c.createEvents(events)).toMatchObject({ kind: "ok", status: 202 });
    expect(klaviyo.requests().slice(requestsBefore)).toEqual([
      expect.objectContaining({ operationId: "bulk_create_events", status: 202 }),
    ]);
    const mine = () => klaviyo.events(account.id).filter((e) => e.uniqueId?.startsWith("6f1c1d0a-0000-4000-8000-2"));
    expect(mine()).toHaveLength(30);
    expect(await c.createEvents(events)).toMatchObject({ kind: "ok" });
    expect(mine()).toHaveLength(30);
    await expect(c.createEvents([...events, ...events].concat(Array(941).fill(events[0])))).rejects.toThrow(RangeError);
    klaviyo.faults.inject({ kind: "http", status: 429, retryAfter: 4 }, { operation: "bulk_create_events" });
    expect(await c.createEvents(events.slice(0, 1))).toMatchObject({ kind: "rate-limited", retryAfterMs: 4000 });
  });

  it("asks Klaviyo to delete a profile by email: the profile and its events go", async () => {
    const c = client();
    await c.createEvent({
      metric: "Tier changed",
      profile: { email: "del@example.com", externalId: "gid://shopify/Customer/4" },
      properties: {},
      time: new Date(),
      uniqueId: "6f1c1d0a-0000-4000-8000-000000000003",
    });
    expect(klaviyo.profiles(account.id).some((p) => p.email === "del@example.com")).toBe(true);
    expect(await c.requestProfileDeletion("del@example.com")).toMatchObject({ kind: "ok", status: 202 });
    expect(klaviyo.profiles(account.id).some((p) => p.email === "del@example.com")).toBe(false);
    expect(klaviyo.deletions(account.id)).toEqual([
      { accountId: account.id, field: "email", value: "del@example.com", profiles: 1 },
    ]);
  });
});

describe("pacing", () => {
  it("never more than 90 % of the burst per second nor of the steady per minute (sliding windows)", () => {
    const burst = Math.floor(KLAVIYO_RATE_LIMITS.bulk_import_profiles.burst * KLAVIYO_PACE_FRACTION);
    const steady = Math.floor(KLAVIYO_RATE_LIMITS.bulk_import_profiles.steady * KLAVIYO_PACE_FRACTION);
    expect([burst, steady]).toEqual([9, 135]);
    const t0 = 1_000_000;
    for (let i = 0; i < burst; i++) expect(paceDelay("acct", "bulk_import_profiles", t0 + i)).toBe(0);
    // The 10th in the same second waits until the first leaves the window
    expect(paceDelay("acct", "bulk_import_profiles", t0 + burst)).toBe(1000 - burst);
    let t = t0 + 1000;
    let sentCount = burst;
    while (sentCount < steady) {
      const wait = paceDelay("acct", "bulk_import_profiles", t);
      if (wait === 0) sentCount++;
      else t += wait;
    }
    // 135 in the minute: the next waits for the first of them to be a minute old
    expect(paceDelay("acct", "bulk_import_profiles", t)).toBe(t0 + 60_000 - t);
    // Another account or operation is not held back
    expect(paceDelay("other", "bulk_import_profiles", t)).toBe(0);
    expect(paceDelay("acct", "create_event", t)).toBe(0);
  });

  it("400 events through the client, 8 in flight as the pass sends them, meet no 429 from the local Klaviyo", async () => {
    const c = client();
    const outs: Awaited<ReturnType<typeof c.createEvent>>[] = [];
    let next = 0;
    const started = Date.now();
    const sender = async () => {
      for (let i = next++; i < 400; i = next++) {
        outs.push(
          await c.createEvent({
            metric: "Points earned",
            profile: { email: null, externalId: `gid://shopify/Customer/p${i}` },
            properties: { points: i },
            time: new Date(),
            uniqueId: `6f1c1d0a-0000-4000-8000-1${String(i).padStart(11, "0")}`,
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    expect(outs).toHaveLength(400);
    expect(outs.filter((o) => o.kind !== "ok")).toEqual([]);
    // At 315 a second (90 % of 350), the 316th waited for the next window
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});

describe("properties and digest", () => {
  it("orders codes, keeps money exact, and digests independent of key order", () => {
    const p = profileProperties(facts);
    expect(p.loyalty_open_offers).toEqual([
      { code: "RW-AAA", source: "reward", expires_at: null },
      { code: "WB-ZZZ", source: "campaign", expires_at: "2027-01-01T00:00:00.000Z" },
    ]);
    const reversed = Object.fromEntries(Object.entries(p).reverse());
    expect(propertiesDigest(reversed)).toBe(propertiesDigest(p));
    expect(propertiesDigest({ ...p, loyalty_points_balance: 121 })).not.toBe(propertiesDigest(p));
    expect(profileProperties({ ...facts, clv12Minor: 1001n, currency: "JPY" }).loyalty_predicted_clv_12m).toBe(1001);
    expect(profileProperties({ ...facts, clv12Minor: null })).toMatchObject({
      loyalty_predicted_clv_12m: null,
      loyalty_predicted_clv_currency: null,
    });
  });

  it("a code is open while unexpired and not used on an order (case-insensitive)", () => {
    const code = { code: "wb-1", source: "campaign" as const, expiresAt: new Date(2_000) };
    expect(isOpen(code, 1_000, new Set())).toBe(true);
    expect(isOpen(code, 2_000, new Set())).toBe(false);
    expect(isOpen(code, 1_000, new Set(["WB-1"]))).toBe(false);
  });
});
