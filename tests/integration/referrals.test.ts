// Referrals end to end on the local Shopify (docs/referrals.md), over real HTTP through the built app behind the
// storefront's app proxy: the member's code and link on the loyalty page, the friend's page behind the link (signed
// out), the email form, the friend's single-use code created in the simulated shop and valid at its checkout, the
// friend's order arriving by webhook, the completion pass before and after the return window (points once, even run
// twice at once; Flow "Referral completed" once), the claw back after a refund. Each abuse case refused with nothing
// written: own email, existing customer, another referrer's friend, an unknown code, referrals off, a forged
// signature; and at completion: the referrer using the code, same phone, same address, not the first order, caps.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { setShopSettings } from "../../app/models/shop.server";
import { DEFAULT_REFERRAL_SETTINGS, type ReferralSettings } from "../../app/domain/referrals";
import type * as Referrals from "../../app/services/referrals.server";
import type * as ReferralsJob from "../../app/jobs/referrals.server";
import type { AdminClient } from "../../app/shopify/client";
import type * as ReferralModel from "../../app/models/referrals.server";
import { signedProxyQuery } from "../support/app-proxy";
import { jobRows, testQueue } from "../support/queue";
import { enqueueReferrals, REFERRALS, REFERRALS_DUE_KEY } from "../../app/jobs/contracts";
import { CSS_BUDGET_BYTES, cssWeight, inlineCss, scriptFindings } from "../support/page-weight";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { BROWSER_HEADERS } from "../support/test-env";

const A = "refer-a.myshopify.com";
const B = "refer-b.myshopify.com";
const DAY = 86_400_000;
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let completeReferrals: typeof Referrals.completeReferrals;
let referralsJob: typeof ReferralsJob.referralsJob;
let saveReferralSettings: typeof ReferralModel.saveReferralSettings;

const numeric = (gid: string) => gid.split("/").pop()!;

/** Polls outside a test (beforeAll): until `read` answers `want`, at most 10 s. */
async function until<T>(read: () => Promise<T>, want: T) {
  for (let i = 0; i < 200; i++) {
    if ((await read()) === want) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out");
}
const simulated = (shop = A) => env.shopify.admin.shops.getShop(shop)!;

const SETTINGS: ReferralSettings = {
  ...DEFAULT_REFERRAL_SETTINGS,
  enabled: true,
  offerKind: "percentage",
  offerValue: 10,
  minimumSubtotalMinor: 2_000,
  offerValidityDays: 30,
  rewardPoints: 500,
  returnWindowDays: 30,
  capPerPeriod: null,
  capPeriodDays: 30,
  capTotal: null,
};

let referrer = ""; // A's member who refers
let referrer2 = "";
let regular = ""; // A's customer with an order already

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  ({ completeReferrals } = await import("../../app/services/referrals.server"));
  ({ referralsJob } = await import("../../app/jobs/referrals.server"));
  ({ saveReferralSettings } = await import("../../app/models/referrals.server"));
  for (const shop of [A, B]) {
    env.shopify.admin.shops.addShop(testShopRecord(shop, { currencyCode: "USD", ianaTimezone: "UTC" }));
    // A is approved for every protected field (phones and addresses compared); B for the simulator's default.
    env.shopify.install(
      shop,
      shop === A ? { protectedCustomerData: { level: 2, fields: ["name", "email", "phone", "address"] } } : {},
    );
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    await setShopSettings(shop, { currencyCode: "USD", timezone: "UTC", locale: "en" });
  }
  const make = (email: string, phone: string | null = null) =>
    env.shopify.admin.createCustomer(A, { firstName: email.split("@")[0], lastName: "Tester", email, phone }).id;
  referrer = make("rita@example.com", "+1 415 555 0101");
  referrer2 = make("rob@example.com", "+1 415 555 0199");
  regular = make("old@example.com");
  simulated().customers.get(referrer)!.defaultAddress = {
    address1: "1 Main Street",
    address2: null,
    city: "Springfield",
    province: null,
    provinceCode: null,
    country: "United States",
    countryCodeV2: "US",
    zip: "12345",
    phone: null,
  };
  env.shopify.admin.placeOrder(A, { customerId: regular, total: "30.00" });
  await env.shopify.webhooks.drain();
  await until(() => prisma.order.count({ where: { shop: A, customerId: regular } }), 1);
  await until(() => prisma.customer.count({ where: { shop: A, id: referrer2 } }), 1);
  await saveReferralSettings(A, SETTINGS);
});

// ---- the storefront: the shopper's browser through the app proxy ---------------------------------------------------

let visits = 0;
async function storefrontGet(shop: string, path: string, customerId: string | null = null) {
  const sep = path.includes("?") ? "&" : "?";
  const response = await env.shopify.storefront.fetch(shop, `${path}${sep}visit=${++visits}`, {
    customerId: customerId ?? undefined,
    headers: BROWSER_HEADERS,
  });
  return { status: response.status, html: await response.text() };
}

async function storefrontPost(shop: string, action: string, fields: Record<string, string>) {
  return env.shopify.storefront.fetch(shop, action, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { ...BROWSER_HEADERS, "content-type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });
}

/** The member's code from their loyalty page. */
async function memberCodeOf(customerId: string): Promise<string> {
  const page = await storefrontGet(A, "/apps/loyalty", customerId);
  expect(page.status).toBe(200);
  const m = /apps\/loyalty\/r\/([2-9A-HJ-NP-Z]{10})"/.exec(page.html);
  expect(m, "the member's link on the loyalty page").not.toBeNull();
  return m![1];
}

/** The friend's form on the link's page: its action and token. */
async function formOf(code: string) {
  const page = await storefrontGet(A, `/apps/loyalty/r/${code}`);
  expect(page.status).toBe(200);
  const action = /<form method="post" action="([^"]+)">/.exec(page.html)![1].replace(/&amp;/g, "&");
  const token = /name="token" value="([^"]+)"/.exec(page.html)![1];
  return { action, token, html: page.html };
}

/** Claims the offer with `email`; the redirect's query (issued=<id> or refused=<reason>). */
async function claim(code: string, email: string) {
  const { action, token } = await formOf(code);
  const answer = await storefrontPost(A, action, { token, email });
  expect(answer.status).toBe(303);
  return new URL(answer.headers.get("location")!, "https://x").searchParams;
}

const referralRows = () => prisma.referral.findMany({ where: { shop: A }, orderBy: { createdAt: "asc" } });
const journalOf = (customerId: string) =>
  prisma.pointsEntry.findMany({ where: { shop: A, customerId, sourceKey: { startsWith: "referral:" } } });
const referralTriggers = () => simulated().flowTriggers.filter((t) => t.handle === "referral-completed");
const run = async (atMs: number) => completeReferrals(A, { client: await env.clientFor(A), now: () => new Date(atMs) });

/** A friend (a new customer) orders with the code; waits until the ledger holds the order. */
async function friendOrders(code: string, email: string, opts: { phone?: string; customerId?: string } = {}) {
  const friend =
    opts.customerId ??
    env.shopify.admin.createCustomer(A, { firstName: "Friend", email, phone: opts.phone ?? null }).id;
  const order = env.shopify.admin.placeOrder(A, {
    customerId: friend,
    total: "45.00",
    totalDiscounts: "5.00",
    discountCodes: [code],
    // The simulated checkout's clock is its own: the order is placed now, after the code was made
    processedAt: new Date(Date.now() + 1000).toISOString(),
  });
  await env.shopify.webhooks.drain();
  await expect.poll(() => prisma.order.count({ where: { shop: A, id: order.id } })).toBe(1);
  return { friend, order };
}

describe("a referral end to end", () => {
  let code = "";
  let referralId = "";
  let friendCode = "";
  let orderId = "";

  it("shows the member their code and link; the friend's page offers the first-order offer (a visit counted)", async () => {
    code = await memberCodeOf(referrer);
    // Stable: the same code on every view
    expect(await memberCodeOf(referrer)).toBe(code);
    const before = (await prisma.referralMember.findUniqueOrThrow({ where: { shop_code: { shop: A, code } } })).visits;
    const { html } = await formOf(code);
    expect(html).toContain("A gift from a friend");
    expect(html).toContain("10% off their first order");
    expect(html).toMatch(/<input id="rf-email" name="email" type="email" required/);
    expect((await prisma.referralMember.findUniqueOrThrow({ where: { shop_code: { shop: A, code } } })).visits).toBe(
      before + 1,
    );
  });

  it("gives the friend a single-use code created once in Shopify; the same form again is the same referral", async () => {
    const { action, token } = await formOf(code);
    const first = await storefrontPost(A, action, { token, email: "Friend.One@Example.com" });
    expect(first.status).toBe(303);
    const issued = new URL(first.headers.get("location")!, "https://x").searchParams.get("issued");
    expect(issued).toMatch(/^[0-9a-f-]{36}$/);
    // The same form sent again (another second: another signature) answers with the same referral
    const again = await storefrontPost(A, `${action}&again=1`, { token, email: "Friend.One@Example.com" });
    expect(new URL(again.headers.get("location")!, "https://x").searchParams.get("issued")).toBe(issued);
    const rows = await referralRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ referrerId: referrer, friendEmail: "friend.one@example.com", state: "issued" });
    referralId = rows[0].id;
    friendCode = rows[0].code;
    expect(friendCode).toMatch(/^REF-[2-9A-HJ-NP-Z]{12}$/);
    // In Shopify: one discount with that code, any buyer, once, with the minimum
    const discountId = simulated().discountCodes.get(friendCode.toLowerCase());
    expect(discountId).toBeTruthy();
    expect(rows[0].discountId).toBe(discountId);
    expect([...simulated().discounts.byId.values()].filter((d) => d.title.includes(friendCode))).toHaveLength(1);
    // The page after the redirect shows the code
    const page = await storefrontGet(A, `/apps/loyalty/r/${code}?issued=${issued}`);
    expect(page.html).toContain(friendCode);
    expect(page.html).toContain("Your code is ready");
  });

  it("links the friend's order, waits for the return window, then rewards the referrer once (twice at once: once)", async () => {
    const { order } = await friendOrders(friendCode, "friend.one@example.com");
    orderId = order.id;
    // Checkout: the code is spent (single use)
    expect(() =>
      env.shopify.admin.placeOrder(A, {
        customerId: regular,
        total: "45.00",
        totalDiscounts: "5.00",
        discountCodes: [friendCode],
        processedAt: new Date(Date.now() + 1000).toISOString(),
      }),
    ).toThrow(/used up|once per customer/);
    const now = Date.now();
    expect(await run(now + DAY)).toMatchObject({ ordered: 1, waiting: 1, rewarded: 0 });
    expect((await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: referralId } } })).state).toBe(
      "ordered",
    );
    expect(await journalOf(referrer)).toHaveLength(0);
    // Past the window, two passes at once
    const results = await Promise.all([run(now + 31 * DAY), run(now + 31 * DAY)]);
    expect(results.reduce((n, r) => n + r.rewarded, 0)).toBe(1);
    const journal = await journalOf(referrer);
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({ sourceKey: `referral:${referralId}`, points: 500n, kind: "bonus" });
    expect(referralTriggers()).toHaveLength(1);
    expect(referralTriggers()[0].payload).toMatchObject({ customer_id: Number(numeric(referrer)), points: "500" });
    // Again later: nothing more
    await run(now + 32 * DAY);
    expect(await journalOf(referrer)).toHaveLength(1);
    expect(referralTriggers()).toHaveLength(1);
    expect(await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: referralId } } })).toMatchObject({
      state: "rewarded",
      rewardPoints: 500,
      orderId,
    });
  });

  it("a 'Referral completed' send that failed is sent by the next pass, once", async () => {
    const issued = (await claim(await memberCodeOf(referrer), "flaky.flow@example.com")).get("issued")!;
    const row = await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: issued } } });
    await friendOrders(row.code, "flaky.flow@example.com");
    const triggers = referralTriggers().length;
    // The connection drops on the trigger's send (and only there): the reward is written, the send recorded pending
    const client = await env.clientFor(A);
    const dropping: AdminClient = Object.assign(Object.create(client) as AdminClient, {
      request: (query: string, variables?: Record<string, unknown>, options?: object) =>
        /flowTriggerReceive/.test(query)
          ? Promise.reject(new Error("connection reset"))
          : client.request(query, variables, options),
    });
    const at = Date.now() + 31 * DAY;
    expect(await completeReferrals(A, { client: dropping, now: () => new Date(at) })).toMatchObject({ rewarded: 1 });
    expect(referralTriggers()).toHaveLength(triggers);
    const record = () =>
      prisma.pointsFlowTrigger.findUniqueOrThrow({
        where: {
          shop_customerId_sourceKey_topic: {
            shop: A,
            customerId: referrer,
            sourceKey: `referral:${issued}`,
            topic: "referral-completed",
          },
        },
      });
    expect(await record()).toMatchObject({ state: "pending", attempts: 1, points: 500n });
    // The next pass sends it; the one after sends nothing
    expect(await run(at + DAY)).toMatchObject({ announced: 1, rewarded: 0 });
    expect(referralTriggers()).toHaveLength(triggers + 1);
    expect(await record()).toMatchObject({ state: "sent", attempts: 2 });
    expect(await run(at + 2 * DAY)).toMatchObject({ announced: 0 });
    expect(referralTriggers()).toHaveLength(triggers + 1);
  });

  it("the job queues the next pass for the moment a waiting referral's return window ends", async () => {
    const issued = (await claim(await memberCodeOf(referrer), "due.soon@example.com")).get("issued")!;
    const row = await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: issued } } });
    const { order } = await friendOrders(row.code, "due.soon@example.com");
    const queue = testQueue();
    const worker = queue.work({ [REFERRALS]: referralsJob({ clientFor: env.clientFor, queue }) }, { pollMs: 20 });
    try {
      await enqueueReferrals(queue, A);
      await worker.idle();
    } finally {
      await worker.stop();
    }
    expect(await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: issued } } })).toMatchObject({
      state: "ordered",
      orderId: order.id,
    });
    const due = await jobRows(A, { kind: REFERRALS, key: REFERRALS_DUE_KEY });
    expect(due.map((j) => j.state)).toEqual(["queued"]);
    const processedAt = (await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: A, id: order.id } } }))
      .processedAt;
    expect(due[0].runAt.getTime()).toBe(processedAt.getTime() + 30 * DAY + 1_000);
  });

  it("claws the reward back when the order is refunded below the minimum, once", async () => {
    env.shopify.admin.refundOrder(A, orderId, { amount: "40.00" });
    await env.shopify.webhooks.drain();
    await expect
      .poll(
        async () => (await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: A, id: orderId } } })).valueMinor,
      )
      .toBe(500n);
    const now = Date.now();
    await Promise.all([run(now + 40 * DAY), run(now + 40 * DAY)]);
    const journal = (await journalOf(referrer)).filter((e) => e.sourceKey.startsWith(`referral:${referralId}`));
    expect(journal.map((e) => [e.sourceKey, e.points])).toEqual([
      [`referral:${referralId}`, 500n],
      [`referral:${referralId}:clawback`, -500n],
    ]);
    expect(await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: referralId } } })).toMatchObject({
      state: "clawed_back",
      clawbackPoints: 500,
    });
  });
});

describe("storefront weight", () => {
  it("the member's page, the friend's offer and code pages as the app answers them: no script, CSS within the budget", async () => {
    const code = await memberCodeOf(referrer);
    const issued = (await referralRows())[0].id;
    let n = 0;
    const direct = async (path: string, customerId: string | null = null, extra: [string, string][] = []) => {
      const query = signedProxyQuery({
        shop: A,
        customerId: customerId ? numeric(customerId) : null,
        extra: [...extra, ["w", String(++n)]],
      });
      const answer = await fetch(`${env.app.url}${path}?${query}`, { headers: BROWSER_HEADERS });
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get("content-type")).toMatch(/^application\/liquid/);
      return answer.text();
    };
    const pages = {
      member: await direct("/proxy", referrer),
      offer: await direct(`/proxy/r/${code}`),
      code: await direct(`/proxy/r/${code}`, null, [["issued", issued]]),
    };
    expect(pages.member).toContain('id="lp-referral"');
    expect(pages.offer).toContain('name="email"');
    expect(pages.code).toMatch(/REF-[2-9A-HJ-NP-Z]{12}/);
    for (const [name, markup] of Object.entries(pages)) {
      expect(scriptFindings(markup), name).toEqual([]);
      expect(cssWeight(inlineCss(markup)).raw, name).toBeLessThanOrEqual(CSS_BUDGET_BYTES);
    }
  });
});

describe("abuse refused", () => {
  it("at the form: own email (an alias too), an existing customer, another referrer's friend, a bad email — nothing written", async () => {
    const code = await memberCodeOf(referrer);
    const code2 = await memberCodeOf(referrer2);
    // A friend who claimed through the first referrer (and has not ordered yet)
    expect((await claim(code, "pending.friend@example.com")).get("issued")).toBeTruthy();
    const before = await referralRows();
    expect((await claim(code, "rita@example.com")).get("refused")).toBe("own_email");
    expect((await claim(code, "RITA+promo@example.com")).get("refused")).toBe("own_email");
    expect((await claim(code, "old@example.com")).get("refused")).toBe("existing_customer");
    expect((await claim(code, "not an email")).get("refused")).toBe("email_invalid");
    // Not again through another referrer (the same person: an alias too); a friend who ordered is a customer now
    expect((await claim(code2, "pending.friend@example.com")).get("refused")).toBe("already_referred");
    expect((await claim(code2, "pending.friend+2@example.com")).get("refused")).toBe("already_referred");
    expect((await claim(code2, "friend.one@example.com")).get("refused")).toBe("existing_customer");
    expect(await referralRows()).toEqual(before);
    // The refusal is shown on the page
    const page = await storefrontGet(A, `/apps/loyalty/r/${code}?refused=own_email`);
    expect(page.html).toContain("You cannot use your own referral link.");
  });

  it("an unknown code, another shop's code and referrals off: the not-available page (404), nothing written", async () => {
    const code = await memberCodeOf(referrer);
    expect((await storefrontGet(A, "/apps/loyalty/r/ZZZZZZZZZZ")).status).toBe(404);
    expect((await storefrontGet(A, "/apps/loyalty/r/<script>")).status).toBe(404);
    // Shop B has referrals off and does not know A's code
    expect((await storefrontGet(B, `/apps/loyalty/r/${code}`)).status).toBe(404);
    await saveReferralSettings(A, { ...SETTINGS, enabled: false });
    try {
      expect((await storefrontGet(A, `/apps/loyalty/r/${code}`)).status).toBe(404);
      expect((await storefrontGet(A, "/apps/loyalty", referrer)).html).not.toContain("/apps/loyalty/r/");
    } finally {
      await saveReferralSettings(A, SETTINGS);
    }
    expect(await prisma.referral.count({ where: { shop: B } })).toBe(0);
  });

  it("a forged or replayed signature is a 401 and writes nothing", async () => {
    const code = await memberCodeOf(referrer);
    const { token } = await formOf(code);
    const before = await referralRows();
    const good = signedProxyQuery({ shop: A, extra: [["f", "forged"]] });
    const forged = good.replace(/signature=[0-9a-f]{64}/, `signature=${"ab".repeat(32)}`);
    const post = (query: string) =>
      fetch(`${env.app.url}/proxy/r/${code}?${query}`, {
        method: "POST",
        body: new URLSearchParams({ token, email: "forged@example.com" }),
        headers: { ...BROWSER_HEADERS, "content-type": "application/x-www-form-urlencoded" },
        redirect: "manual",
      });
    expect((await post(forged)).status).toBe(401);
    // A valid signature once, then the same again: replayed
    const once = signedProxyQuery({ shop: A, extra: [["f", "once"]] });
    expect((await post(once)).status).toBe(303);
    expect((await post(once)).status).toBe(401);
    const after = await referralRows();
    // The one accepted request made the referral it asked for; the forged and replayed ones nothing more
    expect(after.length).toBe(before.length + 1);
    expect(after.filter((r) => r.friendEmail === "forged@example.com")).toHaveLength(1);
  });

  it("at completion: the referrer using the code, same phone, same address, not a first order — no points", async () => {
    const code = await memberCodeOf(referrer);
    const cases: { email: string; reason: string; order: (friendCode: string) => Promise<unknown> }[] = [
      {
        email: "self@example.org",
        reason: "self_referral_customer",
        order: (c) => friendOrders(c, "", { customerId: referrer }),
      },
      {
        email: "phone@example.org",
        reason: "self_referral_phone",
        order: (c) => friendOrders(c, "phone@example.org", { phone: "(415) 555-0101" }),
      },
      {
        email: "address@example.org",
        reason: "self_referral_address",
        order: async (c) => {
          const friend = env.shopify.admin.createCustomer(A, { email: "address@example.org" }).id;
          simulated().customers.get(friend)!.defaultAddress = {
            ...simulated().customers.get(referrer)!.defaultAddress!,
            address1: "1 MAIN street",
          };
          return friendOrders(c, "", { customerId: friend });
        },
      },
      {
        email: "second@example.org",
        reason: "not_first_order",
        order: async (c) => {
          // Another email on the customer record: they ordered before under it
          const friend = env.shopify.admin.createCustomer(A, { email: "earlier@example.org" }).id;
          env.shopify.admin.placeOrder(A, {
            customerId: friend,
            total: "25.00",
            processedAt: new Date(Date.now() - 60 * DAY).toISOString(),
          });
          return friendOrders(c, "", { customerId: friend });
        },
      },
    ];
    const ids: string[] = [];
    for (const c of cases) {
      const issued = (await claim(code, c.email)).get("issued")!;
      expect(issued).toBeTruthy();
      ids.push(issued);
      const row = await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: issued } } });
      await c.order(row.code);
    }
    const before = await journalOf(referrer);
    const triggers = referralTriggers().length;
    await run(Date.now() + 31 * DAY);
    for (const [i, c] of cases.entries())
      expect(
        await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: ids[i] } } }),
        c.reason,
      ).toMatchObject({ state: "refused", refusal: c.reason, rewardPoints: null });
    expect(await journalOf(referrer)).toEqual(before);
    expect(referralTriggers()).toHaveLength(triggers);
  });

  it("caps: over the cap per period, then over the total cap, the referral completes without a reward", async () => {
    const code = await memberCodeOf(referrer2);
    const ids: string[] = [];
    for (const email of ["cap1@example.net", "cap2@example.net", "cap3@example.net"]) {
      const issued = (await claim(code, email)).get("issued")!;
      ids.push(issued);
      const row = await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: issued } } });
      await friendOrders(row.code, email);
    }
    await saveReferralSettings(A, { ...SETTINGS, capPerPeriod: 1, capTotal: 2 });
    try {
      const at = Date.now() + 31 * DAY;
      await run(at);
      const states = await prisma.referral.findMany({
        where: { shop: A, id: { in: ids } },
        orderBy: { createdAt: "asc" },
      });
      expect(states.map((s) => [s.state, s.refusal])).toEqual([
        ["rewarded", null],
        ["refused", "cap_period"],
        ["refused", "cap_period"],
      ]);
      expect(await journalOf(referrer2)).toHaveLength(1);
      // The period cap lifted, a total cap of 1: the next one is refused for the total (the one reward counts)
      await saveReferralSettings(A, { ...SETTINGS, capPerPeriod: null, capTotal: 1 });
      const issued = (await claim(code, "cap4@example.net")).get("issued")!;
      ids.push(issued);
      await friendOrders(
        (await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: issued } } })).code,
        "cap4@example.net",
      );
      await run(Date.now() + 31 * DAY);
      expect(await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: A, id: issued } } })).toMatchObject({
        state: "refused",
        refusal: "cap_total",
      });
      expect(await journalOf(referrer2)).toHaveLength(1);
    } finally {
      await saveReferralSettings(A, SETTINGS);
    }
  });
});

describe("tenancy", () => {
  it("shop B reads and completes nothing of shop A's", async () => {
    const aRows = await referralRows();
    const client = await env.clientFor(B);
    expect(await completeReferrals(B, { client, now: () => new Date(Date.now() + 400 * DAY) })).toMatchObject({
      rewarded: 0,
      refused: 0,
      clawedBack: 0,
    });
    expect(await referralRows()).toEqual(aRows);
  });
});

describe("privacy", () => {
  it("a customer's data request lists their referrals; erasure removes their code and every referral naming them", async () => {
    const { collectCustomerData, eraseCustomerData } = await import("../../app/models/privacy.server");
    const held = (await collectCustomerData(A, referrer2, [])).referrals;
    // Their code and the four referrals they made (the caps test)
    expect(held.filter((r) => "member" in r)).toHaveLength(1);
    expect(held.filter((r) => "referral" in r)).toHaveLength(4);
    const erased = await eraseCustomerData(A, referrer2, []);
    expect(erased).toMatchObject({ referralMembers: 1, referrals: 4 });
    expect(await prisma.referralMember.count({ where: { shop: A, customerId: referrer2 } })).toBe(0);
    expect(await prisma.referral.count({ where: { shop: A, referrerId: referrer2 } })).toBe(0);
    // The other referrer's are untouched
    expect(await prisma.referral.count({ where: { shop: A, referrerId: referrer } })).toBeGreaterThan(0);
  });
});
