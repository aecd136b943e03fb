// Benchmark (#23 item 6): what the theme block and the loyalty page cost a storefront page, as Lighthouse scores it.
//
//   npm run bench:storefront [-- --reps 7 --preset mobile|desktop --image 600 --protocol h2|http1 --screenshots]
//   (or: npx tsx bench/storefront-weight.ts …)
//
// A local server (loopback; HTTP/2 over TLS with a self-signed certificate as Shopify's CDN serves HTTP/2, or
// --protocol http1; gzip for text) gives a Dawn-like storefront: a theme stylesheet and a deferred theme script
// (bench/storefront/theme.css, theme.js), a product page with its photo (--image px square, ~110 kB at 600) and
// thumbnails, and:
// - "product"        the product page without the block (the baseline);
// - "product+block"  the same page with the theme block in the product information column: the block's real Liquid
//                    (extensions/loyalty-theme/blocks/loyalty-status.liquid) rendered with the storefront's Liquid
//                    engine (as the tests render it) for a signed-in member with a tier, points and four picks (their
//                    product images, lazy-loaded, are the merchant's photos the block shows), and the block's
//                    stylesheet as shipped (assets/loyalty-status.css) linked in the head as Shopify links an app
//                    block's stylesheet — render-blocking, the worst case;
// - "page"           a plain theme page (text in the same layout): the baseline for
// - "loyalty"        the loyalty page (/apps/loyalty): the app's real Liquid (app/storefront/loyalty-page.ts, a
//                    member with every section) rendered with the storefront's Liquid engine inside the same layout,
//                    as Shopify renders an app proxy's Liquid in the theme.
// Lighthouse 12 (performance category only; its default mobile preset with simulated throttling, or --preset
// desktop) drives the project's Chromium (scripts/chromium.mjs: nothing is downloaded) through chrome-launcher, one
// browser for the run, storage reset by Lighthouse before each load. The pages run alternately, --reps times each,
// in a rotating order; the medians are printed with each page's difference to its baseline. Total bytes are transfer
// sizes; JS and CSS bytes are decoded sizes of the requests Lighthouse saw, by resource type. Before any run, the
// block's and the page's markup go through the test's detectors (tests/support/page-weight.ts): any JavaScript stops
// the bench. Goal: "product+block" within 1 point of "product".
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createSecureServer } from "node:http2";
import os from "node:os";
import { parseArgs } from "node:util";
import { crc32, deflateSync, gzipSync } from "node:zlib";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { chromium } from "playwright-core";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { loyaltyPageView, type LoyaltyPageInput } from "../app/domain/loyalty-page";
import { shopperPointsView } from "../app/domain/shopper-points";
import { DEFAULT_SYNC_SETTINGS, pointsMetafield, tierMetafields } from "../app/domain/sync";
import { defaultTierProgram } from "../app/domain/tier-rules";
import { renderLoyaltyPage } from "../app/storefront/loyalty-page";
import { CHROMIUM_ARGS, ensureChromium } from "../scripts/chromium.mjs";
import { createStorefrontLiquid } from "../simulator/storefront/liquid";
import { cssWeight, inlineCss, scriptFindings } from "../tests/support/page-weight";

const { values: args } = parseArgs({
  options: {
    reps: { type: "string", default: "5" },
    preset: { type: "string", default: "mobile" },
    protocol: { type: "string", default: "h2" },
    image: { type: "string", default: "600" },
    screenshots: { type: "boolean", default: false },
  },
});
const REPS = Math.max(1, Number(args.reps));
if (!["mobile", "desktop"].includes(args.preset!)) throw new Error("--preset is mobile or desktop");
if (!["h2", "http1"].includes(args.protocol!)) throw new Error("--protocol is h2 or http1");

const EXTENSION = "extensions/loyalty-theme";
const DAY = 86_400_000;
const NOW = Date.parse("2026-12-01T12:00:00Z");
const THEME_CSS = readFileSync("bench/storefront/theme.css", "utf8");
const THEME_JS = readFileSync("bench/storefront/theme.js", "utf8");
const BLOCK_LIQUID = readFileSync(`${EXTENSION}/blocks/loyalty-status.liquid`, "utf8");
const BLOCK_CSS = readFileSync(`${EXTENSION}/assets/loyalty-status.css`, "utf8");
const LOCALES = JSON.parse(readFileSync(`${EXTENSION}/locales/en.default.json`, "utf8"));

// ---------------------------------------------------------------------------------------------------------------
// Images: PNGs made here, an RGB gradient with a grain in small squares, stored with PNG's "Sub" filter, so they weigh
// about what a product photograph of their size weighs as Shopify's CDN serves it (600 px ~110 kB, 160 px ~7 kB).

function png(width: number, height: number, seed: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  const square = width >= 400 ? 2 : 3; // grain squares of 4 or 8 px
  const line = new Uint8Array(width * 3);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 1; // filter "Sub": each byte minus the same channel of the pixel to its left
    for (let x = 0; x < width; x++) {
      let state = (((x >> square) * 73_856_093) ^ ((y >> square) * 19_349_663) ^ seed) >>> 0;
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      const grain = (state >> 16) & 15;
      line[x * 3] = 90 + (x * 120) / width + grain;
      line[x * 3 + 1] = 140 + (y * 80) / height + grain;
      line[x * 3 + 2] = 60 + ((x + y) * 60) / (width + height) + grain;
    }
    for (let i = 0; i < line.length; i++) raw[row + 1 + i] = (line[i] - (i >= 3 ? line[i - 3] : 0)) & 255;
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// --image: the product photo's width in pixels (a heavier page, off the score's ceiling, with --image 1200).
const IMAGE_SIZE = Number(args.image);
if (!Number.isInteger(IMAGE_SIZE) || IMAGE_SIZE < 100 || IMAGE_SIZE > 3000) throw new Error("--image is 100–3000");
const IMAGES = new Map<string, Buffer>([["/files/tea.png", png(IMAGE_SIZE, IMAGE_SIZE, 1)]]);
for (let n = 1; n <= 4; n++) IMAGES.set(`/files/thumb-${n}.png`, png(150, 150, 10 + n));
for (let n = 1; n <= 4; n++) IMAGES.set(`/files/pick-${n}.png`, png(160, 160, 20 + n));

// ---------------------------------------------------------------------------------------------------------------
// The theme's layout and templates.

const ICON = (d: string) =>
  `<svg class="icon" aria-hidden="true" focusable="false" viewBox="0 0 20 20"><path d="${d}" stroke-width="1.5"/></svg>`;

function layout(title: string, main: string, { blockCss = false } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} – Leaf &amp; Cup</title>
<meta name="description" content="Loose-leaf teas and teaware from Leaf &amp; Cup.">
<link rel="stylesheet" href="/assets/base.css">
${blockCss ? '<link rel="stylesheet" href="/extensions/loyalty-theme/assets/loyalty-status.css" type="text/css" media="all">\n' : ""}<script src="/assets/theme.js" defer></script>
</head>
<body>
<a class="skip-to-content-link visually-hidden" href="#MainContent">Skip to content</a>
<div class="announcement-bar" role="region" aria-label="Announcement">Free shipping on orders over $50</div>
<div class="header-wrapper"><header class="header page-width">
  <h1 class="header__heading"><a href="/" class="header__heading-link">Leaf &amp; Cup</a></h1>
  <nav class="header__inline-menu"><ul class="list-menu" role="list">
    <li><a class="list-menu__item" href="/collections/tea">Tea</a></li>
    <li><a class="list-menu__item" href="/collections/teaware">Teaware</a></li>
    <li><a class="list-menu__item" href="/pages/about">About</a></li>
    <li><a class="list-menu__item" href="/apps/loyalty">Rewards</a></li>
  </ul></nav>
  <div class="header__icons">
    <a href="/search" class="header__icon">${ICON("M8 14A6 6 0 1 0 8 2a6 6 0 0 0 0 12zm4-2 5 5")}<span class="visually-hidden">Search</span></a>
    <a href="/account" class="header__icon">${ICON("M10 10a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8c0-4 3-6 7-6s7 2 7 6")}<span class="visually-hidden">Account</span></a>
    <a href="/cart" class="header__icon">${ICON("M3 5h14l-1.5 9h-11zM7 5a3 3 0 0 1 6 0")}<span class="visually-hidden">Cart</span></a>
  </div>
</header></div>
<main id="MainContent" class="page-width" role="main">
${main}
</main>
<footer class="footer"><div class="page-width">
  <div class="footer__blocks">
    <div><h2 class="h3">Shop</h2><ul class="footer__list"><li><a href="/collections/tea">Tea</a></li><li><a href="/collections/teaware">Teaware</a></li><li><a href="/collections/gifts">Gifts</a></li></ul></div>
    <div><h2 class="h3">Help</h2><ul class="footer__list"><li><a href="/pages/shipping">Shipping</a></li><li><a href="/pages/returns">Returns</a></li><li><a href="/pages/contact">Contact</a></li></ul></div>
    <div><h2 class="h3">Newsletter</h2><form class="newsletter-form" method="post" action="/contact#newsletter"><label class="visually-hidden" for="email">Email</label><input class="field__input" id="email" type="email" name="contact[email]" placeholder="Email"><button class="button" type="submit">Subscribe</button></form></div>
  </div>
  <p class="footer__copyright">© 2026, Leaf &amp; Cup</p>
</div></footer>
</body>
</html>`;
}

const DESCRIPTION = `<p>A spring harvest green tea from Fujian, scented six times over fresh jasmine blossoms at night. The leaves
are rolled by hand into pearls that open slowly in the cup: sweet, floral and clean, with no bitterness when brewed
below boiling.</p><p>Brew 3 g in 200 ml at 80 °C for two minutes; the pearls give four or five infusions.</p>
<details class="product__accordion"><summary>Shipping &amp; returns</summary><p>Ships in two working days. Unopened
tins can be returned within 30 days.</p></details>`;

function productPage(block: string): string {
  const thumbs = [1, 2, 3, 4]
    .map((n) => `<li><img src="/files/thumb-${n}.png" alt="" width="150" height="150" loading="lazy"></li>`)
    .join("");
  return `<section class="product">
  <div><div class="product__media"><img src="/files/tea.png" alt="Jasmine pearls in a glass cup" width="${IMAGE_SIZE}" height="${IMAGE_SIZE}" fetchpriority="high"></div>
  <ul class="product__thumbs">${thumbs}</ul></div>
  <div class="product__info-container">
    <p class="product__text">Leaf &amp; Cup</p>
    <div class="product__title"><h1>Jasmine pearls</h1></div>
    <div class="price"><span data-price>$18.00</span> <span class="badge">Sale</span></div>
    <form method="post" action="/cart/add" class="product-form">
      <variant-radios><fieldset class="product-form__input"><legend class="form__label">Size</legend>
        <input type="radio" id="size-50" name="id" value="1" data-price="$18.00" checked><label for="size-50">50 g</label>
        <input type="radio" id="size-100" name="id" value="2" data-price="$32.00"><label for="size-100">100 g</label>
        <input type="radio" id="size-250" name="id" value="3" data-price="$70.00"><label for="size-250">250 g</label>
      </fieldset></variant-radios>
      <label class="form__label" for="qty">Quantity</label>
      <quantity-input class="quantity"><button class="quantity__button" name="minus" type="button">−</button><input class="quantity__input" id="qty" type="number" name="quantity" value="1" min="1"><button class="quantity__button" name="plus" type="button">+</button></quantity-input>
      <div class="product-form__buttons"><button type="submit" class="button button--full-width">Add to cart</button>
      <button type="button" class="button button--secondary button--full-width">Buy it now</button></div>
    </form>
    ${block}
    <div class="product__description rte">${DESCRIPTION}</div>
  </div>
</section>`;
}

const PLAIN_PAGE = `<h1 class="main-page-title">About Leaf &amp; Cup</h1><div class="rte">${DESCRIPTION.repeat(3)}
<table><caption>Brewing guide</caption><thead><tr><th>Tea</th><th>Water</th><th>Time</th></tr></thead><tbody>
<tr><td>Green</td><td>80 °C</td><td>2 min</td></tr><tr><td>Oolong</td><td>90 °C</td><td>3 min</td></tr>
<tr><td>Black</td><td>95 °C</td><td>4 min</td></tr></tbody></table></div>`;

// ---------------------------------------------------------------------------------------------------------------
// The app's parts, rendered as the storefront renders them.

const program = defaultTierProgram("USD");
program.tiers[2].perks = { ...program.tiers[2].perks, discountPercent: 10, delivery: "code" };
program.tiers[3].perks = { ...program.tiers[3].perks, discountPercent: 15, freeShipping: true };
const liquid = createStorefrontLiquid({
  locale: "en",
  // eslint-disable-next-line no-template-curly-in-string -- Shopify's money format, not a template
  moneyFormat: "${{amount}}",
  translations: LOCALES,
  missingTranslation: "throw",
  timezone: "UTC",
});

async function renderBlock(): Promise<string> {
  const status = tierMetafields(
    {
      customerId: "c",
      segment: "loyal",
      tier: "gold",
      spendInWindowMinor: 81_250,
      nextTier: "platinum",
      amountToNextMinor: 118_750,
      tierExpiresAt: NOW + 200 * DAY,
    },
    program,
    "USD",
  )!.status;
  const points = pointsMetafield({
    available: 1_250,
    pending: 45,
    next_available: { points: 45, at: new Date(NOW + 10 * DAY).toISOString() },
    expiring: { points: 100, at: new Date(NOW + 20 * DAY).toISOString() },
    rewards_affordable: 2,
    next_reward: { title: "$25 gift card", points_price: 2_500, points_needed: 1_250 },
  })!;
  const picks = [1, 2, 3, 4].map((n) => ({
    title: ["Oolong sampler", "Glass teapot", "Bamboo whisk", "Sencha"][n - 1],
    url: `/products/pick-${n}`,
    featured_image: { src: `/files/pick-${n}.png`, alt: "", width: 160, height: 160 },
  }));
  return liquid.parseAndRender(BLOCK_LIQUID, {
    customer: {
      metafields: {
        app: {
          status: { value: JSON.parse(status) },
          points: { value: JSON.parse(points) },
          recommendations: { value: picks },
        },
      },
    },
    block: {
      id: "AbCdEf",
      settings: {
        heading: "",
        accent_color: "#1f5199",
        show_spend: true,
        show_progress: true,
        show_expiry: true,
        show_points: true,
        show_recommendations: true,
        recommendations_shown: 4,
        perks: "",
      },
    },
    routes: { account_login_url: "/account/login", root_url: "/" },
  });
}

async function renderLoyalty(): Promise<string> {
  const offer = (name: string, code: string, days: number) => ({
    campaign: { name, offer: { kind: "percentage" as const, value: 15, minimumSubtotalMinor: 5_000, expiryDays: 30 } },
    code,
    expiresAt: NOW + days * DAY,
  });
  const rewards = [
    { id: "r1", title: "$5 off", kind: "amount_off" as const, pointsPrice: 500, valueMinor: 500, expiryDays: 30 },
    {
      id: "r2",
      title: "Free shipping",
      kind: "free_shipping" as const,
      pointsPrice: 300,
      valueMinor: null,
      expiryDays: 30,
    },
    {
      id: "r3",
      title: "$25 gift card",
      kind: "gift_card" as const,
      pointsPrice: 2_500,
      valueMinor: 2_500,
      expiryDays: null,
    },
  ];
  const entry = (key: string, kind: "order" | "adjustment", points: number, days: number, availableDays = days) => ({
    sourceKey: key,
    kind,
    points,
    ruleVersion: 1,
    effectiveAt: NOW + days * DAY,
    availableAt: NOW + availableDays * DAY,
    orderId: kind === "order" ? `gid://shopify/Order/${key}` : null,
    refundId: null,
    note: null,
  });
  const pointsView = shopperPointsView({
    now: NOW,
    entries: [entry("1", "order", 800, -60), entry("2", "order", 450, -20), entry("3", "order", 45, -2, 10)],
    upcoming: [],
    rewards: rewards.map((reward) => ({
      reward,
      refusal:
        reward.pointsPrice > 1_250
          ? { reason: "not_enough_points" as const, available: 1_250, price: reward.pointsPrice }
          : null,
    })),
    redemptions: [],
    query: new URLSearchParams(),
    birthdayBonus: true,
    birthday: null,
  });
  const input: LoyaltyPageInput = {
    locale: "en",
    currency: "USD",
    timeZone: "America/New_York",
    program,
    settings: DEFAULT_SYNC_SETTINGS,
    now: NOW,
    customer: {
      firstName: "Ada",
      state: {
        tier: "gold",
        spendInWindowMinor: 81_250,
        ordersInWindow: 4,
        nextTier: "platinum",
        amountToNextMinor: 118_750,
        ordersToNext: 0,
        tierExpiresAt: NOW + 200 * DAY,
        windowChangesAt: NOW + 40 * DAY,
      },
      offers: [offer("Win-back autumn", "WB-ADA-1", 10), offer("Thank you", "TY-ADA-2", 20)],
      usedCodes: [],
      moves: [
        { from: null, to: "member", at: NOW - 300 * DAY },
        { from: "member", to: "gold", at: NOW - 100 * DAY },
      ],
      points: {
        ...pointsView,
        tokens: { r1: "t".repeat(43), r2: "u".repeat(43) },
        birthdayToken: "b".repeat(43),
      },
      picks: [1, 2, 3, 4].map((n) => ({ id: `gid://shopify/Product/${n}`, title: `Tea ${n}`, handle: `tea-${n}` })),
    },
  };
  const view = loyaltyPageView(input);
  if (view.kind !== "page") throw new Error("the loyalty page's view is not a page");
  return liquid.parseAndRender(renderLoyaltyPage(view), { shop: { name: "Leaf & Cup" } });
}

// ---------------------------------------------------------------------------------------------------------------
// The server.

/** A self-signed certificate for 127.0.0.1 (openssl, once, in tmp/bench/storefront/); the browser is told to accept it. */
function certificate() {
  const dir = "tmp/bench/storefront";
  const key = `${dir}/key.pem`;
  const cert = `${dir}/cert.pem`;
  if (!existsSync(cert)) {
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650"].concat(
          ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
        ),
        { stdio: "ignore" },
      );
    } catch (error) {
      throw new Error(`HTTP/2 needs a certificate made with openssl (${String(error)}); or run with --protocol http1`);
    }
  }
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

function serve(pages: Record<string, string>) {
  const files: Record<string, { type: string; body: Buffer }> = {
    "/assets/base.css": { type: "text/css", body: Buffer.from(THEME_CSS) },
    "/assets/theme.js": { type: "text/javascript", body: Buffer.from(THEME_JS) },
    "/extensions/loyalty-theme/assets/loyalty-status.css": { type: "text/css", body: Buffer.from(BLOCK_CSS) },
  };
  for (const [path, html] of Object.entries(pages))
    files[path] = { type: "text/html; charset=utf-8", body: Buffer.from(html) };
  for (const [path, body] of IMAGES) files[path] = { type: "image/png", body };
  type Request = { url?: string; headers: Record<string, string | string[] | undefined> };
  type Response = { writeHead(status: number, headers: Record<string, string>): { end(body: unknown): void } };
  const handle = (req: Request, res: Response) => {
    const file = files[new URL(req.url ?? "/", "http://x").pathname];
    if (!file) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    const headers: Record<string, string> = {
      "Content-Type": file.type,
      "Cache-Control": file.type.startsWith("text/html") ? "no-cache" : "public, max-age=31536000",
    };
    let body = file.body;
    if (!file.type.startsWith("image/") && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
      body = gzipSync(body);
      headers["Content-Encoding"] = "gzip";
    }
    headers["Content-Length"] = String(body.length);
    res.writeHead(200, headers).end(body);
  };
  // Shopify serves storefronts over HTTP/2 (one connection, requests multiplexed); Lighthouse's simulation models each
  // HTTP/1.1 request's connection of its own, which would charge the block's stylesheet a handshake no shopper pays.
  const server =
    args.protocol === "h2"
      ? createSecureServer({ ...certificate(), allowHTTP1: true }, handle as never)
      : createServer(handle as never);
  return new Promise<{ url: string; close: () => Promise<void> }>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `${args.protocol === "h2" ? "https" : "http"}://127.0.0.1:${port}`,
        close: () => new Promise((r) => server.close(() => r())),
      });
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Lighthouse.

interface Run {
  score: number;
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  si: number;
  bytes: number;
  jsBytes: number;
  cssBytes: number;
  requests: number;
}

type LighthouseResult = NonNullable<Awaited<ReturnType<typeof lighthouse>>>;

function runOf(lhr: LighthouseResult["lhr"]): Run {
  const audit = (id: string) => {
    const value = lhr.audits[id]?.numericValue;
    if (typeof value !== "number") throw new Error(`Lighthouse gave no ${id}: ${lhr.audits[id]?.errorMessage ?? "?"}`);
    return value;
  };
  const items = ((lhr.audits["network-requests"]?.details as { items?: unknown[] } | undefined)?.items ?? []) as {
    resourceType?: string;
    resourceSize?: number;
  }[];
  // Decoded body bytes (what the browser parses), not transfer sizes (those move with HTTP/2's header compression).
  const bytesOf = (type: string) =>
    items.filter((i) => i.resourceType === type).reduce((sum, i) => sum + (i.resourceSize ?? 0), 0);
  const score = lhr.categories.performance?.score;
  if (typeof score !== "number") throw new Error(`no performance score: ${JSON.stringify(lhr.runtimeError ?? {})}`);
  return {
    score: Math.round(score * 100),
    fcp: audit("first-contentful-paint"),
    lcp: audit("largest-contentful-paint"),
    tbt: audit("total-blocking-time"),
    cls: audit("cumulative-layout-shift"),
    si: audit("speed-index"),
    bytes: audit("total-byte-weight"),
    jsBytes: bytesOf("Script"),
    cssBytes: bytesOf("Stylesheet"),
    requests: items.length,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main() {
  const block = await renderBlock();
  const loyalty = await renderLoyalty();
  // What the app adds, measured as the test measures it (tests/integration/storefront-weight.test.ts).
  for (const [label, markup, sheet] of [
    ["block", block, BLOCK_CSS],
    ["loyalty page", loyalty, ""],
  ] as const) {
    const found = scriptFindings(markup);
    if (found.length > 0) throw new Error(`${label} carries JavaScript: ${found.join("; ")}`);
    const w = cssWeight([sheet, ...inlineCss(markup)]);
    console.log(
      `${label}: 0 bytes of JavaScript; CSS ${w.raw} bytes raw, ${w.gzip} gzipped; markup ${Buffer.byteLength(markup)} bytes`,
    );
  }
  const pages = {
    "/products/jasmine-pearls": layout("Jasmine pearls", productPage("")),
    "/products/jasmine-pearls-with-block": layout("Jasmine pearls", productPage(block), { blockCss: true }),
    "/pages/about": layout("About", PLAIN_PAGE),
    "/apps/loyalty": layout("Rewards", loyalty),
  };
  const cases: { name: string; path: string; baseline?: string }[] = [
    { name: "product", path: "/products/jasmine-pearls" },
    { name: "product+block", path: "/products/jasmine-pearls-with-block", baseline: "product" },
    { name: "page", path: "/pages/about" },
    { name: "loyalty", path: "/apps/loyalty", baseline: "page" },
  ];
  const server = await serve(pages);
  const { executablePath, env } = ensureChromium();
  if (args.screenshots) {
    // What is measured, to look at: each page at Lighthouse's mobile width, full length, in tmp/bench/storefront/.
    const browser = await chromium.launch({
      executablePath,
      args: [...CHROMIUM_ARGS, "--ignore-certificate-errors"],
      env: { ...process.env, ...env } as Record<string, string>,
    });
    const page = await browser.newPage({ viewport: { width: 412, height: 823 }, ignoreHTTPSErrors: true });
    for (const c of cases) {
      await page.goto(`${server.url}${c.path}`, { waitUntil: "load" });
      await page.screenshot({ path: `tmp/bench/storefront/${c.name}.png`, fullPage: true });
    }
    await browser.close();
    console.log("screenshots: tmp/bench/storefront/<page>.png");
  }
  const chrome = await chromeLauncher.launch({
    chromePath: executablePath,
    chromeFlags: [...CHROMIUM_ARGS, "--ignore-certificate-errors"],
    envVars: { ...process.env, ...env },
    logLevel: "silent",
  });
  const runs = new Map<string, Run[]>(cases.map((c) => [c.name, []]));
  const load: number[] = [];
  try {
    console.log(
      `Lighthouse ${args.preset} preset (simulated throttling), ${args.protocol}, ${REPS} runs per page alternating; Chromium ${executablePath}`,
    );
    for (let rep = 0; rep < REPS; rep++) {
      const order = cases.map((_, i) => cases[(i + rep) % cases.length]);
      for (const c of order) {
        const result = await lighthouse(
          `${server.url}${c.path}`,
          { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"] },
          args.preset === "desktop" ? desktopConfig : undefined,
        );
        if (!result) throw new Error("Lighthouse gave no result");
        const run = runOf(result.lhr);
        runs.get(c.name)!.push(run);
        load.push(os.loadavg()[0]);
        console.log(
          `  rep ${rep + 1} ${c.name.padEnd(14)} score ${run.score}  FCP ${Math.round(run.fcp)} ms  LCP ${Math.round(run.lcp)} ms  TBT ${Math.round(run.tbt)} ms  CLS ${run.cls.toFixed(3)}`,
        );
      }
    }
  } finally {
    await chrome.kill();
    await server.close();
  }
  const med = (name: string) => {
    const rs = runs.get(name)!;
    const m = (k: keyof Run) => median(rs.map((r) => r[k]));
    return {
      score: m("score"),
      fcp: m("fcp"),
      lcp: m("lcp"),
      tbt: m("tbt"),
      cls: m("cls"),
      si: m("si"),
      bytes: m("bytes"),
      jsBytes: m("jsBytes"),
      cssBytes: m("cssBytes"),
      requests: m("requests"),
      scores: rs.map((r) => r.score),
    };
  };
  console.log(
    `\nMedians of ${REPS} (load average during the runs: ${median(load).toFixed(2)} median, ${Math.max(...load).toFixed(2)} max; ${os.cpus().length} CPUs)`,
  );
  console.log(
    "| page | score (runs) | FCP ms | LCP ms | TBT ms | CLS | Speed Index ms | total bytes (transfer) | JS bytes (decoded) | CSS bytes (decoded) | requests | vs baseline |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const c of cases) {
    const m = med(c.name);
    let versus = "(baseline)";
    if (c.baseline) {
      const b = med(c.baseline);
      const signed = (n: number) => `${n >= 0 ? "+" : ""}${Math.round(n)}`;
      versus = `score ${signed(m.score - b.score)}, FCP ${signed(m.fcp - b.fcp)} ms, LCP ${signed(m.lcp - b.lcp)} ms, bytes ${signed(m.bytes - b.bytes)}, JS ${signed(m.jsBytes - b.jsBytes)}, CSS ${signed(m.cssBytes - b.cssBytes)}`;
    }
    console.log(
      `| ${c.name} | ${m.score} (${m.scores.join(", ")}) | ${Math.round(m.fcp)} | ${Math.round(m.lcp)} | ${Math.round(m.tbt)} | ${m.cls.toFixed(3)} | ${Math.round(m.si)} | ${Math.round(m.bytes)} | ${Math.round(m.jsBytes)} | ${Math.round(m.cssBytes)} | ${m.requests} | ${versus} |`,
    );
  }
  const gap = Math.abs(med("product+block").score - med("product").score);
  console.log(
    `\nGoal: the block's page within 1 point of the page without it — ${gap <= 1 ? "met" : "NOT met"} (${gap} apart).`,
  );
}

await main();
