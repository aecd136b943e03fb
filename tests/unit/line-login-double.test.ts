// The local LINE Login: authorisation code flow with state and PKCE (S256) as LINE Login v2.1 documents it; a code
// is used once, by its own client, with the same redirect_uri and the verifier of its challenge; the id_token is
// signed with the channel secret.
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalLine } from "../../simulator/line/index";
import { s256 } from "../../simulator/line/login";

const SECRET = randomBytes(16).toString("hex");
const CALLBACK = "https://loyalty.test.example/apps/loyalty/line/callback";
const line = createLocalLine();
line.login.addChannel({ channelId: "2000000010", channelSecret: SECRET, callbackUrls: [CALLBACK] });
const USER = { userId: `U${"b".repeat(32)}`, displayName: "สมหญิง" };
let server: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  server = await line.listen();
});
afterAll(() => server.close());

async function authorize(params: Record<string, string>) {
  const res = await fetch(`${server.url}/oauth2/v2.1/authorize?${new URLSearchParams(params)}`, { redirect: "manual" });
  return { status: res.status, location: res.headers.get("location") ? new URL(res.headers.get("location")!) : null };
}
function token(fields: Record<string, string>, contentType = "application/x-www-form-urlencoded") {
  return fetch(`${server.url}/oauth2/v2.1/token`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: new URLSearchParams(fields).toString(),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
}
const verifier = () => randomBytes(32).toString("base64url");
const base = (challenge: string) => ({
  response_type: "code",
  client_id: "2000000010",
  redirect_uri: CALLBACK,
  state: "st-" + randomBytes(6).toString("hex"),
  scope: "profile openid",
  nonce: "n-1",
  code_challenge: challenge,
  code_challenge_method: "S256",
});

describe("local LINE Login", () => {
  it("code flow with PKCE: code and state back, token for the right verifier, id_token signed with the secret, profile", async () => {
    line.login.signIn(USER);
    const v = verifier();
    const params = base(s256(v));
    const a = await authorize(params);
    expect(a.status).toBe(302);
    expect(a.location!.origin + a.location!.pathname).toBe(CALLBACK);
    expect(a.location!.searchParams.get("state")).toBe(params.state);
    const code = a.location!.searchParams.get("code")!;
    const fields = {
      grant_type: "authorization_code",
      code,
      redirect_uri: CALLBACK,
      client_id: "2000000010",
      client_secret: SECRET,
    };
    // Wrong verifier: refused, and the code is not spent
    expect(await token({ ...fields, code_verifier: verifier() })).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
    const ok = await token({ ...fields, code_verifier: v });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: "Bearer", expires_in: 2592000, scope: "profile openid" });
    const [h, p, sig] = ok.body.id_token.split(".");
    expect(createHmac("sha256", SECRET).update(`${h}.${p}`).digest("base64url")).toBe(sig);
    expect(JSON.parse(Buffer.from(p, "base64url").toString())).toMatchObject({
      iss: "https://access.line.me",
      sub: USER.userId,
      aud: "2000000010",
      nonce: "n-1",
    });
    const profile = await fetch(`${server.url}/v2/profile`, {
      headers: { authorization: `Bearer ${ok.body.access_token}` },
    });
    expect(await profile.json()).toEqual(USER);
    // The code is single-use
    expect(await token({ ...fields, code_verifier: v })).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
  });

  it("refuses a wrong secret, another redirect_uri, a missing verifier, a wrong grant type or content type", async () => {
    line.login.signIn(USER);
    const v = verifier();
    const a = await authorize(base(s256(v)));
    const code = a.location!.searchParams.get("code")!;
    const fields = {
      grant_type: "authorization_code",
      code,
      redirect_uri: CALLBACK,
      client_id: "2000000010",
      client_secret: SECRET,
      code_verifier: v,
    };
    expect((await token({ ...fields, client_secret: "f".repeat(32) })).body.error).toBe("invalid_client");
    expect((await token({ ...fields, redirect_uri: CALLBACK + "x" })).body.error).toBe("invalid_grant");
    expect((await token({ ...fields, code_verifier: "short" })).body.error).toBe("invalid_request");
    expect((await token({ ...fields, grant_type: "password" })).body.error).toBe("unsupported_grant_type");
    expect((await token(fields, "application/json")).body.error).toBe("invalid_request");
    expect((await token(fields)).status).toBe(200); // none of the refusals spent the code
  });

  it("authorize refuses an unregistered redirect_uri without redirecting, and sends request errors back with the state", async () => {
    expect((await authorize({ ...base(s256(verifier())), redirect_uri: "https://evil.example/cb" })).status).toBe(400);
    const noState = await authorize({ ...base(s256(verifier())), state: "" });
    expect(noState.location!.searchParams.get("error")).toBe("invalid_request");
    const plain = await authorize({ ...base("x".repeat(43)), code_challenge_method: "plain" });
    expect(plain.location!.searchParams.get("error")).toBe("invalid_request");
    line.login.signIn(null);
    const cancelled = await authorize(base(s256(verifier())));
    expect(cancelled.location!.searchParams.get("error")).toBe("access_denied");
  });
});
