/// <reference types="@shopify/ui-extensions/customer-account.page.render" />
// The loyalty page rendered by @shopify/ui-extensions-tester: the Customer Account API answers with the status and
// offers metafields as the app writes them, translate reads the real locale files, money and dates go through Intl.
import { getExtension } from "@shopify/ui-extensions-tester";
import { waitFor } from "@testing-library/preact";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { intlFormatters, translator, type TestLocale } from "../../test-support/i18n";
import { CUSTOMER_ACCOUNT_API, STOREFRONT_QUERY } from "../src/data";

const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const extension = getExtension("customer-account.page.render");

const gold = {
  discount_percent: 10,
  free_shipping: true,
  free_shipping_max_price: null,
  minimum_purchase: null,
  automatic: false,
  codes: ["GOLD-10", "GOLD-SHIP"],
  text: "Early access",
  summary: "10% off every order · Free shipping · Early access",
};
const platinum = {
  discount_percent: 15,
  free_shipping: true,
  free_shipping_max_price: "20.00",
  minimum_purchase: "50.00",
  automatic: true,
  codes: [],
  text: null,
  summary: "15% off every order · Free shipping on rates up to $20.00 (on orders from $50.00)",
};
const MEMBER = {
  tier: "gold",
  tier_name: "Gold",
  spend_in_window: "812.50",
  next_tier: "platinum",
  next_tier_name: "Platinum",
  amount_to_next: "187.50",
  expires_at: "2027-03-01T00:00:00.000Z",
  currency: "USD",
  perks: gold,
  next_perks: platinum,
};
const TOP = {
  ...MEMBER,
  tier: "platinum",
  tier_name: "Platinum",
  spend_in_window: "2400.00",
  next_tier: null,
  next_tier_name: null,
  amount_to_next: null,
  perks: platinum,
  next_perks: null,
};
const offer = (code: string, give: string, expires: string, minimum: string | null = null) => ({
  campaign: "Win-back",
  code,
  offer: give,
  minimum_subtotal: minimum,
  expires_at: expires,
  currency: "USD",
});

/** The Customer Account API's answer with these metafield values (a string is sent as is, e.g. malformed JSON). */
function customerAccountApi(status: unknown, offers: unknown = null, points: unknown = null) {
  const metafield = (value: unknown) =>
    value === null ? null : { value: typeof value === "string" ? value : JSON.stringify(value) };
  return vi.fn().mockImplementation(
    async () =>
      new Response(
        JSON.stringify({
          data: { customer: { status: metafield(status), offers: metafield(offers), points: metafield(points) } },
        }),
      ),
  );
}

/** The `$app.points` metafield as the app's sync writes it (app/domain/sync.ts PointsStatusJson). */
const POINTS = {
  available: 1240,
  pending: 150,
  next_available: { points: 100, at: "2099-01-16T05:00:00.000Z" },
  expiring: { points: 1240, at: "2099-01-25T05:00:00.000Z" },
};

function useLocale(locale: TestLocale) {
  extension.shopify.i18n.translate = translator(EXTENSION_DIR, locale) as typeof extension.shopify.i18n.translate;
  Object.assign(extension.shopify.i18n, intlFormatters(locale));
}

const texts = (selector: string) => [...document.body.querySelectorAll(selector)].map((e) => e.textContent);
/** An element's attribute, or its property when Preact set the value as one (the s-* elements' typed props). */
function attr(element: unknown, name: string): unknown {
  const e = element as (Element & Record<string, unknown>) | null;
  return e?.getAttribute(name) ?? e?.[name];
}

/** Renders the page and waits until it has left its loading state. */
async function renderPage() {
  await extension.render();
  await waitFor(() => expect(document.body.querySelector("s-spinner")).toBeNull());
}

beforeEach(() => {
  extension.setUp();
  useLocale("en");
  extension.shopify.query = vi.fn().mockResolvedValue({
    data: { shop: { primaryDomain: { url: "https://shop.example.com" } } },
  }) as typeof extension.shopify.query;
});
afterEach(() => extension.tearDown());

describe("loyalty page", () => {
  test("a member mid-way: tier, spend, progress to the next tier in the currency, expiry, perks and codes", async () => {
    extension.fetch = customerAccountApi(MEMBER);
    await renderPage();

    const [url, init] = vi.mocked(extension.fetch).mock.calls[0];
    expect(url).toBe(CUSTOMER_ACCOUNT_API);
    expect(url).toBe("shopify://customer-account/api/2026-07/graphql.json");
    const { query } = JSON.parse(String(init!.body));
    expect(query).toContain('status: metafield(namespace: "$app", key: "status") { value }');
    expect(query).toContain('offers: metafield(namespace: "$app", key: "offers") { value }');
    expect(query).toContain('points: metafield(namespace: "$app", key: "points") { value }');

    expect(attr(document.body.querySelector("s-page"), "heading")).toBe("Loyalty rewards");
    expect(texts("s-section").length).toBeGreaterThan(0);
    expect(attr(document.body.querySelector("s-section"), "heading")).toBe("Gold member");
    const paragraphs = texts("s-paragraph");
    expect(paragraphs).toContain("You've spent $812.50 in the current period.");
    expect(paragraphs).toContain("$187.50 to Platinum");
    expect(paragraphs).toContain("Your Gold tier lasts until March 1, 2027 unless you order again.");
    const progress = document.body.querySelector("s-progress")!;
    expect(Number(attr(progress, "value"))).toBe(812.5);
    expect(Number(attr(progress, "max"))).toBe(1000);
    expect(attr(progress, "accessibilityLabel") ?? attr(progress, "accessibilitylabel")).toBe("Progress to Platinum");

    // The perks in the customer's language, as the app's summary has them; the codes to enter
    expect(paragraphs).toContain("10% off every order · Free shipping · Early access");
    expect(texts("s-text")).toContain("Enter at checkout:");
    expect(texts("s-badge")).toEqual(["GOLD-10", "GOLD-SHIP"]);
    expect(paragraphs).toContain(
      "At Platinum: 15% off every order · Free shipping on rates up to $20.00 (on orders from $50.00)",
    );
    expect(paragraphs).not.toContain("Applied automatically at checkout.");

    // No offers yet; the programme's storefront page through the shop's primary domain
    expect(paragraphs).toContain("No offers right now.");
    expect(extension.shopify.query).toHaveBeenCalledWith(STOREFRONT_QUERY);
    const link = document.body.querySelector("s-link")!;
    expect(attr(link, "href")).toBe("https://shop.example.com/apps/loyalty");
    expect(link.textContent).toBe("How the loyalty programme works");
  });

  test("the top tier: no next tier, no progress; perks applied automatically", async () => {
    extension.fetch = customerAccountApi(TOP);
    await renderPage();
    expect(attr(document.body.querySelector("s-section"), "heading")).toBe("Platinum member");
    const paragraphs = texts("s-paragraph");
    expect(paragraphs).toContain("You're in our top tier. Thank you for shopping with us!");
    expect(paragraphs.filter((p) => /^\$[\d.,]+ to /.test(p ?? ""))).toEqual([]);
    expect(document.body.querySelector("s-progress")).toBeNull();
    expect(paragraphs).toContain("15% off every order · Free shipping on rates up to $20.00 (on orders from $50.00)");
    expect(paragraphs).toContain("Applied automatically at checkout.");
    expect(texts("s-badge")).toEqual([]);
    expect(paragraphs.some((p) => p?.startsWith("At "))).toBe(false);
  });

  test("two open offers, soonest first, with what each gives, its minimum and expiry; an expired one is left out", async () => {
    extension.fetch = customerAccountApi(MEMBER, {
      offers: [
        offer("WB-7QK2", "10.00 USD", "2099-06-30T12:00:00.000Z", "50.00"),
        offer("OLD-1", "20%", "2001-01-01T00:00:00.000Z"),
        offer("VIP-X9", "15%", "2099-05-01T00:00:00.000Z"),
      ],
    });
    await renderPage();
    const offers = [...document.body.querySelectorAll("s-section")].find((s) => attr(s, "heading") === "Your offers")!;
    const badges = [...offers.querySelectorAll("s-badge")].map((b) => b.textContent);
    expect(badges).toEqual(["VIP-X9", "WB-7QK2"]);
    const lines = [...offers.querySelectorAll("s-text")].map((e) => e.textContent);
    expect(lines).toEqual([
      "15% off",
      "Expires May 1, 2099",
      "$10.00 off",
      "On orders from $50.00",
      "Expires June 30, 2099",
    ]);
  });

  test("a customer without a status: the empty state, no tier, no offers section", async () => {
    extension.fetch = customerAccountApi(null, null);
    await renderPage();
    const sections = [...document.body.querySelectorAll("s-section")].map((s) => attr(s, "heading"));
    expect(sections).toContain("Join our loyalty programme");
    expect(sections).not.toContain("Your offers");
    expect(texts("s-paragraph")).toContain("Place an order to join. Your tier, perks and offers will appear here.");
    expect(document.body.querySelector("s-progress")).toBeNull();
    // The programme page is still linked
    expect(attr(document.body.querySelector("s-link"), "href")).toBe("https://shop.example.com/apps/loyalty");
  });

  test("a guest's open offer is still shown under the empty state", async () => {
    extension.fetch = customerAccountApi(null, { offers: [offer("WB-1", "15%", "2099-01-01T00:00:00.000Z")] });
    await renderPage();
    expect(texts("s-paragraph")).toContain("Place an order to join. Your tier, perks and offers will appear here.");
    expect(texts("s-badge")).toEqual(["WB-1"]);
  });

  test("malformed metafield JSON shows the empty state, not an error", async () => {
    extension.fetch = customerAccountApi("{not json", '{"offers": 3');
    await renderPage();
    expect(texts("s-paragraph")).toContain("Place an order to join. Your tier, perks and offers will appear here.");
    expect(document.body.querySelector("s-banner")).toBeNull();

    extension.tearDown();
    extension.setUp();
    useLocale("en");
    extension.fetch = customerAccountApi({ tier_name: "Gold", spend_in_window: "abc" }, { offers: [{ code: 5 }] });
    await renderPage();
    expect(texts("s-paragraph")).toContain("Place an order to join. Your tier, perks and offers will appear here.");
  });

  test("an older status without perks: tier and progress, no perks section", async () => {
    const { perks: _p, next_perks: _n, ...older } = MEMBER;
    extension.fetch = customerAccountApi(older);
    await renderPage();
    const sections = [...document.body.querySelectorAll("s-section")].map((s) => attr(s, "heading"));
    expect(sections).toContain("Gold member");
    expect(sections).not.toContain("Your perks");
    expect(texts("s-paragraph")).toContain("$187.50 to Platinum");
  });

  test("when the Customer Account API fails, the page says so", async () => {
    extension.fetch = vi.fn().mockResolvedValue(new Response("", { status: 502 }));
    await renderPage();
    expect(document.body.querySelector("s-banner")?.textContent).toBe(
      "We couldn't load your rewards right now. Please try again later.",
    );
  });

  test("without the shop's address (no Storefront API answer) there is no programme link", async () => {
    extension.shopify.query = vi.fn().mockRejectedValue(new Error("no api access")) as typeof extension.shopify.query;
    extension.fetch = customerAccountApi(MEMBER);
    await renderPage();
    expect(document.body.querySelector("s-link")).toBeNull();
  });

  test("in Thai: the th locale file's strings, Thai money and dates", async () => {
    useLocale("th");
    extension.fetch = customerAccountApi(MEMBER, { offers: [offer("VIP-X9", "15%", "2099-05-01T00:00:00.000Z")] });
    await renderPage();
    const thb = intlFormatters("th");
    expect(attr(document.body.querySelector("s-page"), "heading")).toBe("สิทธิพิเศษสมาชิก");
    expect(attr(document.body.querySelector("s-section"), "heading")).toBe("สมาชิกระดับ Gold");
    const paragraphs = texts("s-paragraph");
    expect(paragraphs).toContain(`อีก ${thb.formatCurrency(187.5, { currency: "USD" })} ถึงระดับ Platinum`);
    expect(paragraphs).toContain("ลด 10% ทุกคำสั่งซื้อ · จัดส่งฟรี · Early access");
    const expiry = thb.formatDate(new Date("2027-03-01T00:00:00.000Z"), {
      year: "numeric",
      month: "long",
      day: "numeric",
    });
    expect(expiry).toMatch(/มีนาคม/);
    expect(paragraphs).toContain(`ระดับ Gold ของคุณมีผลถึง ${expiry} หากไม่มีคำสั่งซื้อเพิ่ม`);
    expect(texts("s-text")).toContain("ลด 15%");
    expect(document.body.querySelector("s-link")?.textContent).toBe("ดูรายละเอียดโปรแกรมสมาชิก");
  });

  test("points: available, pending with when the next become available, expiring soon, the next reward", async () => {
    extension.fetch = customerAccountApi(MEMBER, null, {
      ...POINTS,
      next_reward: { title: "$25 gift card", points_price: 2500 },
    });
    await renderPage();
    const section = [...document.body.querySelectorAll("s-section")].find((s) => attr(s, "heading") === "Your points")!;
    expect([...section.querySelectorAll("s-text")].map((e) => e.textContent)).toEqual(["1,240 points available"]);
    const lines = [...section.querySelectorAll("s-paragraph")].map((e) => e.textContent);
    expect(lines).toEqual([
      "150 points pending: the next 100 become available on January 16, 2099.",
      "1,260 more points to $25 gift card.",
      "Spend your points on the programme's page in our online store.",
    ]);
    expect(section.querySelector("s-banner")?.textContent).toBe(
      "1,240 points expire on January 25, 2099. Use them before then.",
    );
    expect(attr(section.querySelector("s-banner"), "tone")).toBe("warning");
  });

  test("points without a tier: the points section instead of the empty state; nothing pending or expiring", async () => {
    extension.fetch = customerAccountApi(null, null, {
      available: 80,
      pending: 0,
      next_available: null,
      expiring: null,
    });
    await renderPage();
    const sections = [...document.body.querySelectorAll("s-section")].map((s) => attr(s, "heading"));
    expect(sections).toContain("Your points");
    expect(sections).not.toContain("Join our loyalty programme");
    expect(texts("s-text")).toContain("80 points available");
    expect(texts("s-paragraph").some((p) => p?.includes("pending"))).toBe(false);
    expect(document.body.querySelector("s-banner")).toBeNull();
  });

  test("a points value that is not points (malformed, negative, fractional) shows no points section", async () => {
    for (const bad of ["{nope", { available: -5, pending: 0 }, { available: 1.5, pending: 0 }, { pending: 3 }]) {
      extension.tearDown();
      extension.setUp();
      extension.shopify.i18n.translate = translator(EXTENSION_DIR, "en") as typeof extension.shopify.i18n.translate;
      Object.assign(extension.shopify.i18n, intlFormatters("en"));
      extension.fetch = customerAccountApi(MEMBER, null, bad);
      await renderPage();
      const sections = [...document.body.querySelectorAll("s-section")].map((s) => attr(s, "heading"));
      expect(sections, JSON.stringify(bad)).not.toContain("Your points");
      expect(sections).toContain("Gold member");
    }
  });

  test("points in Thai", async () => {
    useLocale("th");
    extension.fetch = customerAccountApi(MEMBER, null, POINTS);
    await renderPage();
    const section = [...document.body.querySelectorAll("s-section")].find((s) => attr(s, "heading") === "คะแนนของคุณ")!;
    expect(section.querySelector("s-text")?.textContent).toBe("คะแนนที่ใช้ได้ 1,240 คะแนน");
    expect(section.querySelector("s-banner")?.textContent).toMatch(/^1,240 คะแนนจะหมดอายุในวันที่ 25 มกราคม 2642/);
  });
});
