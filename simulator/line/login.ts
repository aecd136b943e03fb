// The local LINE Login (OAuth 2.0 authorisation code flow with PKCE, LINE Login v2.1), for the shopper's LINE link
// flow that a later issue builds. LINE publishes no OpenAPI description of LINE Login, so this follows LINE's LINE
// Login v2.1 reference and its PKCE guide (RFC 7636), strictly:
// - GET /oauth2/v2.1/authorize: response_type=code, a known Login channel's client_id, a redirect_uri registered
//   for the channel (exact match), state (required), a scope with profile or openid, and — when present —
//   code_challenge with code_challenge_method=S256. The shopper signed in to the local LINE (signIn()) consents at
//   once: a redirect to redirect_uri with a one-time code and the state. A refused request with a usable
//   redirect_uri goes back with error=invalid_request; with an unusable one, a 400 page and no redirect.
// - POST /oauth2/v2.1/token (application/x-www-form-urlencoded, grant_type=authorization_code): the channel's own
//   client_id and client_secret, the code (one use, 10 minutes, issued to this client), the same redirect_uri, and
//   the code_verifier whose S256 is the code's challenge (43–128 unreserved characters). Errors are
//   { error, error_description } with 400. The answer has an access token (30 days), a refresh token and, with
//   openid, an id_token signed HS256 with the channel secret (iss https://access.line.me, sub, aud, exp, iat, nonce).
// - GET /v2/profile with the user's access token: userId and displayName.
// - GET /friendship/v1/status with the user's access token: { friendFlag } — whether the user is a friend of the
//   Official Account linked to the Login channel (and has not blocked it); false when no account is linked.
// - bot_prompt (normal | aggressive; anything else is invalid_request): with a linked Official Account, the consent
//   offers to add it as a friend (ticked by default, as LINE's screen); the redirect back then carries
//   friendship_status_changed=true|false.
// Consent: "auto" (tests) consents at once for the signed-in user with the add-friend choice set by setConsent();
// "page" serves a consent page a browser can click through (Allow / Cancel, the add-friend checkbox), in the
// request's ui_locales (Thai or English).
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import express, { type Router } from "express";

export interface LoginChannel {
  channelId: string;
  channelSecret: string;
  callbackUrls: string[];
  /** The Messaging API channel of the Official Account linked to this Login channel (LINE's "Linked LINE Official Account"). */
  linkedBotChannelId?: string;
}

/** What the local LINE Login needs of the local Messaging API: the linked account's friends. */
export interface FriendHooks {
  isFriend(botChannelId: string, userId: string): boolean;
  addFriend(botChannelId: string, user: { userId: string; displayName: string }): void;
  botName(botChannelId: string): string;
}

interface Pending {
  id: string;
  channel: LoginChannel;
  redirectUri: string;
  state: string;
  challenge: string | null;
  scope: string;
  nonce: string | null;
  botPrompt: string | null;
  locale: "th" | "en";
}

const escapeHtml = (v: string) =>
  v.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const CONSENT_TEXT = {
  en: {
    title: "LINE Login",
    asks: "wants to use your LINE account",
    signedIn: "Signed in as",
    profile: "Your profile: name and profile picture",
    openid: "Your user ID (OpenID Connect)",
    addFriend: "Add {name} as a friend",
    allow: "Allow",
    cancel: "Cancel",
  },
  th: {
    title: "เข้าสู่ระบบด้วย LINE",
    asks: "ขอใช้บัญชี LINE ของคุณ",
    signedIn: "ลงชื่อเข้าใช้ในชื่อ",
    profile: "โปรไฟล์ของคุณ: ชื่อและรูปโปรไฟล์",
    openid: "รหัสผู้ใช้ของคุณ (OpenID Connect)",
    addFriend: "เพิ่ม {name} เป็นเพื่อน",
    allow: "อนุญาต",
    cancel: "ยกเลิก",
  },
};
interface Code {
  code: string;
  channelId: string;
  redirectUri: string;
  challenge: string | null;
  userId: string;
  scope: string;
  nonce: string | null;
  expiresAt: number;
  used: boolean;
}

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export function s256(verifier: string): string {
  return b64url(createHash("sha256").update(verifier, "ascii").digest());
}

export function createLocalLineLogin(now: () => number, friends?: FriendHooks) {
  const channels = new Map<string, LoginChannel>();
  const users = new Map<string, { userId: string; displayName: string }>();
  const codes = new Map<string, Code>();
  const tokens = new Map<string, { userId: string; channelId: string; expiresAt: number }>();
  let signedIn: string | null = null;
  let consent: { mode: "auto" | "page"; addFriend: boolean } = { mode: "auto", addFriend: true };
  const pending = new Map<string, Pending>();
  let tokenHook: (() => Promise<void>) | null = null;

  /** Consent given: the friend added when asked and ticked, a one-time code, and the query to send back. */
  function grant(p: Pending, addFriend: boolean): Record<string, string> {
    const back: Record<string, string> = {};
    const bot = p.channel.linkedBotChannelId;
    if (p.botPrompt && bot && friends) {
      const was = friends.isFriend(bot, signedIn!);
      if (addFriend && !was) friends.addFriend(bot, users.get(signedIn!)!);
      back.friendship_status_changed = String(friends.isFriend(bot, signedIn!) !== was);
    }
    const code = b64url(randomBytes(15));
    codes.set(code, {
      code,
      channelId: p.channel.channelId,
      redirectUri: p.redirectUri,
      challenge: p.challenge,
      userId: signedIn!,
      scope: p.scope,
      nonce: p.nonce,
      expiresAt: now() + 10 * 60_000,
      used: false,
    });
    return { code, state: p.state, ...back };
  }

  function consentPage(p: Pending): string {
    const t = CONSENT_TEXT[p.locale];
    const user = users.get(signedIn!)!;
    const bot = p.channel.linkedBotChannelId;
    const offerFriend = p.botPrompt && bot && friends && !friends.isFriend(bot, user.userId);
    const scopes = p.scope.split(" ");
    return (
      `<!doctype html><html lang="${p.locale}"><head><meta charset="utf-8"><title>${t.title}</title>` +
      `<meta name="viewport" content="width=device-width, initial-scale=1"><style>` +
      `body{font-family:sans-serif;max-width:28em;margin:2em auto;padding:0 1em;color:#111}` +
      `h1{color:#06c755}button{font:inherit;padding:.6em 1.2em;margin:.3em .3em 0 0;border-radius:6px;border:1px solid #555;background:#fff;color:#111}` +
      `button[value=allow]{background:#06c755;border-color:#06c755;color:#000}</style></head><body><main>` +
      `<h1>${t.title}</h1><p>${escapeHtml(p.channel.channelId)} ${t.asks}</p>` +
      `<p>${t.signedIn} <strong>${escapeHtml(user.displayName)}</strong></p>` +
      `<ul>${scopes.includes("profile") ? `<li>${t.profile}</li>` : ""}${scopes.includes("openid") ? `<li>${t.openid}</li>` : ""}</ul>` +
      `<form method="post" action="/oauth2/v2.1/authorize/consent"><input type="hidden" name="request" value="${p.id}">` +
      (offerFriend
        ? `<p><label><input type="checkbox" name="addFriend" value="1" checked> ${escapeHtml(t.addFriend.replace("{name}", friends!.botName(bot!)))}</label></p>`
        : "") +
      `<button type="submit" name="decision" value="allow">${t.allow}</button>` +
      `<button type="submit" name="decision" value="cancel">${t.cancel}</button></form></main></body></html>`
    );
  }

  const router: Router = express.Router();
  router.get("/oauth2/v2.1/authorize", (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const channel = q.client_id ? channels.get(q.client_id) : undefined;
    const redirectOk = channel && q.redirect_uri && channel.callbackUrls.includes(q.redirect_uri);
    if (!channel || !redirectOk) {
      res.status(400).type("text/plain").send("400 Bad Request: invalid client_id or redirect_uri");
      return;
    }
    const back = (params: Record<string, string>) => {
      const target = new URL(q.redirect_uri!);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      res.redirect(302, target.toString());
    };
    const scopes = (q.scope ?? "").split(" ").filter(Boolean);
    const problem =
      q.response_type !== "code"
        ? "response_type must be code"
        : !q.state
          ? "state is required"
          : !scopes.some((s) => s === "profile" || s === "openid")
            ? "scope must include profile or openid"
            : q.code_challenge !== undefined && q.code_challenge_method !== "S256"
              ? "code_challenge_method must be S256"
              : q.code_challenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge)
                ? "code_challenge is not an S256 challenge"
                : q.bot_prompt !== undefined && q.bot_prompt !== "normal" && q.bot_prompt !== "aggressive"
                  ? "bot_prompt must be normal or aggressive"
                  : null;
    if (problem)
      return back({ error: "invalid_request", error_description: problem, ...(q.state ? { state: q.state } : {}) });
    if (!signedIn) return back({ error: "access_denied", error_description: "the user cancelled", state: q.state! });
    const p: Pending = {
      id: b64url(randomBytes(12)),
      channel,
      redirectUri: q.redirect_uri!,
      state: q.state!,
      challenge: q.code_challenge ?? null,
      scope: scopes.join(" "),
      nonce: q.nonce ?? null,
      botPrompt: q.bot_prompt ?? null,
      locale: (q.ui_locales ?? "").split(" ")[0]?.startsWith("th") ? "th" : "en",
    };
    if (consent.mode === "auto") return back(grant(p, consent.addFriend));
    pending.set(p.id, p);
    res.status(200).type("text/html; charset=utf-8").set("Cache-Control", "no-store").send(consentPage(p));
  });

  router.post("/oauth2/v2.1/authorize/consent", express.urlencoded({ extended: false }), (req, res) => {
    const b = req.body as Record<string, string | undefined>;
    const p = b.request ? pending.get(b.request) : undefined;
    if (!p || !signedIn) {
      res.status(400).type("text/plain").send("400 Bad Request: unknown or finished authorization request");
      return;
    }
    pending.delete(p.id);
    const target = new URL(p.redirectUri);
    const params =
      b.decision === "allow"
        ? grant(p, b.addFriend === "1")
        : {
            error: "access_denied",
            error_description: "The user has denied the authorization request.",
            state: p.state,
          };
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    res.redirect(302, target.toString());
  });

  router.post("/oauth2/v2.1/token", express.urlencoded({ extended: false }), async (req, res) => {
    const fail = (error: string, description: string) =>
      res.status(400).json({ error, error_description: description });
    if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      return fail("invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    }
    const b = req.body as Record<string, string | undefined>;
    if (b.grant_type !== "authorization_code")
      return fail("unsupported_grant_type", "grant_type must be authorization_code");
    const channel = b.client_id ? channels.get(b.client_id) : undefined;
    const secretOk =
      channel &&
      typeof b.client_secret === "string" &&
      b.client_secret.length === channel.channelSecret.length &&
      timingSafeEqual(Buffer.from(b.client_secret), Buffer.from(channel.channelSecret));
    if (!channel || !secretOk) return fail("invalid_client", "invalid client_id or client_secret");
    const code = b.code ? codes.get(b.code) : undefined;
    if (!code || code.used || code.expiresAt < now() || code.channelId !== channel.channelId) {
      return fail("invalid_grant", "invalid authorization code");
    }
    if (b.redirect_uri !== code.redirectUri) return fail("invalid_grant", "redirect_uri does not match");
    if (code.challenge !== null) {
      if (!b.code_verifier || !VERIFIER.test(b.code_verifier))
        return fail("invalid_request", "code_verifier is malformed");
      if (s256(b.code_verifier) !== code.challenge) return fail("invalid_grant", "code_verifier does not match");
    }
    code.used = true;
    const accessToken = b64url(randomBytes(32));
    tokens.set(accessToken, { userId: code.userId, channelId: channel.channelId, expiresAt: now() + 30 * 86_400_000 });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: 2_592_000,
      refresh_token: b64url(randomBytes(24)),
      scope: code.scope,
      token_type: "Bearer",
    };
    if (code.scope.split(" ").includes("openid")) {
      const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
      const iat = Math.floor(now() / 1000);
      const claims: Record<string, unknown> = {
        iss: "https://access.line.me",
        sub: code.userId,
        aud: channel.channelId,
        exp: iat + 3600,
        iat,
        amr: ["pwd"],
        name: users.get(code.userId)?.displayName,
      };
      if (code.nonce) claims.nonce = code.nonce;
      const payload = b64url(JSON.stringify(claims));
      const signature = createHmac("sha256", channel.channelSecret).update(`${header}.${payload}`).digest("base64url");
      body.id_token = `${header}.${payload}.${signature}`;
    }
    // A test's hook: something happening elsewhere while LINE answers (the code is already spent, as at LINE).
    const hook = tokenHook;
    tokenHook = null;
    if (hook) await hook().catch(() => undefined);
    res.json(body);
  });

  /** The access token's grant, or null after a 401 in LINE's shape. */
  function bearer(req: express.Request, res: express.Response) {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    const t = token ? tokens.get(token) : undefined;
    if (!t || t.expiresAt < now()) {
      res.status(401).json({
        message: "Authentication failed. Confirm that the access token in the authorization header is valid.",
      });
      return null;
    }
    return t;
  }

  router.get("/v2/profile", (req, res) => {
    const t = bearer(req, res);
    if (!t) return;
    const u = users.get(t.userId)!;
    res.json({ userId: u.userId, displayName: u.displayName });
  });

  router.get("/friendship/v1/status", (req, res) => {
    const t = bearer(req, res);
    if (!t) return;
    const bot = channels.get(t.channelId)?.linkedBotChannelId;
    res.json({ friendFlag: Boolean(bot && friends?.isFriend(bot, t.userId)) });
  });

  return {
    router,
    addChannel(c: LoginChannel) {
      channels.set(c.channelId, c);
    },
    /** The shopper signed in to LINE in this browser (null: nobody, so authorisation is refused as cancelled). */
    signIn(user: { userId: string; displayName: string } | null) {
      if (user) users.set(user.userId, user);
      signedIn = user?.userId ?? null;
    },
    /** Test hook: awaited once, by the next token exchange, before LINE answers it (what happens meanwhile elsewhere). */
    onNextToken(hook: () => Promise<void>) {
      tokenHook = hook;
    },
    /** How the signed-in user consents: at once ("auto") or on a page a browser clicks through; add the friend or not. */
    setConsent(next: Partial<{ mode: "auto" | "page"; addFriend: boolean }>) {
      consent = { ...consent, ...next };
    },
  };
}
