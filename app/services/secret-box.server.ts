// Secrets at rest (docs/channels.md): AES-256-GCM with a random 96-bit nonce per value, and "associated data" that
// binds a ciphertext to where it belongs (shop and channel), so a value copied into another shop's row does not
// decrypt. The sealed form is one string: `v1.<key id>.<nonce>.<tag>.<ciphertext>` (base64url parts). The key id is
// derived from the key itself (the first 16 hex digits of its SHA-256), so a ciphertext names the key it needs and
// keys can rotate: the current key seals, the current and the old keys open.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "../env.server";

export interface Keyring {
  current: { id: string; key: Buffer } | null;
  all: Map<string, Buffer>;
}

export class SecretKeyMissingError extends Error {
  constructor() {
    super(
      "CHANNEL_SECRETS_KEY is not set: channel credentials are encrypted at rest with it. Set it to 32 random bytes in base64 (openssl rand -base64 32) and restart.",
    );
    this.name = "SecretKeyMissingError";
  }
}

export class SecretOpenError extends Error {
  constructor(reason: string) {
    super(`A stored secret could not be decrypted: ${reason}`);
    this.name = "SecretOpenError";
  }
}

export function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

/** A keyring from base64 keys: the first seals, every one opens. */
export function keyringFrom(current: string | undefined, old: string[] = []): Keyring {
  const all = new Map<string, Buffer>();
  let cur: Keyring["current"] = null;
  for (const [i, b64] of [current, ...old].entries()) {
    if (!b64) continue;
    const key = Buffer.from(b64.trim(), "base64");
    if (key.length !== 32) throw new Error("a channel secrets key must be 32 bytes");
    const id = keyId(key);
    all.set(id, key);
    if (i === 0) cur = { id, key };
  }
  return { current: cur, all };
}

let envKeyring: Keyring | null = null;
export function keyringFromEnv(): Keyring {
  return (envKeyring ??= keyringFrom(
    env.CHANNEL_SECRETS_KEY,
    env.CHANNEL_SECRETS_OLD_KEYS ? env.CHANNEL_SECRETS_OLD_KEYS.split(",").filter(Boolean) : [],
  ));
}

export function seal(plaintext: string, associated: string, keyring: Keyring): { sealed: string; keyId: string } {
  if (!keyring.current) throw new SecretKeyMissingError();
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.key, nonce);
  cipher.setAAD(Buffer.from(associated, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  const parts = [
    "v1",
    keyring.current.id,
    nonce.toString("base64url"),
    tag.toString("base64url"),
    ct.toString("base64url"),
  ];
  return { sealed: parts.join("."), keyId: keyring.current.id };
}

export function open(sealed: string, associated: string, keyring: Keyring): string {
  const parts = sealed.split(".");
  if (parts.length !== 5 || parts[0] !== "v1") throw new SecretOpenError("not a sealed value");
  const [, id, nonceB64, tagB64, ctB64] = parts;
  const key = keyring.all.get(id);
  if (!key) {
    if (keyring.all.size === 0) throw new SecretKeyMissingError();
    throw new SecretOpenError(
      `it was sealed with key ${id}, which is neither CHANNEL_SECRETS_KEY nor in CHANNEL_SECRETS_OLD_KEYS`,
    );
  }
  const nonce = Buffer.from(nonceB64, "base64url");
  const tag = Buffer.from(tagB64, "base64url");
  if (nonce.length !== 12 || tag.length !== 16) throw new SecretOpenError("malformed nonce or tag");
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAAD(Buffer.from(associated, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ctB64, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretOpenError("authentication failed (tampered, or sealed for another shop or channel)");
  }
}
