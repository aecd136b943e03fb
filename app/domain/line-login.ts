// The shopper's LINE link (docs/line-link.md), the pure parts: LINE Login v2.1's authorisation request (state, PKCE
// S256, nonce, bot_prompt), the checks on its answers (the callback's query, the token answer, the id_token), and the
// checks on LINE's webhooks into the app (X-Line-Signature, the body's shape, follow/unfollow). No I/O and no clock:
// randomness and the time come from the caller.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { PerkLocale } from "./perks";

/** How long a started link may wait for LINE's callback (the state, the verifier and the nonce live this long). */
export const LINE_LOGIN_ATTEMPT_MS = 10 * 60_000;
/** LINE Login's issuer (the id_token's `iss`). */
export const LINE_ISSUER = "https://access.line.me";
/** A random value we mint (state, nonce: 32 bytes; verifier: 48 bytes), base64url: 43–128 unreserved characters. */
export const OPAQUE = /^[A-Za-z0-9_-]{43,128}$/;
/** A LINE user id (a Messaging API `source.userId`, a Login `sub`). */
export const LINE_USER_ID = /^U[0-9a-f]{32}$/;

/** What a link action ended with, as the loyalty page names it (`?line=<result>`). */
export const LINE_RESULTS = [
  "linked",
  "unlinked",
  "cancelled",
  "expired",
  "refused",
  "taken",
  "failed",
  "unavailable",
] as const;
export type LineResult = (typeof LINE_RESULTS)[number];

/** The loyalty page's LINE section for a signed-in member of a shop that offers the link. */
export interface LineLinkView {
  /** The member's link, when there is one. */
  link: { displayName: string | null; following: boolean } | null;
  /** The result of the action just done (from the page's query), if any. */
  result: LineResult | null;
  /** A random key in the forms' action URLs, so two sends of a form are two signed requests (replays are refused). */
  formKey: string;
}

/** PKCE S256 (RFC 7636 §4.2): base64url(SHA-256(ASCII(code_verifier))). */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

export interface AuthorizeInput {
  /** Where LINE Login's pages are (https://access.line.me; the local LINE in tests). */
  origin: string;
  channelId: string;
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  locale: PerkLocale;
}

/**
 * The authorisation URL the shopper's browser is sent to: the code flow with `openid profile` (the id_token names the
 * user; the profile gives the name), PKCE S256, the nonce, and `bot_prompt=aggressive` (after consent LINE offers to
 * add the shop's Official Account as a friend), in the page's language (`ui_locales`).
 */
export function authorizeUrl(input: AuthorizeInput): string {
  const url = new URL("/oauth2/v2.1/authorize", input.origin);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: input.channelId,
    redirect_uri: input.redirectUri,
    state: input.state,
    scope: "openid profile",
    nonce: input.nonce,
    bot_prompt: "aggressive",
    code_challenge: pkceChallenge(input.codeVerifier),
    code_challenge_method: "S256",
    ui_locales: input.locale === "th" ? "th" : "en",
  }).toString();
  return url.toString();
}

/**
 * The storefront origin the link's form names (Liquid's `shop.url`, the shop's primary domain as Shopify renders it),
 * checked: http(s), no credentials, query or fragment; a path is kept (a storefront may live under one). Null when it
 * is not one. LINE itself only accepts a redirect URI registered for the Login channel, exactly.
 */
export function storefrontOrigin(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 300) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password || url.search || url.hash) return null;
  if (!/^\/?[A-Za-z0-9._~/-]*$/.test(url.pathname)) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The redirect URI for a storefront origin and the proxy's path: `<origin><prefix>/line/callback`. */
export const callbackUri = (origin: string, pagePath: string) => `${origin}${pagePath}/line/callback`;

/** What LINE's redirect back to the callback says. */
export type CallbackQuery =
  | { kind: "code"; code: string; state: string }
  | { kind: "denied"; state: string | null }
  | { kind: "malformed" };

export function parseCallbackQuery(query: URLSearchParams): CallbackQuery {
  const state = query.get("state");
  const okState = state !== null && OPAQUE.test(state) ? state : null;
  if (query.get("error") !== null) return { kind: "denied", state: okState };
  const code = query.get("code");
  if (!okState || !code || code.length > 512 || !/^[\x21-\x7e]+$/.test(code)) return { kind: "malformed" };
  return { kind: "code", code, state: okState };
}

export type IdTokenCheck = { ok: true; sub: string; name: string | null } | { ok: false; reason: string };

/**
 * LINE Login's id_token (a JWT signed HS256 with the Login channel secret), verified as LINE documents: the signature
 * (constant-time), `alg` HS256, `iss` https://access.line.me, `aud` the channel id, `exp` in the future, and `nonce`
 * the one this attempt sent. `nowMs`: the caller's clock.
 */
export function verifyIdToken(
  token: unknown,
  expect: { channelId: string; channelSecret: string; nonce: string; nowMs: number },
): IdTokenCheck {
  if (typeof token !== "string") return { ok: false, reason: "missing" };
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return { ok: false, reason: "malformed" };
  const [h, p, s] = parts;
  let header: { alg?: unknown };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as { alg?: unknown };
    claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (header.alg !== "HS256") return { ok: false, reason: "alg" };
  const expected = createHmac("sha256", expect.channelSecret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature" };
  if (claims.iss !== LINE_ISSUER) return { ok: false, reason: "iss" };
  const aud = claims.aud;
  if (!(aud === expect.channelId || (Array.isArray(aud) && aud.includes(expect.channelId))))
    return { ok: false, reason: "aud" };
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= expect.nowMs) return { ok: false, reason: "exp" };
  if (claims.nonce !== expect.nonce) return { ok: false, reason: "nonce" };
  if (typeof claims.sub !== "string" || !LINE_USER_ID.test(claims.sub)) return { ok: false, reason: "sub" };
  return { ok: true, sub: claims.sub, name: typeof claims.name === "string" ? claims.name : null };
}

// ---- Webhooks into the app ------------------------------------------------------------------------------------------

/**
 * LINE's `X-Line-Signature` check: base64(HMAC-SHA256(channel secret, the raw body bytes)), compared in constant time.
 * Done on the bytes as they arrived, before anything parses them.
 */
export function lineSignatureValid(body: Uint8Array, signature: string | null, channelSecret: string): boolean {
  if (!signature || !/^[A-Za-z0-9+/]{43}=$/.test(signature)) return false;
  const expected = createHmac("sha256", channelSecret).update(body).digest();
  const given = Buffer.from(signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A follow or unfollow from one user (the only events the app acts on), with LINE's timestamp (ms). */
export interface FriendshipEvent {
  type: "follow" | "unfollow";
  userId: string;
  at: number;
  webhookEventId: string | null;
}

export type WebhookBody = { ok: true; destination: string; events: FriendshipEvent[] } | { ok: false; reason: string };

/**
 * The webhook body's shape (LINE's CallbackRequest): `destination` (the bot's user id) and `events[]`, each an object
 * with a `type` and a numeric `timestamp`. Follow/unfollow events from a user are returned; other events (messages,
 * group sources, …) are valid and ignored. Anything else malformed refuses the whole body.
 */
export function parseWebhookBody(text: string): WebhookBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: "json" };
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return { ok: false, reason: "shape" };
  const { destination, events } = body as { destination?: unknown; events?: unknown };
  if (typeof destination !== "string" || !LINE_USER_ID.test(destination)) return { ok: false, reason: "destination" };
  if (!Array.isArray(events)) return { ok: false, reason: "events" };
  const out: FriendshipEvent[] = [];
  for (const e of events as unknown[]) {
    if (!e || typeof e !== "object") return { ok: false, reason: "event" };
    const { type, timestamp, source, webhookEventId } = e as Record<string, unknown>;
    if (typeof type !== "string" || typeof timestamp !== "number" || !Number.isFinite(timestamp))
      return { ok: false, reason: "event" };
    if (type !== "follow" && type !== "unfollow") continue;
    const s = source as { type?: unknown; userId?: unknown } | undefined;
    if (!s || s.type !== "user" || typeof s.userId !== "string" || !LINE_USER_ID.test(s.userId))
      return { ok: false, reason: "source" };
    out.push({
      type,
      userId: s.userId,
      at: timestamp,
      webhookEventId: typeof webhookEventId === "string" ? webhookEventId : null,
    });
  }
  return { ok: true, destination, events: out };
}
