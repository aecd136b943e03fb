// Klaviyo's part of customers/redact (docs/klaviyo.md#privacy): the customer's Klaviyo rows are erased here, and
// Klaviyo is asked to delete the profile (Request Profile Deletion, by email) — the profile was made by the app from
// Shopify's data, so the shop's redaction reaches it too. The request is made once, with the client's timeout, before
// the email is erased; its outcome (requested, failed, not connected, no email) goes into the compliance receipt,
// never the email. A failure does not hold the erasure back: the merchant sees it in the receipt and can delete the
// profile in Klaviyo.
import { env } from "../env.server";
import { emailsOf, eraseKlaviyoCustomer } from "../models/klaviyo-profiles.server";
import { logger } from "../logger.server";
import { openConnection } from "./channels.server";
import { createKlaviyoClient } from "./klaviyo-client.server";

export type KlaviyoDeletion = "requested" | "failed" | "not-connected" | "no-email";

export async function requestKlaviyoDeletion(
  shop: string,
  customerId: string,
  email: string | null,
): Promise<KlaviyoDeletion> {
  let opened: Awaited<ReturnType<typeof openConnection>>;
  try {
    opened = await openConnection(shop, "klaviyo");
  } catch (e) {
    logger.warn("klaviyo deletion: connection cannot be opened", { shop, error: String(e) });
    return "failed";
  }
  if (!opened) return "not-connected";
  const address = email?.trim() || (await emailsOf(shop, [customerId])).get(customerId) || null;
  if (!address) return "no-email";
  const client = createKlaviyoClient({ origin: env.KLAVIYO_API_ORIGIN, privateKey: opened.secrets.privateKey });
  const out = await client.requestProfileDeletion(address);
  if (out.kind === "ok") return "requested";
  logger.warn("klaviyo deletion: not accepted", { shop, outcome: out.kind });
  return "failed";
}

/** Both steps: Klaviyo asked first (it needs the email), then the rows erased. */
export async function eraseKlaviyoCustomerEverywhere(shop: string, customerId: string, email: string | null) {
  const deletion = await requestKlaviyoDeletion(shop, customerId, email);
  const rows = await eraseKlaviyoCustomer(shop, customerId);
  return { deletion, rows };
}
