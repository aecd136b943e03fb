// The shopper's LINE link as their browser does it (docs/line-link.md): the loyalty page through the local Shopify's
// storefront and app proxy (the shopper's cookie, Shopify's signed query), "Link LINE" → the local LINE Login →
// back to the storefront's callback. Shared by tests/integration/line-link.test.ts (every step and refusal) and
// tests/integration/line-campaign.test.ts (#25's proof starts from a real link).
import { expect } from "vitest";
import type { createLocalShopify } from "../../simulator/local-shopify";
import { BROWSER_HEADERS } from "./test-env";

type LocalShopify = ReturnType<typeof createLocalShopify>;

/** A form's action on the page (the LINE section's link or unlink form; Shopify's library adds a trailing slash). */
export function lineFormAction(html: string, what: "link" | "unlink"): string | null {
  const m = new RegExp(`<form method="post" action="([^"]*/line/${what}/?\\?f=[^"]+)"`).exec(html);
  return m ? m[1].replace(/&amp;/g, "&") : null;
}

/** The LINE form's own anti-forgery token (docs/storefront-forms.md), or null when the page has no such form. */
export function lineFormToken(html: string, what: "link" | "unlink"): string | null {
  const m = new RegExp(
    `<form method="post" action="[^"]*/line/${what}/?\\?f=[^"]+"><input type="hidden" name="token" value="([^"]+)">`,
  ).exec(html);
  return m ? m[1] : null;
}

export function lineLinkFlow(shopify: LocalShopify) {
  let visits = 0;

  /** The loyalty page as the shopper's browser gets it through the storefront. */
  async function page(shop: string, customerId: string, query = "") {
    const res = await shopify.storefront.fetch(shop, `/apps/loyalty?${query ? `${query}&` : ""}v=${++visits}`, {
      customerId,
      headers: BROWSER_HEADERS,
    });
    expect(res.status).toBe(200);
    return res.text();
  }

  /** "Link LINE" through the storefront: the redirect to LINE Login. */
  async function start(shop: string, customerId: string) {
    const html = await page(shop, customerId);
    const path = lineFormAction(html, "link");
    expect(path).not.toBeNull();
    // The storefront's origin as Liquid's shop.url rendered it into the form
    const origin = /name="origin" value="([^"]+)"/.exec(html)![1];
    const res = await shopify.storefront.fetch(shop, path!, {
      method: "POST",
      customerId,
      headers: { ...BROWSER_HEADERS, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ origin, token: lineFormToken(html, "link")! }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    return new URL(res.headers.get("location")!);
  }

  /** The shopper's browser at LINE Login: the redirect back to the storefront's callback. */
  async function authorize(url: URL) {
    const res = await fetch(url, { redirect: "manual" });
    expect(res.status).toBe(302);
    return new URL(res.headers.get("location")!);
  }

  /** The storefront's callback as the shopper's browser follows it: the page's result (`line=`). */
  async function callback(shop: string, customerId: string | null, back: URL, extra = "") {
    const path = back.pathname.replace(`/store/${shop}`, "") + back.search + extra;
    const res = await shopify.storefront.fetch(shop, path, {
      customerId: customerId ?? undefined,
      headers: BROWSER_HEADERS,
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    return new URL(res.headers.get("location")!, "http://x").searchParams.get("line");
  }

  /** The whole flow for one shopper signed in at LINE (the local LINE Login's signIn/setConsent): its result. */
  async function link(shop: string, customerId: string) {
    return callback(shop, customerId, await authorize(await start(shop, customerId)));
  }

  return { page, start, authorize, callback, link };
}
