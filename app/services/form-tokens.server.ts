// The storefront forms' anti-forgery tokens (docs/storefront-forms.md; the format in app/domain/form-token.ts): the
// key and the randomness live here. The key is derived from the app's client secret (SHOPIFY_API_SECRET, which the app
// already holds and Shopify's proxy signature also uses) with a label of its own, so a token's MAC is never a value
// Shopify could have computed over a query. Every route of the app proxy that changes something checks its form's
// token through `storefrontFormIssue` before anything is read or written, and answers a refusal with the page
// `formRefusedView` describes (HTTP 403).
import { createHmac, randomBytes } from "node:crypto";
import { formTokenIssue, signFormToken, type FormTokenBinding, type FormTokenIssue } from "../domain/form-token";
import { perkLocale, type PerkLocale } from "../domain/perks";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { shopLocale } from "../models/shop.server";

export type StorefrontFormPurpose = "birthday" | "line-link" | "line-unlink" | `redeem:${string}` | "referral-claim";

let cached: { secret: string; key: Buffer } | null = null;
function key(): Buffer {
  const secret = env.SHOPIFY_API_SECRET;
  if (cached?.secret !== secret)
    cached = { secret, key: createHmac("sha256", secret).update("loyalty storefront form token v1").digest() };
  return cached.key;
}

/** A fresh token for one form of a page rendered for `subject` of `shop` at `now`. */
export function issueFormToken(shop: string, subject: string, purpose: StorefrontFormPurpose, now: Date): string {
  return signFormToken(key(), { shop, subject, purpose }, randomBytes(12).toString("base64url"), now.getTime());
}

/** Why the form's `token` field is not good for this shop, subject and purpose at `now`; null when it is. */
export function formTokenProblem(
  token: unknown,
  shop: string,
  subject: string,
  purpose: StorefrontFormPurpose,
  now: Date,
): FormTokenIssue | null {
  const binding: FormTokenBinding = { shop, subject, purpose };
  return formTokenIssue(key(), token, binding, now.getTime());
}

/** Whether `token` is good for this shop, subject and purpose at `now`. */
export const formTokenValid = (
  token: unknown,
  shop: string,
  subject: string,
  purpose: StorefrontFormPurpose,
  now: Date,
): boolean => formTokenProblem(token, shop, subject, purpose, now) === null;

/** A posted form's `token` field checked (a file or no field: "missing"). */
export function storefrontFormIssue(
  form: FormData,
  shop: string,
  customerId: string,
  purpose: StorefrontFormPurpose,
  now: Date = new Date(),
): FormTokenIssue | null {
  const issue = formTokenProblem(form.get("token"), shop, customerId, purpose, now);
  // Never the token itself: which form, and why (a burst of "mismatch" is someone's page posting forms cross-site).
  if (issue) logger.info("storefront form refused", { shop, purpose: purpose.replace(/:.*/, ""), issue });
  return issue;
}

/** What the refusal page needs: the shop's language. */
export interface FormRefusedView {
  locale: PerkLocale;
}

export async function formRefusedView(shop: string): Promise<FormRefusedView> {
  return { locale: perkLocale(await shopLocale(shop)) };
}
