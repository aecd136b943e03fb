// Channel credentials at rest: AES-256-GCM round trip, bound to shop and channel; the wrong key, a tampered value and
// a value moved to another shop are refused; keys rotate (old keys still open); the forms' fields are checked.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  keyId,
  keyringFrom,
  open,
  seal,
  SecretKeyMissingError,
  SecretOpenError,
} from "../../app/services/secret-box.server";
import { parseConnection, outcomeOfStatus } from "../../app/domain/channels";
import { parseEnv } from "../../app/env.server";
import { TEST_ENV } from "../support/test-env";
import { klaviyoRevision } from "../../simulator/klaviyo/index";
import { KLAVIYO_REVISION, openConnection, saveConnection, testConnection } from "../../app/services/channels.server";
import { prisma } from "../../app/db.server";

const k1 = randomBytes(32).toString("base64");
const k2 = randomBytes(32).toString("base64");
const AAD = "channel-connection:shop-a.myshopify.com:line-messaging";

describe("secret box", () => {
  it("round-trips, with a fresh nonce each time, and names its key", () => {
    const ring = keyringFrom(k1);
    const a = seal('{"accessToken":"tok"}', AAD, ring);
    const b = seal('{"accessToken":"tok"}', AAD, ring);
    expect(a.sealed).not.toBe(b.sealed);
    expect(a.sealed).not.toContain("tok");
    expect(a.keyId).toBe(keyId(Buffer.from(k1, "base64")));
    expect(a.sealed.split(".")[1]).toBe(a.keyId);
    expect(open(a.sealed, AAD, ring)).toBe('{"accessToken":"tok"}');
  });

  it("refuses the wrong key, a tampered value, and another shop's or channel's associated data", () => {
    const { sealed } = seal("secret", AAD, keyringFrom(k1));
    expect(() => open(sealed, AAD, keyringFrom(k2))).toThrow(SecretOpenError);
    // Same key id claimed, different key: authentication fails.
    const forgedRing = { current: null, all: new Map([[sealed.split(".")[1], Buffer.from(k2, "base64")]]) };
    expect(() => open(sealed, AAD, forgedRing)).toThrow(/authentication failed/);
    const parts = sealed.split(".");
    const ct = Buffer.from(parts[4], "base64url");
    ct[0] ^= 1;
    const tampered = [...parts.slice(0, 4), ct.toString("base64url")].join(".");
    expect(() => open(tampered, AAD, keyringFrom(k1))).toThrow(/authentication failed/);
    const tag = Buffer.from(parts[3], "base64url");
    tag[15] ^= 0x80;
    expect(() =>
      open([parts[0], parts[1], parts[2], tag.toString("base64url"), parts[4]].join("."), AAD, keyringFrom(k1)),
    ).toThrow(SecretOpenError);
    expect(() => open(sealed, "channel-connection:shop-b.myshopify.com:line-messaging", keyringFrom(k1))).toThrow(
      SecretOpenError,
    );
    expect(() => open(sealed, "channel-connection:shop-a.myshopify.com:klaviyo", keyringFrom(k1))).toThrow(
      SecretOpenError,
    );
    expect(() => open("garbage", AAD, keyringFrom(k1))).toThrow(/not a sealed value/);
  });

  it("rotates: the new key seals, the old key still opens what it sealed", () => {
    const old = seal("before", AAD, keyringFrom(k1));
    const ring = keyringFrom(k2, [k1]);
    expect(open(old.sealed, AAD, ring)).toBe("before");
    const fresh = seal("after", AAD, ring);
    expect(fresh.keyId).toBe(keyId(Buffer.from(k2, "base64")));
    expect(() => open(fresh.sealed, AAD, keyringFrom(k1))).toThrow(/neither CHANNEL_SECRETS_KEY/);
  });

  it("without a key, sealing and opening say the key is missing", () => {
    const none = keyringFrom(undefined);
    expect(() => seal("x", AAD, none)).toThrow(SecretKeyMissingError);
    expect(() => seal("x", AAD, none)).toThrow(/CHANNEL_SECRETS_KEY is not set/);
    expect(() => open(seal("x", AAD, keyringFrom(k1)).sealed, AAD, none)).toThrow(SecretKeyMissingError);
  });

  it("the environment refuses a key that is not 32 bytes of base64, and accepts one that is", () => {
    expect(() => parseEnv({ ...TEST_ENV, CHANNEL_SECRETS_KEY: "short" })).toThrow(
      /CHANNEL_SECRETS_KEY must be 32 bytes in base64/,
    );
    expect(() => parseEnv({ ...TEST_ENV, CHANNEL_SECRETS_KEY: randomBytes(16).toString("base64") })).toThrow(
      /CHANNEL_SECRETS_KEY/,
    );
    expect(() => parseEnv({ ...TEST_ENV, CHANNEL_SECRETS_KEY: k1, CHANNEL_SECRETS_OLD_KEYS: `${k2},nope` })).toThrow(
      /CHANNEL_SECRETS_OLD_KEYS/,
    );
    expect(parseEnv({ ...TEST_ENV, CHANNEL_SECRETS_KEY: k1, CHANNEL_SECRETS_OLD_KEYS: k2 }).CHANNEL_SECRETS_KEY).toBe(
      k1,
    );
  });
});

describe("channel fields", () => {
  const line = {
    channelId: "1234567890",
    channelSecret: "0123456789abcdef0123456789abcdef",
    accessToken: "A".repeat(172),
  };

  it("accepts well-formed LINE Messaging, LINE Login and Klaviyo fields; only the channel id is public", () => {
    expect(parseConnection("line-messaging", { ...line, channelId: " 1234567890 " })).toEqual({
      ok: true,
      channel: "line-messaging",
      publicId: "1234567890",
      secrets: { channelSecret: line.channelSecret, accessToken: line.accessToken },
    });
    expect(parseConnection("line-login", { channelId: "2000000001", channelSecret: line.channelSecret }).ok).toBe(true);
    expect(parseConnection("klaviyo", { privateKey: "pk_" + "a1".repeat(17) })).toMatchObject({
      ok: true,
      publicId: null,
    });
  });

  it("names each field that is missing or malformed", () => {
    expect(
      parseConnection("line-messaging", { channelId: "12ab", channelSecret: "", accessToken: "has spaces in it" }),
    ).toEqual({
      ok: false,
      errors: { channelId: "channelId", channelSecret: "required", accessToken: "accessToken" },
    });
    expect(parseConnection("klaviyo", { privateKey: "sk_live_123" })).toEqual({
      ok: false,
      errors: { privateKey: "privateKey" },
    });
    expect(parseConnection("klaviyo", { privateKey: 42 })).toEqual({ ok: false, errors: { privateKey: "required" } });
  });

  it("maps vendor answers to outcomes", () => {
    expect(outcomeOfStatus(200, null)).toEqual({ ok: true, detail: null });
    expect(outcomeOfStatus(401, "bad")).toEqual({ ok: false, reason: "unauthorized", detail: "bad" });
    expect(outcomeOfStatus(429, null).ok).toBe(false);
    expect(outcomeOfStatus(503, null)).toEqual({ ok: false, reason: "unavailable", detail: "HTTP 503" });
  });

  it("the app's pinned Klaviyo revision is the vendored description's", () => {
    expect(KLAVIYO_REVISION).toBe(klaviyoRevision());
  });
});

describe("saving without a key, and reading with the wrong one", () => {
  const SHOP = "no-key.myshopify.com";
  const key = "pk_" + "c3".repeat(17);

  it("without CHANNEL_SECRETS_KEY nothing is stored and the answer says the key is missing", async () => {
    expect(await saveConnection(SHOP, "klaviyo", { privateKey: key }, keyringFrom(undefined))).toEqual({
      ok: false,
      keyMissing: true,
    });
    expect(await prisma.channelConnection.count({ where: { shop: SHOP } })).toBe(0);
    // Bad fields are reported before the key is looked at
    expect(await saveConnection(SHOP, "klaviyo", { privateKey: "nope" }, keyringFrom(undefined))).toEqual({
      ok: false,
      errors: { privateKey: "privateKey" },
    });
  });

  it("a stored value opens with its key (and after rotation), and a test with no or the wrong key says so without calling out", async () => {
    expect(await saveConnection(SHOP, "klaviyo", { privateKey: key }, keyringFrom(k1))).toEqual({ ok: true });
    expect((await openConnection(SHOP, "klaviyo", keyringFrom(k2, [k1])))!.secrets).toEqual({ privateKey: key });
    expect(await testConnection(SHOP, "klaviyo", { keyring: keyringFrom(undefined) })).toEqual({
      ok: false,
      reason: "key_missing",
      detail: null,
    });
    expect(await testConnection(SHOP, "klaviyo", { keyring: keyringFrom(k2) })).toMatchObject({
      ok: false,
      reason: "undecryptable",
    });
    expect(await testConnection(SHOP, "sms")).toBeNull();
    expect(await testConnection("other.myshopify.com", "klaviyo", { keyring: keyringFrom(k1) })).toBeNull();
  });
});
