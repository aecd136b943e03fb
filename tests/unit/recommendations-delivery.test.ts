// Where recommendations go (docs/recommendations.md), the pure parts: which recommended products may
// be shown, the `recommendations` metafield's value and its place in the sync's digest, the storefront block's
// "Picked for you" (rendered with the storefront's Liquid, product objects as Shopify gives a list.product_reference),
// and the loyalty page's section.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loyaltyPageView, PICKS_SHOWN } from "../../app/domain/loyalty-page";
import {
  flowRecommendationFields,
  FLOW_RECOMMENDATIONS_MAX,
  showableRecommendations,
  type CatalogueProduct,
} from "../../app/domain/recommendation-delivery";
import {
  DEFAULT_SYNC_SETTINGS,
  joinStorefrontDigest,
  RECOMMENDATIONS_WRITTEN_MAX,
  recommendationsMetafield,
  splitRecommendationsDigest,
  splitStorefrontDigest,
  withRecommendationsDigest,
} from "../../app/domain/sync";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import { renderLoyaltyPage } from "../../app/storefront/loyalty-page";
import { storefront } from "../support/storefront";

const P = (n: number) => `gid://shopify/Product/${n}`;
const product = (n: number, overrides: Partial<CatalogueProduct> = {}): CatalogueProduct => ({
  id: P(n),
  title: `Product ${n}`,
  handle: `product-${n}`,
  status: "ACTIVE",
  deletedAt: null,
  ...overrides,
});
const catalogue = (...products: CatalogueProduct[]) => new Map(products.map((p) => [p.id, p]));

describe("showable recommendations", () => {
  it("keeps the order, drops deleted, draft, archived, unknown-status, untitled and unknown products", () => {
    const known = catalogue(
      product(1),
      product(2, { deletedAt: Date.parse("2026-01-01T00:00:00Z") }),
      product(3, { status: "DRAFT" }),
      product(4, { status: "ARCHIVED" }),
      product(5, { status: null }),
      product(6, { title: "  " }),
      product(7),
      product(8, { handle: null }),
    );
    const shown = showableRecommendations([P(7), P(2), P(3), P(4), P(5), P(6), P(9), P(1), P(8)], known, 10);
    expect(shown).toEqual([
      { id: P(7), title: "Product 7", handle: "product-7" },
      { id: P(1), title: "Product 1", handle: "product-1" },
      { id: P(8), title: "Product 8", handle: null },
    ]);
  });

  it("stops at the maximum, counts only shown products, and shows a product once", () => {
    const known = catalogue(product(1), product(2, { status: "DRAFT" }), product(3), product(4));
    expect(showableRecommendations([P(1), P(1), P(2), P(3), P(4)], known, 2).map((p) => p.id)).toEqual([P(1), P(3)]);
    expect(showableRecommendations([P(1)], known, 0)).toEqual([]);
  });
});

describe("the recommendations metafield", () => {
  it("is a JSON array of product gids, best first, at most the maximum, or nothing", () => {
    expect(recommendationsMetafield([])).toBeNull();
    expect(recommendationsMetafield([P(2), P(1), P(2)])).toBe(JSON.stringify([P(2), P(1)]));
    const many = Array.from({ length: 20 }, (_, i) => P(i + 1));
    expect(JSON.parse(recommendationsMetafield(many)!)).toEqual(many.slice(0, RECOMMENDATIONS_WRITTEN_MAX));
  });

  it("leaves the digest of a customer without recommendations as it was, and splits back into its parts", () => {
    const before = joinStorefrontDigest({ tier: 'gold\n{"tier":"gold"}', points: '{"available":10}' });
    expect(withRecommendationsDigest(before, null)).toBe(before);
    const recs = recommendationsMetafield([P(1), P(2)]);
    const after = withRecommendationsDigest(before, recs);
    expect(after).not.toBe(before);
    expect(splitRecommendationsDigest(after)).toEqual({ rest: before, recommendations: recs });
    // The tier and points parts (what the points announcement reads) are not polluted by the recommendations.
    expect(splitStorefrontDigest(after)).toEqual(splitStorefrontDigest(before));
    expect(splitStorefrontDigest(withRecommendationsDigest(null, recs))).toEqual({ tier: null, points: null });
  });

  it("round-trips any tier, points and recommendations parts", () => {
    const json = fc.json().map((j) => JSON.stringify(JSON.parse(j)));
    const gids = fc.array(fc.nat({ max: 1e9 }).map(P), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(
        fc.option(fc.tuple(fc.stringMatching(/^[a-z0-9_-]{1,20}$/), json).map(([k, s]) => `${k}\n${s}`)),
        fc.option(json),
        fc.option(gids.map((g) => recommendationsMetafield(g)!)),
        (tier, points, recs) => {
          const digest = withRecommendationsDigest(joinStorefrontDigest({ tier, points }), recs);
          expect(splitRecommendationsDigest(digest).recommendations).toBe(recs);
          expect(splitStorefrontDigest(digest)).toEqual({ tier, points });
        },
      ),
    );
  });
});

// ---- The storefront block --------------------------------------------------------------------------------------

const BLOCK = readFileSync("extensions/loyalty-theme/blocks/loyalty-status.liquid", "utf8");
const settings = {
  heading: "",
  accent_color: "#1f5199",
  show_spend: true,
  show_progress: true,
  show_expiry: true,
  show_points: true,
  show_recommendations: true,
  recommendations_shown: 4,
  perks: "",
};
/** A product object as Shopify's Liquid gives it for a product reference: title, url, handle, featured image. */
const drop = (n: number, title = `Product ${n}`, image = true) => ({
  id: n,
  title,
  handle: `product-${n}`,
  url: `/products/product-${n}`,
  featured_image: image ? { src: `//cdn.example/files/p${n}.jpg?v=1`, alt: title, width: 800, height: 800 } : null,
});
const render = (locale: "en" | "th", picks: unknown[] | null, overrides: Partial<typeof settings> = {}) =>
  storefront(locale, "${{amount}}").parseAndRender(BLOCK, {
    customer: { id: 1, metafields: { app: { recommendations: picks ? { value: picks } : null } } },
    block: { id: "b1", settings: { ...settings, ...overrides } },
    routes: { account_login_url: "/account/login", root_url: "/" },
  });

describe("storefront block: Picked for you", () => {
  it("lists the products with their link, title and image at the size asked, escaped", async () => {
    const html = await render("en", [drop(1, "Tea <b>&</b> {{ shop.secret }}"), drop(2, "Cups", false)]);
    expect(html).toContain("Picked for you");
    expect(html).toContain('<a href="/products/product-1">');
    expect(html).toContain('src="//cdn.example/files/p1.jpg?v=1&width=160"');
    expect(html).toContain("Tea &lt;b&gt;&amp;&lt;/b&gt; {{ shop.secret }}");
    expect(html).toContain('<a href="/products/product-2"><span>Cups</span></a>');
    expect(html.match(/<img /g)?.length).toBe(1);
  });

  it("shows at most the block's setting, nothing when turned off, none for an empty list, in Thai too", async () => {
    const four = [1, 2, 3, 4].map((n) => drop(n));
    expect((await render("en", four, { recommendations_shown: 2 })).match(/loyalty-status__product"/g)?.length).toBe(2);
    expect(await render("en", four, { show_recommendations: false })).not.toContain("loyalty-status__picks");
    expect(await render("en", [])).not.toContain("loyalty-status__picks");
    expect(await render("en", null)).not.toContain("loyalty-status__picks");
    expect(await render("th", four)).toContain("คัดมาเพื่อคุณ");
  });

  it("is never shown to a guest", async () => {
    const html = await storefront("en", "${{amount}}").parseAndRender(BLOCK, {
      customer: null,
      block: { id: "b1", settings },
      routes: { account_login_url: "/account/login", root_url: "/" },
    });
    expect(html).not.toContain("loyalty-status__picks");
  });
});

// ---- The loyalty page ----------------------------------------------------------------------------------------

describe("loyalty page: Picked for you", () => {
  const view = (picks: { id: string; title: string; handle: string | null }[], locale = "en") =>
    loyaltyPageView({
      locale,
      currency: "USD",
      timeZone: "UTC",
      program: defaultTierProgram("USD"),
      settings: DEFAULT_SYNC_SETTINGS,
      now: Date.parse("2026-12-01T00:00:00Z"),
      customer: { firstName: "Ada", state: null, offers: [], usedCodes: [], moves: [], picks },
    });

  it("links each product on the storefront (the shop's root), escaped, at most PICKS_SHOWN", () => {
    const picks = Array.from({ length: PICKS_SHOWN + 2 }, (_, i) => ({
      id: P(i + 1),
      title: i === 0 ? "Tea <b>{{ x }}</b>" : `Product ${i + 1}`,
      handle: i === 1 ? null : `product-${i + 1}`,
    }));
    const page = view(picks);
    expect(page.kind === "page" && page.member?.picks.length).toBe(PICKS_SHOWN);
    const liquid = renderLoyaltyPage(page);
    expect(liquid).toContain('<h2 id="lp-picks">Picked for you</h2>');
    expect(liquid).toContain(
      `<a href="{{ routes.root_url | append: '/products/product-1' | replace: '//', '/' }}">Tea &lt;b&gt;&#123;&#123; x &#125;&#125;&lt;/b&gt;</a>`,
    );
    // No handle: the title without a link
    expect(liquid).toContain("<li>Product 2</li>");
    expect(liquid).not.toContain(`Product ${PICKS_SHOWN + 1}`);
  });

  it("has no section without picks, and speaks Thai", () => {
    expect(renderLoyaltyPage(view([]))).not.toContain("lp-picks");
    expect(renderLoyaltyPage(view([{ id: P(1), title: "ชา", handle: "tea" }], "th"))).toContain("คัดมาเพื่อคุณ");
  });
});

// ---- The campaign Flow trigger ---------------------------------------------------------------------------------

describe("Campaign offer issued: recommendation fields", () => {
  it("carries the titles and the handles in the same order, single-line, at most the maximum", () => {
    const products = [
      { id: P(1), title: "Green\ntea", handle: "green-tea" },
      { id: P(2), title: "No page", handle: null },
      ...Array.from({ length: 6 }, (_, i) => ({ id: P(i + 3), title: `Cup ${i + 3}`, handle: `cup-${i + 3}` })),
    ];
    const fields = flowRecommendationFields(products);
    expect(fields["recommended products"]).toBe("Green tea · Cup 3 · Cup 4 · Cup 5");
    expect(fields["recommended product handles"]).toBe("green-tea,cup-3,cup-4,cup-5");
    expect(fields["recommended product handles"].split(",")).toHaveLength(FLOW_RECOMMENDATIONS_MAX);
  });

  it("is two empty texts for a customer without recommendations", () => {
    expect(flowRecommendationFields([])).toEqual({ "recommended products": "", "recommended product handles": "" });
  });
});
