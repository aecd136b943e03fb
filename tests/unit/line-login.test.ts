// The LINE link's pure rules (app/domain/line-login.ts): the authorisation URL, the id_token checks LINE documents
// (signature, alg, iss, aud, exp, nonce, sub), the callback's query, the storefront origin from the form, and the
// webhook's signature and shape. Plus what the local LINE Login adds for the link: bot_prompt, the friendship status,
// and the consent page a browser clicks through.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authorizeUrl,
  lineSignatureValid,
  parseCallbackQuery,
  parseWebhookBody,
  pkceChallenge,
  storefrontOrigin,
  verifyIdToken,
} from "../../app/domain/line-login";
import { lineLinkSection } from "../../app/storefront/line-link-section";
import { createLocalLine, signLineWebhook } from "../../simulator/line/index";

const SECRET = randomBytes(16).toString("hex");
const CHANNEL = "2000000555";
const NOW = Date.UTC(2026, 11, 6, 4, 0, 0);
const SUB = `U${"c".repeat(32)}`;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

function jwt(claims: Record<string, unknown>, { secret = SECRET, alg = "HS256" } = {}) {
  const head = b64({ alg, typ: "JWT" });
  const body = b64(claims);
  return `${head}.${body}.${createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url")}`;
}
const good = {
  iss: "https://access.line.me",
  sub: SUB,
  aud: CHANNEL,
  exp: NOW / 1000 + 60,
  iat: NOW / 1000,
  nonce: "n".repeat(43),
  name: "Ada",
};
const expectation = { channelId: CHANNEL, channelSecret: SECRET, nonce: good.nonce, nowMs: NOW };

describe("id_token", () => {
  it("accepts LINE's token and refuses each claim or signature that is wrong", () => {
    expect(verifyIdToken(jwt(good), expectation)).toEqual({ ok: true, sub: SUB, name: "Ada" });
    const reason = (token: unknown) => {
      const r = verifyIdToken(token, expectation);
      return r.ok ? "ok" : r.reason;
    };
    expect(reason(undefined)).toBe("missing");
    expect(reason("a.b")).toBe("malformed");
    expect(reason(jwt(good, { secret: randomBytes(16).toString("hex") }))).toBe("signature");
    expect(reason(jwt(good, { alg: "none" }))).toBe("alg");
    expect(reason(jwt({ ...good, iss: "https://evil.example" }))).toBe("iss");
    expect(reason(jwt({ ...good, aud: "2000000556" }))).toBe("aud");
    expect(reason(jwt({ ...good, exp: NOW / 1000 }))).toBe("exp");
    expect(reason(jwt({ ...good, nonce: "other" }))).toBe("nonce");
    expect(reason(jwt({ ...good, nonce: undefined }))).toBe("nonce");
    expect(reason(jwt({ ...good, sub: "not-a-line-user" }))).toBe("sub");
    // A token whose payload was changed after signing
    const [h, , s] = jwt(good).split(".");
    expect(reason(`${h}.${b64({ ...good, sub: `U${"d".repeat(32)}` })}.${s}`)).toBe("signature");
  });
});

describe("the authorisation request and the callback", () => {
  it("asks for the code flow with openid profile, PKCE S256, the nonce, bot_prompt and the page's language", () => {
    const verifier = randomBytes(48).toString("base64url");
    const url = new URL(
      authorizeUrl({
        origin: "https://access.line.me",
        channelId: CHANNEL,
        redirectUri: "https://shop.example/apps/loyalty/line/callback",
        state: "s".repeat(43),
        nonce: "n".repeat(43),
        codeVerifier: verifier,
        locale: "th",
      }),
    );
    expect(url.origin + url.pathname).toBe("https://access.line.me/oauth2/v2.1/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: CHANNEL,
      redirect_uri: "https://shop.example/apps/loyalty/line/callback",
      state: "s".repeat(43),
      scope: "openid profile",
      nonce: "n".repeat(43),
      bot_prompt: "aggressive",
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
      ui_locales: "th",
    });
    // RFC 7636 appendix B's example
    expect(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("reads the callback's query: a code with a state, a cancel, or nothing usable", () => {
    const state = "s".repeat(43);
    expect(parseCallbackQuery(new URLSearchParams({ code: "abc", state }))).toEqual({
      kind: "code",
      code: "abc",
      state,
    });
    expect(parseCallbackQuery(new URLSearchParams({ error: "access_denied", state }))).toEqual({
      kind: "denied",
      state,
    });
    expect(parseCallbackQuery(new URLSearchParams({ code: "abc" }))).toEqual({ kind: "malformed" });
    expect(parseCallbackQuery(new URLSearchParams({ code: "abc", state: "short" }))).toEqual({ kind: "malformed" });
    expect(parseCallbackQuery(new URLSearchParams({ code: "a b", state }))).toEqual({ kind: "malformed" });
  });

  it("takes the storefront origin from the form only when it is a plain http(s) origin (and path)", () => {
    expect(storefrontOrigin("https://shop.example")).toBe("https://shop.example");
    expect(storefrontOrigin("http://127.0.0.1:4000/store/a.myshopify.com/")).toBe(
      "http://127.0.0.1:4000/store/a.myshopify.com",
    );
    for (const bad of [null, "", "javascript:alert(1)", "https://u:p@shop.example", "https://x.example/?a=1", "x"])
      expect(storefrontOrigin(bad)).toBeNull();
  });
});

describe("the loyalty page's LINE section", () => {
  it("escapes the LINE display name (HTML and Liquid) and names each result in the page's language", () => {
    const hostile = lineLinkSection(
      "en",
      {
        link: { displayName: `<script>x</script>{{ shop.name }}`, following: false },
        result: "linked",
        formKey: "k",
        token: "tok<",
      },
      "/apps/loyalty",
    );
    expect(hostile).not.toContain("<script>");
    expect(hostile).not.toContain("{{ shop.name }}");
    expect(hostile).toContain("&lt;script&gt;");
    expect(hostile).toContain(
      'action="/apps/loyalty/line/unlink?f=k"><input type="hidden" name="token" value="tok&lt;">',
    );
    expect(hostile).toContain("Add our LINE Official Account as a friend");
    const th = lineLinkSection("th", { link: null, result: "taken", formKey: "k", token: "t" }, "/apps/loyalty");
    expect(th).toContain('role="alert"');
    expect(th).toContain("บัญชี LINE นี้เชื่อมต่อกับลูกค้ารายอื่นของร้านนี้แล้ว");
    expect(th).toContain('<input type="hidden" name="origin" value="{{ shop.url }}">');
  });
});

describe("webhooks into the app", () => {
  const body = JSON.stringify({
    destination: `U${"a".repeat(32)}`,
    events: [
      { type: "follow", timestamp: 1, source: { type: "user", userId: SUB }, webhookEventId: "E1" },
      { type: "message", timestamp: 2, source: { type: "group", groupId: "G" } },
      { type: "unfollow", timestamp: 3, source: { type: "user", userId: SUB } },
    ],
  });

  it("checks X-Line-Signature over the raw bytes in constant time", () => {
    const bytes = Buffer.from(body);
    expect(lineSignatureValid(bytes, signLineWebhook(body, SECRET), SECRET)).toBe(true);
    expect(lineSignatureValid(bytes, signLineWebhook(body, "x".repeat(32)), SECRET)).toBe(false);
    expect(lineSignatureValid(Buffer.from(body + " "), signLineWebhook(body, SECRET), SECRET)).toBe(false);
    expect(lineSignatureValid(bytes, null, SECRET)).toBe(false);
    expect(lineSignatureValid(bytes, "short", SECRET)).toBe(false);
  });

  it("keeps follow/unfollow from users, ignores other events, refuses what is not LINE's shape", () => {
    expect(parseWebhookBody(body)).toEqual({
      ok: true,
      destination: `U${"a".repeat(32)}`,
      events: [
        { type: "follow", userId: SUB, at: 1, webhookEventId: "E1" },
        { type: "unfollow", userId: SUB, at: 3, webhookEventId: null },
      ],
    });
    expect(parseWebhookBody(JSON.stringify({ destination: `U${"a".repeat(32)}`, events: [] }))).toMatchObject({
      ok: true,
      events: [],
    });
    for (const bad of [
      "{",
      "[]",
      "{}",
      JSON.stringify({ destination: "x", events: [] }),
      JSON.stringify({ destination: `U${"a".repeat(32)}`, events: [{ type: "follow" }] }),
      JSON.stringify({ destination: `U${"a".repeat(32)}`, events: [{ type: "follow", timestamp: 1, source: {} }] }),
    ])
      expect(parseWebhookBody(bad).ok).toBe(false);
  });
});

describe("the local LINE Login, for the link", () => {
  const line = createLocalLine();
  const CALLBACK = "https://shop.example/apps/loyalty/line/callback";
  const BOT = "1657000555";
  line.addChannel({ channelId: BOT, channelSecret: SECRET, accessToken: randomBytes(60).toString("base64") });
  line.login.addChannel({
    channelId: CHANNEL,
    channelSecret: SECRET,
    callbackUrls: [CALLBACK],
    linkedBotChannelId: BOT,
  });
  let server: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    server = await line.listen();
  });
  afterAll(() => server.close());

  const verifier = randomBytes(48).toString("base64url");
  const authorize = (extra: Record<string, string> = {}) =>
    fetch(
      `${server.url}/oauth2/v2.1/authorize?${new URLSearchParams({
        response_type: "code",
        client_id: CHANNEL,
        redirect_uri: CALLBACK,
        state: "s".repeat(43),
        scope: "openid profile",
        nonce: "n",
        code_challenge: pkceChallenge(verifier),
        code_challenge_method: "S256",
        ...extra,
      })}`,
      { redirect: "manual" },
    );
  async function friendFlag(code: string) {
    const token = (await fetch(`${server.url}/oauth2/v2.1/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: CALLBACK,
        client_id: CHANNEL,
        client_secret: SECRET,
        code_verifier: verifier,
      }),
    }).then((r) => r.json())) as { access_token: string };
    const res = await fetch(`${server.url}/friendship/v1/status`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    return ((await res.json()) as { friendFlag: boolean }).friendFlag;
  }

  it("refuses a bot_prompt LINE does not know; answers friendFlag for the linked account; 401 without a token", async () => {
    line.login.signIn({ userId: SUB, displayName: "Ada" });
    const bad = new URL((await authorize({ bot_prompt: "always" })).headers.get("location")!);
    expect(bad.searchParams.get("error")).toBe("invalid_request");
    line.login.setConsent({ mode: "auto", addFriend: false });
    let back = new URL((await authorize({ bot_prompt: "aggressive" })).headers.get("location")!);
    expect(back.searchParams.get("friendship_status_changed")).toBe("false");
    expect(await friendFlag(back.searchParams.get("code")!)).toBe(false);
    line.login.setConsent({ addFriend: true });
    back = new URL((await authorize({ bot_prompt: "aggressive" })).headers.get("location")!);
    expect(back.searchParams.get("friendship_status_changed")).toBe("true");
    expect(await friendFlag(back.searchParams.get("code")!)).toBe(true);
    line.block(BOT, SUB);
    back = new URL((await authorize()).headers.get("location")!);
    expect(back.searchParams.get("friendship_status_changed")).toBeNull();
    expect(await friendFlag(back.searchParams.get("code")!)).toBe(false);
    expect((await fetch(`${server.url}/friendship/v1/status`)).status).toBe(401);
  });

  it("serves a consent page in the request's language; Allow sends a code back, Cancel access_denied", async () => {
    line.login.setConsent({ mode: "page" });
    const page = await authorize({ bot_prompt: "aggressive", ui_locales: "th" });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('lang="th"');
    expect(html).toContain("อนุญาต");
    const request = /name="request" value="([^"]+)"/.exec(html)![1];
    const consent = (decision: string) =>
      fetch(`${server.url}/oauth2/v2.1/authorize/consent`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ request, decision }),
        redirect: "manual",
      });
    const allowed = new URL((await consent("allow")).headers.get("location")!);
    expect(allowed.searchParams.get("code")).toBeTruthy();
    expect(allowed.searchParams.get("state")).toBe("s".repeat(43));
    expect((await consent("allow")).status).toBe(400); // the request is finished
    const second = /name="request" value="([^"]+)"/.exec(await (await authorize()).text())![1];
    const cancelled = await fetch(`${server.url}/oauth2/v2.1/authorize/consent`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ request: second, decision: "cancel" }),
      redirect: "manual",
    });
    expect(new URL(cancelled.headers.get("location")!).searchParams.get("error")).toBe("access_denied");
    line.login.setConsent({ mode: "auto" });
  });
});
