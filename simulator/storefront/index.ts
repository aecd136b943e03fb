// The local Shopify's online store, one per simulated shop, on the simulator's one origin under /store/<shop>/:
//   /store/<shop>/                        the home page
//   /store/<shop>/account/login           sign in as one of the shop's customers by email (no password; simulated)
//   /store/<shop>/account/login/multipass/<token>   a one-time sign-in link made by signInUrl() (tests, the demo)
//   /store/<shop>/account/logout          sign out
//   /store/<shop>/account                 who is signed in
//   /store/<shop>/products/<handle>       an ACTIVE product's page (what a product reference's url links to)
//   /store/<shop>/<prefix>/<subpath>/…    the app proxy of the app's shopify.app.toml (./app-proxy.ts)
// The Admin API double answers /store/<shop>/admin/… on the same origin, as a shop's domain serves both.
import express, { type Request, type Response, type Router } from "express";
import type { Clock } from "../admin/clock";
import { numericId } from "../admin/gid";
import type { ShopState } from "../admin/store";
import {
  DISALLOWED_RESPONSE_HEADERS,
  appProxyConfig,
  forwardedQuery,
  proxyPath,
  type AppProxyConfig,
} from "./app-proxy";
import { CUSTOMER_COOKIE, CustomerSessions, storefrontRoot } from "./customer-session";
import { customerMetafieldsDrop, productDrop } from "./drops";
import { createStorefrontLiquid, layoutOf, liquidErrorText } from "./liquid";
import { shopMoneyFormats } from "./money-format";
import {
  ACCOUNT_PAGE,
  HOME_PAGE,
  LOGIN_PAGE,
  NOT_FOUND_PAGE,
  PRODUCT_PAGE,
  THEME_LAYOUT,
  THEME_LOCALES,
  UNAVAILABLE_PAGE,
} from "./theme";
import type { ThemeAppBlock } from "./theme-app-extension";

export { appProxySignature, appProxyConfig, forwardedQuery } from "./app-proxy";
export { createStorefrontLiquid, liquidErrorText } from "./liquid";
export { formatMoney, defaultMoneyFormats, shopMoneyFormats, MONEY_PLACEHOLDERS } from "./money-format";
export { CUSTOMER_COOKIE } from "./customer-session";

export interface StorefrontDeps {
  /** The app's shopify.app.toml (its `[app_proxy]`). */
  toml: string;
  /** The app's API secret: the key of the proxy's signature. */
  apiSecret: string;
  clock: Clock;
  getShop(domain: string): ShopState | undefined;
  isInstalled(domain: string): boolean;
  /** Where the app listens now (connectApp), or null. */
  appUrl(): string | null;
  /** The simulator's origin (http://127.0.0.1:<port>), once it listens. */
  origin(): string;
  /** The app's id: its reserved metafield namespace is `app--{appId}` (Liquid's `app`). Default 1. */
  appId?: number;
  /**
   * The app's theme app extension blocks (theme-app-extension.ts), shown on the home page of every shop the app is
   * installed in, as a merchant who added them to the home page would.
   */
  themeBlocks?: ThemeAppBlock[];
}

/** Headers of the shopper's request Shopify does not pass on (Cookie: documented; the rest are hop-by-hop or set here). */
const DROPPED_REQUEST_HEADERS = new Set([
  "cookie",
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "content-length",
  "accept-encoding",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
]);
/** Headers of the app's answer that no longer describe the bytes passed on (fetch has decoded them). */
const RECOMPUTED_RESPONSE_HEADERS = new Set(["content-encoding", "content-length", "transfer-encoding"]);
const APP_TIMEOUT_MS = 30_000;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function createStorefront(deps: StorefrontDeps) {
  const proxy: AppProxyConfig | null = appProxyConfig(deps.toml);
  const sessions = new CustomerSessions(() => deps.clock.now());
  const proxyPrefix = proxy ? `/${proxy.prefix}/${proxy.subpath}` : null;

  /** A customer of the shop by gid or numeric id: its numeric id, or an error. */
  function customerNumber(shop: ShopState, customerId: string | number): string {
    const id = String(customerId).startsWith("gid://") ? String(numericId(String(customerId))) : String(customerId);
    if (!shop.customers.get(`gid://shopify/Customer/${id}`)) {
      throw new Error(`no customer ${customerId} in ${shop.domain}`);
    }
    return id;
  }
  function requireShop(domain: string): ShopState {
    const shop = deps.getShop(domain.toLowerCase());
    if (!shop) throw new Error(`no simulated shop ${domain}`);
    return shop;
  }

  /** The signed-in customer of a request (a cookie for a customer since deleted signs nobody in). */
  function signedIn(shop: ShopState, req: Request): string | null {
    const id = sessions.customerId(shop.domain, req.headers.cookie);
    return id && shop.customers.get(`gid://shopify/Customer/${id}`) ? id : null;
  }

  /** Shopify's storefront objects for a page of `shop` at `path` (the path on the shop's own domain). */
  function liquidContext(shop: ShopState, customerId: string | null, path: string) {
    const record = shop.record;
    const root = storefrontRoot(shop.domain);
    const formats = shopMoneyFormats(record);
    const iso = record.primaryLocale;
    const customer = customerId ? shop.customers.get(`gid://shopify/Customer/${customerId}`) : undefined;
    const name = [customer?.firstName, customer?.lastName].filter(Boolean).join(" ");
    return {
      shop: {
        name: record.name,
        email: record.email,
        currency: record.currencyCode,
        money_format: formats.moneyFormat,
        money_with_currency_format: formats.moneyWithCurrencyFormat,
        permanent_domain: record.myshopifyDomain,
        domain: record.myshopifyDomain,
        url: `${deps.origin()}${root}`,
        locale: iso,
      },
      customer: customer
        ? {
            id: Number(customerId),
            first_name: customer.firstName ?? "",
            last_name: customer.lastName ?? "",
            name: name || (customer.email ?? ""),
            email: customer.email ?? "",
            phone: customer.phone,
            tags: customer.tags,
            has_account: true,
            orders_count: shop.ordersByCustomer.get(customer.id)?.size ?? 0,
            metafields: customerMetafieldsDrop(shop, customer.id, deps.appId ?? 1, root),
          }
        : null,
      request: {
        locale: {
          iso_code: iso,
          primary: true,
          name: displayName(iso, "en"),
          endonym_name: displayName(iso, iso),
          root_url: root,
        },
        path,
        host: record.myshopifyDomain,
      },
      // The storefront's root on this origin is /store/<shop> (as a shop's is `/` on its domain, or `/th` for a
      // language): pages that link through routes work here unchanged.
      routes: {
        root_url: `${root}/`,
        account_url: `${root}/account`,
        account_login_url: `${root}/account/login`,
        account_logout_url: `${root}/account/logout`,
      },
      content_for_header: "",
    };
  }

  function engineFor(shop: ShopState) {
    const record = shop.record;
    const formats = shopMoneyFormats(record);
    return createStorefrontLiquid({
      locale: record.primaryLocale,
      moneyFormat: formats.moneyFormat,
      moneyWithCurrencyFormat: formats.moneyWithCurrencyFormat,
      timezone: record.ianaTimezone,
      translations: THEME_LOCALES[record.primaryLocale] ?? THEME_LOCALES.en,
      missingTranslation: "text",
      now: () => deps.clock.now(),
    });
  }

  /**
   * The app's theme blocks for a page of `shop` (none where the app is not installed): each rendered with the page's
   * objects and its settings, its `t` reading the extension's translations in the shop's language, after its
   * stylesheet. A block's Liquid error shows in its place, as in the theme editor.
   */
  async function renderThemeBlocks(shop: ShopState, customerId: string | null, path: string): Promise<string> {
    if (!deps.themeBlocks?.length || !deps.isInstalled(shop.domain)) return "";
    const record = shop.record;
    const formats = shopMoneyFormats(record);
    const parts: string[] = [];
    for (const [i, block] of deps.themeBlocks.entries()) {
      const engine = createStorefrontLiquid({
        locale: record.primaryLocale,
        moneyFormat: formats.moneyFormat,
        moneyWithCurrencyFormat: formats.moneyWithCurrencyFormat,
        timezone: record.ianaTimezone,
        translations: block.locales[record.primaryLocale] ?? block.locales[block.defaultLocale],
        missingTranslation: "text",
        now: () => deps.clock.now(),
      });
      let html: string;
      try {
        html = await engine.parseAndRender(block.liquid, {
          ...liquidContext(shop, customerId, path),
          block: { id: `app-block-${i + 1}`, settings: block.settings },
        });
      } catch (error) {
        html = `<p class="liquid-error">${escapeHtml(liquidErrorText(error))}</p>`;
      }
      parts.push(`${block.stylesheet ? `<style>${block.stylesheet}</style>` : ""}${html}`);
    }
    return parts.join("");
  }

  /**
   * A page's Liquid rendered as Shopify renders a theme page: inside layout/theme.liquid unless it says
   * `{% layout none %}`; a Liquid error shows in place of the page (not an empty page, not a crash).
   */
  async function renderPage(
    shop: ShopState,
    customerId: string | null,
    path: string,
    page: string,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const engine = engineFor(shop);
    const context = { ...liquidContext(shop, customerId, path), ...extra };
    let content: string;
    let layout: string | null = null;
    try {
      const templates = engine.parse(page);
      layout = layoutOf(templates);
      content = await engine.render(templates, context);
      if (layout !== null && layout !== "none" && layout !== "theme") {
        content = `<p class="liquid-error">${escapeHtml(`Liquid error: Could not find asset layout/${layout}.liquid`)}</p>`;
        layout = null;
      }
    } catch (error) {
      content = `<p class="liquid-error">${escapeHtml(liquidErrorText(error))}</p>`;
    }
    if (layout === "none") return content;
    return engine.parseAndRender(THEME_LAYOUT, { ...context, content_for_layout: content });
  }

  async function sendPage(
    res: Response,
    shop: ShopState,
    req: Request,
    path: string,
    page: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const html = await renderPage(shop, signedIn(shop, req), path, page, extra);
    res.status(status).type("text/html; charset=utf-8").set("Cache-Control", "no-store").send(html);
  }

  /** Runs a handler for a shop that exists; 404 otherwise. */
  const withShop =
    (handler: (shop: ShopState, req: Request, res: Response) => Promise<void> | void) =>
    async (req: Request, res: Response) => {
      const shop = deps.getShop(String(req.params.shop).toLowerCase());
      if (!shop) return void res.status(404).type("text/plain").send("Not Found");
      try {
        await handler(shop, req, res);
      } catch (error) {
        console.error("local Shopify storefront:", error);
        if (!res.headersSent) res.status(500).type("text/plain").send("Internal Server Error");
      }
    };

  /** A path on the shop's storefront to go back to after signing in (never off the storefront). */
  function returnPath(shop: ShopState, value: unknown): string {
    const root = storefrontRoot(shop.domain);
    const path = typeof value === "string" ? value : "";
    return path.startsWith(`${root}/`) && !path.startsWith("//") ? path : `${root}/account`;
  }

  async function forward(shop: ShopState, req: Request, res: Response, rest: string, rawQuery: string) {
    const customerId = signedIn(shop, req);
    const shopPath = `${proxyPrefix}${rest}`;
    if (!proxy || !deps.isInstalled(shop.domain)) {
      return sendPage(res, shop, req, shopPath, NOT_FOUND_PAGE, {}, 404);
    }
    const appUrl = deps.appUrl();
    if (!appUrl) return sendPage(res, shop, req, shopPath, UNAVAILABLE_PAGE, {}, 502);
    const query = forwardedQuery({
      rawQuery,
      shop: shop.domain,
      customerId,
      pathPrefix: proxyPrefix!,
      timestampSeconds: Math.floor(deps.clock.now() / 1000),
      secret: deps.apiSecret,
    });
    const target = `${appUrl.replace(/\/+$/, "")}${proxyPath(proxy)}${rest}?${query}`;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (DROPPED_REQUEST_HEADERS.has(name) || value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    }
    headers.set("x-forwarded-for", (req.socket.remoteAddress ?? "").replace(/^::ffff:/, ""));
    headers.set("x-forwarded-host", shop.domain);
    headers.set("accept-encoding", "identity");
    const hasBody = !["GET", "HEAD"].includes(req.method) && Buffer.isBuffer(req.body) && req.body.length > 0;
    let answer: globalThis.Response;
    try {
      answer = await fetch(target, {
        method: req.method,
        headers,
        body: hasBody ? new Uint8Array(req.body as Buffer) : undefined,
        redirect: "manual",
        signal: AbortSignal.timeout(APP_TIMEOUT_MS),
      });
    } catch {
      return sendPage(res, shop, req, shopPath, UNAVAILABLE_PAGE, {}, 502);
    }
    const contentType = answer.headers.get("content-type") ?? "";
    if (/^application\/liquid\b/i.test(contentType)) {
      const html = await renderPage(shop, customerId, shopPath, await answer.text());
      res.status(answer.status).type("text/html; charset=utf-8").send(html);
      return;
    }
    res.status(answer.status);
    answer.headers.forEach((value, name) => {
      if (DISALLOWED_RESPONSE_HEADERS.has(name) || RECOMPUTED_RESPONSE_HEADERS.has(name)) return;
      // A redirect to a path on "the shop's domain" stays on this shop's storefront.
      if (name === "location" && value.startsWith("/") && !value.startsWith("//")) {
        value = `${storefrontRoot(shop.domain)}${value}`;
      }
      res.append(name, value);
    });
    res.end(req.method === "HEAD" ? undefined : Buffer.from(await answer.arrayBuffer()));
  }

  function router(): Router {
    const r = express.Router();
    const form = express.urlencoded({ extended: false, limit: "100kb" });

    // (Express routes ignore a trailing slash: this is /store/<shop> and /store/<shop>/.)
    r.get(
      "/store/:shop",
      withShop(async (shop, req, res) =>
        sendPage(res, shop, req, "/", HOME_PAGE, {
          app_proxy_url:
            proxyPrefix && deps.isInstalled(shop.domain) ? `${storefrontRoot(shop.domain)}${proxyPrefix}` : "",
          app_blocks: await renderThemeBlocks(shop, signedIn(shop, req), "/"),
        }),
      ),
    );
    r.get(
      "/store/:shop/products/:handle",
      withShop((shop, req, res) => {
        const handle = String(req.params.handle);
        const product = [...shop.products.values()].find((p) => p.handle === handle && p.status === "ACTIVE");
        if (!product) return sendPage(res, shop, req, `/products/${handle}`, NOT_FOUND_PAGE, {}, 404);
        return sendPage(res, shop, req, `/products/${handle}`, PRODUCT_PAGE, {
          product: productDrop(product, storefrontRoot(shop.domain)),
          page_title: product.title,
        });
      }),
    );
    r.get(
      "/store/:shop/account/login",
      withShop((shop, req, res) =>
        sendPage(res, shop, req, "/account/login", LOGIN_PAGE, { return_to: returnPath(shop, req.query.return_to) }),
      ),
    );
    r.post(
      "/store/:shop/account/login",
      form,
      withShop(async (shop, req, res) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const email = String(body["customer[email]"] ?? "")
          .trim()
          .toLowerCase();
        const customer = email ? [...shop.customers.values()].find((c) => c.email?.toLowerCase() === email) : undefined;
        const returnTo = returnPath(shop, body.return_to);
        if (!customer) {
          await sendPage(res, shop, req, "/account/login", LOGIN_PAGE, {
            form_error: true,
            email,
            return_to: returnTo,
          });
          return;
        }
        res.set("Set-Cookie", sessions.setCookie(shop.domain, String(numericId(customer.id))));
        res.redirect(303, returnTo);
      }),
    );
    r.get(
      "/store/:shop/account/login/multipass/:token",
      withShop((shop, req, res) => {
        const id = sessions.redeemToken(shop.domain, req.params.token);
        if (!id || !shop.customers.get(`gid://shopify/Customer/${id}`)) {
          return void res.redirect(303, `${storefrontRoot(shop.domain)}/account/login`);
        }
        res.set("Set-Cookie", sessions.setCookie(shop.domain, id));
        res.redirect(303, returnPath(shop, req.query.return_to));
      }),
    );
    r.get(
      "/store/:shop/account/logout",
      withShop((shop, _req, res) => {
        res.set("Set-Cookie", sessions.clearCookie(shop.domain));
        res.redirect(303, `${storefrontRoot(shop.domain)}/`);
      }),
    );
    r.get(
      "/store/:shop/account",
      withShop(async (shop, req, res) => {
        if (!signedIn(shop, req)) return void res.redirect(303, `${storefrontRoot(shop.domain)}/account/login`);
        await sendPage(res, shop, req, "/account", ACCOUNT_PAGE);
      }),
    );

    if (proxyPrefix) {
      // /store/<shop>/<prefix>/<subpath>, then nothing, "/…" or "?…": read from the raw URL, so <rest> and the query
      // reach the app exactly as the shopper's browser sent them.
      const pattern = new RegExp(`^/store/([^/?#]+)${escapeRegExp(proxyPrefix)}(/[^?#]*)?(?:\\?([^#]*))?$`);
      const body = express.raw({ type: () => true, limit: "10mb" });
      r.use((req, res, next) => {
        const match = pattern.exec(req.originalUrl);
        if (!match) return next();
        body(req, res, (error?: unknown) => {
          if (error) return next(error);
          req.params = { shop: decodeURIComponent(match[1]) };
          void withShop((shop) => forward(shop, req, res, match[2] ?? "", match[3] ?? ""))(req, res);
        });
      });
    }
    return r;
  }

  /**
   * Root-relative links on a storefront page (`/apps/loyalty/…`, `/account/login`, `/`) are meant for the shop's own
   * domain; on this one origin, they go to the shop of the page they were followed from (its Referer), keeping the
   * method and body (307). Mount after every other route of the simulator.
   */
  function refererRouter(): Router {
    const r = express.Router();
    r.use((req, res, next) => {
      const path = req.path;
      const storefrontPath =
        path === "/" ||
        path === "/account" ||
        path.startsWith("/account/") ||
        (proxyPrefix && (path === proxyPrefix || path.startsWith(`${proxyPrefix}/`)));
      if (!storefrontPath) return next();
      let from: URL;
      try {
        from = new URL(req.get("referer") ?? "");
      } catch {
        return next();
      }
      const shop = /^\/store\/([^/]+)(\/|$)/.exec(from.pathname)?.[1];
      if (from.origin !== deps.origin() || !shop || !deps.getShop(decodeURIComponent(shop).toLowerCase()))
        return next();
      res.redirect(307, `${storefrontRoot(decodeURIComponent(shop).toLowerCase())}${req.originalUrl}`);
    });
    return r;
  }

  const helpers = {
    /** The app proxy's path on a storefront (`/apps/loyalty`), or null when the toml has no [app_proxy]. */
    proxyPrefix,
    /** The URL of a path on a shop's storefront (`/`, `/account`, `/apps/loyalty/…`). */
    url: (shop: string, path = "/") => `${deps.origin()}${storefrontRoot(requireShop(shop).domain)}${path}`,
    /** The URL of the app proxy on a shop's storefront, with `rest` after it (`/status?x=1`). */
    proxyUrl: (shop: string, rest = "") => {
      if (!proxyPrefix) throw new Error("the app's toml has no [app_proxy]");
      return `${deps.origin()}${storefrontRoot(requireShop(shop).domain)}${proxyPrefix}${rest}`;
    },
    /** A Cookie header value that signs a customer (gid or numeric id) in to a shop's storefront. */
    signInCookie: (shop: string, customerId: string | number) => {
      const state = requireShop(shop);
      return `${CUSTOMER_COOKIE}=${sessions.value(state.domain, customerNumber(state, customerId))}`;
    },
    /** A one-time link that signs a customer in (in a browser), then goes to `returnTo` (a storefront path) or /account. */
    signInUrl: (shop: string, customerId: string | number, returnTo?: string) => {
      const state = requireShop(shop);
      const token = sessions.issueToken(state.domain, customerNumber(state, customerId));
      const next = returnTo ? `?return_to=${encodeURIComponent(`${storefrontRoot(state.domain)}${returnTo}`)}` : "";
      return `${deps.origin()}${storefrontRoot(state.domain)}/account/login/multipass/${token}${next}`;
    },
    /** fetch() of a storefront path as a shopper, signed in as `customerId` when given. */
    fetch: (shop: string, path: string, init: RequestInit & { customerId?: string | number } = {}) => {
      const { customerId, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (customerId !== undefined) {
        const cookie = helpers.signInCookie(shop, customerId);
        headers.set("cookie", [headers.get("cookie"), cookie].filter(Boolean).join("; "));
      }
      return fetch(helpers.url(shop, path), { ...rest, headers });
    },
  };

  return {
    router,
    refererRouter,
    helpers,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function displayName(iso: string, inLocale: string): string {
  try {
    return new Intl.DisplayNames([inLocale], { type: "language" }).of(iso) ?? iso;
  } catch {
    return iso;
  }
}
