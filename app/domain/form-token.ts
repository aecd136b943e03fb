// The storefront forms' own anti-forgery token (docs/storefront-forms.md). Every form that changes something on the
// shopper's behalf through the app proxy (redeem a reward, give a birthday, link or unlink LINE, a friend's referral
// email) carries a hidden token the app made when it rendered the page: bound to the shop, the subject (the signed-in
// customer, or for the friend's form the member's code), the form's purpose and the time it was made, signed with
// HMAC-SHA256. A page on another site cannot read it, so it cannot make a shopper's browser send a form the app will
// accept. Pure: the caller gives the key, the nonce and the clock; app/services/form-tokens.server.ts owns them.
import { createHmac, timingSafeEqual } from "node:crypto";

/** How long a token stays good after the page made it: 2 hours (a page left open that long is rendered again). */
export const FORM_TOKEN_TTL_MS = 2 * 3_600_000;
/** How far in the future an issue time may be (clocks of several web processes disagree a little). */
export const FORM_TOKEN_SKEW_MS = 5 * 60_000;

/** What the token is for: who it binds (shop, subject) and what it may do (purpose, e.g. `redeem:<reward id>`). */
export interface FormTokenBinding {
  shop: string;
  /** The signed-in customer's gid, or another subject the form is about (the friend's form: `referral:<code>`). */
  subject: string;
  purpose: string;
}

/** Why a token is not accepted: none sent, not one of ours in shape, too old, from the future, or not this form's. */
export type FormTokenIssue = "missing" | "malformed" | "expired" | "future" | "mismatch";

const SHAPE = /^([A-Za-z0-9_-]{16})\.(\d{1,12})\.([A-Za-z0-9_-]{32})$/;
/** 12 random bytes, base64url: 16 characters. */
export const FORM_TOKEN_NONCE = /^[A-Za-z0-9_-]{16}$/;

/** The MAC over the binding, the nonce and the issue time (JSON: no field can run into the next). */
function mac(key: Buffer, binding: FormTokenBinding, nonce: string, issued: string): string {
  const message = JSON.stringify(["storefront-form", binding.shop, binding.subject, binding.purpose, nonce, issued]);
  return createHmac("sha256", key).update(message, "utf8").digest("base64url").slice(0, 32);
}

/**
 * A token for one rendered form: `<nonce>.<issued epoch seconds>.<mac>` (62 characters at most). `nonce`: 16
 * base64url characters the caller drew at random (it also names the form in the action URL, see formTokenNonce).
 */
export function signFormToken(key: Buffer, binding: FormTokenBinding, nonce: string, nowMs: number): string {
  if (!FORM_TOKEN_NONCE.test(nonce)) throw new Error("form token nonce: 16 base64url characters");
  const issued = String(Math.floor(nowMs / 1000));
  return `${nonce}.${issued}.${mac(key, binding, nonce, issued)}`;
}

/**
 * Why `token` is not a good token for `binding` at `nowMs`, or null when it is: made by this app (the MAC, compared in
 * constant time) for this shop, subject and purpose, at most FORM_TOKEN_TTL_MS ago.
 */
export function formTokenIssue(
  key: Buffer,
  token: unknown,
  binding: FormTokenBinding,
  nowMs: number,
): FormTokenIssue | null {
  if (typeof token !== "string" || token === "") return "missing";
  const m = SHAPE.exec(token);
  if (!m) return "malformed";
  const [, nonce, issued, given] = m;
  const age = nowMs - Number(issued) * 1000;
  const expected = Buffer.from(mac(key, binding, nonce, issued));
  // The MAC first: an expired token of someone else's is "mismatch", never a hint about its age.
  if (!timingSafeEqual(expected, Buffer.from(given))) return "mismatch";
  if (age < -FORM_TOKEN_SKEW_MS) return "future";
  if (age > FORM_TOKEN_TTL_MS) return "expired";
  return null;
}

/** The token's nonce: the form's own parameter in its action URL (two forms sent in one second: two signatures). */
export const formTokenNonce = (token: string) => token.split(".")[0];
