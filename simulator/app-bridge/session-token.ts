// Session tokens exactly as App Bridge mints them: HS256 JWTs signed with the app's API secret.
// Used by the App Bridge double (the browser asks the simulator for one) and by tests.
import { createHmac, randomUUID } from "node:crypto";

export interface SessionTokenClaims {
  iss: string; // https://{shop}/admin
  dest: string; // https://{shop}
  aud: string; // the app's API key
  sub: string; // the staff member's user id
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  sid: string;
}

const base64url = (input: string | Buffer) => Buffer.from(input).toString("base64url");

export function signJwt(claims: object, secret: string): string {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac("sha256", secret).update(`${header}.${body}`).digest("base64url");
  return `${header}.${body}.${signature}`;
}

export interface MintOptions {
  shop: string;
  apiKey: string;
  apiSecret: string;
  userId?: string;
  /** Seconds since the epoch; defaults to now. */
  now?: number;
  /** Lifetime in seconds; App Bridge tokens live one minute. */
  ttl?: number;
  overrides?: Partial<SessionTokenClaims>;
}

export function mintSessionToken({ shop, apiKey, apiSecret, userId = "42", now, ttl = 60, overrides }: MintOptions) {
  const iat = now ?? Math.floor(Date.now() / 1000);
  const claims: SessionTokenClaims = {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: apiKey,
    sub: userId,
    exp: iat + ttl,
    nbf: iat - 5,
    iat,
    jti: randomUUID(),
    sid: base64url(`${shop}:${userId}`),
    ...overrides,
  };
  return signJwt(claims, apiSecret);
}

/** The `host` parameter Shopify admin appends to an embedded app's URL. */
export function adminHostParam(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64url");
}
