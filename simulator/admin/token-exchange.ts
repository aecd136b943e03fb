// Shopify's OAuth token endpoint as @shopify/shopify-api 12.3 calls it: token exchange of an App Bridge session
// token (HS256 JWT signed with the app secret) for an online or offline access token, and refresh_token grants.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "./clock";
import type { AccessTokenRecord } from "./records";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
export const OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";
export const ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token";

const CLOCK_SKEW_SECONDS = 5;
const ONLINE_TOKEN_SECONDS = 86_399;
const EXPIRING_OFFLINE_SECONDS = 3_600;
const REFRESH_TOKEN_SECONDS = 30 * 86_400;

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString("base64url");
}

/** Mints an App Bridge session token exactly as Shopify admin does (tests use it to drive token exchange). */
export function signSessionToken(claims: Record<string, unknown>, secret: string): string {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

export function sessionTokenClaims(options: {
  shop: string;
  apiKey: string;
  userId?: number;
  nowSeconds: number;
  ttlSeconds?: number;
}) {
  return {
    iss: `https://${options.shop}/admin`,
    dest: `https://${options.shop}`,
    aud: options.apiKey,
    sub: String(options.userId ?? 1),
    exp: options.nowSeconds + (options.ttlSeconds ?? 60),
    nbf: options.nowSeconds,
    iat: options.nowSeconds,
    jti: randomBytes(16).toString("hex"),
    sid: randomBytes(16).toString("hex"),
  };
}

type Verified = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

function verifySessionToken(token: string, secret: string, apiKey: string, shop: string, nowSeconds: number): Verified {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed token" };
  const [header, payload, signature] = parts;
  let headerJson: { alg?: string };
  let claims: Record<string, unknown>;
  try {
    headerJson = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed token" };
  }
  if (headerJson.alg !== "HS256") return { ok: false, reason: "unsupported algorithm" };
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "signature verification failed" };
  if (typeof claims.exp !== "number" || claims.exp + CLOCK_SKEW_SECONDS < nowSeconds)
    return { ok: false, reason: "token expired" };
  if (typeof claims.nbf === "number" && claims.nbf - CLOCK_SKEW_SECONDS > nowSeconds)
    return { ok: false, reason: "token not yet valid" };
  if (claims.aud !== apiKey) return { ok: false, reason: "audience mismatch" };
  if (claims.dest !== `https://${shop}`) return { ok: false, reason: "destination mismatch" };
  if (claims.iss !== `https://${shop}/admin`) return { ok: false, reason: "issuer mismatch" };
  return { ok: true, claims };
}

export class TokenStore {
  private readonly tokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, AccessTokenRecord>();

  constructor(
    private readonly clock: Clock,
    /** `scopesFor`: what the shop's installation grants the app now (a token answers with it). */
    private readonly config: { apiKey: string; apiSecret: string; scopesFor: (shop: string) => string },
  ) {}

  /** Issues a token directly (tests that do not care about token exchange). */
  issue(
    shop: string,
    options: { online?: boolean; userId?: number; expiresInSeconds?: number; refresh?: boolean } = {},
  ): AccessTokenRecord {
    const record: AccessTokenRecord = {
      token: `shpat_${randomBytes(16).toString("hex")}`,
      shop: shop.toLowerCase(),
      scope: this.config.scopesFor(shop.toLowerCase()),
      online: !!options.online,
      userId: options.userId ?? null,
      expiresAt: options.expiresInSeconds ? this.clock.now() + options.expiresInSeconds * 1000 : null,
      refreshToken: options.refresh ? `shprt_${randomBytes(16).toString("hex")}` : null,
    };
    this.tokens.set(record.token, record);
    if (record.refreshToken) this.refreshTokens.set(record.refreshToken, record);
    return record;
  }

  /** The shop a valid, unexpired token belongs to; null for anything else. */
  authenticate(token: string | undefined, shop: string): AccessTokenRecord | null {
    if (!token) return null;
    const record = this.tokens.get(token);
    if (!record || record.shop !== shop.toLowerCase()) return null;
    if (record.expiresAt !== null && record.expiresAt <= this.clock.now()) return null;
    return record;
  }

  revokeShop(shop: string): void {
    for (const [token, record] of this.tokens) if (record.shop === shop.toLowerCase()) this.tokens.delete(token);
  }

  /** POST /admin/oauth/access_token */
  handle(shop: string, body: Record<string, unknown>): TokenResponse {
    if (body.client_id !== this.config.apiKey || body.client_secret !== this.config.apiSecret) {
      return {
        status: 401,
        body: {
          error: "invalid_client",
          error_description:
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        },
      };
    }
    if (body.grant_type === "refresh_token") return this.refresh(body);
    if (body.grant_type !== TOKEN_EXCHANGE_GRANT) {
      return {
        status: 400,
        body: {
          error: "unsupported_grant_type",
          error_description: `The grant type ${String(body.grant_type)} is not supported.`,
        },
      };
    }
    if (body.subject_token_type !== ID_TOKEN_TYPE) {
      return {
        status: 400,
        body: { error: "invalid_request", error_description: "subject_token_type must be an id_token." },
      };
    }
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    const verified = verifySessionToken(
      String(body.subject_token ?? ""),
      this.config.apiSecret,
      this.config.apiKey,
      shop,
      nowSeconds,
    );
    if (!verified.ok) {
      return {
        status: 400,
        body: { error: "invalid_subject_token", error_description: `Invalid subject token: ${verified.reason}.` },
      };
    }
    const userId = Number(verified.claims.sub);
    if (body.requested_token_type === ONLINE_TOKEN_TYPE) {
      const record = this.issue(shop, { online: true, userId, expiresInSeconds: ONLINE_TOKEN_SECONDS });
      return {
        status: 200,
        body: {
          access_token: record.token,
          scope: record.scope,
          expires_in: ONLINE_TOKEN_SECONDS,
          associated_user_scope: record.scope,
          associated_user: {
            id: userId,
            first_name: "Simulated",
            last_name: "Staff",
            email: `staff-${userId}@${shop}`,
            account_owner: true,
            locale: "en",
            collaborator: false,
            email_verified: true,
          },
        },
      };
    }
    if (body.requested_token_type !== OFFLINE_TOKEN_TYPE) {
      return {
        status: 400,
        body: { error: "invalid_request", error_description: "requested_token_type is not supported." },
      };
    }
    const expiring = body.expiring === "1" || body.expiring === 1 || body.expiring === true;
    const record = this.issue(shop, {
      expiresInSeconds: expiring ? EXPIRING_OFFLINE_SECONDS : undefined,
      refresh: expiring,
    });
    return { status: 200, body: this.offlineBody(record) };
  }

  private offlineBody(record: AccessTokenRecord): Record<string, unknown> {
    return {
      access_token: record.token,
      scope: record.scope,
      ...(record.expiresAt !== null
        ? {
            expires_in: EXPIRING_OFFLINE_SECONDS,
            refresh_token: record.refreshToken,
            refresh_token_expires_in: REFRESH_TOKEN_SECONDS,
          }
        : {}),
    };
  }

  private refresh(body: Record<string, unknown>): TokenResponse {
    const previous = this.refreshTokens.get(String(body.refresh_token ?? ""));
    if (!previous)
      return {
        status: 400,
        body: { error: "invalid_grant", error_description: "The refresh token is invalid or expired." },
      };
    this.refreshTokens.delete(String(body.refresh_token));
    this.tokens.delete(previous.token);
    const record = this.issue(previous.shop, { expiresInSeconds: EXPIRING_OFFLINE_SECONDS, refresh: true });
    return { status: 200, body: this.offlineBody(record) };
  }
}
