// The one shopifyApp() instance: embedded auth by token exchange, the app's Session table, one Admin API version.
import "@shopify/shopify-app-remix/adapters/node";
import { type ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { InvalidHostError, InvalidShopError } from "@shopify/shopify-api";
import { SessionTableStorage } from "./models/session-storage.server";
import { env } from "./env.server";
import { logger } from "./logger.server";
import { API_VERSION } from "./shopify/api-version";
import { getShop, recordInstall } from "./models/shop.server";
import { accessScopesChanged } from "./services/access.server";
import { backfillOnInstall } from "./services/backfill.server";
import { routeAdminApiToSimulator } from "./shopify/simulator-switch.server";
import { proxyIdentity, proxyQueryIssue, replayedFormRedirect } from "./domain/app-proxy";
import { claimProxySignature } from "./models/proxy-signatures.server";

if (env.SHOPIFY_ADMIN_API_ORIGIN) routeAdminApiToSimulator(env.SHOPIFY_ADMIN_API_ORIGIN, env.NODE_ENV);

const apiVersion = API_VERSION as ApiVersion;

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion,
  scopes: env.SCOPES,
  appUrl: env.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new SessionTableStorage(),
  distribution: AppDistribution.AppStore,
  isEmbeddedApp: true,
  future: {
    unstable_newEmbeddedAuthStrategy: true,
  },
  logger: {
    level: LogSeverity.Warning,
    log: (severity, message) => {
      if (severity === LogSeverity.Error) logger.error(message);
      else if (severity === LogSeverity.Warning) logger.warn(message);
      else logger.debug(message);
    },
  },
  hooks: {
    afterAuth: async ({ session }) => {
      const previous = (await getShop(session.shop))?.scope?.split(",").filter(Boolean) ?? [];
      await recordInstall(session.shop, { scope: session.scope ?? null });
      await accessScopesChanged(session.shop, previous, session.scope?.split(",").filter(Boolean) ?? []);
      await backfillOnInstall(session.shop);
    },
  },
  ...(env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [env.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export { apiVersion };
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = {
  ...shopify.authenticate,
  /**
   * The library's admin authentication, but a request naming a shop or host that is not Shopify's (a session token
   * for evil.example.com signed with a leaked secret, a forged `shop` parameter) gets 400 instead of a 500.
   */
  admin: (async (request: Request) => {
    try {
      return await shopify.authenticate.admin(request);
    } catch (error) {
      if (error instanceof InvalidShopError || error instanceof InvalidHostError) {
        logger.warn("admin request refused: not a Shopify shop", { reason: error.message });
        throw new Response("Invalid shop", { status: 400 });
      }
      throw error;
    }
  }) as typeof shopify.authenticate.admin,
  public: { ...shopify.authenticate.public, appProxy },
};
export const unauthenticated = shopify.unauthenticated;

/** The answer to a proxy request that is not Shopify's: nothing about any shop or customer in it. */
function proxyRefused(reason: string, shop: string | null): Response {
  logger.warn("app proxy request refused", { reason, shop });
  return new Response("Unauthorized", {
    status: 401,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

/**
 * The answer to a replayed POST of one of the loyalty page's forms: 303 to the page (its GET, no result named), nothing
 * of the request read or done (docs/storefront-forms.md#double-click).
 */
function replayedFormAnswer(page: string, shop: string): Response {
  logger.info("app proxy form replayed: sent back to the page", { shop });
  return new Response(null, { status: 303, headers: { Location: page, "Cache-Control": "private, no-store" } });
}

/**
 * The library's app proxy authentication (the signature over the query and the library's timestamp check, which
 * passes a missing timestamp), made strict (docs/rules.md#loyalty-page): Shopify's parameters each once, a timestamp
 * within the tolerance, and each signature answered once (a replay is refused). Every refusal is a 401 that says
 * nothing (the library's own is a 400), but for a replayed POST of a loyalty page form, sent back to the page (303). The verified shop and signed-in customer come with the library's context.
 */
async function appProxy(request: Request) {
  const params = new URL(request.url).searchParams;
  const issue = proxyQueryIssue(params, Date.now());
  if (issue) throw proxyRefused(issue, null);
  let context: Awaited<ReturnType<typeof shopify.authenticate.public.appProxy>>;
  try {
    context = await shopify.authenticate.public.appProxy(request);
  } catch (error) {
    if (error instanceof Response || error instanceof InvalidShopError) throw proxyRefused("signature", null);
    throw error;
  }
  const identity = proxyIdentity(params);
  if (!(await claimProxySignature(identity.shop, identity.signature, new Date(identity.keptUntil)))) {
    // A page form sent twice within one second (a double click): the first acted; the second is sent to the page.
    const page = replayedFormRedirect(request.method, new URL(request.url).pathname, params);
    if (page) throw replayedFormAnswer(page, identity.shop);
    throw proxyRefused("replayed", identity.shop);
  }
  return { ...context, shop: identity.shop, customerId: identity.customerId };
}

export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
