// The loyalty page's pure parts (docs/rules.md#loyalty-page): the app proxy query checks, the view built from a
// state, money as Liquid expects it, and the escaping of typed text (HTML and Liquid delimiters).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resources } from "../../app/i18n";
import { proxyIdentity, proxyQueryIssue, PROXY_TIMESTAMP_TOLERANCE_S } from "../../app/domain/app-proxy";
import { loyaltyPageView, tierMoveDirection, type LoyaltyPageInput } from "../../app/domain/loyalty-page";
import { DEFAULT_SYNC_SETTINGS } from "../../app/domain/sync";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import { liquidCents, money, text } from "../../app/storefront/liquid-text";
import { renderLoyaltyPage } from "../../app/storefront/loyalty-page";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const DAY = 86_400_000;
const SIG = "a".repeat(64);

function query(pairs: [string, string][]): URLSearchParams {
  return new URLSearchParams(pairs);
}
const shopify = (overrides: Record<string, string> = {}): [string, string][] =>
  Object.entries({
    shop: "a.myshopify.com",
    logged_in_customer_id: "42",
    path_prefix: "/apps/loyalty",
    timestamp: String(NOW / 1000),
    signature: SIG,
    ...overrides,
  });

describe("app proxy query", () => {
  it("needs each of Shopify's parameters exactly once, a hex signature and whole seconds", () => {
    expect(proxyQueryIssue(query(shopify()), NOW)).toBeNull();
    expect(proxyQueryIssue(query(shopify({ logged_in_customer_id: "" })), NOW)).toBeNull();
    for (const key of ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]) {
      expect(proxyQueryIssue(query(shopify().filter(([k]) => k !== key)), NOW), key).toBe("missing");
    }
    expect(proxyQueryIssue(query([...shopify(), ["logged_in_customer_id", "7"]]), NOW)).toBe("repeated");
    expect(proxyQueryIssue(query(shopify({ signature: SIG.toUpperCase() })), NOW)).toBe("malformed");
    expect(proxyQueryIssue(query(shopify({ signature: SIG.slice(1) })), NOW)).toBe("malformed");
    expect(proxyQueryIssue(query(shopify({ timestamp: "1.5e9" })), NOW)).toBe("malformed");
  });

  it("accepts a timestamp up to the tolerance away, either way, and nothing beyond", () => {
    const at = (offset: number) => proxyQueryIssue(query(shopify({ timestamp: String(NOW / 1000 + offset) })), NOW);
    expect(at(-PROXY_TIMESTAMP_TOLERANCE_S)).toBeNull();
    expect(at(PROXY_TIMESTAMP_TOLERANCE_S)).toBeNull();
    expect(at(-PROXY_TIMESTAMP_TOLERANCE_S - 1)).toBe("timestamp");
    expect(at(PROXY_TIMESTAMP_TOLERANCE_S + 1)).toBe("timestamp");
  });

  it("names the customer from logged_in_customer_id only; anything but a numeric id is a guest", () => {
    const extra: [string, string][] = [["customer_id", "7"]];
    expect(proxyIdentity(query([...extra, ...shopify()]))).toEqual({
      shop: "a.myshopify.com",
      customerId: "gid://shopify/Customer/42",
      signature: SIG,
      keptUntil: NOW + 150_000,
    });
    for (const id of ["", "0", "gid://shopify/Customer/7", "7 OR 1=1", "-7"]) {
      expect(proxyIdentity(query([...extra, ...shopify({ logged_in_customer_id: id })])).customerId, id).toBeNull();
    }
  });
});

describe("money and text for Liquid", () => {
  it("gives Liquid's money hundredths of the major unit whatever the currency's decimals", () => {
    expect(liquidCents(81_250, "USD")).toBe(81_250);
    expect(liquidCents(1_000, "JPY")).toBe(100_000); // ¥1,000
    expect(liquidCents(1_234, "KWD")).toBe(123); // 1.234 KWD shows as 1.23
    expect(liquidCents(1_235, "KWD")).toBe(124);
    expect(money(250_000, "THB").html).toBe("{{ 250000 | money }}");
  });

  it("escapes HTML and neutralises Liquid's delimiters", () => {
    expect(text(`<script>"x"&'y'</script>{{ shop.secret }}{% if %}`)).toBe(
      "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;&#123;&#123; shop.secret &#125;&#125;&#123;% if %&#125;",
    );
  });
});

function input(overrides: Partial<LoyaltyPageInput> = {}): LoyaltyPageInput {
  const program = defaultTierProgram("USD");
  program.tiers[2].perks = { ...program.tiers[2].perks, discountPercent: 10, delivery: "code" };
  return {
    locale: "en",
    currency: "USD",
    timeZone: "Asia/Bangkok",
    program,
    settings: DEFAULT_SYNC_SETTINGS,
    now: NOW,
    customer: {
      firstName: "Ada",
      state: {
        tier: "gold",
        spendInWindowMinor: 81_250,
        ordersInWindow: 3,
        nextTier: "platinum",
        amountToNextMinor: 118_750,
        ordersToNext: 0,
        tierExpiresAt: NOW + 10 * DAY,
        windowChangesAt: NOW + 40 * DAY,
      },
      offers: [
        {
          campaign: {
            name: "Late",
            offer: { kind: "percentage", value: 5, minimumSubtotalMinor: null, expiryDays: 30 },
          },
          code: "LATE",
          expiresAt: NOW + 9 * DAY,
        },
        {
          campaign: {
            name: "Soon",
            offer: { kind: "percentage", value: 5, minimumSubtotalMinor: null, expiryDays: 30 },
          },
          code: "SOON",
          expiresAt: NOW + 2 * DAY,
        },
        {
          campaign: {
            name: "Used",
            offer: { kind: "percentage", value: 5, minimumSubtotalMinor: null, expiryDays: 30 },
          },
          code: "Used-1",
          expiresAt: NOW + 2 * DAY,
        },
        {
          campaign: {
            name: "Gone",
            offer: { kind: "percentage", value: 5, minimumSubtotalMinor: null, expiryDays: 30 },
          },
          code: "GONE",
          expiresAt: NOW,
        },
      ],
      usedCodes: ["USED-1"],
      moves: [
        { from: null, to: "member", at: NOW - 90 * DAY },
        { from: "member", to: "gold", at: NOW - 30 * DAY },
        { from: "gold", to: "retired-tier", at: NOW - 20 * DAY },
      ],
    },
    ...overrides,
  };
}

describe("the page's view", () => {
  it("a member: progress to the next threshold, expiry as the last instant held, open offers soonest first", () => {
    const view = loyaltyPageView(input());
    if (view.kind !== "page" || !view.member) throw new Error("expected a member's page");
    const m = view.member;
    expect(m.tier?.perks.codes).toEqual(["GOLD-10"]);
    expect(m.progressPercent).toBe(40); // 812.50 of 2000.00
    expect(m.tierHeldUntil).toBe(NOW + 10 * DAY - 1);
    expect(m.expiresSoon).toBe(true);
    expect(m.offers.map((o) => o.code)).toEqual(["SOON", "LATE"]);
    expect(m.history.map((h) => [h.direction, h.from, h.to])).toEqual([
      ["down", "Gold", "retired-tier"],
      ["up", "Member", "Gold"],
      ["joined", null, "Member"],
    ]);
    // The programme table never carries a tier's codes; it says which tiers give codes
    expect(view.program.tiers.map((t) => [t.key, t.perks.codes, t.byCode])).toEqual([
      ["member", [], false],
      ["silver", [], false],
      ["gold", [], true],
      ["platinum", [], false],
    ]);
  });

  it("promises no discount when tier discounts are off in the settings (nothing exists in Shopify)", () => {
    const view = loyaltyPageView(input({ settings: { ...DEFAULT_SYNC_SETTINGS, codes: false } }));
    if (view.kind !== "page") throw new Error("expected a page");
    expect(view.member?.tier?.perks).toMatchObject({ discount_percent: null, codes: [] });
    expect(renderLoyaltyPage(view)).not.toContain("GOLD-10");
  });

  it("a guest gets the programme only; the top tier has no progress; a far expiry is not 'soon'", () => {
    const guest = loyaltyPageView(input({ customer: null }));
    expect(guest.kind === "page" && guest.member).toBeNull();
    const top = loyaltyPageView(
      input({
        customer: {
          ...input().customer!,
          state: { ...input().customer!.state!, tier: "platinum", nextTier: null, tierExpiresAt: NOW + 200 * DAY },
        },
      }),
    );
    if (top.kind !== "page" || !top.member) throw new Error("expected a member's page");
    expect(top.member).toMatchObject({
      progressPercent: null,
      nextTier: null,
      expiresSoon: false,
      windowChangesAt: null,
    });
  });

  it("tier moves read against the programme's order", () => {
    const order = ["member", "silver", "gold"];
    expect(tierMoveDirection(order, null, "silver")).toBe("joined");
    expect(tierMoveDirection(order, "gold", null)).toBe("left");
    expect(tierMoveDirection(order, "member", "gold")).toBe("up");
    expect(tierMoveDirection(order, "gold", "silver")).toBe("down");
  });
});

describe("the page's strings", () => {
  it("every key the renderer asks for exists in English and Thai (the keys built from a kind, for every kind)", () => {
    const source = readFileSync("app/storefront/loyalty-page.ts", "utf8");
    const literal = [...source.matchAll(/say\(t, "([\w.]+)"/g)].map((m) => m[1]);
    const built = [...source.matchAll(/say\(t, `([\w.]+)\.\$\{[^}]+\}`/g)].map((m) => m[1]);
    expect(literal.length).toBeGreaterThan(20);
    expect(built.sort()).toEqual(["column.threshold", "move", "rule", "spend"]);
    const kinds: Record<string, string[]> = {
      "column.threshold": ["rolling", "calendar_year", "lifetime"],
      spend: ["rolling", "calendar_year", "lifetime"],
      rule: ["rolling", "calendar_year", "lifetime"],
      move: ["joined", "up", "down", "left"],
    };
    const keys = [...literal, ...built.flatMap((prefix) => kinds[prefix].map((k) => `${prefix}.${k}`))];
    for (const locale of ["en", "th"] as const) {
      const strings = resources[locale].translation.loyalty as Record<string, unknown>;
      const has = (key: string) => {
        let node: unknown = strings;
        for (const part of key.split(".")) node = (node as Record<string, unknown> | undefined)?.[part];
        // a plural key exists as key_other
        return typeof node === "string" || typeof strings[`${key}_other`] === "string";
      };
      expect(
        keys.filter((k) => !has(k)),
        locale,
      ).toEqual([]);
    }
  });
});
