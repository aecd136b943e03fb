// Klaviyo end to end on the local Shopify and the local Klaviyo (which validates every request against Klaviyo's
// vendored description): after a backfill of 10,000 customers, Klaviyo's profiles carry exactly the app's tier,
// segment, points, predicted CLV and open codes for every email subscriber and nothing for the others; a second pass
// imports nothing; one changed customer is one profile; a 429 then success; a pass killed after Klaviyo accepted a job
// resumes polling that job instead of importing again; events once per unique_id, 5xx retried, an unsubscribe stops
// them at once; shop A's key never carries shop B's customers; customers/redact erases the rows and asks Klaviyo to
// delete the profile.
import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createLocalKlaviyo } from "../../simulator/klaviyo/index";
import type { SimulatorEvent } from "../../simulator/admin/events";

const klaviyo = createLocalKlaviyo();
const klaviyoServer = await klaviyo.listen();
process.env.KLAVIYO_API_ORIGIN = klaviyoServer.url;
process.env.CHANNEL_SECRETS_KEY = randomBytes(32).toString("base64");

const { prisma } = await import("../../app/db.server");
const { startLocalShopifyAndApp, openApp, testShopRecord } = await import("../support/local-shopify");
const { saveConnection } = await import("../../app/services/channels.server");
const { syncKlaviyo } = await import("../../app/services/klaviyo-sync.server");
const { resetKlaviyoPacing, createKlaviyoClient } = await import("../../app/services/klaviyo-client.server");
const { getActiveTierProgram } = await import("../../app/models/tier-program.server");
const { DEFAULT_SEGMENT_NAMES } = await import("../../app/domain/segments");
const { postWebhook, sign } = await import("../support/webhooks");
const { exampleBody } = await import("../support/shopify-examples");
const { testQueue, jobRows, deleteJobs } = await import("../support/queue");
const { PermanentJobError } = await import("../../app/jobs/queue");
const { klaviyoSyncJob } = await import("../../app/jobs/klaviyo-sync.server");
const { KLAVIYO_SYNC } = await import("../../app/jobs/contracts");
const { installShop: installShopRow } = await import("../support/shops");
const { mintSessionToken } = await import("../../simulator/app-bridge/session-token");
const { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } = await import("../support/test-env");

const A = "klaviyo-a.myshopify.com";
const B = "klaviyo-b.myshopify.com";
const KEY_A = `pk_${randomBytes(17).toString("hex")}`;
const KEY_B = `pk_${randomBytes(17).toString("hex")}`;
const accountA = klaviyo.addAccount({ privateKey: KEY_A, name: "A" });
const accountB = klaviyo.addAccount({ privateKey: KEY_B, name: "B" });
const N = 10_000;
// The 10,000-customer shop is A; the behaviours after its first passes are shown on B (60 customers), whose passes
// take milliseconds, not seconds.
const S = B;
const KEY_S = KEY_B;
const accountS = accountB;
const NOW = Date.now();
const DAY = 86_400_000;
const SEGMENTS = ["champions", "loyal", "at_risk", "hibernating", "new", "prospect"];
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let tierKeys: string[] = [];
let tierNames = new Map<string, string>();

const gid = (shop: string, i: number) => `gid://shopify/Customer/${shop === A ? 100_000 + i : 500_000 + i}`;
const email = (shop: string, i: number) => `c${i}@${shop}`;
const subscribed = (i: number) => i % 3 !== 0;
const sync = (shop: string, extra: Partial<Parameters<typeof syncKlaviyo>[1]> = {}) =>
  syncKlaviyo(shop, { clientFor: (s) => env.clientFor(s), reason: "manual", pollMs: 10, ...extra });

/** What the app's state says customer i's properties are, computed here from the seeded rows (not by the app). */
function expected(shop: string, i: number) {
  const tier = i % 4 === 0 ? null : tierKeys[i % tierKeys.length];
  const segment = SEGMENTS[i % SEGMENTS.length];
  const codes: { code: string; source: string; expires_at: string | null }[] = [];
  if (i % 11 === 0 && i % 22 !== 0)
    codes.push({ code: `K-${shop[8]}-${i}`, source: "campaign", expires_at: new Date(NOW + 30 * DAY).toISOString() });
  if (i % 17 === 0) codes.push({ code: `R-${shop[8]}-${i}`, source: "reward", expires_at: null });
  codes.sort((x, y) => (x.code < y.code ? -1 : 1));
  return {
    loyalty_tier: tier ? tierNames.get(tier)! : null,
    loyalty_tier_key: tier,
    loyalty_rfm_segment: segment === "champions" ? "Our champions" : DEFAULT_SEGMENT_NAMES[segment as "loyal"],
    loyalty_rfm_segment_key: segment,
    loyalty_points_balance: i % 5 === 0 ? 100 : 0,
    loyalty_points_pending: i % 5 === 0 ? 40 : 0,
    loyalty_predicted_clv_12m: i % 7 === 0 ? (i * 10 + 5) / 100 : null,
    loyalty_predicted_clv_currency: i % 7 === 0 ? "USD" : null,
    loyalty_open_offer_codes: codes.map((c) => c.code),
    loyalty_open_offers: codes,
  };
}

async function seed(shop: string, n: number) {
  env.shopify.admin.shops.addShop(testShopRecord(shop, { currencyCode: "USD", ianaTimezone: "UTC" }));
  const sim = env.shopify.admin.shops.getShop(shop)!;
  const at = new Date(NOW - 400 * DAY).toISOString();
  for (let i = 0; i < n; i++) {
    sim.putCustomer({
      __typename: "Customer",
      id: gid(shop, i),
      firstName: `C${i}`,
      lastName: null,
      email: email(shop, i),
      phone: null,
      locale: "en",
      tags: [],
      createdAt: at,
      updatedAt: at,
      defaultAddress: null,
      emailMarketingState: subscribed(i) ? "SUBSCRIBED" : i % 2 ? "UNSUBSCRIBED" : "NOT_SUBSCRIBED",
    });
  }
  env.shopify.install(shop);
  expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  const program = (await getActiveTierProgram(shop)).program;
  tierKeys = program.tiers.map((t) => t.key);
  tierNames = new Map(program.tiers.map((t) => [t.key, t.name]));
  await prisma.rfmSettings.upsert({
    where: { shop },
    create: { shop, segmentNames: JSON.stringify({ champions: "Our champions" }) },
    update: { segmentNames: JSON.stringify({ champions: "Our champions" }) },
  });
  const ids = Array.from({ length: n }, (_, i) => i);
  const chunks = <T>(rows: T[]) =>
    Array.from({ length: Math.ceil(rows.length / 2000) }, (_, k) => rows.slice(k * 2000, k * 2000 + 2000));
  for (const part of chunks(ids.map((i) => ({ shop, id: gid(shop, i), email: email(shop, i), firstName: `C${i}` }))))
    await prisma.customer.createMany({ data: part });
  for (const part of chunks(
    ids.map((i) => ({
      shop,
      customerId: gid(shop, i),
      segment: SEGMENTS[i % SEGMENTS.length],
      tier: i % 4 === 0 ? null : tierKeys[i % tierKeys.length],
      computedAt: new Date(NOW - DAY),
    })),
  ))
    await prisma.customerState.createMany({ data: part });
  const pointsRows = ids
    .filter((i) => i % 5 === 0)
    .flatMap((i) =>
      [
        { at: NOW - 10 * DAY, avail: NOW - 5 * DAY, points: 100n, key: "order:1" },
        { at: NOW - DAY, avail: NOW + 20 * DAY, points: 40n, key: "order:2" },
      ].map((e) => ({
        shop,
        customerId: gid(shop, i),
        kind: "order",
        points: e.points,
        sourceKey: e.key,
        ruleVersion: 0,
        effectiveAt: new Date(e.at),
        availableAt: new Date(e.avail),
      })),
    );
  for (const part of chunks(pointsRows)) await prisma.pointsEntry.createMany({ data: part });
  for (const part of chunks(
    ids
      .filter((i) => i % 7 === 0)
      .map((i) => ({
        shop,
        customerId: gid(shop, i),
        x: 1,
        tx: 1,
        T: 2,
        pAlive: 0.5,
        expected90: 0.1,
        expected365: 0.4,
        clv12Minor: BigInt(i * 10 + 5),
        asOf: new Date(NOW - DAY),
      })),
  ))
    await prisma.customerPrediction.createMany({ data: part });
  const recipients = ids.flatMap((i) => [
    ...(i % 11 === 0 ? [{ i, code: `K-${shop[8]}-${i}`, expiresAt: new Date(NOW + 30 * DAY) }] : []),
    ...(i % 13 === 0 ? [{ i, code: `OLD-${shop[8]}-${i}`, expiresAt: new Date(NOW - DAY) }] : []),
  ]);
  for (const part of chunks(
    recipients.map((r) => ({
      shop,
      campaignId: "campaign-1",
      customerId: gid(shop, r.i),
      holdout: false,
      assignedAt: new Date(NOW - 2 * DAY),
      code: r.code,
      expiresAt: r.expiresAt,
      issuedAt: new Date(NOW - 2 * DAY),
    })),
  ))
    await prisma.campaignRecipient.createMany({ data: part });
  // Every other campaign code was used on an order: not open any more
  await prisma.order.createMany({
    data: ids
      .filter((i) => i % 22 === 0)
      .map((i) => ({
        shop,
        id: `gid://shopify/Order/${shop === A ? 1 : 2}${String(i).padStart(6, "0")}`,
        customerId: gid(shop, i),
        processedAt: new Date(NOW - DAY),
        currencyCode: "USD",
        currentTotalMinor: 1000n,
        valueMinor: 1000n,
        discountCodes: JSON.stringify([`k-${shop[8]}-${i}`]),
      })),
  });
  await prisma.redemption.createMany({
    data: ids
      .filter((i) => i % 17 === 0)
      .flatMap((i) => [
        {
          shop,
          id: `red-${shop[8]}-${i}`,
          customerId: gid(shop, i),
          rewardId: "reward-1",
          token: `t${i}`,
          points: 500,
          kind: "amount_off",
          valueMinor: 500n,
          currencyCode: "USD",
          state: "confirmed",
          code: `R-${shop[8]}-${i}`,
          confirmedAt: new Date(NOW - 3 * DAY),
        },
        // A gift card's code is never sent
        ...(i % 34 === 0
          ? [
              {
                shop,
                id: `gift-${shop[8]}-${i}`,
                customerId: gid(shop, i),
                rewardId: "reward-2",
                token: `g${i}`,
                points: 900,
                kind: "gift_card",
                valueMinor: 900n,
                currencyCode: "USD",
                state: "confirmed",
                code: `GIFT${i}SECRET`,
                confirmedAt: new Date(NOW - 3 * DAY),
              },
            ]
          : []),
      ]),
  });
}

const profilesOf = (accountId: string) => new Map(klaviyo.profiles(accountId).map((p) => [p.external_id, p]));

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  await seed(A, N);
  await seed(B, 60);
  // Connected a minute ago: events are for what happens from then on
  expect(await saveConnection(A, "klaviyo", { privateKey: KEY_A })).toEqual({ ok: true });
  expect(await saveConnection(B, "klaviyo", { privateKey: KEY_B })).toEqual({ ok: true });
  await prisma.channelConnection.updateMany({ data: { createdAt: new Date(NOW - 60_000) } });
  resetKlaviyoPacing();
  expect(await sync(B)).toMatchObject({ status: "done", counts: { considered: 60, subscribed: 40, changed: 40 } });
}, 180_000);

describe("profiles", () => {
  it("after a backfill of 10,000 customers, Klaviyo holds exactly the app's state for every subscriber, nothing for the others", async () => {
    const started = performance.now();
    const result = await sync(A);
    const ms = performance.now() - started;
    console.log(`klaviyo: first pass of ${N} customers in ${Math.round(ms)} ms`);
    expect(result).toMatchObject({
      status: "done",
      counts: { considered: N, subscribed: N - Math.ceil(N / 3), changed: N - Math.ceil(N / 3), jobs: 1 },
    });
    const profiles = profilesOf(accountA.id);
    expect(profiles.size).toBe(N - Math.ceil(N / 3));
    for (let i = 0; i < N; i++) {
      const p = profiles.get(gid(A, i));
      if (!subscribed(i)) {
        expect(p, `customer ${i} did not consent`).toBeUndefined();
        continue;
      }
      expect(p?.email).toBe(email(A, i));
      expect(p?.properties, `customer ${i}`).toEqual(expected(A, i));
    }
    expect(JSON.stringify(klaviyo.profiles(accountA.id))).not.toContain("SECRET");
    expect(await prisma.klaviyoProfile.count({ where: { shop: A, pendingJobId: { not: null } } })).toBe(0);
    expect(await prisma.klaviyoImportJob.findMany({ where: { shop: A } })).toEqual([
      expect.objectContaining({ status: "complete", profiles: N - Math.ceil(N / 3), completed: N - Math.ceil(N / 3) }),
    ]);
  }, 120_000);

  it("a second pass with nothing changed imports nothing; one changed customer is one profile in one job", async () => {
    const jobsBefore = klaviyo.jobs().length;
    // Only the customers never sent (no consent) are asked about again: the others' properties did not move
    expect(await sync(A)).toMatchObject({
      status: "done",
      counts: { considered: Math.ceil(N / 3), subscribed: 0, changed: 0, jobs: 0 },
    });
    expect(klaviyo.jobs().length).toBe(jobsBefore);
    const one = 1; // subscribed, tier tierKeys[1]
    const other = tierKeys.find((k) => k !== expected(A, one).loyalty_tier_key)!;
    await prisma.customerState.update({
      where: { shop_customerId: { shop: A, customerId: gid(A, one) } },
      data: { tier: other },
    });
    expect(await sync(A)).toMatchObject({ status: "done", counts: { changed: 1, jobs: 1, imported: 1 } });
    const jobs = klaviyo.jobs();
    expect(jobs.length).toBe(jobsBefore + 1);
    expect(jobs[jobs.length - 1]).toMatchObject({ accountId: accountA.id, total: 1 });
    expect(profilesOf(accountA.id).get(gid(A, one))!.properties).toMatchObject({ loyalty_tier_key: other });
  }, 60_000);

  it("a 429 ends the pass with Retry-After and records nothing; the next pass sends it", async () => {
    await prisma.customerState.update({
      where: { shop_customerId: { shop: S, customerId: gid(S, 2) } },
      data: { segment: "loyal" },
    });
    klaviyo.faults.inject({ kind: "http", status: 429, retryAfter: 2 }, { operation: "bulk_import_profiles" });
    const before = Date.now();
    const throttled = await sync(S);
    expect(throttled).toMatchObject({ status: "throttled", counts: { throttled: 1, jobs: 0 } });
    if (throttled.status === "not-connected") throw new Error("connected");
    expect(throttled.retryAt!.getTime()).toBeGreaterThanOrEqual(before + 2000);
    expect(await prisma.klaviyoImportJob.count({ where: { shop: S, status: "queued" } })).toBe(0);
    const run = await prisma.klaviyoSyncRun.findFirst({ where: { shop: S }, orderBy: { startedAt: "desc" } });
    expect(run).toMatchObject({ status: "failed", throttled: 1, error: expect.stringContaining("throttled") });
    expect(await sync(S)).toMatchObject({ status: "done", counts: { changed: 1, jobs: 1, imported: 1 } });
    expect(profilesOf(accountS.id).get(gid(S, 2))!.properties).toMatchObject({ loyalty_rfm_segment_key: "loyal" });
  }, 60_000);

  it("a pass killed after Klaviyo accepted its job resumes polling that job and imports nothing again", async () => {
    await prisma.customerState.update({
      where: { shop_customerId: { shop: S, customerId: gid(S, 4) } },
      data: { segment: "at_risk" },
    });
    const real = createKlaviyoClient({ origin: klaviyoServer.url, privateKey: KEY_S });
    const dying = {
      ...real,
      importJob: async () => {
        throw new Error("worker killed");
      },
    };
    const jobsBefore = klaviyo.jobs().length;
    await expect(sync(S, { klaviyo: dying })).rejects.toThrow("worker killed");
    expect(klaviyo.jobs().length).toBe(jobsBefore + 1);
    const open = await prisma.klaviyoImportJob.findMany({ where: { shop: S, status: "queued" } });
    expect(open).toHaveLength(1);
    expect(
      await prisma.klaviyoProfile.findUnique({ where: { shop_customerId: { shop: S, customerId: gid(S, 4) } } }),
    ).toMatchObject({
      pendingJobId: open[0].jobId,
    });
    // The restarted pass polls the recorded job to its end; the customer is not imported a second time
    expect(await sync(S)).toMatchObject({ status: "done", counts: { changed: 0, jobs: 0, imported: 1 } });
    expect(klaviyo.jobs().length).toBe(jobsBefore + 1);
    expect(
      await prisma.klaviyoImportJob.findUnique({ where: { shop_jobId: { shop: S, jobId: open[0].jobId } } }),
    ).toMatchObject({
      status: "complete",
    });
  }, 60_000);
});

describe("import errors", () => {
  it("a job with failed profiles: the others are held, only the failed go again; one failing every time is given up after 5 with its error", async () => {
    const [ok, once, always] = [25, 26, 28]; // subscribed
    for (const i of [ok, once, always]) {
      await prisma.customerState.update({
        where: { shop_customerId: { shop: S, customerId: gid(S, i) } },
        data: { segment: "hibernating" },
      });
    }
    klaviyo.faults.failProfiles([gid(S, once)], { detail: "Email address is not valid." });
    klaviyo.faults.failProfiles([gid(S, always)], { detail: "Phone number is not valid.", times: 100 });
    const before = Date.now();
    const first = await sync(S);
    expect(first).toMatchObject({ status: "done", counts: { changed: 3, jobs: 1, imported: 1, profilesFailed: 2 } });
    if (first.status === "not-connected") throw new Error("connected");
    // The failed ones are tried again a minute later (the job queues that pass); the run says what Klaviyo said
    expect(first.retryAt!.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(first.error).toContain("could not import 2 profile(s)");
    const run = await prisma.klaviyoSyncRun.findFirst({ where: { shop: S }, orderBy: { startedAt: "desc" } });
    expect(run).toMatchObject({
      status: "done",
      profilesFailed: 2,
      imported: 1,
      error: expect.stringContaining("not valid"),
    });
    const row = (i: number) =>
      prisma.klaviyoProfile.findUniqueOrThrow({ where: { shop_customerId: { shop: S, customerId: gid(S, i) } } });
    expect(await row(ok)).toMatchObject({ digest: expect.any(String), importFailures: 0, importError: null });
    expect(await row(once)).toMatchObject({
      importFailures: 1,
      importError: "Email address is not valid.",
      pendingJobId: null,
    });
    expect(profilesOf(accountS.id).get(gid(S, ok))!.properties.loyalty_rfm_segment_key).toBe("hibernating");
    expect(profilesOf(accountS.id).get(gid(S, once))!.properties.loyalty_rfm_segment_key).not.toBe("hibernating");

    // The next pass sends only the two that failed: one goes through now
    expect(await sync(S)).toMatchObject({ counts: { changed: 2, jobs: 1, imported: 1, profilesFailed: 1 } });
    expect(klaviyo.jobs().at(-1)).toMatchObject({ total: 2 });
    expect(await row(once)).toMatchObject({ importFailures: 0, importError: null, digest: expect.any(String) });
    expect(profilesOf(accountS.id).get(gid(S, once))!.properties.loyalty_rfm_segment_key).toBe("hibernating");
    for (let pass = 3; pass <= 5; pass++) {
      expect(await sync(S)).toMatchObject({ counts: { changed: 1, jobs: 1, profilesFailed: 1 } });
      expect(klaviyo.jobs().at(-1)).toMatchObject({ total: 1 });
    }
    // Five failures in a row: not sent again while its properties stay the same; the card says so, with the error
    const jobs = klaviyo.jobs().length;
    const given = await sync(S);
    expect(given).toMatchObject({ status: "done", counts: { changed: 0, jobs: 0 }, retryAt: null });
    expect(klaviyo.jobs().length).toBe(jobs);
    expect(await row(always)).toMatchObject({ importFailures: 5, importError: "Phone number is not valid." });
    const { klaviyoOverview } = await import("../../app/services/klaviyo-sync.server");
    expect(await klaviyoOverview(S)).toMatchObject({ profilesGivenUp: 1, givenUpError: "Phone number is not valid." });
    // Once its properties change it is tried again (and, Klaviyo accepting it now, held)
    klaviyo.faults.clear();
    await prisma.customerState.update({
      where: { shop_customerId: { shop: S, customerId: gid(S, always) } },
      data: { segment: "loyal" },
    });
    expect(await sync(S)).toMatchObject({ counts: { changed: 1, jobs: 1, imported: 1, profilesFailed: 0 } });
    expect(await row(always)).toMatchObject({ importFailures: 0, importError: null });
    expect(await klaviyoOverview(S)).toMatchObject({ profilesGivenUp: 0 });
  }, 60_000);
});

describe("events", () => {
  it("Tier changed once per unique_id, 5xx retried with the same id, an unsubscribe stops the customer's events at once", async () => {
    const [x, y, z] = [5, 7, 8]; // all subscribed
    const [gold, silver] = [tierKeys[tierKeys.length - 1], tierKeys[0]];
    const at = new Date(NOW - 1_000);
    for (const i of [x, y, z]) {
      await prisma.customerStateChange.create({
        data: { shop: S, customerId: gid(S, i), kind: "tier", from: silver, to: gold, at, reason: "order" },
      });
    }
    // Before the connection, and the backfill's first scoring: never events
    await prisma.customerStateChange.create({
      data: {
        shop: S,
        customerId: gid(S, 10),
        kind: "tier",
        from: null,
        to: gold,
        at: new Date(NOW - 3_600_000),
        reason: "order",
      },
    });
    await prisma.customerStateChange.create({
      data: { shop: S, customerId: gid(S, 11), kind: "tier", from: null, to: gold, at, reason: "backfill" },
    });
    // Klaviyo answers 503 to the first pass's bulk request: the rows stay pending, with their backoff
    klaviyo.faults.inject({ kind: "http", status: 503 }, { operation: "bulk_create_events", times: 1 });
    const first = await sync(S);
    expect(first).toMatchObject({ status: "done", counts: { eventsSent: 0, eventsSkipped: 0 } });
    const rows = await prisma.channelMessage.findMany({
      where: { shop: S, channel: "klaviyo" },
      orderBy: { id: "asc" },
    });
    expect(rows.map((r) => [r.customerId, r.event, r.state, r.attempts])).toEqual(
      [x, y, z].map((i) => [gid(S, i), "tier-changed", "pending", 1]),
    );
    expect(rows[0].lastError).toContain("503");
    if (first.status === "not-connected") throw new Error("connected");
    expect(first.retryAt!.getTime()).toBeGreaterThan(Date.now());
    // x unsubscribes, its consent webhook lost (the one below shows the webhook); the backoff passes; the retry
    // carries the same unique_id, and x's event is not sent: consent is asked of Shopify again before sending
    env.shopify.withoutDelivery(S, () =>
      env.shopify.admin.updateCustomer(S, gid(S, x), { emailMarketingState: "UNSUBSCRIBED" }),
    );
    await prisma.channelMessage.updateMany({
      where: { shop: S, channel: "klaviyo" },
      data: { nextAttemptAt: new Date(Date.now() - 1) },
    });
    expect(await sync(S)).toMatchObject({ status: "done", counts: { eventsSent: 2, eventsSkipped: 1 } });
    expect(await prisma.channelMessage.findFirst({ where: { shop: S, customerId: gid(S, x) } })).toMatchObject({
      state: "skipped",
    });
    const events = klaviyo.events(accountS.id).filter((e) => e.metric === "Tier changed");
    const byProfile = profilesOf(accountS.id);
    const ofCustomer = (i: number) => events.filter((e) => e.profileId === byProfile.get(gid(S, i))?.id);
    expect(ofCustomer(x)).toEqual([]);
    for (const i of [y, z]) {
      const row = (await prisma.channelMessage.findFirst({ where: { shop: S, customerId: gid(S, i) } }))!;
      expect(row).toMatchObject({ state: "sent", sentAt: expect.any(Date) });
      expect(ofCustomer(i)).toEqual([
        expect.objectContaining({
          uniqueId: row.retryKey,
          time: at.toISOString(),
          properties: {
            from_tier: tierNames.get(silver),
            from_tier_key: silver,
            to_tier: tierNames.get(gold),
            to_tier_key: gold,
          },
        }),
      ]);
    }
    // A send repeated after its answer was lost (row back to pending) is counted once by Klaviyo
    const yRow = (await prisma.channelMessage.findFirst({ where: { shop: S, customerId: gid(S, y) } }))!;
    await prisma.channelMessage.update({ where: { id: yRow.id }, data: { state: "pending" } });
    await sync(S);
    expect(ofCustomer(y)).toHaveLength(1);
    // The unsubscribed customer's profile is not updated any more either
    await prisma.customerState.update({
      where: { shop_customerId: { shop: S, customerId: gid(S, x) } },
      data: { segment: "hibernating" },
    });
    expect(await sync(S)).toMatchObject({ counts: { changed: 0 } });
    expect(profilesOf(accountS.id).get(gid(S, x))!.properties.loyalty_rfm_segment_key).not.toBe("hibernating");
  }, 60_000);

  it("an event answered 429 waits for Retry-After, then goes once", async () => {
    const i = 10; // subscribed
    await prisma.customerStateChange.create({
      data: {
        shop: S,
        customerId: gid(S, i),
        kind: "tier",
        from: tierKeys[0],
        to: tierKeys[1],
        at: new Date(NOW - 500),
        reason: "order",
      },
    });
    klaviyo.faults.inject({ kind: "http", status: 429, retryAfter: 2 }, { operation: "bulk_create_events" });
    const before = Date.now();
    const throttled = await sync(S);
    expect(throttled).toMatchObject({ status: "throttled", counts: { throttled: 1, eventsSent: 0 } });
    const row = (await prisma.channelMessage.findFirst({ where: { shop: S, customerId: gid(S, i) } }))!;
    expect(row).toMatchObject({ state: "pending", lastError: expect.stringContaining("throttled") });
    expect(row.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before + 2000);
    if (throttled.status === "not-connected") throw new Error("connected");
    expect(throttled.retryAt).toEqual(row.nextAttemptAt);
    // Before Retry-After nothing is sent; after it, the event goes once
    expect(await sync(S)).toMatchObject({ status: "done", counts: { eventsSent: 0 } });
    await prisma.channelMessage.update({ where: { id: row.id }, data: { nextAttemptAt: new Date(Date.now() - 1) } });
    expect(await sync(S)).toMatchObject({ status: "done", counts: { eventsSent: 1 } });
    const profile = profilesOf(accountS.id).get(gid(S, i))!;
    expect(
      klaviyo.events(accountS.id).filter((e) => e.profileId === profile.id && e.uniqueId === row.retryKey),
    ).toHaveLength(1);
  }, 60_000);

  it("a bulk request Klaviyo refuses is sent event by event: only the refused event is marked refused", async () => {
    const ids = [19, 20, 22]; // subscribed
    for (const i of ids) {
      await prisma.customerStateChange.create({
        data: {
          shop: S,
          customerId: gid(S, i),
          kind: "tier",
          from: tierKeys[1],
          to: tierKeys[0],
          at: new Date(NOW - 400),
          reason: "order",
        },
      });
    }
    klaviyo.faults.inject({ kind: "refuse" }, { operation: "bulk_create_events" });
    klaviyo.faults.inject({ kind: "refuse", detail: "'properties' is too large" }, { operation: "create_event" });
    expect(await sync(S)).toMatchObject({ status: "done", counts: { eventsSent: 2, eventsRefused: 1 } });
    const rows = await prisma.channelMessage.findMany({
      where: { shop: S, customerId: { in: ids.map((i) => gid(S, i)) } },
      orderBy: { id: "asc" },
    });
    expect(rows.map((r) => r.state).sort()).toEqual(["refused", "sent", "sent"]);
    expect(rows.find((r) => r.state === "refused")!.lastError).toContain("too large");
    const byProfile = profilesOf(accountS.id);
    for (const r of rows.filter((x) => x.state === "sent")) {
      const pid = byProfile.get(r.customerId)!.id;
      expect(klaviyo.events(accountS.id).filter((e) => e.profileId === pid && e.uniqueId === r.retryKey)).toHaveLength(
        1,
      );
    }
  }, 60_000);

  it("Offer issued, Points earned and Reward redeemed with their facts", async () => {
    const i = 13; // subscribed
    const issued = new Date(NOW - 500);
    await prisma.campaign.create({
      data: {
        id: "campaign-k",
        shop: S,
        name: "Win back",
        template: "win_back",
        audience: "{}",
        schedule: "entry",
        offerKind: "percentage",
        offerValue: 15,
        expiryDays: 14,
        holdoutPercent: 0,
        cooldownDays: 30,
        codePrefix: "WB-",
      },
    });
    await prisma.campaignRecipient.create({
      data: {
        shop: S,
        campaignId: "campaign-k",
        customerId: gid(S, i),
        holdout: false,
        assignedAt: issued,
        code: "WB-NEW13",
        expiresAt: new Date(NOW + 14 * DAY),
        issuedAt: issued,
      },
    });
    await prisma.pointsFlowTrigger.create({
      data: {
        shop: S,
        customerId: gid(S, i),
        sourceKey: "order:gid://shopify/Order/77",
        topic: "points-earned",
        state: "sent",
        points: 120n,
      },
    });
    await prisma.reward.create({
      data: { shop: S, id: "reward-k", kind: "amount_off", title: "$5 off", pointsPrice: 500, valueMinor: 500n },
    });
    await prisma.redemption.create({
      data: {
        shop: S,
        id: "red-k",
        customerId: gid(S, i),
        rewardId: "reward-k",
        token: "tk",
        points: 500,
        kind: "amount_off",
        valueMinor: 500n,
        currencyCode: "USD",
        state: "confirmed",
        code: "RW-K13",
        confirmedAt: issued,
      },
    });
    expect(await sync(S)).toMatchObject({ status: "done", counts: { eventsSent: 3 } });
    const profile = profilesOf(accountS.id).get(gid(S, i))!;
    const mine = klaviyo.events(accountS.id).filter((e) => e.profileId === profile.id);
    expect(Object.fromEntries(mine.map((e) => [e.metric, e.properties]))).toEqual({
      "Offer issued": {
        campaign: "Win back",
        code: "WB-NEW13",
        expires_at: new Date(NOW + 14 * DAY).toISOString(),
        offer: "15%",
      },
      "Points earned": { points: 120, source: "order:gid://shopify/Order/77" },
      "Reward redeemed": { reward: "$5 off", code: "RW-K13", expires_at: null, points: 500 },
    });
    // The new open codes reach the profile in the same pass
    expect(profile.properties.loyalty_open_offer_codes).toEqual(expect.arrayContaining(["WB-NEW13", "RW-K13"]));
  }, 60_000);
});

describe("email marketing consent (customers_email_marketing_consent/update)", () => {
  /** Changes the customer's consent in the local Shopify and delivers the consent webhook it raises (signed). */
  async function consentChange(customerId: string, state: "SUBSCRIBED" | "UNSUBSCRIBED") {
    const raised: SimulatorEvent[] = [];
    const stop = env.shopify.admin.onEvent((event: SimulatorEvent) => void raised.push(event));
    env.shopify.withoutDelivery(S, () =>
      env.shopify.admin.updateCustomer(S, customerId, { emailMarketingState: state }),
    );
    stop();
    expect(raised.map((e) => e.topic)).toEqual(["customers/update", "customers_email_marketing_consent/update"]);
    const body = env.shopify.webhooks.preview(env.shopify.webhookEventOf(raised[1] as never));
    expect(body).toMatchObject({
      customer_id: Number(customerId.split("/").at(-1)),
      email_marketing_consent: { state: state.toLowerCase() },
    });
    await env.shopify.webhooks.sendEvent(env.shopify.webhookEventOf(raised[1] as never));
    await env.shopify.webhooks.drain();
  }

  it("unsubscribe: waiting events skipped and the loyalty properties removed, nothing else sent; resubscribe: back", async () => {
    const i = 31; // subscribed, synced, untouched by the tests above
    const customerId = gid(S, i);
    const profile = () => profilesOf(accountS.id).get(customerId)!;
    expect(profile().properties).toEqual(expected(S, i));
    const waiting = await prisma.channelMessage.create({
      data: {
        shop: S,
        channel: "klaviyo",
        customerId,
        event: "tier-changed",
        sourceKey: "change:0",
        retryKey: randomUUID(),
      },
    });
    const requests = klaviyo.requests().length;
    const jobsBefore = await jobRows(S, { kind: KLAVIYO_SYNC });

    // The merchant (or the customer) unsubscribes in Shopify: the local Shopify raises customers/update and the
    // consent topic; only the consent webhook is delivered here (customers/update would queue the customer's
    // recompute, whose new state would be a property change of its own)
    await consentChange(customerId, "UNSUBSCRIBED");
    const delivered = env.shopify.webhooks.log.filter(
      (d) => d.topic === "customers_email_marketing_consent/update" && d.shop === S,
    );
    expect(delivered.at(-1)).toMatchObject({
      ok: true,
      status: 200,
      path: "/webhooks/customers_email_marketing_consent/update",
    });
    // At once: the waiting event skipped with the reason, the row marked, a pass queued; Klaviyo not called
    expect(await prisma.channelMessage.findUniqueOrThrow({ where: { id: waiting.id } })).toMatchObject({
      state: "skipped",
      lastError: expect.stringContaining("unsubscribed from email marketing"),
    });
    expect(
      await prisma.klaviyoProfile.findUniqueOrThrow({ where: { shop_customerId: { shop: S, customerId } } }),
    ).toMatchObject({ subscribed: false, clearPending: true });
    expect((await jobRows(S, { kind: KLAVIYO_SYNC })).length).toBeGreaterThan(jobsBefore.length);
    expect(klaviyo.requests().length).toBe(requests);

    // The pass removes exactly the loyalty_ properties (one import job of one profile), and sends nothing else
    expect(await sync(S)).toMatchObject({
      status: "done",
      counts: { cleared: 1, jobs: 1, changed: 0, eventsSent: 0 },
    });
    expect(profile().properties).toEqual({});
    expect(profile().email).toBe(email(S, i));
    expect(
      new Set(
        klaviyo
          .requests()
          .slice(requests)
          .map((r) => r.operationId),
      ),
    ).toEqual(new Set(["bulk_import_profiles", "get_bulk_import_profiles_job"]));
    expect(klaviyo.jobs().at(-1)).toMatchObject({ total: 1 });
    // Nothing more to do: the next pass sends nothing for them
    expect(await sync(S)).toMatchObject({ counts: { cleared: 0, jobs: 0 } });

    // Subscribes again: the next pass sends all their properties
    await consentChange(customerId, "SUBSCRIBED");
    expect(
      await prisma.klaviyoProfile.findUniqueOrThrow({ where: { shop_customerId: { shop: S, customerId } } }),
    ).toMatchObject({ subscribed: true, digest: null, clearPending: false });
    expect(await sync(S)).toMatchObject({ status: "done", counts: { changed: 1, jobs: 1, imported: 1 } });
    expect(profile().properties).toEqual(expected(S, i));
    // The passes the webhooks queued were run here by hand: not left for the Sync now test's worker
    await deleteJobs(S, KLAVIYO_SYNC);
  }, 60_000);

  it("unsubscribed while a job carrying the customer is in flight: the resumed pass imports, then removes", async () => {
    const i = 35; // subscribed, synced
    const customerId = gid(S, i);
    await prisma.customerState.update({
      where: { shop_customerId: { shop: S, customerId } },
      data: { segment: "at_risk" },
    });
    const real = createKlaviyoClient({ origin: klaviyoServer.url, privateKey: KEY_S });
    const dying = {
      ...real,
      importJob: async () => {
        throw new Error("worker killed");
      },
    };
    await expect(sync(S, { klaviyo: dying })).rejects.toThrow("worker killed");
    await consentChange(customerId, "UNSUBSCRIBED");
    expect(
      await prisma.klaviyoProfile.findUniqueOrThrow({ where: { shop_customerId: { shop: S, customerId } } }),
    ).toMatchObject({ subscribed: false, clearPending: true, pendingJobId: expect.any(String) });
    // The webhook may also land before the job is recorded (Shopify said "subscribed" a moment earlier): the job's
    // end marks the removal then, from the row's "not subscribed"
    await prisma.klaviyoProfile.updateMany({ where: { shop: S, customerId }, data: { clearPending: false } });
    expect(await sync(S)).toMatchObject({ status: "done", counts: { imported: 1, cleared: 1 } });
    expect(profilesOf(accountS.id).get(customerId)!.properties).toEqual({});
    await deleteJobs(S, KLAVIYO_SYNC);
  }, 60_000);

  it("a late delivery (its change older than the one applied) changes nothing; no consent_updated_at: when Shopify raised it", async () => {
    const i = 38; // subscribed, synced, untouched by the tests above
    const customerId = gid(S, i);
    const row = () => prisma.klaviyoProfile.findUniqueOrThrow({ where: { shop_customerId: { shop: S, customerId } } });
    const deliver = (state: string, updatedAt: string | null, triggeredAt: Date) =>
      postWebhook(env.app.url, "/webhooks/customers_email_marketing_consent/update", {
        shop: S,
        topic: "customers_email_marketing_consent/update",
        body: JSON.stringify({
          ...exampleBody("customers_email_marketing_consent/update"),
          customer_id: 500_000 + i,
          email_address: email(S, i),
          email_marketing_consent: { state, opt_in_level: "single_opt_in", consent_updated_at: updatedAt },
        }),
        headers: { "X-Shopify-Triggered-At": triggeredAt.toISOString() },
      });
    const waiting = () =>
      prisma.channelMessage.create({
        data: {
          shop: S,
          channel: "klaviyo",
          customerId,
          event: "tier-changed",
          sourceKey: `late:${randomUUID()}`,
          retryKey: randomUUID(),
        },
      });
    const stateOf = async (id: number) => (await prisma.channelMessage.findUniqueOrThrow({ where: { id } })).state;
    // The pass that synced them recorded when Shopify says their consent last changed (marketingUpdatedAt): a
    // delivery older than that — an "unsubscribed" the pass's reading already outdates — changes nothing
    const shopifySays = env.shopify.admin.shops.getShop(S)!.customers.get(customerId)!;
    const read = (await row()).consentAt!;
    expect(read.toISOString()).toBe(new Date(shopifySays.updatedAt).toISOString());
    const synced = await row();
    expect((await deliver("unsubscribed", new Date(read.getTime() - 1_000).toISOString(), read)).status).toBe(200);
    expect(await row()).toEqual(synced);
    const t = read.getTime() + 60 * 60_000;

    // Subscribed at t (Shopify's time with an offset, as the REST body gives it), then an event waits
    expect(
      (await deliver("subscribed", new Date(t).toISOString().replace("Z", "+00:00"), new Date(t + 1_000))).status,
    ).toBe(200);
    // Klaviyo holds their properties: the digest says "send again", not "nothing there"
    expect(await row()).toMatchObject({
      subscribed: true,
      clearPending: false,
      digest: "resend",
      consentAt: new Date(t),
    });
    const first = await waiting();
    const jobs = (await jobRows(S, { kind: KLAVIYO_SYNC })).length;
    const before = await row();

    // An "unsubscribed" from a minute before, delivered late (Shopify retried it): 200, nothing changes
    expect((await deliver("unsubscribed", new Date(t - 60_000).toISOString(), new Date(t - 59_000))).status).toBe(200);
    expect(await row()).toEqual(before);
    expect(await stateOf(first.id)).toBe("pending");
    expect((await jobRows(S, { kind: KLAVIYO_SYNC })).length).toBe(jobs);
    // The same time again (a repeat of that change) is applied: nothing different to apply
    expect((await deliver("subscribed", new Date(t).toISOString(), new Date(t + 2_000))).status).toBe(200);
    expect(await row()).toMatchObject({ subscribed: true, consentAt: new Date(t) });

    // consent_updated_at null (as in Shopify's published example): the change is placed at X-Shopify-Triggered-At.
    // Raised after t: applied — the event skipped, the time recorded, and the removal marked: Klaviyo still holds the
    // properties (the "subscribed" above, no pass since, left the digest "to send again", not "nothing there")
    expect((await deliver("unsubscribed", null, new Date(t + 5_000))).status).toBe(200);
    expect(await stateOf(first.id)).toBe("skipped");
    expect(await row()).toMatchObject({ subscribed: false, clearPending: true, consentAt: new Date(t + 5_000) });
    // A "subscribed" without a time raised before that: nothing changes
    const second = await waiting();
    const unsubscribed = await row();
    expect((await deliver("subscribed", null, new Date(t + 4_000))).status).toBe(200);
    expect(await row()).toEqual(unsubscribed);
    expect(await stateOf(second.id)).toBe("pending");
    // A consent_updated_at that is not a time: refused (400), nothing changes
    expect((await deliver("subscribed", "yesterday", new Date())).status).toBe(400);
    expect(await row()).toEqual(unsubscribed);
    // Subscribed again, later: applied
    expect((await deliver("subscribed", new Date(t + 10_000).toISOString(), new Date(t + 10_000))).status).toBe(200);
    expect(await row()).toMatchObject({
      subscribed: true,
      clearPending: false,
      digest: "resend",
      consentAt: new Date(t + 10_000),
    });
    await prisma.channelMessage.deleteMany({ where: { shop: S, customerId, sourceKey: { startsWith: "late:" } } });
    // Their properties sent again (the digest said so), so the passes below start from a synced shop
    expect(await sync(S)).toMatchObject({ status: "done", counts: { changed: 1 } });
    await deleteJobs(S, KLAVIYO_SYNC);
  });

  it("two consent deliveries of one customer at once: the newer change stands whichever lands last", async () => {
    const i = 40; // subscribed, synced
    const customerId = gid(S, i);
    const row = () => prisma.klaviyoProfile.findUniqueOrThrow({ where: { shop_customerId: { shop: S, customerId } } });
    const { applyEmailMarketingConsent } = await import("../../app/services/klaviyo-consent.server");
    const queue = testQueue();
    const t = (await row()).consentAt!.getTime() + 30 * 60_000;
    for (let round = 0; round < 4; round++) {
      const newer = new Date(t + round * 10_000 + 5_000);
      const older = new Date(t + round * 10_000);
      const newerSubscribed = round % 2 === 0;
      const outcomes = await Promise.all([
        applyEmailMarketingConsent(S, customerId, newerSubscribed, newer, queue),
        applyEmailMarketingConsent(S, customerId, !newerSubscribed, older, queue),
      ]);
      expect(outcomes.map((o) => o.applied)).toContain(true);
      expect(await row()).toMatchObject({ subscribed: newerSubscribed, consentAt: newer });
      // Klaviyo may hold the properties throughout: "send again" when given, a removal marked when withdrawn
      expect(await row()).toMatchObject(
        newerSubscribed ? { clearPending: false, digest: "resend" } : { clearPending: true },
      );
    }
    // Shopify still says subscribed: the next pass sends their properties again and the shop is synced
    expect(await sync(S)).toMatchObject({ status: "done", counts: { changed: 1 } });
    await deleteJobs(S, KLAVIYO_SYNC);
  });

  it("shop A's consent webhook naming shop B's customer changes nothing of B's", async () => {
    const customerId = gid(B, 34); // subscribed in B, synced
    const before = await prisma.klaviyoProfile.findUniqueOrThrow({
      where: { shop_customerId: { shop: B, customerId } },
    });
    const body = JSON.stringify({
      ...exampleBody("customers_email_marketing_consent/update"),
      customer_id: 500_034,
      email_address: email(B, 34),
    });
    const response = await postWebhook(env.app.url, "/webhooks/customers_email_marketing_consent/update", {
      shop: A,
      topic: "customers_email_marketing_consent/update",
      body,
      webhookId: randomUUID(),
    });
    expect(response.status).toBe(200);
    expect(
      await prisma.klaviyoProfile.findUniqueOrThrow({ where: { shop_customerId: { shop: B, customerId } } }),
    ).toEqual(before);
    expect(await prisma.klaviyoProfile.count({ where: { shop: A, customerId } })).toBe(0);
  });

  it("a forged consent webhook is refused and changes nothing", async () => {
    const customerId = gid(S, 32);
    const before = await prisma.klaviyoProfile.findUniqueOrThrow({
      where: { shop_customerId: { shop: S, customerId } },
    });
    const body = JSON.stringify({
      ...exampleBody("customers_email_marketing_consent/update"),
      customer_id: 500_032,
      email_address: email(S, 32),
    });
    const forged = await postWebhook(env.app.url, "/webhooks/customers_email_marketing_consent/update", {
      shop: S,
      topic: "customers_email_marketing_consent/update",
      body,
      webhookId: randomUUID(),
      hmac: sign(body, "not-the-app-secret"),
    });
    expect(forged.status).toBe(401);
    expect(
      await prisma.klaviyoProfile.findUniqueOrThrow({ where: { shop_customerId: { shop: S, customerId } } }),
    ).toEqual(before);
  });
});

describe("Sync now, through the app", () => {
  const page = (shop: string, init: RequestInit = {}) =>
    fetch(`${env.app.url}/app/channels?_data=routes%2Fapp.channels`, {
      ...init,
      headers: {
        ...BROWSER_HEADERS,
        Authorization: `Bearer ${mintSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET })}`,
      },
    });

  it("queues a klaviyo-sync job the worker runs; the page's data shows its figures; a shop without Klaviyo gets 404", async () => {
    const res = await page(S, { method: "POST", body: new URLSearchParams({ intent: "sync", channel: "klaviyo" }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ intent: "sync", ok: true });
    const queue = testQueue();
    const worker = queue.work(
      { [KLAVIYO_SYNC]: klaviyoSyncJob({ clientFor: (s) => env.clientFor(s), queue }) },
      { pollMs: 20 },
    );
    await worker.idle();
    await worker.stop();
    const run = await prisma.klaviyoSyncRun.findFirst({ where: { shop: S }, orderBy: { startedAt: "desc" } });
    expect(run).toMatchObject({ reason: "manual", status: "done", changed: 0 });
    const data = (await (await page(S)).json()) as { klaviyo: { connected: boolean; lastRun: { status: string } } };
    expect(data.klaviyo).toMatchObject({ connected: true, lastRun: { status: "done", changed: 0 } });
    const other = "klaviyo-none.myshopify.com";
    await installShopRow(other);
    const refused = await page(other, {
      method: "POST",
      body: new URLSearchParams({ intent: "sync", channel: "klaviyo" }),
    });
    expect(refused.status).toBe(404);
    expect(await prisma.job.count({ where: { shop: other } })).toBe(0);
  }, 60_000);
});

describe("the klaviyo-sync job", () => {
  const context = (payload: unknown) => ({
    id: randomUUID(),
    shop: S,
    kind: KLAVIYO_SYNC,
    payload: payload as never,
    attempt: 1,
    signal: new AbortController().signal,
  });

  it("refuses an unknown reason for good; a 429 queues the next pass at Retry-After under the retry key", async () => {
    const queue = testQueue();
    const job = klaviyoSyncJob({ clientFor: (s) => env.clientFor(s), queue });
    await expect(job(context({ reason: "bogus" }))).rejects.toBeInstanceOf(PermanentJobError);
    await prisma.customerState.update({
      where: { shop_customerId: { shop: S, customerId: gid(S, 16) } },
      data: { segment: "champions" },
    });
    klaviyo.faults.inject({ kind: "http", status: 429, retryAfter: 5 }, { operation: "bulk_import_profiles" });
    const before = Date.now();
    await job(context({ reason: "customer" }));
    const retries = await jobRows(S, { kind: KLAVIYO_SYNC, key: "klaviyo-sync:retry" });
    expect(retries).toHaveLength(1);
    expect(JSON.parse(retries[0].payload)).toEqual({ reason: "retry" });
    expect(retries[0].runAt.getTime()).toBeGreaterThanOrEqual(before + 5000 - 1000);
    // The retried pass sends the customer
    await job(context({ reason: "retry" }));
    expect(profilesOf(accountS.id).get(gid(S, 16))!.properties).toMatchObject({ loyalty_rfm_segment_key: "champions" });
  }, 60_000);
});

describe("tenancy and privacy", () => {
  it("shop B's key carries only B's customers, and A's only A's", async () => {
    // Nothing moved: nothing sent (the unsubscribed customer keeps the profile Klaviyo had, no longer updated)
    expect(await sync(B)).toMatchObject({ status: "done", counts: { changed: 0 } });
    const bProfiles = klaviyo.profiles(accountB.id);
    expect(bProfiles).toHaveLength(40);
    expect(bProfiles.every((p) => p.external_id!.startsWith("gid://shopify/Customer/5") && p.email!.endsWith(B))).toBe(
      true,
    );
    const aProfiles = klaviyo.profiles(accountA.id);
    expect(aProfiles).toHaveLength(N - Math.ceil(N / 3));
    expect(aProfiles.every((p) => p.external_id!.startsWith("gid://shopify/Customer/1") && p.email!.endsWith(A))).toBe(
      true,
    );
    const bIds = new Set(bProfiles.map((p) => p.id));
    expect(klaviyo.events(accountB.id).length).toBeGreaterThan(0);
    expect(klaviyo.events(accountB.id).every((e) => bIds.has(e.profileId))).toBe(true);
    expect(klaviyo.events(accountA.id)).toEqual([]);
    expect(await prisma.klaviyoProfile.count({ where: { shop: B } })).toBe(60);
  }, 60_000);

  it("customers/redact: the customer's Klaviyo rows go and Klaviyo is asked to delete the profile; the other shop's stay", async () => {
    const i = 7;
    expect(profilesOf(accountB.id).has(gid(B, i))).toBe(true);
    const body = {
      ...exampleBody("customers/redact"),
      shop_domain: B,
      customer: { id: 500_000 + i, email: email(B, i), phone: null },
      orders_to_redact: [],
    };
    const response = await postWebhook(env.app.url, "/webhooks/customers/redact", {
      shop: B,
      topic: "customers/redact",
      body: JSON.stringify(body),
      webhookId: randomUUID(),
    });
    expect(response.status).toBe(200);
    expect(await prisma.klaviyoProfile.count({ where: { shop: B, customerId: gid(B, i) } })).toBe(0);
    expect(await prisma.channelMessage.count({ where: { shop: B, customerId: gid(B, i) } })).toBe(0);
    expect(profilesOf(accountB.id).has(gid(B, i))).toBe(false);
    expect(klaviyo.deletions(accountB.id)).toEqual([expect.objectContaining({ field: "email", value: email(B, i) })]);
    const receipt = await prisma.complianceRequest.findFirst({ where: { shop: B, topic: "customers/redact" } });
    expect(JSON.parse(receipt!.summary)).toMatchObject({
      klaviyoDeletion: "requested",
      erased: { klaviyoProfiles: 1 },
    });
    expect(receipt!.summary).not.toContain(email(B, i));
    expect(klaviyo.deletions(accountA.id)).toEqual([]);
    expect(await prisma.klaviyoProfile.count({ where: { shop: A } })).toBe(N);
  });
});
