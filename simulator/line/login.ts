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
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import express, { type Router } from "express";

export interface LoginChannel {
  channelId: string;
  channelSecret: string;
  callbackUrls: string[];
}
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

export function createLocalLineLogin(now: () => number) {
  const channels = new Map<string, LoginChannel>();
  const users = new Map<string, { userId: string; displayName: string }>();
  const codes = new Map<string, Code>();
  const tokens = new Map<string, { userId: string; channelId: string; expiresAt: number }>();
  let signedIn: string | null = null;

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
                : null;
    if (problem)
      return back({ error: "invalid_request", error_description: problem, ...(q.state ? { state: q.state } : {}) });
    if (!signedIn) return back({ error: "access_denied", error_description: "the user cancelled", state: q.state! });
    const code = b64url(randomBytes(15));
    codes.set(code, {
      code,
      channelId: channel.channelId,
      redirectUri: q.redirect_uri!,
      challenge: q.code_challenge ?? null,
      userId: signedIn,
      scope: scopes.join(" "),
      nonce: q.nonce ?? null,
      expiresAt: now() + 10 * 60_000,
      used: false,
    });
    back({ code, state: q.state! });
  });

  router.post("/oauth2/v2.1/token", express.urlencoded({ extended: false }), (req, res) => {
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
    res.json(body);
  });

  router.get("/v2/profile", (req, res) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    const t = token ? tokens.get(token) : undefined;
    if (!t || t.expiresAt < now()) {
      res.status(401).json({
        message: "Authentication failed. Confirm that the access token in the authorization header is valid.",
      });
      return;
    }
    const u = users.get(t.userId)!;
    res.json({ userId: u.userId, displayName: u.displayName });
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
  };
}
