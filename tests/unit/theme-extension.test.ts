// The storefront block (extensions/loyalty-theme): Shopify's theme check finds nothing, there is no JavaScript, both
// languages have every string, and the Liquid renders every shopper state right in English and Thai — rendered with
// liquidjs, with Shopify's `t`, `money` and `date` filters done as Shopify does them for this test.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { check } from "@shopify/theme-check-node";
import { describe, expect, it } from "vitest";
import { pointsMetafield, tierMetafields, type PointsStatusJson, type SyncState } from "../../app/domain/sync";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import { LOCALES, storefront } from "../support/storefront";

const ROOT = path.resolve("extensions/loyalty-theme");
const BLOCK = readFileSync(path.join(ROOT, "blocks/loyalty-status.liquid"), "utf8");
const json = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));
const keysOf = (tree: unknown, prefix = ""): string[] =>
  typeof tree === "object" && tree !== null
    ? Object.entries(tree).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k))
    : [prefix];

// Silver gives 5 % automatically and a text with markup; Gold 10 % and free shipping as codes.
const base = defaultTierProgram("USD");
const program = {
  ...base,
  tiers: base.tiers.map((t) =>
    t.key === "silver"
      ? { ...t, perks: { ...t.perks, discountPercent: 5, customText: "Early <b>access</b> {{ shop.secret }}" } }
      : t.key === "gold"
        ? { ...t, perks: { ...t.perks, discountPercent: 10, freeShipping: true, delivery: "code" as const } }
        : t,
  ),
};
const state = (overrides: Partial<SyncState>): SyncState => ({
  customerId: "gid://shopify/Customer/1",
  segment: "loyal",
  tier: "silver",
  spendInWindowMinor: 40_000,
  nextTier: "gold",
  amountToNextMinor: 35_000,
  tierExpiresAt: Date.parse("2027-03-01T00:00:00Z"),
  ...overrides,
});
/** The customer object Liquid sees, with the status and points metafields exactly as the sync writes them. */
const customerWith = (s: SyncState | null, points: PointsStatusJson | null = null) => ({
  id: 1,
  metafields: {
    app: {
      status: s ? { value: JSON.parse(tierMetafields(s, program, "USD")!.status) } : null,
      points: points ? { value: JSON.parse(pointsMetafield(points)!) } : null,
    },
  },
});
/** 1250 available; 45 pending, 30 of them available on 31 March; 100 expiring on 10 April. */
const POINTS: PointsStatusJson = {
  available: 1250,
  pending: 45,
  next_available: { points: 30, at: "2027-03-31T10:00:00.000Z" },
  expiring: { points: 100, at: "2027-04-10T00:00:00.000Z" },
  rewards_affordable: 0,
  next_reward: null,
};
const settings = {
  heading: "",
  accent_color: "#1f5199",
  show_spend: true,
  show_progress: true,
  show_expiry: true,
  show_points: true,
  perks: "<p>Members' perks</p>",
};
const render = (locale: "en" | "th", customer: unknown, overrides: Partial<typeof settings> = {}) =>
  storefront(locale, "${{amount}}").parseAndRender(BLOCK, {
    customer,
    block: { id: "b1", settings: { ...settings, ...overrides } },
    routes: { account_login_url: "/account/login", root_url: "/" },
  });
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();

describe("storefront block", () => {
  it("passes Shopify's theme check with no offense", async () => {
    const offenses = await check(ROOT);
    expect(offenses.map((o) => `${o.check}: ${o.message}`)).toEqual([]);
  });

  it("has no JavaScript and a small stylesheet", () => {
    const assets = readdirSync(path.join(ROOT, "assets"));
    expect(assets.filter((f) => f.endsWith(".js"))).toEqual([]);
    expect(BLOCK).not.toMatch(/<script/i);
    expect(readFileSync(path.join(ROOT, "assets/loyalty-status.css")).length).toBeLessThan(2048);
  });

  it("has every string in English and Thai, the theme editor's too", () => {
    expect(keysOf(LOCALES.th).sort()).toEqual(keysOf(LOCALES.en).sort());
    expect(keysOf(json("locales/th.schema.json")).sort()).toEqual(
      keysOf(json("locales/en.default.schema.json")).sort(),
    );
    const schemaKeys = new Set(keysOf(json("locales/en.default.schema.json")));
    for (const [, key] of BLOCK.matchAll(/"t:([\w.]+)"/g)) expect(schemaKeys.has(key), key).toBe(true);
    for (const [, key] of BLOCK.matchAll(/'([\w.]+)' \| t\b/g)) expect(keysOf(LOCALES.en), key).toContain(key);
  });

  it("shows a member mid-way: tier, spend, progress and what is left, expiry, perks", async () => {
    const html = await render("en", customerWith(state({})));
    expect(text(html)).toContain("You are a Silver member.");
    expect(text(html)).toContain("Spent in the current period: $400.00");
    expect(text(html)).toContain("Spend $350.00 more to reach Gold .");
    expect(html).toContain('style="width: 53%;"');
    expect(html).toContain('aria-label="53% of the way to Gold"');
    expect(text(html)).toContain("Your tier is yours until March 1, 2027.");
    // The merchant's heading, then the tier's perks from the app, escaped (markup and Liquid shown, not run)
    expect(text(html)).toContain("Members' perks");
    expect(html).toContain("Your perks: 5% off every order · Early &lt;b&gt;access&lt;/b&gt; {{ shop.secret }}");
    expect(text(html)).toContain("Applied automatically at checkout when you are signed in.");
    expect(text(html)).toContain("Reach Gold for: 10% off every order · Free shipping");
    expect(html).toContain('href="/apps/loyalty"');
    // No points metafield (a shop without points, or a customer without a journal): no points line
    expect(html).not.toContain("loyalty-status__points");
    expect(text(html)).not.toMatch(/points?\b/i);
  });

  it("shows a member's points: the balance, pending with the next date, expiring soon with the date", async () => {
    const html = await render("en", customerWith(state({}), POINTS));
    expect(text(html)).toContain("You are a Silver member.");
    expect(text(html)).toContain("You have 1250 points.");
    expect(html).toContain("You have <strong>1250</strong> points.");
    expect(text(html)).toContain("Pending points: 45 (30 available from March 31, 2027)");
    expect(text(html)).toContain("Points expiring on April 10, 2027: 100");
    // The tier's lines are all still there
    expect(text(html)).toContain("Spend $350.00 more to reach Gold .");
    expect(text(html)).toContain("Your tier is yours until March 1, 2027.");
  });

  it("shows points alone when nothing is pending or expiring, one point in the singular", async () => {
    const quiet = await render(
      "en",
      customerWith(state({}), {
        available: 80,
        pending: 0,
        next_available: null,
        expiring: null,
        rewards_affordable: 0,
        next_reward: null,
      }),
    );
    expect(text(quiet)).toContain("You have 80 points.");
    expect(text(quiet)).not.toContain("Pending points");
    expect(text(quiet)).not.toContain("expiring");
    const one = await render("en", customerWith(state({}), { ...POINTS, available: 1 }));
    expect(text(one)).toContain("You have 1 point.");
    // All the pending points on the next date: said once
    const allNext = await render(
      "en",
      customerWith(state({}), { ...POINTS, next_available: { points: 45, at: "2027-03-31T10:00:00.000Z" } }),
    );
    expect(text(allNext)).toContain("Pending points: 45, available from March 31, 2027");
    const none = await render(
      "en",
      customerWith(state({}), {
        available: 0,
        pending: 0,
        next_available: null,
        expiring: null,
        rewards_affordable: 0,
        next_reward: null,
      }),
    );
    expect(text(none)).toContain("You have 0 points.");
  });

  it("shows the points of a customer without a tier (a shop with points and no tiers), and a link, not the invitation", async () => {
    const html = await render("en", customerWith(null, POINTS));
    expect(text(html)).toContain("You have 1250 points.");
    expect(text(html)).toContain("Pending points: 45");
    expect(text(html)).not.toContain("Place your first order");
    expect(text(html)).not.toContain("member.");
    expect(html).toContain('href="/apps/loyalty"');
  });

  it("shows how many rewards the points redeem now, with a link, and what the next reward still needs", async () => {
    const next = { title: "Tote <bag> & co", points_price: 2000, points_needed: 750 };
    const html = await render("en", customerWith(state({}), { ...POINTS, rewards_affordable: 2, next_reward: next }));
    expect(text(html)).toContain("You can redeem 2 rewards.");
    expect(html).toMatch(/<a href="\/apps\/loyalty">You can redeem 2 rewards\.<\/a>/);
    // The merchant's title is escaped: the _html translation is not
    expect(html).toContain("<strong>750</strong> more points for Tote &lt;bag&gt; &amp; co.");
    const one = await render("en", customerWith(state({}), { ...POINTS, rewards_affordable: 1, next_reward: null }));
    expect(text(one)).toContain("You can redeem a reward.");
    expect(text(one)).not.toContain("more points for");
    const th = await render("th", customerWith(state({}), { ...POINTS, rewards_affordable: 3, next_reward: next }));
    expect(text(th)).toContain("คุณแลกของรางวัลได้ 3 รายการ");
    expect(text(th)).toContain("อีก 750 คะแนน แลก Tote &lt;bag&gt; &amp; co ได้");
    const none = await render("en", customerWith(state({}), POINTS));
    expect(text(none)).not.toContain("redeem");
  });

  it("hides the points when the merchant turns them off", async () => {
    const html = await render("en", customerWith(state({}), POINTS), { show_points: false });
    expect(html).not.toContain("loyalty-status__points");
    expect(text(html)).toContain("You are a Silver member.");
  });

  it("shows the codes of a tier that gives codes, and no automatic note", async () => {
    const html = await render("en", customerWith(state({ tier: "gold", nextTier: "platinum", amountToNextMinor: 1 })));
    expect(text(html)).toContain("Your codes at checkout: GOLD-10 , GOLD-SHIP");
    expect(html).toContain("<code>GOLD-10</code>");
    expect(text(html)).not.toContain("Applied automatically");
    // Platinum gives nothing: no "reach Platinum for" line
    expect(text(html)).not.toContain("Reach Platinum");
  });

  it("shows the top tier without a progress bar", async () => {
    const html = await render(
      "en",
      customerWith(state({ tier: "platinum", spendInWindowMinor: 250_000, nextTier: null, amountToNextMinor: null })),
    );
    expect(text(html)).toContain("You are a Platinum member.");
    expect(text(html)).toContain("You are in our top tier. Thank you!");
    expect(html).not.toContain("loyalty-status__progress");
  });

  it("shows a member just starting, and one whose tier expires soon", async () => {
    const starting = await render(
      "en",
      customerWith(
        state({
          tier: "member",
          spendInWindowMinor: 0,
          nextTier: "silver",
          amountToNextMinor: 25_000,
          tierExpiresAt: null,
        }),
      ),
    );
    expect(starting).toContain('style="width: 0%;"');
    expect(text(starting)).toContain("Spend $250.00 more to reach Silver .");
    expect(text(starting)).not.toContain("Your tier is yours until");
    const expiring = await render("en", customerWith(state({ tierExpiresAt: Date.parse("2026-12-01T00:00:00Z") })));
    expect(text(expiring)).toContain("Your tier is yours until December 1, 2026.");
  });

  it("invites guests to sign in, and customers without a tier to order", async () => {
    const guest = await render("en", null);
    expect(text(guest)).toContain("Join our rewards programme");
    expect(guest).toContain('href="/account/login"');
    expect(guest).toContain('href="/apps/loyalty"');
    const noTier = await render("en", customerWith(null));
    expect(text(noTier)).toContain("Place your first order to join the programme.");
  });

  const STATES = {
    "a member mid-way": {
      customer: () => customerWith(state({})),
      shows: ["your_tier_html", "spend_in_window", "to_next_html", "expires", "your_perks", "applied_automatically"],
    },
    "the top tier": {
      customer: () => customerWith(state({ tier: "platinum", nextTier: null, amountToNextMinor: null })),
      shows: ["your_tier_html", "top_tier", "expires"],
    },
    "a member just starting": {
      customer: () =>
        customerWith(
          state({
            tier: "member",
            spendInWindowMinor: 0,
            nextTier: "silver",
            amountToNextMinor: 25_000,
            tierExpiresAt: null,
          }),
        ),
      shows: ["your_tier_html", "to_next_html"],
    },
    "a tier expiring soon": {
      customer: () => customerWith(state({ tierExpiresAt: Date.parse("2026-12-01T00:00:00Z") })),
      shows: ["expires"],
    },
    "a member with points": {
      customer: () => customerWith(state({}), POINTS),
      shows: ["your_tier_html", "points_balance_html", "points_pending", "points_expiring", "see_page"],
    },
    "points without a tier": {
      customer: () =>
        customerWith(null, { ...POINTS, available: 1, next_available: { points: 45, at: "2027-03-31T10:00:00Z" } }),
      shows: ["points_balance_one_html", "points_pending_all", "points_expiring", "see_page"],
    },
    "a customer without a tier": { customer: () => customerWith(null), shows: ["no_tier_yet"] },
    "a guest": { customer: () => null, shows: ["guest", "sign_in", "see_programme"] },
  } as const;
  for (const locale of ["en", "th"] as const) {
    for (const [name, { customer, shows }] of Object.entries(STATES)) {
      it(`renders ${name} in ${locale === "en" ? "English" : "Thai"} with that language's strings`, async () => {
        const out = text(await render(locale, customer()));
        for (const key of shows) {
          // The string's fixed words (what is around its {{ placeholders }}) appear in the output
          const words = text(String(LOCALES[locale].loyalty[key]))
            .split(/{{[^}]+}}/)
            .map((w) => w.trim())
            .filter(Boolean);
          for (const w of words) expect(out, `${key}: "${w}"`).toContain(w);
        }
      });
    }
  }

  it("speaks Thai", async () => {
    const html = await render("th", customerWith(state({})));
    expect(text(html)).toContain("คุณเป็นสมาชิกระดับ Silver");
    expect(text(html)).toContain("ใช้จ่ายอีก $350.00 เพื่อเป็นระดับ Gold");
    expect(text(html)).toContain("คุณคงระดับนี้ได้ถึง 1 มีนาคม 2570");
    expect(text(await render("th", null))).toContain("เข้าสู่ระบบเพื่อดูระดับของคุณ");
    const points = text(await render("th", customerWith(state({}), POINTS)));
    expect(points).toContain("คุณมี 1250 คะแนน");
    expect(points).toContain("คะแนนที่รอยืนยัน: 45 (ใช้ได้ 30 คะแนนตั้งแต่ 31 มีนาคม 2570)");
    expect(points).toContain("คะแนนที่จะหมดอายุในวันที่ 10 เมษายน 2570: 100");
  });
});
