// The shopper's LINE link (docs/line-link.md): starting LINE Login v2.1 from the loyalty page (state + PKCE S256 +
// nonce, bot_prompt=aggressive), the callback through the app proxy (the attempt spent, the code exchanged with the
// verifier, the id_token verified, the profile and the friendship with the shop's Official Account read, the link
// written), unlinking, and LINE's follow/unfollow webhooks into the app (X-Line-Signature checked before anything is
// parsed). Every answer names its result for the page (`?line=<result>`); a refusal writes nothing. LINE's access
// token is used for the two reads and never stored.
import { randomBytes } from "node:crypto";
import { env } from "../env.server";
import {
  authorizeUrl,
  callbackUri,
  LINE_LOGIN_ATTEMPT_MS,
  LINE_RESULTS,
  type LineLinkView,
  type LineResult,
  lineSignatureValid,
  parseCallbackQuery,
  parseWebhookBody,
  storefrontOrigin,
  verifyIdToken,
} from "../domain/line-login";
import { perkLocale, type PerkLocale } from "../domain/perks";
import { listConnections } from "../models/channel-connections.server";
import {
  createLoginAttempt,
  deleteLineLink,
  getLineLink,
  saveLineLink,
  setFollowing,
  spendLoginAttempt,
} from "../models/line-links.server";
import { getShop, shopLocale } from "../models/shop.server";
import { logger } from "../logger.server";
import { openConnection } from "./channels.server";

const CALL_TIMEOUT_MS = 10_000;
/** LINE's webhook bodies are small; anything bigger than this is not one. */
const WEBHOOK_MAX_BYTES = 1_000_000;

const random = (bytes: number) => randomBytes(bytes).toString("base64url");
const query = (result: LineResult) => `line=${result}`;

/** Whether the shop offers the link: both LINE channels connected (Messaging API for the friend, Login for the link). */
export async function lineLinkOffered(shop: string): Promise<boolean> {
  const channels = new Set((await listConnections(shop)).map((c) => c.channel));
  return channels.has("line-messaging") && channels.has("line-login");
}

/** The loyalty page's LINE section for a signed-in member, or null when the shop does not offer the link. */
export async function lineLinkSection(
  shop: string,
  customerId: string,
  pageQuery: URLSearchParams,
): Promise<LineLinkView | null> {
  if (!(await lineLinkOffered(shop))) return null;
  const link = await getLineLink(shop, customerId);
  const named = pageQuery.get("line");
  return {
    link: link && { displayName: link.displayName, following: link.following },
    result: (LINE_RESULTS as readonly string[]).includes(named ?? "") ? (named as LineResult) : null,
    formKey: random(6),
  };
}

export type StartResult = { kind: "redirect"; location: string } | { kind: "back"; query: string };

/**
 * "Link LINE": for the signed-in `customerId` of `shop`, records a fresh attempt (state, verifier, nonce, the redirect
 * URI, the page's language; 10 minutes) and answers LINE Login's authorisation URL. `form.origin`: the storefront's
 * origin as the page rendered it (Liquid's `shop.url`), which with the proxy's `pagePath` makes the redirect URI.
 */
export async function startLineLink(
  shop: string,
  customerId: string,
  form: FormData,
  pagePath: string,
  now: Date = new Date(),
): Promise<StartResult> {
  const origin = storefrontOrigin(form.get("origin"));
  if (!origin) return { kind: "back", query: query("refused") };
  const [shopRow, connections] = await Promise.all([getShop(shop), listConnections(shop)]);
  const login = connections.find((c) => c.channel === "line-login");
  const messaging = connections.find((c) => c.channel === "line-messaging");
  if (shopRow?.status !== "installed" || !messaging || !login?.publicId)
    return { kind: "back", query: query("unavailable") };
  const locale: PerkLocale = perkLocale(await shopLocale(shop));
  const attempt = {
    state: random(32),
    shop,
    customerId,
    codeVerifier: random(48),
    nonce: random(32),
    redirectUri: callbackUri(origin, pagePath),
    locale,
    expiresAt: new Date(now.getTime() + LINE_LOGIN_ATTEMPT_MS),
  };
  await createLoginAttempt(attempt, now);
  return {
    kind: "redirect",
    location: authorizeUrl({
      origin: env.LINE_ACCESS_ORIGIN,
      channelId: login.publicId,
      redirectUri: attempt.redirectUri,
      state: attempt.state,
      nonce: attempt.nonce,
      codeVerifier: attempt.codeVerifier,
      locale,
    }),
  };
}

async function lineCall(path: string, init: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL(path, env.LINE_API_ORIGIN), {
    ...init,
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, body: body && typeof body === "object" ? body : {} };
}

/**
 * LINE's redirect back (`code` + `state`, or `error` + `state`), for the signed-in `customerId` of `shop`. The attempt
 * is spent first (a reused or unknown state, another shop's, an expired one, or one started by another customer is
 * refused, nothing written); a cancel (`error=access_denied`) writes nothing. Then the code is exchanged with the
 * verifier, the id_token verified (signature with the Login channel secret, iss, aud, exp, nonce), the profile and
 * the friendship read, and the link written (refused when that LINE account is another customer's here).
 * Returns the page's query naming the result.
 */
export async function finishLineLink(
  shop: string,
  customerId: string | null,
  callback: URLSearchParams,
  now: Date = new Date(),
): Promise<string> {
  const parsed = parseCallbackQuery(callback);
  if (parsed.kind === "malformed") return query("refused");
  const attempt = parsed.state ? await spendLoginAttempt(shop, parsed.state) : null;
  if (parsed.kind === "denied") return query(attempt && attempt.customerId === customerId ? "cancelled" : "refused");
  if (!attempt || !customerId || attempt.customerId !== customerId) {
    logger.warn("LINE link callback refused", { shop, reason: attempt ? "customer" : "state" });
    return query("refused");
  }
  if (attempt.expiresAt.getTime() < now.getTime()) return query("expired");
  const opened = await openConnection(shop, "line-login").catch(() => null);
  if (!opened?.publicId) return query("unavailable");
  const login = { publicId: opened.publicId, secrets: opened.secrets };
  // The channels the shopper's LINE id will be obtained under: the link is written only while both are still the
  // connected ones (saveLineLink; a channel change meanwhile ends the shop's links, docs/channels.md).
  const messagingId = (await listConnections(shop)).find((c) => c.channel === "line-messaging")?.publicId;
  if (!messagingId) return query("unavailable");
  try {
    const token = await lineCall("/oauth2/v2.1/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: parsed.code,
        redirect_uri: attempt.redirectUri,
        client_id: login.publicId,
        client_secret: login.secrets.channelSecret,
        code_verifier: attempt.codeVerifier,
      }),
    });
    const accessToken = token.body.access_token;
    if (token.status !== 200 || typeof accessToken !== "string") {
      logger.warn("LINE token exchange refused", { shop, status: token.status, error: token.body.error });
      return query("failed");
    }
    const id = verifyIdToken(token.body.id_token, {
      channelId: login.publicId,
      channelSecret: login.secrets.channelSecret,
      nonce: attempt.nonce,
      nowMs: now.getTime(),
    });
    if (!id.ok) {
      logger.warn("LINE id_token refused", { shop, reason: id.reason });
      return query("failed");
    }
    const bearer = { authorization: `Bearer ${accessToken}` };
    const [profile, friendship] = await Promise.all([
      lineCall("/v2/profile", { headers: bearer }),
      lineCall("/friendship/v1/status", { headers: bearer }),
    ]);
    if (profile.status !== 200 || profile.body.userId !== id.sub || friendship.status !== 200) {
      logger.warn("LINE profile or friendship read failed", {
        shop,
        profile: profile.status,
        friendship: friendship.status,
      });
      return query("failed");
    }
    const displayName = typeof profile.body.displayName === "string" ? profile.body.displayName.slice(0, 200) : id.name;
    const saved = await saveLineLink(
      {
        shop,
        customerId,
        lineUserId: id.sub,
        displayName,
        locale: attempt.locale === "th" ? "th" : "en",
        following: friendship.body.friendFlag === true,
        linkedAt: now,
        followAt: now,
      },
      { login: login.publicId, messaging: messagingId },
    );
    if (!saved.ok && saved.reason === "channel_changed") {
      logger.warn("LINE link not saved: the shop's LINE channel changed meanwhile", { shop });
      return query("unavailable");
    }
    return query(saved.ok ? "linked" : "taken");
  } catch (error) {
    logger.warn("LINE link failed", { shop, error: error instanceof Error ? error.message : String(error) });
    return query("failed");
  }
}

/** "Unlink": deletes the customer's link at once (no more LINE messages to them). */
export async function unlinkLine(shop: string, customerId: string): Promise<string> {
  await deleteLineLink(shop, customerId);
  return query("unlinked");
}

export type WebhookAnswer = { status: 200 | 400 | 401 | 404 | 413; applied: number };

/**
 * A LINE webhook for `shop`: the signature over the raw bytes with the shop's Messaging API channel secret first
 * (unsigned or forged: 401, nothing parsed); then the body's shape (400); then each follow/unfollow of a linked user
 * applied when newer than the link's last change. Unlinked users' events, other event types and LINE's verify
 * request (no events) store nothing and answer 200.
 */
export async function receiveLineWebhook(
  shop: string,
  body: Uint8Array,
  signature: string | null,
): Promise<WebhookAnswer> {
  if (body.length > WEBHOOK_MAX_BYTES) return { status: 413, applied: 0 };
  const messaging = await openConnection(shop, "line-messaging").catch(() => null);
  if (!messaging) return { status: 404, applied: 0 };
  if (!lineSignatureValid(body, signature, messaging.secrets.channelSecret)) {
    logger.warn("LINE webhook refused: signature", { shop });
    return { status: 401, applied: 0 };
  }
  const parsed = parseWebhookBody(Buffer.from(body).toString("utf8"));
  if (!parsed.ok) {
    logger.warn("LINE webhook refused: body", { shop, reason: parsed.reason });
    return { status: 400, applied: 0 };
  }
  let applied = 0;
  for (const event of parsed.events) {
    if (await setFollowing(shop, event.userId, event.type === "follow", new Date(event.at))) applied++;
  }
  return { status: 200, applied };
}

/**
 * What the merchant enters in the LINE Developers Console (shown on the Channels page): the Messaging API channel's
 * webhook URL (this app, per shop) and the LINE Login channel's callback URL (the loyalty page's proxy path on the
 * storefront; with a custom domain, the same path on it — the domain shoppers browse, which Liquid's shop.url names).
 */
export function lineConsoleUrls(shop: string): { webhookUrl: string; callbackUrl: string } {
  return {
    webhookUrl: new URL(`/webhooks/line/${shop}`, env.SHOPIFY_APP_URL).toString(),
    callbackUrl: callbackUri(`https://${shop}`, "/apps/loyalty"),
  };
}
