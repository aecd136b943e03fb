// The storefront forms' anti-forgery token (app/domain/form-token.ts, docs/storefront-forms.md): bound to the shop, the
// subject, the purpose and the issue time, signed with the key given; good for 2 hours; anything else refused, saying
// why. The HTTP side (each route refusing with 403 and changing nothing) is in tests/integration/loyalty-redeem.test.ts
// and line-link.test.ts.
import { describe, expect, it } from "vitest";
import {
  FORM_TOKEN_SKEW_MS,
  FORM_TOKEN_TTL_MS,
  formTokenIssue,
  formTokenNonce,
  signFormToken,
} from "../../app/domain/form-token";

const KEY = Buffer.from("k".repeat(32));
const NOW = Date.UTC(2026, 11, 6, 7, 0, 0);
const binding = { shop: "a.myshopify.com", subject: "gid://shopify/Customer/1", purpose: "redeem:r1" };
const NONCE = "abcdefghijklmnop";

describe("form tokens", () => {
  it("a token is good for its own shop, subject and purpose, from its issue time for 2 hours", () => {
    const token = signFormToken(KEY, binding, NONCE, NOW);
    expect(token).toMatch(/^abcdefghijklmnop\.\d+\.[A-Za-z0-9_-]{32}$/);
    expect(token.length).toBeLessThanOrEqual(62);
    expect(formTokenNonce(token)).toBe(NONCE);
    expect(formTokenIssue(KEY, token, binding, NOW)).toBeNull();
    expect(formTokenIssue(KEY, token, binding, NOW + FORM_TOKEN_TTL_MS)).toBeNull();
    expect(formTokenIssue(KEY, token, binding, NOW + FORM_TOKEN_TTL_MS + 1_000)).toBe("expired");
    // Issued a little ahead of this process's clock (another web process): good; further ahead: not ours.
    expect(formTokenIssue(KEY, token, binding, NOW - FORM_TOKEN_SKEW_MS)).toBeNull();
    expect(formTokenIssue(KEY, token, binding, NOW - FORM_TOKEN_SKEW_MS - 1_000)).toBe("future");
    expect(FORM_TOKEN_TTL_MS).toBe(2 * 3_600_000);
  });

  it("another shop, subject, purpose, key, a changed time or nonce, or a tampered MAC: mismatch", () => {
    const token = signFormToken(KEY, binding, NONCE, NOW);
    for (const other of [
      { ...binding, shop: "b.myshopify.com" },
      { ...binding, subject: "gid://shopify/Customer/2" },
      { ...binding, purpose: "redeem:r2" },
      { ...binding, purpose: "line-unlink" },
    ])
      expect(formTokenIssue(KEY, token, other, NOW)).toBe("mismatch");
    expect(formTokenIssue(Buffer.from("x".repeat(32)), token, binding, NOW)).toBe("mismatch");
    const [nonce, issued, mac] = token.split(".");
    expect(formTokenIssue(KEY, `${nonce}.${Number(issued) - 1}.${mac}`, binding, NOW)).toBe("mismatch");
    expect(formTokenIssue(KEY, `${"z".repeat(16)}.${issued}.${mac}`, binding, NOW)).toBe("mismatch");
    const flipped = mac.replace(/^./, (c) => (c === "A" ? "B" : "A"));
    expect(formTokenIssue(KEY, `${nonce}.${issued}.${flipped}`, binding, NOW)).toBe("mismatch");
    // An old token of someone else's says "mismatch", not how old it is.
    expect(formTokenIssue(KEY, token, { ...binding, shop: "b.myshopify.com" }, NOW + 10 * FORM_TOKEN_TTL_MS)).toBe(
      "mismatch",
    );
  });

  it("fields that run into each other cannot make another binding's MAC", () => {
    const a = signFormToken(KEY, { shop: "a", subject: "b\nc", purpose: "d" }, NONCE, NOW);
    expect(formTokenIssue(KEY, a, { shop: "a\nb", subject: "c", purpose: "d" }, NOW)).toBe("mismatch");
  });

  it("none, or not one in shape: missing or malformed", () => {
    for (const none of [undefined, null, "", 42]) expect(formTokenIssue(KEY, none, binding, NOW)).toBe("missing");
    const token = signFormToken(KEY, binding, NONCE, NOW);
    for (const bad of [`${token}x`, token.slice(1), `${token} `, "a.b.c", `${NONCE}.-1.${"A".repeat(32)}`])
      expect(formTokenIssue(KEY, bad, binding, NOW)).toBe("malformed");
    expect(() => signFormToken(KEY, binding, "short", NOW)).toThrow();
  });
});
