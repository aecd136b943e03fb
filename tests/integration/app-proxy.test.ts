// The shoppers' loyalty page through the app proxy (docs/rules.md#loyalty-page), over real HTTP to the built app, with
// queries signed as Shopify signs them (tests/support/app-proxy.ts; checked against @shopify/shopify-api's own
// validator below). The answer is Liquid, rendered here with the local Shopify's storefront engine where it matters
// (money in the shop's format; a merchant's `{{ … }}` shown, not run). Refusals: forged, tampered, unsigned, expired,
// future and replayed signatures are 401 with nothing in the body; the customer is only the signed
// logged_in_customer_id; shop A never shows shop B's rows.
import { beforeAll, describe, expect, it } from "vitest";
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { prisma } from "../../app/db.server";
import { markUninstalled, setShopSettings } from "../../app/models/shop.server";
import { saveTierProgramVersion } from "../../app/models/tier-program.server";
import { writeStatesWithPrisma } from "../../app/models/customer-state.server";
import { saveSyncSettings } from "../../app/models/sync.server";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import { DEFAULT_SYNC_SETTINGS } from "../../app/domain/sync";
import type { TierProgram } from "../../app/domain/tiers";
import { createStorefrontLiquid } from "../../simulator/storefront/liquid";
import { startApp } from "../support/app-server";
import { installShop } from "../support/shops";
import { proxyPairs, signedProxyQuery, type ProxyQueryOptions } from "../support/app-proxy";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/test-env";
import {
  DAY,
  addCampaign,
  addLedgerCustomer,
  addOffer as addCampaignOffer,
  addTierMove,
  memberState,
} from "../support/loyalty-page";

const A = "proxy-a.myshopify.com";
const B = "proxy-b.myshopify.com"; // Thai, THB
const H = "proxy-hostile.myshopify.com"; // the merchant and a customer typed HTML and Liquid
const GONE = "proxy-gone.myshopify.com"; // uninstalled
const NEVER = "proxy-never.myshopify.com"; // never installed
const NOW = Date.now();
const HOSTILE = {
  tier: "<script>alert(1)</script>{{ shop.secret }}",
  tier2: "{% assign x = 'pwn' %}{{ x }}",
  perk: "{% if true %}<img src=x onerror=alert(2)>{% endif %}{{ customer.email }}",
  campaign: "</h3><script>alert(3)</script>{{ shop.secret }}",
  code: "{{SHOP.SECRET}}-<b>X</b>",
  name: "<i>{{ customer.email }}</i>",
};
let appUrl = "";

const gid = (n: number | string) => `gid://shopify/Customer/${n}`;
const state = memberState;
const addCustomer = (shop: string, n: number, firstName: string) => addLedgerCustomer(shop, gid(n), firstName);
const addMove = (shop: string, n: number, from: string | null, to: string | null, at: number) =>
  addTierMove(shop, gid(n), from, to, at);
const addOffer = (
  shop: string,
  campaignId: string,
  n: number,
  code: string | null,
  expiresAt: number,
  options: { holdout?: boolean; issued?: boolean } = {},
) => addCampaignOffer(shop, campaignId, gid(n), code, expiresAt, options);

function programWithPerks(currency: string): TierProgram {
  const program = defaultTierProgram(currency);
  const gold = program.tiers[2];
  gold.perks = {
    ...gold.perks,
    discountPercent: 10,
    freeShipping: true,
    minimumSubtotalMinor: 5_000,
    delivery: "code",
    customText: "Early access to sales",
  };
  program.tiers[3].perks = { ...program.tiers[3].perks, discountPercent: 15, delivery: "automatic" };
  return program;
}

beforeAll(async () => {
  for (const shop of [A, B, H, GONE]) await installShop(shop);
  await markUninstalled(GONE, new Date());
  await setShopSettings(A, { currencyCode: "USD", timezone: "America/New_York", locale: "en" });
  await setShopSettings(B, { currencyCode: "THB", timezone: "Asia/Bangkok", locale: "th" });
  await setShopSettings(H, { currencyCode: "USD", timezone: "UTC", locale: "en-US" });
  await saveTierProgramVersion(A, programWithPerks("USD"));
  await saveTierProgramVersion(B, programWithPerks("THB"));
  await saveSyncSettings(A, { ...DEFAULT_SYNC_SETTINGS });

  // Shop A: Ada (1001) is Gold, half-way to Platinum, with two open offers, one expired, one used, one held out;
  // Bob (1002) is Silver with an offer of his own; 1003 signed up and has ordered nothing.
  await addCustomer(A, 1001, "Ada");
  await addCustomer(A, 1002, "Bob");
  await addCustomer(A, 1003, "Cleo");
  const computed = { computedAt: new Date(NOW), reason: "order" };
  await writeStatesWithPrisma(
    A,
    [
      state(gid(1001), {
        tier: "gold",
        spendInWindowMinor: 81_250,
        ordersInWindow: 4,
        nextTier: "platinum",
        amountToNextMinor: 118_750,
        ordersToNext: 0,
        tierExpiresAt: NOW + 200 * DAY,
        windowChangesAt: NOW + 40 * DAY,
      }),
      state(gid(1002), {
        tier: "silver",
        spendInWindowMinor: 30_000,
        nextTier: "gold",
        amountToNextMinor: 45_000,
        tierExpiresAt: NOW + 300 * DAY,
      }),
    ],
    [],
    computed,
  );
  await addMove(A, 1001, null, "member", NOW - 300 * DAY);
  await addMove(A, 1001, "member", "gold", NOW - 100 * DAY);
  await addMove(A, 1002, null, "silver", NOW - 50 * DAY);
  const winBack = await addCampaign(A, "Win-back autumn", { kind: "percentage", value: 15, minimum: 5_000 });
  const thanks = await addCampaign(A, "Thank you", { kind: "fixed_amount", value: 1_000 });
  await addOffer(A, winBack, 1001, "WB-ADA-OPEN", NOW + 10 * DAY);
  await addOffer(A, thanks, 1001, "TY-ADA-OPEN", NOW + 20 * DAY);
  await addOffer(A, thanks, 1001, "TY-ADA-EXPIRED", NOW - DAY);
  await addOffer(A, winBack, 1001, "WB-ADA-USED", NOW + 5 * DAY);
  await addOffer(A, winBack, 1001, null, NOW + 5 * DAY, { holdout: true, issued: false });
  await addOffer(A, thanks, 1002, "BOB-SECRET-CODE", NOW + 20 * DAY);
  await prisma.order.create({
    data: {
      shop: A,
      id: "gid://shopify/Order/1",
      customerId: gid(1001),
      processedAt: new Date(NOW - DAY),
      currencyCode: "USD",
      currentTotalMinor: 9_000n,
      valueMinor: 9_000n,
      discountCodes: JSON.stringify(["wb-ada-used"]),
    },
  });

  // Shop B: a customer with the same id as Ada, at the top tier, in Thai.
  await addCustomer(B, 1001, "สมชาย");
  await writeStatesWithPrisma(
    B,
    [state(gid(1001), { tier: "platinum", spendInWindowMinor: 9_000_000, ordersInWindow: 9 })],
    [],
    computed,
  );
  await addMove(B, 1001, "gold", "platinum", NOW - 7 * DAY);
  await addOffer(
    B,
    await addCampaign(B, "แคมเปญของร้าน B", { kind: "percentage", value: 20 }),
    1001,
    "B-ONLY-CODE",
    NOW + 9 * DAY,
  );

  // Shop H: HTML and Liquid in every text the merchant or a customer typed.
  const hostile = defaultTierProgram("USD");
  hostile.tiers[0].name = HOSTILE.tier;
  hostile.tiers[1].name = HOSTILE.tier2;
  hostile.tiers[0].perks = { ...hostile.tiers[0].perks, customText: HOSTILE.perk };
  await saveTierProgramVersion(H, hostile);
  await addCustomer(H, 1001, HOSTILE.name);
  await writeStatesWithPrisma(
    H,
    [state(gid(1001), { tier: "member", spendInWindowMinor: 100, nextTier: "silver", amountToNextMinor: 24_900 })],
    [],
    computed,
  );
  await addMove(H, 1001, null, "member", NOW - DAY);
  await addOffer(
    H,
    await addCampaign(H, HOSTILE.campaign, { kind: "percentage", value: 5 }),
    1001,
    HOSTILE.code,
    NOW + DAY,
  );

  ({ url: appUrl } = await startApp());
});

const get = (query: string, path = "/proxy") => fetch(`${appUrl}${path}?${query}`, { redirect: "manual" });
let requests = 0;
/**
 * A signed request as a shopper's browser makes it. Shopify's signature covers the timestamp in whole seconds, so two
 * identical requests in one second carry one signature and the second is a replay: each request here carries a
 * parameter of its own (as a shopper's `?…` would), which Shopify signs with the rest.
 */
const page = async (options: ProxyQueryOptions, path = "/proxy") => {
  const extra: [string, string][] = [...(options.extra ?? []), ["visit", String(++requests)]];
  const response = await get(signedProxyQuery({ ...options, extra }), path);
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
};

/** The answer as Shopify would render it in the theme (the layout aside): Liquid run with the shop's objects. */
async function rendered(body: string, { locale = "en", moneyFormat = "${{amount}}" } = {}) {
  const engine = createStorefrontLiquid({ locale, moneyFormat, timezone: "UTC" });
  return engine.parseAndRender(body, {
    shop: { secret: "LEAKED-SHOP-SECRET", name: "Shop" },
    customer: { email: "leaked@example.com" },
    routes: { account_login_url: "/account/login" },
  });
}

/** What a browser shows of some HTML: tags dropped, character references decoded. */
function visibleText(markup: string): string {
  return markup
    .replace(/<style>[\s\S]*?<\/style>/g, "")
    .replace(/<\/?(strong|code|time|span)\b[^>]*>/g, "")
    .replace(/<[^>]*>/g, " ")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

function expectRefused(answer: { status: number; body: string }) {
  expect(answer.status).toBe(401);
  expect(answer.body).toBe("Unauthorized");
}

describe("the signature as Shopify makes it", () => {
  it("is what @shopify/shopify-api's app proxy validator accepts (and a changed value is not)", async () => {
    const api = shopifyApi({
      apiKey: TEST_API_KEY,
      apiSecretKey: TEST_API_SECRET,
      apiVersion: ApiVersion.January25,
      hostName: "loyalty.test.example",
      isEmbeddedApp: true,
      logger: { level: 0 },
    });
    const pairs = proxyPairs({ shop: A, customerId: 1001, extra: [["ref", "news letter"]] });
    expect(await api.utils.validateHmac(Object.fromEntries(pairs), { signator: "appProxy" })).toBe(true);
    const tampered = Object.fromEntries(pairs.map(([k, v]) => [k, k === "logged_in_customer_id" ? "1002" : v]));
    expect(await api.utils.validateHmac(tampered, { signator: "appProxy" })).toBe(false);
  });
});

describe("a signed-in member", () => {
  it("sees their tier, spend, progress, expiry, perks with the tier's codes, open offers, history and the programme", async () => {
    const answer = await page({ shop: A, customerId: 1001 });
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/liquid/);
    expect(answer.body).not.toMatch(/<script/i);
    // Money goes through Liquid's money filter (hundredths of a dollar), so the shop's own format applies
    expect(answer.body).toContain("{{ 81250 | money }}");
    const text = visibleText(await rendered(answer.body));
    expect(text).toContain("Hello, Ada");
    expect(text).toContain("You are a Gold member.");
    expect(text).toContain("Spent in the last 365 days: $812.50");
    expect(text).toContain("$812.50 of $2,000.00 (40%)");
    expect(answer.body).toMatch(/role="progressbar"[^>]*aria-valuenow="40"/);
    expect(text).toMatch(/Spend \$1,187\.50 more by \w+ \d+, \d{4} to reach Platinum\./);
    expect(text).toMatch(/Your Gold tier is yours until \w+ \d+, \d{4}\./);
    // Gold's perks come as codes: the member sees them; Platinum's automatic 15 % is what the next tier gives
    expect(text).toContain("10% off every order");
    expect(text).toContain("The discounts apply to orders from $50.00.");
    expect(answer.body).toContain("<code>GOLD-10</code>");
    expect(answer.body).toContain("<code>GOLD-SHIP</code>");
    expect(text).toContain("Early access to sales");
    expect(text).toContain("At Platinum you would get 15% off every order Applied automatically at checkout.");
    // Open offers only: issued, not expired, not used on an order, never a holdout's
    expect(text).toContain("Win-back autumn 15% off your order On orders from $50.00. Code: WB-ADA-OPEN");
    expect(text).toContain("Thank you $10.00 off your order Code: TY-ADA-OPEN");
    expect(answer.body).not.toContain("TY-ADA-EXPIRED");
    expect(answer.body).not.toContain("WB-ADA-USED");
    expect(answer.body).not.toContain("BOB-SECRET-CODE");
    // Tier history, newest first
    expect(text).toMatch(/Moved up from Member to Gold .*Joined Member/);
    // The programme: every tier, threshold and perks; only the member's own tier's codes anywhere
    expect(answer.body).toContain("<caption>");
    expect(answer.body).toMatch(/<th scope="row">Platinum<\/th><td>From \{\{ 200000 \| money \}\}<\/td>/);
    expect(answer.body.match(/<code>GOLD-10<\/code>/g)).toHaveLength(1);
  });

  it("with no tier yet sees how to join, and the programme", async () => {
    const answer = await page({ shop: A, customerId: 1003 });
    expect(answer.status).toBe(200);
    const text = visibleText(await rendered(answer.body));
    expect(text).toContain("Hello, Cleo");
    expect(text).toContain("You have no tier yet: your first order makes you a Member member.");
    expect(text).toContain("You have no open offers right now.");
    expect(text).toContain("How the programme works");
    expect(answer.body).not.toContain("GOLD-10");
  });

  it("in a Thai shop reads Thai, with money in baht", async () => {
    const answer = await page({ shop: B, customerId: 1001 });
    expect(answer.status).toBe(200);
    const text = visibleText(await rendered(answer.body, { locale: "th", moneyFormat: "฿{{amount}}" }));
    expect(answer.body).toContain('lang="th"');
    expect(text).toContain("สวัสดี คุณสมชาย");
    expect(text).toContain("คุณเป็นสมาชิกระดับ Platinum");
    expect(text).toContain("คุณอยู่ในระดับสูงสุดแล้ว ขอบคุณ!");
    expect(text).toContain("ยอดซื้อใน 365 วันที่ผ่านมา: ฿90,000.00");
    expect(text).toContain("ลด 20% สำหรับคำสั่งซื้อของคุณ");
    expect(text).toMatch(/เลื่อนขึ้นจาก Gold เป็น Platinum/);
    expect(text).not.toMatch(/You are|Spent in/);
  });
});

describe("a guest", () => {
  it("sees the programme and a sign-in link, and nobody's data", async () => {
    const answer = await page({ shop: A, customerId: null });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('href="{{ routes.account_login_url }}"');
    const text = visibleText(await rendered(answer.body));
    expect(text).toContain("Sign in to see your tier and offers");
    expect(text).toMatch(/Gold From \$750\.00 10% off every order Free shipping .*Given to members as a code/);
    for (const secret of ["Ada", "GOLD-10", "WB-ADA-OPEN", "Your tier history"]) expect(text).not.toContain(secret);
  });
});

describe("refused: 401 with nothing in the body", () => {
  it("a signature made with another secret, or a signed value changed afterwards", async () => {
    expectRefused(await page({ shop: A, customerId: 1001, secret: "not-the-app-secret" }));
    const pairs = proxyPairs({ shop: A, customerId: 1001 });
    const tampered = pairs.map(([k, v]) => [k, k === "logged_in_customer_id" ? "1002" : v]);
    const response = await get(new URLSearchParams(tampered).toString());
    expectRefused({ status: response.status, body: await response.text() });
  });

  it("no signature, no timestamp, a signature that is not hex, a repeated Shopify parameter", async () => {
    const pairs = proxyPairs({ shop: A, customerId: 1001 });
    const without = (key: string) => new URLSearchParams(pairs.filter(([k]) => k !== key)).toString();
    for (const query of [without("signature"), without("timestamp"), without("shop"), ""]) {
      const response = await get(query);
      expectRefused({ status: response.status, body: await response.text() });
    }
    const notHex = pairs.map(([k, v]) => [k, k === "signature" ? "zz" + v.slice(2) : v]);
    const response = await get(new URLSearchParams(notHex).toString());
    expectRefused({ status: response.status, body: await response.text() });
  });

  it("a timestamp older than Shopify's 90 s tolerance, or too far in the future", async () => {
    const now = Math.floor(Date.now() / 1000);
    expectRefused(await page({ shop: A, customerId: 1001, timestamp: now - 120 }));
    expectRefused(await page({ shop: A, customerId: 1001, timestamp: now - 24 * 3600 }));
    expectRefused(await page({ shop: A, customerId: 1001, timestamp: now + 120 }));
    // Within the tolerance it is answered
    expect((await page({ shop: A, customerId: 1001, timestamp: now - 60 })).status).toBe(200);
  });

  it("a signature already answered (a replay), on the page or any other path", async () => {
    const query = signedProxyQuery({ shop: A, customerId: 1001 });
    expect((await get(query)).status).toBe(200);
    for (const path of ["/proxy", "/proxy/", "/proxy/other"]) {
      const again = await get(query, path);
      expectRefused({ status: again.status, body: await again.text() });
    }
    // The row is kept per shop until the signature could no longer pass the timestamp check
    const row = await prisma.proxySignature.findFirstOrThrow({
      where: { shop: A, signature: new URLSearchParams(query).get("signature")! },
    });
    const timestamp = Number(new URLSearchParams(query).get("timestamp"));
    expect(row.expiresAt.getTime()).toBe((timestamp + 150) * 1000);
  });

  it("two requests at once with one signature: exactly one is answered", async () => {
    const query = signedProxyQuery({ shop: A, customerId: 1002 });
    const statuses = (await Promise.all(Array.from({ length: 6 }, () => get(query)))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 401, 401]);
  });
});

describe("the shopper is only who Shopify's logged_in_customer_id says", () => {
  it("a customer_id (or any id) the shopper adds to the query is ignored", async () => {
    const answer = await page({
      shop: A,
      customerId: 1001,
      extra: [
        ["customer_id", "1002"],
        ["id", gid(1002)],
        ["customer", "1002"],
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("Hello, Ada");
    expect(answer.body).not.toContain("Bob");
    expect(answer.body).not.toContain("BOB-SECRET-CODE");
    // A guest adding one is still a guest
    const guest = await page({ shop: A, customerId: null, extra: [["customer_id", "1002"]] });
    expect(guest.status).toBe(200);
    expect(guest.body).not.toContain("Bob");
    expect(guest.body).toContain("{{ routes.account_login_url }}");
  });

  it("a second logged_in_customer_id, even signed, is refused", async () => {
    expectRefused(await page({ shop: A, customerId: 1001, extra: [["logged_in_customer_id", "1002"]] }));
  });

  it("a customer id in the path shows no one: the page has no subpages (404, in the theme)", async () => {
    for (const path of ["/proxy/customers/1002", "/proxy/1002", `/proxy/${encodeURIComponent(gid(1002))}`]) {
      const answer = await page({ shop: A, customerId: null }, path);
      expect(answer.status).toBe(404);
      expect(answer.type).toMatch(/^application\/liquid/);
      expect(visibleText(answer.body)).toContain("This page is not available.");
      expect(answer.body).not.toMatch(/Bob|Ada|BOB-SECRET|Silver/);
    }
  });
});

describe("shops stay apart", () => {
  it("shop A's proxy shows A's customer 1001, never B's customer with the same id, and the other way round", async () => {
    const a = await page({ shop: A, customerId: 1001 });
    const b = await page({ shop: B, customerId: 1001 });
    expect(a.body).toContain("Ada");
    expect(a.body).not.toMatch(/สมชาย|B-ONLY-CODE|Platinum<\/strong> member/);
    expect(b.body).toContain("สมชาย");
    expect(b.body).not.toMatch(/Ada|WB-ADA-OPEN|GOLD-10/);
  });

  it("a shop that uninstalled the app, or never installed it, gets a neutral page (404), not an error", async () => {
    for (const shop of [GONE, NEVER]) {
      const answer = await page({ shop, customerId: 1001 });
      expect(answer.status).toBe(404);
      expect(answer.type).toMatch(/^application\/liquid/);
      expect(visibleText(answer.body)).toContain("Page not found");
      expect(visibleText(answer.body)).not.toMatch(/tier|Ada/i);
    }
  });
});

describe("what the merchant or a customer typed is shown, never run", () => {
  it("tier names, perk texts, campaign names, codes and names with HTML and Liquid are escaped", async () => {
    const answer = await page({ shop: H, customerId: 1001 });
    expect(answer.status).toBe(200);
    // No markup of theirs and no Liquid of theirs reaches Shopify: the only Liquid is the page's own
    expect(answer.body).not.toMatch(/<script|<img|<i>|<b>|<\/h3><script/i);
    expect(answer.body).not.toContain("{%");
    const liquid = answer.body.match(/\{\{[^}]*\}\}/g) ?? [];
    expect(liquid.length).toBeGreaterThan(0);
    for (const output of liquid) {
      expect(output).toMatch(/^\{\{ (\d+ \| money( \| strip_html \| escape)?|routes\.account_login_url) \}\}$/);
    }
    // Rendered by Shopify's Liquid, the texts show as typed and nothing of the shop or customer leaks
    const html = await rendered(answer.body);
    expect(html).not.toMatch(/LEAKED|leaked@example\.com/);
    const text = visibleText(html);
    for (const typed of Object.values(HOSTILE)) expect(text).toContain(typed);
  });
});
