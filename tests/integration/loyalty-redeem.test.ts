// Points and redeeming on the shoppers' loyalty page (docs/rules.md#loyalty-page-points), over real HTTP: the built app
// behind the local Shopify's storefront and app proxy (the shopper's cookie, Shopify's signed query, the form body
// forwarded as Shopify forwards a POST), and requests signed here as Shopify signs them, sent to the app directly.
// Exactly once through HTTP: the same form twice at once makes one redemption; two tabs with points for one make one
// reward and one refusal; a refusal, a forged or replayed signature, a form made for someone else, a guest and another
// shop's reward change nothing (the whole database compared, and Shopify's discounts). The birthday form: once, bad
// input refused with nothing written.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { DEFAULT_POINTS_RULES, type PointsKind } from "../../app/domain/points";
import type { RewardDefinition } from "../../app/domain/rewards";
import { appendJournalEntries } from "../../app/models/points.server";
import { savePointsRulesVersion } from "../../app/models/points-rules.server";
import { createReward, type Reward } from "../../app/models/rewards.server";
import { setShopSettings } from "../../app/models/shop.server";
import type * as FormTokens from "../../app/services/form-tokens.server";
import { signedProxyQuery } from "../support/app-proxy";
import { dumpDatabase, type Dump } from "../support/db-dump";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { jobRows } from "../support/queue";
import { BROWSER_HEADERS } from "../support/test-env";

const A = "redeem-a.myshopify.com";
const B = "redeem-b.myshopify.com";
const DAY = 86_400_000;
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let issueFormToken: typeof FormTokens.issueFormToken;
const people: Record<string, string[]> = {};
let used = 0;
let five: Reward; // A: $5 off for 100 points
let ship: Reward; // A: free shipping for 300 points
let credit: Reward; // A: $10 store credit for 200 points, once per customer a year
let bReward: Reward; // B's own reward

const numeric = (gid: string) => gid.split("/").pop()!;

async function grant(shop: string, customerId: string, points: number, { pendingDays = 0, key = "grant" } = {}) {
  const now = Date.now();
  await appendJournalEntries(
    shop,
    new Map([
      [
        customerId,
        [
          {
            sourceKey: `adjustment:test:${key}:${customerId}`,
            kind: "adjustment" as PointsKind,
            points,
            ruleVersion: 0,
            effectiveAt: now - DAY,
            availableAt: pendingDays ? now + pendingDays * DAY : now - DAY,
            orderId: null,
            refundId: null,
            note: "test grant",
          },
        ],
      ],
    ]),
  );
}

/** A customer of shop A no other test used, with `points` available. */
async function customer(points: number, shop = A) {
  const id = people[shop][used++];
  if (points > 0) await grant(shop, id, points);
  return id;
}

const rewardOf = (shop: string, def: Partial<RewardDefinition> & Pick<RewardDefinition, "kind">) =>
  createReward(shop, {
    title: `${def.kind} reward`,
    pointsPrice: 100,
    valueMinor: def.kind === "free_shipping" ? null : 500,
    expiryDays: 30,
    limits: { perCustomer: null, total: null },
    ...def,
  });

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  ({ issueFormToken } = await import("../../app/services/form-tokens.server"));
  for (const shop of [A, B]) {
    env.shopify.admin.shops.addShop(testShopRecord(shop, { currencyCode: "USD", ianaTimezone: "UTC" }));
    people[shop] = Array.from(
      { length: 16 },
      (_, i) =>
        env.shopify.admin.createCustomer(shop, { firstName: `P${i}`, lastName: "Tester", email: `p${i}@${shop}` }).id,
    );
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    await setShopSettings(shop, { currencyCode: "USD", timezone: "UTC", locale: "en" });
  }
  five = await rewardOf(A, { kind: "amount_off", title: "$5 off", pointsPrice: 100, valueMinor: 500 });
  ship = await rewardOf(A, { kind: "free_shipping", title: "Free shipping", pointsPrice: 300 });
  credit = await rewardOf(A, {
    kind: "store_credit",
    title: "$10 credit",
    pointsPrice: 200,
    valueMinor: 1_000,
    limits: { perCustomer: { count: 1, periodDays: 365 }, total: null },
  });
  bReward = await rewardOf(B, { kind: "amount_off", title: "B's reward", pointsPrice: 1 });
  // Shop B gives a birthday bonus (the rules' JSON as saved by the points settings).
  await savePointsRulesVersion(B, {
    rules: { ...DEFAULT_POINTS_RULES, birthdayPoints: 100 },
    effectiveFrom: new Date(Date.now() - 30 * DAY),
    startsAt: new Date(Date.now() - 30 * DAY),
  });
});

// ---- helpers: the storefront (cookie → proxy) and the app directly (signed here) ----------------------------------

let visits = 0;
/** The page as the signed-in shopper's browser gets it through the storefront (rendered in the theme). */
async function storefrontPage(shop: string, customerId: string | null, query = "") {
  // A parameter of the shopper's own per visit: two loads in one second are two signatures, not a replay.
  const q = `${query ? `${query}&` : ""}visit=${++visits}`;
  const response = await env.shopify.storefront.fetch(shop, `/apps/loyalty?${q}`, {
    customerId: customerId ?? undefined,
    headers: BROWSER_HEADERS,
  });
  return { status: response.status, html: await response.text() };
}

/** The redeem form of a reward on a page: its action and fields. */
function formOf(html: string, rewardId: string) {
  const forms = [...html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => f[2].includes(`name="reward" value="${rewardId}"`));
  if (!form) return null;
  const fields = Object.fromEntries(
    [...form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
  );
  return { action: form[1].replace(/&amp;/g, "&"), fields: fields as Record<string, string> };
}

/** POSTs a form through the storefront's app proxy as the shopper (no redirect followed). */
async function storefrontPost(shop: string, customerId: string | null, action: string, fields: Record<string, string>) {
  return env.shopify.storefront.fetch(shop, action, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { ...BROWSER_HEADERS, "content-type": "application/x-www-form-urlencoded" },
    customerId: customerId ?? undefined,
    redirect: "manual",
  });
}

let signed = 0;
/** POSTs to the app as Shopify forwards it, with a query signed here (distinct per request unless `query` given). */
function appPost(
  shop: string,
  customerId: string | null,
  fields: Record<string, string>,
  query = signedProxyQuery({
    shop,
    customerId: customerId ? numeric(customerId) : null,
    extra: [["f", `t${++signed}`]],
  }),
) {
  return fetch(`${env.app.url}/proxy?${query}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { ...BROWSER_HEADERS, "content-type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });
}

const redemptionsOf = (shop: string, customerId: string) =>
  prisma.redemption.findMany({ where: { shop, customerId }, orderBy: { createdAt: "asc" } });
const discounts = (shop: string) => [...env.shopify.admin.shops.getShop(shop)!.discounts.byId.values()];
const credits = (shop: string) => [...env.shopify.admin.shops.getShop(shop)!.storeCreditTransactions.byId.values()];

/** The database without what every accepted request writes (its signature) and the job tables. */
function withoutRequestTraces(dump: Dump): Dump {
  const out: Dump = {};
  for (const [table, rows] of Object.entries(dump))
    if (table !== "ProxySignature" && !/job/i.test(table)) out[table] = rows;
  return out;
}

const tokenFor = (shop: string, customerId: string, rewardId: string) =>
  issueFormToken(shop, customerId, `redeem:${rewardId}`, new Date());

/** The refusal of a form without the page's own token (docs/storefront-forms.md): 403, the page in English. */
async function expectFormRefused(answer: Response) {
  expect(answer.status).toBe(403);
  expect(answer.headers.get("location")).toBeNull();
  const body = await answer.text();
  expect(body).toContain("This form could not be accepted");
  expect(body).toContain("Nothing was changed.");
  // The page's path (Shopify's library ends a proxy link with a slash).
  expect(body).toMatch(/<a class="lp_signin" href="\/apps\/loyalty\/?">Back to your rewards<\/a>/);
  expect(body).not.toContain("<script");
}

// ---- the page ------------------------------------------------------------------------------------------------------

describe("the points section", () => {
  it("shows the balance, pending points by date, the rewards they can and cannot afford, and a form per affordable reward", async () => {
    const id = await customer(250);
    await grant(A, id, 40, { pendingDays: 12, key: "pending" });
    const { status, html } = await storefrontPage(A, id);
    expect(status).toBe(200);
    expect(html).toContain("<strong>250</strong> points available");
    expect(html).toMatch(/40 more points are pending:/);
    expect(html).toMatch(/40 points become available on <time datetime="[^"]+">/);
    expect(formOf(html, five.id)).not.toBeNull();
    expect(formOf(html, credit.id)).not.toBeNull();
    expect(formOf(html, ship.id)).toBeNull();
    expect(html).toContain("You need 50 more points.");
    expect(html).not.toContain("<script");
    // Each form's token and action are its own, fresh per render.
    const again = await storefrontPage(A, id);
    expect(formOf(again.html, five.id)!.fields.token).not.toBe(formOf(html, five.id)!.fields.token);
    expect(formOf(html, five.id)!.action).not.toBe(formOf(html, credit.id)!.action);
  });

  it("a guest sees the sign-in link and no form", async () => {
    const { html } = await storefrontPage(A, null);
    expect(html).toContain("/account/login");
    expect(html).not.toContain('name="token"');
  });
});

// ---- redeeming through the storefront ------------------------------------------------------------------------------

describe("redeeming through the storefront's app proxy (POST forwarded with the body, the query signed)", () => {
  it("redeems, redirects back to the page (303), and the page shows the code; Shopify holds the discount", async () => {
    const id = await customer(120);
    const { html } = await storefrontPage(A, id);
    const form = formOf(html, five.id)!;
    const before = discounts(A).length;
    const response = await storefrontPost(A, id, form.action, form.fields);
    expect(response.status).toBe(303);
    const location = response.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^/store/${A}/apps/loyalty\\?redemption=[0-9a-f-]+$`));
    const [redemption] = await redemptionsOf(A, id);
    expect(redemption.state).toBe("confirmed");
    expect(redemption.token).toBe(form.fields.token);
    expect(discounts(A).length).toBe(before + 1);
    const after = await env.shopify.storefront.fetch(A, location.replace(`/store/${A}`, ""), {
      customerId: id,
      headers: BROWSER_HEADERS,
    });
    const page = await after.text();
    expect(page).toContain('role="status"');
    expect(page).toContain("Done! You redeemed $5 off.");
    expect(page).toContain(`Your code: <code>${redemption.code}</code>`);
    expect(page).toContain("<strong>20</strong> points available");
    expect(page).toMatch(/Spent on a reward<\/td><td class="lp_number">−100/);
  });

  it("store credit: the banner says what was added", async () => {
    const id = await customer(200);
    const form = formOf((await storefrontPage(A, id)).html, credit.id)!;
    const response = await storefrontPost(A, id, form.action, form.fields);
    const location = response.headers.get("location")!;
    const page = await (
      await env.shopify.storefront.fetch(A, location.replace(`/store/${A}`, ""), {
        customerId: id,
        headers: BROWSER_HEADERS,
      })
    ).text();
    expect(page).toContain("Done! You redeemed $10 credit.");
    expect(page).toMatch(/\{\{ 1000 \| money \}\}|\$10\.00 was added to your store credit/);
    expect(credits(A).length).toBeGreaterThan(0);
    // Once a year per customer: the form is gone, the limit is said.
    const later = (await storefrontPage(A, id)).html;
    expect(formOf(later, credit.id)).toBeNull();
  });

  it("a signed-out visitor's POST redeems nothing and goes back to the page, which asks them to sign in", async () => {
    const id = await customer(500);
    const form = formOf((await storefrontPage(A, id)).html, five.id)!;
    const before = await dumpDatabase();
    const response = await storefrontPost(A, null, form.action, form.fields);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/store/${A}/apps/loyalty`);
    expect(withoutRequestTraces(await dumpDatabase())).toEqual(withoutRequestTraces(before));
    expect((await storefrontPage(A, null)).html).toContain("/account/login");
  });

  it("two tabs, points for one: one reward and one refusal that says why and spends nothing", async () => {
    const id = await customer(150);
    const tab1 = formOf((await storefrontPage(A, id)).html, five.id)!;
    const tab2 = formOf((await storefrontPage(A, id)).html, five.id)!;
    expect(tab1.fields.token).not.toBe(tab2.fields.token);
    const answers = await Promise.all([
      storefrontPost(A, id, tab1.action, tab1.fields),
      storefrontPost(A, id, tab2.action, tab2.fields),
    ]);
    const locations = answers.map((a) => a.headers.get("location")!).sort();
    expect(answers.map((a) => a.status)).toEqual([303, 303]);
    expect(locations.filter((l) => l.endsWith("?refused=not_enough_points"))).toHaveLength(1);
    expect(locations.filter((l) => /\?redemption=/.test(l))).toHaveLength(1);
    const rows = await redemptionsOf(A, id);
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe("confirmed");
    const refused = locations.find((l) => l.endsWith("?refused=not_enough_points"))!;
    const page = await (
      await env.shopify.storefront.fetch(A, refused.replace(`/store/${A}`, ""), {
        customerId: id,
        headers: BROWSER_HEADERS,
      })
    ).text();
    expect(page).toContain("Not redeemed: you do not have enough available points for that reward. Nothing was spent.");
    expect(page).toContain("<strong>50</strong> points available");
  });
});

// ---- exactly once and refusals, sent to the app as Shopify forwards them -------------------------------------------

describe("exactly once through HTTP, and refusals that change nothing", () => {
  it("the same form sent twice at once (two signatures, one token): one redemption, both answers name it", async () => {
    const id = await customer(1_000);
    const fields = { intent: "redeem", reward: five.id, token: tokenFor(A, id, five.id) };
    const before = discounts(A).length;
    const answers = await Promise.all([appPost(A, id, fields), appPost(A, id, fields)]);
    expect(answers.map((a) => a.status)).toEqual([303, 303]);
    const rows = await redemptionsOf(A, id);
    expect(rows).toHaveLength(1);
    expect(new Set(answers.map((a) => a.headers.get("location")))).toEqual(
      new Set([`/apps/loyalty?redemption=${rows[0].id}`]),
    );
    expect(discounts(A).length).toBe(before + 1);
    const entries = await prisma.pointsEntry.findMany({ where: { shop: A, customerId: id, kind: "redemption" } });
    expect(entries.map((e) => Number(e.points))).toEqual([-100]);
  });

  it("a refused redemption (not enough points) changes no row and creates nothing in Shopify", async () => {
    const id = await customer(299);
    const before = await dumpDatabase();
    const shopifyBefore = discounts(A).length;
    const answer = await appPost(A, id, { intent: "redeem", reward: ship.id, token: tokenFor(A, id, ship.id) });
    expect(answer.headers.get("location")).toBe("/apps/loyalty?refused=not_enough_points");
    expect(withoutRequestTraces(await dumpDatabase())).toEqual(withoutRequestTraces(before));
    expect(discounts(A).length).toBe(shopifyBefore);
  });

  it("a forged signature is refused (401) and nothing changes, not even the signature table", async () => {
    const id = await customer(1_000);
    const fields = { intent: "redeem", reward: five.id, token: tokenFor(A, id, five.id) };
    const good = signedProxyQuery({ shop: A, customerId: numeric(id), extra: [["f", "forged"]] });
    const forged = good.replace(/signature=[0-9a-f]{64}/, `signature=${"ab".repeat(32)}`);
    // Another customer's id put into a query signed for someone else: the signature no longer matches.
    const swapped = signedProxyQuery({ shop: A, customerId: numeric(id), extra: [["f", "swap"]] }).replace(
      /logged_in_customer_id=\d+/,
      `logged_in_customer_id=${numeric(people[A][0])}`,
    );
    const before = await dumpDatabase();
    for (const query of [forged, swapped]) {
      const answer = await appPost(A, id, fields, query);
      expect(answer.status).toBe(401);
      expect(await answer.text()).toBe("Unauthorized");
    }
    expect(await dumpDatabase()).toEqual(before);
    expect(await redemptionsOf(A, id)).toHaveLength(0);
  });

  it("a double click (the same signed POST twice in one second): the first redeems, the second is sent to the page and changes nothing", async () => {
    const id = await customer(1_000);
    // One signed query for both: Shopify signs the path's query and a whole-second timestamp, not the body.
    const query = signedProxyQuery({ shop: A, customerId: numeric(id), extra: [["f", "replay"]] });
    const fields = { intent: "redeem", reward: five.id, token: tokenFor(A, id, five.id) };
    const first = await appPost(A, id, fields, query);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toMatch(/^\/apps\/loyalty\?redemption=/);
    const journal = () =>
      prisma.pointsEntry.findMany({ where: { shop: A, customerId: id }, orderBy: { sourceKey: "asc" } });
    const held = await journal();
    expect(held.filter((e) => e.kind === "redemption")).toHaveLength(1);
    const [before, shopify] = [await dumpDatabase(), discounts(A).length];
    const replay = await appPost(A, id, fields, query);
    // The page itself (its GET, no result claimed), not a bare 401 the shopper cannot read.
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toBe("/apps/loyalty");
    expect(replay.headers.get("cache-control")).toBe("private, no-store");
    expect(await replay.text()).toBe("");
    expect(await dumpDatabase()).toEqual(before);
    expect(await journal()).toEqual(held);
    expect(await redemptionsOf(A, id)).toHaveLength(1);
    expect(discounts(A).length).toBe(shopify);
    // Only a page form's POST: the same signature again on a GET, or a POST to another path, is still the 401.
    for (const again of [
      await fetch(`${env.app.url}/proxy?${query}`, { headers: BROWSER_HEADERS, redirect: "manual" }),
      await fetch(`${env.app.url}/proxy/other?${query}`, { method: "POST", body: "", redirect: "manual" }),
    ]) {
      expect(again.status).toBe(401);
      expect(await again.text()).toBe("Unauthorized");
    }
    // The page's other forms (Link and Unlink LINE) the same: the page, nothing read.
    for (const path of ["/proxy/line/unlink", "/proxy/line/link"]) {
      const again = await fetch(`${env.app.url}${path}?${query}`, { method: "POST", body: "", redirect: "manual" });
      expect([again.status, again.headers.get("location")]).toEqual([303, "/apps/loyalty"]);
    }
    expect(await dumpDatabase()).toEqual(before);
    // The page it is sent to shows the first click's redemption.
    const [redemption] = await redemptionsOf(A, id);
    expect((await storefrontPage(A, id)).html).toContain(`<code>${redemption.code}</code>`);
  });

  it("nothing in the form chooses whose points: a form made for another customer is refused and spends nothing", async () => {
    const victim = await customer(1_000);
    const attacker = await customer(0);
    const before = await dumpDatabase();
    // The victim's own form, sent by the attacker's session: the token is the victim's, the customer is the attacker.
    const answer = await appPost(A, attacker, {
      intent: "redeem",
      reward: five.id,
      token: tokenFor(A, victim, five.id),
      customer: victim,
      customer_id: numeric(victim),
    });
    await expectFormRefused(answer);
    // A made-up token, or none (a form posted from another site): refused the same way.
    const made = await appPost(A, victim, { intent: "redeem", reward: five.id, token: "x".repeat(16) + ".1.abc" });
    await expectFormRefused(made);
    await expectFormRefused(await appPost(A, victim, { intent: "redeem", reward: five.id }));
    expect(withoutRequestTraces(await dumpDatabase())).toEqual(withoutRequestTraces(before));
  });

  it("a form's token is for its reward, its shop, its purpose and 2 hours: any other is refused (403), nothing spent", async () => {
    const id = await customer(1_000);
    const before = await dumpDatabase();
    for (const token of [
      tokenFor(A, id, ship.id), // made for the free shipping form, sent with the $5 off reward
      issueFormToken(B, id, `redeem:${five.id}`, new Date()), // made by shop B's page
      issueFormToken(A, id, "birthday", new Date()), // made for another form of the page
      issueFormToken(A, id, "line-unlink", new Date()),
      issueFormToken(A, id, `redeem:${five.id}`, new Date(Date.now() - 2 * 3_600_000 - 60_000)), // 2 h 1 min old
      tokenFor(A, id, five.id).replace(/.$/, (c: string) => (c === "A" ? "B" : "A")), // tampered
      tokenFor(A, id, five.id).replace(/\.(\d+)\./, (_: string, s: string) => `.${Number(s) + 60}.`), // re-dated
    ]) {
      await expectFormRefused(await appPost(A, id, { intent: "redeem", reward: five.id, token }));
    }
    // The birthday intent with a redeem token, and an intent no form has.
    await expectFormRefused(await appPost(A, id, { intent: "birthday", token: tokenFor(A, id, five.id), day: "1" }));
    await expectFormRefused(
      await appPost(A, id, { intent: "spend", reward: five.id, token: tokenFor(A, id, five.id) }),
    );
    expect(withoutRequestTraces(await dumpDatabase())).toEqual(withoutRequestTraces(before));
    // Just under 2 hours old: still good.
    const old = issueFormToken(A, id, `redeem:${five.id}`, new Date(Date.now() - 2 * 3_600_000 + 60_000));
    const answer = await appPost(A, id, { intent: "redeem", reward: five.id, token: old });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toMatch(/^\/apps\/loyalty\?redemption=/);
  });

  it("a token replayed later (the same form sent again after it was redeemed): the same redemption, no second spend", async () => {
    const id = await customer(1_000);
    const fields = { intent: "redeem", reward: five.id, token: tokenFor(A, id, five.id) };
    const first = await appPost(A, id, fields);
    expect(first.status).toBe(303);
    const journal = () =>
      prisma.pointsEntry.findMany({ where: { shop: A, customerId: id }, orderBy: { sourceKey: "asc" } });
    const [held, shopify] = [await journal(), discounts(A).length];
    const again = await appPost(A, id, fields);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect(await journal()).toEqual(held);
    expect(await redemptionsOf(A, id)).toHaveLength(1);
    expect(discounts(A).length).toBe(shopify);
  });

  it("shop A's customer cannot redeem shop B's reward (its id sent to A): refused, nothing changes in either shop", async () => {
    const id = await customer(1_000);
    const before = await dumpDatabase();
    const answer = await appPost(A, id, { intent: "redeem", reward: bReward.id, token: tokenFor(A, id, bReward.id) });
    expect(answer.headers.get("location")).toBe("/apps/loyalty?refused=reward_unknown");
    expect(withoutRequestTraces(await dumpDatabase())).toEqual(withoutRequestTraces(before));
    expect(discounts(B)).toHaveLength(0);
  });

  it("a POST to a path below the page redeems nothing: 404 when signed, 401 when forged", async () => {
    const id = await customer(1_000);
    const fields = { intent: "redeem", reward: five.id, token: tokenFor(A, id, five.id) };
    const before = await dumpDatabase();
    const query = signedProxyQuery({ shop: A, customerId: numeric(id), extra: [["f", "below"]] });
    const post = (q: string) =>
      fetch(`${env.app.url}/proxy/redeem?${q}`, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { ...BROWSER_HEADERS, "content-type": "application/x-www-form-urlencoded" },
        redirect: "manual",
      });
    expect((await post(query.replace(/signature=[0-9a-f]{64}/, `signature=${"cd".repeat(32)}`))).status).toBe(401);
    const signed = await post(query);
    expect(signed.status).toBe(404);
    expect(await signed.text()).not.toContain("token");
    expect(withoutRequestTraces(await dumpDatabase())).toEqual(withoutRequestTraces(before));
  });

  it("a redemption result in the query is shown only to its own customer", async () => {
    const owner = await customer(100);
    const answer = await appPost(A, owner, { intent: "redeem", reward: five.id, token: tokenFor(A, owner, five.id) });
    const location = answer.headers.get("location")!;
    const [row] = await redemptionsOf(A, owner);
    const other = await customer(0);
    const seen = await storefrontPage(A, other, location.split("?")[1]);
    expect(seen.html).not.toContain(row.code!);
    expect(seen.html).not.toContain('role="status"');
    const own = await storefrontPage(A, owner, location.split("?")[1]);
    expect(own.html).toContain(row.code!);
  });
});

describe("typed text", () => {
  it("a reward title with HTML and Liquid is shown as typed, never run (in the list, the button's name, the banner)", async () => {
    const title = "<script>alert(1)</script>{{ shop.email }}{% if true %}x{% endif %}";
    const hostile = await rewardOf(B, { kind: "amount_off", title, pointsPrice: 10 });
    const id = people[B][5];
    await grant(B, id, 10);
    const { html } = await storefrontPage(B, id);
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain(`owner@${B}`); // {{ shop.email }} not rendered by the theme's Liquid
    // Escaped, braces as character references: the browser shows the title as typed.
    expect(html).toContain(
      "&lt;script&gt;alert(1)&lt;/script&gt;&#123;&#123; shop.email &#125;&#125;&#123;% if true %&#125;x&#123;% endif %&#125;",
    );
    const form = formOf(html, hostile.id)!;
    const answer = await storefrontPost(B, id, form.action, form.fields);
    const page = await storefrontPage(B, id, answer.headers.get("location")!.split("?")[1]);
    expect(page.html).toContain('role="status"');
    expect(page.html).not.toContain("<script>alert(1)");
  });
});

// ---- the birthday form ---------------------------------------------------------------------------------------------

describe("the birthday entry (shop B gives a birthday bonus; shop A does not)", () => {
  it("is not shown where the rules give no birthday bonus", async () => {
    const id = await customer(0);
    expect((await storefrontPage(A, id)).html).not.toContain('name="intent" value="birthday"');
  });

  it("bad input is refused with a clear message and nothing written; a good date is saved once, then read-only", async () => {
    const id = people[B][0];
    const html = (await storefrontPage(B, id)).html;
    const match = /<form method="post" action="([^"]+)" class="lp_birthday">[\s\S]*?name="token" value="([^"]+)"/.exec(
      html,
    )!;
    const [action, token] = [match[1].replace(/&amp;/g, "&"), match[2]];
    // Each send as after a fresh page (its own query: the same form twice in one second is one signature, a replay).
    let tries = 0;
    const send = (fields: Record<string, string>) =>
      storefrontPost(B, id, `${action}&try=${++tries}`, { intent: "birthday", token, ...fields });
    const before = await dumpDatabase();
    for (const [fields, reason] of [
      [{ day: "31", month: "2", year: "" }, "day"],
      [{ day: "10", month: "", year: "" }, "month"],
      [{ day: "10", month: "5", year: "2540" }, "year"],
    ] as const) {
      const answer = await send(fields);
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toBe(`/store/${B}/apps/loyalty?birthday=${reason}`);
    }
    expect(withoutRequestTraces(await dumpDatabase())).toEqual(withoutRequestTraces(before));
    const banner = await storefrontPage(B, id, "birthday=day");
    expect(banner.html).toContain("Your birthday was not saved: the day is not a day of that month.");

    const saved = await send({ day: "29", month: "2", year: "" });
    expect(saved.headers.get("location")).toBe(`/store/${B}/apps/loyalty?birthday=saved`);
    expect(await prisma.customerBirthday.findMany({ where: { shop: B, customerId: id } })).toMatchObject([
      { month: 2, day: 29, year: null, source: "shopper" },
    ]);
    // The customer's points are derived again (the bonus follows the date).
    expect((await jobRows(B, { kind: "points-customer" })).map((j) => JSON.parse(j.payload))).toContainEqual({
      customerId: id,
    });
    const after = (await storefrontPage(B, id)).html;
    expect(after).toContain("Your birthday: February 29");
    expect(after).not.toContain('name="intent" value="birthday"');
    // A second date, even through the old form: refused, the first stays.
    const again = await send({ day: "1", month: "6", year: "" });
    expect(again.headers.get("location")).toBe(`/store/${B}/apps/loyalty?birthday=held`);
    expect(await prisma.customerBirthday.findMany({ where: { shop: B, customerId: id } })).toMatchObject([
      { month: 2, day: 29 },
    ]);
  });
});
