// The local Shopify's storefront app proxy (simulator/storefront/): a shopper's request to
// /store/<shop>/apps/loyalty/… reaches the app at <appUrl>/proxy/… as Shopify forwards it — the shopper's query, then
// exactly Shopify's signed parameters, no cookies — and the app's answer comes back as Shopify serves it: Liquid
// rendered in the shop's theme with its storefront objects, anything else passed through, the status kept.
// A small express app stands in for the app; it checks each request with @shopify/shopify-api's validator and with
// @shopify/shopify-app-remix's authenticate.public.appProxy, as the app's routes will.
import "@shopify/shopify-app-remix/adapters/node";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LogSeverity, shopifyApi, type ApiVersion } from "@shopify/shopify-api";
import { shopifyApp } from "@shopify/shopify-app-remix/server";
import { createLocalShopify, type LocalShopify } from "../../simulator/local-shopify";
import { createFakeClock } from "../../simulator/admin/index";
import { demoShopRecord } from "../../simulator/admin/demo-shop";
import { numericId } from "../../simulator/admin/gid";
import { appProxySignature } from "../../simulator/storefront/app-proxy";
import { API_VERSION } from "../../app/shopify/api-version";

const API_KEY = "proxy-test-key";
const API_SECRET = "proxy-test-secret";
const ADA = "ada-goods.myshopify.com";
const SIAM = "siam-goods.myshopify.com";
const ELSEWHERE = "not-installed.myshopify.com";
const BROWSER = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" };

interface Received {
  method: string;
  path: string;
  rawQuery: string;
  pairs: [string, string][];
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** @shopify/shopify-api's utils.validateHmac(query, { signator: "appProxy" }). */
  validatorAccepts: boolean;
  /** @shopify/shopify-app-remix's authenticate.public.appProxy(request) did not throw. */
  authenticated: boolean;
}
interface Answer {
  status?: number;
  headers?: Record<string, string | string[]>;
  body: string;
}

const noLog = { level: LogSeverity.Error, log: () => {} };
const api = shopifyApi({
  apiKey: API_KEY,
  apiSecretKey: API_SECRET,
  apiVersion: API_VERSION as ApiVersion,
  hostName: "loyalty.example.com",
  isEmbeddedApp: true,
  logger: noLog,
});
const remix = shopifyApp({
  apiKey: API_KEY,
  apiSecretKey: API_SECRET,
  apiVersion: API_VERSION as ApiVersion,
  appUrl: "https://loyalty.example.com",
  scopes: [],
  isEmbeddedApp: true,
  // No shop has a session in this stand-in: appProxy answers its context without one, after checking the signature.
  sessionStorage: {
    storeSession: async () => true,
    loadSession: async () => undefined,
    deleteSession: async () => true,
    deleteSessions: async () => true,
    findSessionsByShop: async () => [],
  },
  future: { unstable_newEmbeddedAuthStrategy: true },
  logger: noLog,
});

let received: Received[] = [];
let answer: (r: Received) => Answer = () => ({ body: "ok" });
let appServer: Server;
let shopify: LocalShopify;
let closeShopify: () => Promise<void>;
const clock = createFakeClock(Date.now());
const customers: Record<string, { id: string; number: string }> = {};

async function startStandInApp(): Promise<string> {
  const app = express();
  app.use(express.text({ type: () => true }));
  app.all("/proxy*", async (req, res) => {
    const rawQuery = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?") + 1) : "";
    const pairs = [...new URLSearchParams(rawQuery)];
    let validatorAccepts = false;
    try {
      validatorAccepts = await api.utils.validateHmac(Object.fromEntries(pairs), { signator: "appProxy" });
    } catch {
      validatorAccepts = false;
    }
    let authenticated = false;
    try {
      await remix.authenticate.public.appProxy(new Request(`https://loyalty.example.com${req.originalUrl}`));
      authenticated = true;
    } catch {
      authenticated = false;
    }
    const r: Received = {
      method: req.method,
      path: req.path,
      rawQuery,
      pairs,
      headers: req.headers,
      body: typeof req.body === "string" ? req.body : "",
      validatorAccepts,
      authenticated,
    };
    received.push(r);
    const a = answer(r);
    res.status(a.status ?? 200);
    for (const [name, value] of Object.entries(a.headers ?? {})) res.set(name, value);
    res.send(a.body);
  });
  appServer = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
}

const liquid = (body: string, status = 200): Answer => ({
  status,
  headers: { "Content-Type": "application/liquid" },
  body,
});
const last = () => received[received.length - 1];
const param = (r: Received, key: string) => r.pairs.filter(([k]) => k === key).map(([, v]) => v);
const get = (shop: string, rest: string, init: RequestInit & { customerId?: string } = {}) =>
  shopify.storefront.fetch(shop, `/apps/loyalty${rest}`, {
    redirect: "manual",
    ...init,
    headers: { ...BROWSER, ...(init.headers as Record<string, string>) },
  });

beforeAll(async () => {
  const appUrl = await startStandInApp();
  shopify = createLocalShopify({ apiKey: API_KEY, apiSecret: API_SECRET, clock, appUrl });
  shopify.admin.shops.addShop({ ...demoShopRecord(ADA), name: "Ada Goods" });
  shopify.admin.shops.addShop({
    ...demoShopRecord(SIAM),
    name: "Siam Goods",
    currencyCode: "THB",
    primaryLocale: "th",
    ianaTimezone: "Asia/Bangkok",
  });
  shopify.admin.shops.addShop({ ...demoShopRecord(ELSEWHERE), name: "Elsewhere" });
  for (const [key, shop, firstName, email] of [
    ["ada", ADA, "Ada", "ada@example.com"],
    ["grace", ADA, "{{ shop.name }} <b>", "grace@example.com"],
    ["somchai", SIAM, "สมชาย", "somchai@example.com"],
  ] as const) {
    const c = shopify.admin.createCustomer(shop, { firstName, lastName: "Test", email });
    customers[key] = { id: c.id, number: String(numericId(c.id)) };
  }
  shopify.install(ADA);
  shopify.install(SIAM);
  closeShopify = (await shopify.listen()).close;
});
afterAll(async () => {
  await closeShopify();
  await new Promise((resolve) => appServer.close(resolve));
  await shopify.admin.dispose();
});
beforeEach(() => {
  received = [];
  answer = () => liquid("<p>page</p>");
});

describe("what the app receives", () => {
  it("the path under the toml's proxy url, the shopper's query, then exactly Shopify's parameters, signed", async () => {
    const response = await get(ADA, "/rewards/history?page=2&tab=points", { customerId: customers.ada.id });
    expect(response.status).toBe(200);
    const r = last();
    expect(r.method).toBe("GET");
    expect(r.path).toBe("/proxy/rewards/history");
    expect(r.pairs.map(([k]) => k)).toEqual([
      "page",
      "tab",
      "shop",
      "logged_in_customer_id",
      "path_prefix",
      "timestamp",
      "signature",
    ]);
    expect(Object.fromEntries(r.pairs)).toMatchObject({
      page: "2",
      tab: "points",
      shop: ADA,
      logged_in_customer_id: customers.ada.number,
      path_prefix: "/apps/loyalty",
      timestamp: String(Math.floor(clock.now() / 1000)),
    });
    // Encoded as Shopify's example shows it.
    expect(r.rawQuery).toContain("path_prefix=%2Fapps%2Floyalty&");
    // The signature: Shopify's algorithm recomputed here, and both of the app's libraries accept it.
    const signed = r.pairs.filter(([k]) => k !== "signature");
    const message = signed
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join("");
    expect(message).toBe(
      `logged_in_customer_id=${customers.ada.number}page=2path_prefix=/apps/loyaltyshop=${ADA}tab=pointstimestamp=${Math.floor(clock.now() / 1000)}`,
    );
    expect(param(r, "signature")).toEqual([appProxySignature(signed, API_SECRET)]);
    expect(r.validatorAccepts).toBe(true);
    expect(r.authenticated).toBe(true);
  });

  it("signs as Shopify's documented example does (shared secret 'hush'), signed in and signed out", () => {
    const base: [string, string][] = [
      ["extra", "1"],
      ["extra", "2"],
      ["shop", "shop-name.myshopify.com"],
      ["path_prefix", "/apps/awesome_reviews"],
      ["timestamp", "1317327555"],
    ];
    expect(appProxySignature([...base, ["logged_in_customer_id", "1"]], "hush")).toBe(
      "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb",
    );
    expect(appProxySignature([...base, ["logged_in_customer_id", ""]], "hush")).toBe(
      "e072b6d7e6622d85912a5214b860d3100dc1e73d9bc29f43796ac8c9ff8093cb",
    );
  });

  it("a signature the validator rejects once anything in the query changes, or with another secret", async () => {
    await get(ADA, "?x=1", { customerId: customers.ada.id });
    const r = last();
    const tampered = Object.fromEntries(r.pairs.map(([k, v]) => [k, k === "logged_in_customer_id" ? "999" : v]));
    expect(await api.utils.validateHmac(tampered, { signator: "appProxy" })).toBe(false);
    const other = shopifyApi({ ...api.config, apiSecretKey: "another-secret", logger: noLog });
    expect(await other.utils.validateHmac(Object.fromEntries(r.pairs), { signator: "appProxy" })).toBe(false);
  });

  it("signed out: logged_in_customer_id is there and empty, and the request is still signed", async () => {
    await get(ADA, "/");
    const r = last();
    expect(r.path).toBe("/proxy/");
    expect(param(r, "logged_in_customer_id")).toEqual([""]);
    expect(r.validatorAccepts).toBe(true);
    expect(r.authenticated).toBe(true);
  });

  it("takes the timestamp from the simulator's clock", async () => {
    const start = clock.now();
    clock.advance(3_600_000);
    try {
      await get(ADA, "");
      expect(param(last(), "timestamp")).toEqual([String(Math.floor(clock.now() / 1000))]);
      // An hour off the app's clock: the library refuses it (its tolerance is 90 s), so the clocks do matter.
      expect(last().validatorAccepts).toBe(false);
    } finally {
      clock.set(start);
    }
  });

  it("drops the shopper's own shop, logged_in_customer_id, path_prefix, timestamp and signature", async () => {
    await get(
      ADA,
      "/x?logged_in_customer_id=999&shop=evil.myshopify.com&signature=abc&timestamp=1&path_prefix=%2Fevil&logged%5Fin%5Fcustomer%5Fid=998&keep=1",
      { customerId: customers.ada.id },
    );
    const r = last();
    expect(param(r, "logged_in_customer_id")).toEqual([customers.ada.number]);
    expect(param(r, "shop")).toEqual([ADA]);
    expect(param(r, "path_prefix")).toEqual(["/apps/loyalty"]);
    expect(param(r, "timestamp")).toEqual([String(Math.floor(clock.now() / 1000))]);
    expect(param(r, "signature")).toHaveLength(1);
    expect(param(r, "keep")).toEqual(["1"]);
    expect(r.validatorAccepts).toBe(true);
    // Signed out, a shopper still cannot name a customer.
    await get(ADA, "?logged_in_customer_id=1");
    expect(param(last(), "logged_in_customer_id")).toEqual([""]);
  });

  it("does not forward cookies; says who asked with X-Forwarded-For and X-Forwarded-Host", async () => {
    await get(ADA, "", {
      customerId: customers.ada.id,
      headers: { Cookie: "theme=dark; _secure_session_id=abc", "X-Forwarded-Host": "evil.example.com" },
    });
    const r = last();
    expect(r.headers.cookie).toBeUndefined();
    expect(r.headers["x-forwarded-host"]).toBe(ADA);
    expect(r.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(r.headers["user-agent"]).toBe(BROWSER["User-Agent"]);
    expect(param(r, "logged_in_customer_id")).toEqual([customers.ada.number]);
  });

  it("forwards a POST with its body and content type, the signed query on its URL", async () => {
    answer = () => ({ headers: { "Content-Type": "application/json" }, body: '{"ok":true}' });
    const response = await get(ADA, "/redeem?from=page", {
      method: "POST",
      customerId: customers.ada.id,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "points=100&reward=gold",
    });
    expect(response.status).toBe(200);
    const r = last();
    expect(r.method).toBe("POST");
    expect(r.path).toBe("/proxy/redeem");
    expect(r.body).toBe("points=100&reward=gold");
    expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(param(r, "from")).toEqual(["page"]);
    expect(r.authenticated).toBe(true);
  });

  it("reaches the app with each shop's own shop parameter, signed for it", async () => {
    await get(ADA, "/status", { customerId: customers.ada.id });
    await get(SIAM, "/status", { customerId: customers.somchai.id });
    expect(received.map((r) => [param(r, "shop")[0], param(r, "logged_in_customer_id")[0], r.authenticated])).toEqual([
      [ADA, customers.ada.number, true],
      [SIAM, customers.somchai.number, true],
    ]);
  });

  it("forwards nothing for a shop the app is not installed in (404), nor for a shop that does not exist", async () => {
    const response = await get(ELSEWHERE, "/status");
    expect(response.status).toBe(404);
    expect(received).toEqual([]);
    const nowhere = await fetch(`${shopify.url}/store/nowhere.myshopify.com/apps/loyalty/status`);
    expect(nowhere.status).toBe(404);
    expect(received).toEqual([]);
  });
});

describe("signing in on the storefront", () => {
  const cookieOf = (response: Response) => response.headers.get("set-cookie") ?? "";

  it("signs in by email with a cookie for that shop only; the proxy then forwards that customer; sign out ends it", async () => {
    const login = await fetch(shopify.storefront.url(ADA, "/account/login"), {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ "customer[email]": "ADA@example.com" }),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe(`/store/${ADA}/account`);
    const setCookie = cookieOf(login);
    expect(setCookie).toMatch(new RegExp(`; Path=/store/${ADA.replaceAll(".", "\\.")}; HttpOnly`));
    const cookie = setCookie.split(";")[0];

    const page = await fetch(shopify.storefront.proxyUrl(ADA, "/status"), { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(param(last(), "logged_in_customer_id")).toEqual([customers.ada.number]);
    // The same cookie sent to another shop's storefront signs nobody in there, though that shop has a customer with
    // the same number (each simulated shop numbers its customers from the same start).
    expect(customers.somchai.number).toBe(customers.ada.number);
    await fetch(shopify.storefront.proxyUrl(SIAM, "/status"), { headers: { Cookie: cookie } });
    expect(param(last(), "logged_in_customer_id")).toEqual([""]);

    const logout = await fetch(shopify.storefront.url(ADA, "/account/logout"), { redirect: "manual" });
    expect(logout.status).toBe(303);
    expect(cookieOf(logout)).toMatch(/^storefront_customer=; Path=\/store\/ada-goods\.myshopify\.com;.*Max-Age=0/);
  });

  it("refuses an email that is not a customer of the shop, and a cookie the simulator did not sign", async () => {
    const login = await fetch(shopify.storefront.url(ADA, "/account/login"), {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ "customer[email]": "somchai@example.com" }),
    });
    expect(login.status).toBe(200);
    expect(cookieOf(login)).toBe("");
    expect(await login.text()).toContain("Incorrect email or password.");
    const forged = `storefront_customer=${customers.ada.number}.${"A".repeat(43)}`;
    await fetch(shopify.storefront.proxyUrl(ADA), { headers: { Cookie: forged } });
    expect(param(last(), "logged_in_customer_id")).toEqual([""]);
  });

  it("signInUrl() is a one-time link for tests and the demo", async () => {
    const url = shopify.storefront.signInUrl(ADA, customers.ada.id, "/apps/loyalty");
    const first = await fetch(url, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe(`/store/${ADA}/apps/loyalty`);
    expect(cookieOf(first)).toMatch(new RegExp(`^storefront_customer=${customers.ada.number}\\.`));
    const again = await fetch(url, { redirect: "manual" });
    expect(again.headers.get("location")).toBe(`/store/${ADA}/account/login`);
    expect(cookieOf(again)).toBe("");
    expect(() => shopify.storefront.signInUrl(ADA, "gid://shopify/Customer/42")).toThrow(/no customer/);
  });
});

describe("what the shopper gets back", () => {
  it("Liquid rendered inside the theme's layout with shop, customer, request and routes, money in the shop's format", async () => {
    answer = () =>
      liquid(
        "<h1>{{ customer.first_name }} at {{ shop.name }}</h1><p class=balance>{{ 123456 | money }} · {{ 123456 | money_with_currency }} · {{ 1000 | money_without_trailing_zeros }}</p>" +
          "<p class=meta>{{ request.locale.iso_code }} {{ request.path }} {{ shop.currency }} {{ customer.id }}</p>",
      );
    const response = await get(ADA, "/status?x=1", { customerId: customers.ada.id });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toMatch(/<title>Ada Goods<\/title>\s*<style>/);
    const header = html.slice(html.indexOf("<header"), html.indexOf("</header>"));
    expect(header).toContain("Ada Goods");
    expect(header).toContain(`href="/store/${ADA}/account"`);
    expect(header).toContain(`href="/store/${ADA}/account/logout"`);
    const main = html.slice(html.indexOf('<main id="MainContent">'), html.indexOf("</main>"));
    expect(main).toContain("<h1>Ada at Ada Goods</h1>");
    expect(main).toContain("$1,234.56 · $1,234.56 USD · $10");
    expect(main).toContain(`en /apps/loyalty/status USD ${customers.ada.number}`);
  });

  it("a Thai shop's page: its language, ฿ money format, Thai dates and theme strings", async () => {
    answer = () =>
      liquid(
        "<p>{{ 123456 | money }}</p><p>{{ '2027-03-01T00:00:00Z' | date: format: 'date' }}</p><p>{{ customer.first_name }}</p>",
      );
    const signedOut = await (await get(SIAM, "")).text();
    expect(signedOut.startsWith('<!doctype html>\n<html lang="th">')).toBe(true);
    expect(signedOut).toContain(`<a href="/store/${SIAM}/account/login">เข้าสู่ระบบ</a>`);
    const html = await (await get(SIAM, "", { customerId: customers.somchai.id })).text();
    const main = html.slice(html.indexOf("<main"), html.indexOf("</main>"));
    expect(main).toContain("<p>฿1,234.56</p>");
    expect(main).toContain("<p>1 มีนาคม 2570</p>");
    expect(main).toContain("<p>สมชาย</p>");
  });

  it("keeps what the app escaped escaped, and never evaluates data as Liquid", async () => {
    answer = () =>
      liquid(
        "<p class=code>&#123;&#123; 'x' &#125;&#125;</p><p class=name>{{ customer.first_name }}</p><p class=esc>{{ customer.first_name | escape }}</p>",
      );
    const html = await (await get(ADA, "", { customerId: customers.grace.id })).text();
    expect(html).toContain("<p class=code>&#123;&#123; 'x' &#125;&#125;</p>");
    // The customer's name is the text "{{ shop.name }} <b>": printed as is (raw, as Shopify prints it), not rendered.
    expect(html).toContain("<p class=name>{{ shop.name }} <b></p>");
    expect(html).toContain("<p class=esc>{{ shop.name }} &lt;b&gt;</p>");
  });

  it("{% layout none %} (the library's liquid(body, { layout: false })) answers the page alone", async () => {
    answer = () => liquid("{% layout none %} <p>bare {{ shop.name }}</p>");
    const html = await (await get(ADA, "")).text();
    expect(html.trim()).toBe("<p>bare Ada Goods</p>");
  });

  it("passes any other answer through unchanged, status and headers too, minus the headers Shopify strips", async () => {
    const body = JSON.stringify({ points: 120, note: "{{ not liquid }}" });
    answer = () => ({
      status: 201,
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Set-Cookie": "tracking=1; Path=/",
        "X-Powered-By": "Express",
        "X-Loyalty": "yes",
      },
      body,
    });
    const response = await get(ADA, "/api/points", { customerId: customers.ada.id });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.text()).toBe(body);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("x-powered-by")).toBeNull();
    expect(response.headers.get("x-loyalty")).toBe("yes");
  });

  it("keeps the app's status: 401 as text and as Liquid", async () => {
    answer = () => ({ status: 401, headers: { "Content-Type": "text/plain" }, body: "sign in first" });
    const plain = await get(ADA, "/status");
    expect(plain.status).toBe(401);
    expect(await plain.text()).toBe("sign in first");
    answer = () => liquid("<p>Please <a href='{{ routes.account_login_url }}'>sign in</a></p>", 401);
    const page = await get(ADA, "/status");
    expect(page.status).toBe(401);
    expect(await page.text()).toContain(`<p>Please <a href='/store/${ADA}/account/login'>sign in</a></p>`);
  });

  it("shows Liquid errors in the page as Shopify does, instead of failing silently", async () => {
    const cases = [
      ["<p>{{ 100 | money_in_words }}</p>", "Liquid error (line 1): undefined filter money_in_words"],
      ["<p>\n{% loyalty_widget %}</p>", "Liquid syntax error (line 2): Unknown tag &#39;loyalty_widget&#39;"],
      ["{% render 'points' %}", "Liquid error (line 1): Could not find asset snippets/points.liquid"],
      ["{% layout 'checkout' %}<p>x</p>", "Liquid error: Could not find asset layout/checkout.liquid"],
    ];
    for (const [page, error] of cases) {
      answer = () => liquid(page);
      const html = await (await get(ADA, "")).text();
      const main = html.slice(html.indexOf("<main"), html.indexOf("</main>"));
      expect(main, page).toContain(`<p class="liquid-error">${error}</p>`);
    }
  });

  it("keeps a redirect on the shop's storefront, and sends root-relative links of a page to that page's shop", async () => {
    answer = () => ({ status: 302, headers: { Location: "/apps/loyalty/thanks" }, body: "" });
    const redirect = await get(ADA, "/redeem");
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe(`/store/${ADA}/apps/loyalty/thanks`);
    // A link written for the shop's own domain, followed from a page of that shop.
    const link = await fetch(`${shopify.url}/apps/loyalty/history?page=2`, {
      redirect: "manual",
      headers: { Referer: shopify.storefront.proxyUrl(SIAM, "/status") },
    });
    expect(link.status).toBe(307);
    expect(link.headers.get("location")).toBe(`/store/${SIAM}/apps/loyalty/history?page=2`);
    const stray = await fetch(`${shopify.url}/apps/loyalty/history`, { redirect: "manual" });
    expect(stray.status).toBe(404);
  });
});
