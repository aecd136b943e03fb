// The shopper's sign-in on a simulated storefront: a cookie scoped to the shop's storefront path, holding the customer
// id with an HMAC the browser cannot forge (the key is this local Shopify's own), and one-time sign-in links for tests
// (Shopify's Multipass path, without its encryption: the token is an opaque random string the simulator remembers).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const CUSTOMER_COOKIE = "storefront_customer";
const TOKEN_TTL_MS = 10 * 60 * 1000;

export function storefrontRoot(shop: string): string {
  return `/store/${shop}`;
}

export class CustomerSessions {
  private readonly key = randomBytes(32);
  private readonly tokens = new Map<string, { shop: string; customerId: string; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  private mac(shop: string, customerId: string): string {
    return createHmac("sha256", this.key).update(`${shop}|${customerId}`).digest("base64url");
  }

  /** The cookie's value for a signed-in customer (numeric id). */
  value(shop: string, customerId: string): string {
    return `${customerId}.${this.mac(shop, customerId)}`;
  }

  /** Set-Cookie signing `customerId` in to `shop`'s storefront, and only there (Path is the shop's storefront root). */
  setCookie(shop: string, customerId: string): string {
    return `${CUSTOMER_COOKIE}=${this.value(shop, customerId)}; Path=${storefrontRoot(shop)}; HttpOnly; SameSite=Lax`;
  }

  clearCookie(shop: string): string {
    return `${CUSTOMER_COOKIE}=; Path=${storefrontRoot(shop)}; HttpOnly; SameSite=Lax; Max-Age=0`;
  }

  /** The customer id a request's Cookie header signs in to `shop`, or null. */
  customerId(shop: string, cookieHeader: string | undefined): string | null {
    for (const part of (cookieHeader ?? "").split(";")) {
      const eq = part.indexOf("=");
      if (eq === -1 || part.slice(0, eq).trim() !== CUSTOMER_COOKIE) continue;
      const [id, mac] = part
        .slice(eq + 1)
        .trim()
        .split(".");
      if (!id || !mac || !/^\d+$/.test(id)) continue;
      const expected = Buffer.from(this.mac(shop, id));
      const given = Buffer.from(mac);
      if (given.length === expected.length && timingSafeEqual(given, expected)) return id;
    }
    return null;
  }

  /** A one-time sign-in token for a test or the demo (single use, valid ten minutes of the simulator's clock). */
  issueToken(shop: string, customerId: string): string {
    const token = randomBytes(24).toString("base64url");
    this.tokens.set(token, { shop, customerId, expiresAt: this.now() + TOKEN_TTL_MS });
    return token;
  }

  /** The customer a token signs in, once; null when unknown, used, expired or for another shop. */
  redeemToken(shop: string, token: string): string | null {
    const entry = this.tokens.get(token);
    this.tokens.delete(token);
    if (!entry || entry.shop !== shop || entry.expiresAt < this.now()) return null;
    return entry.customerId;
  }
}
