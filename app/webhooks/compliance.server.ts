// The mandatory compliance topics: customers/data_request, customers/redact, shop/redact.
import { z } from "zod";
import {
  collectCustomerData,
  customerGid,
  eraseCustomerData,
  eraseShopData,
  orderGid,
  recordComplianceRequest,
} from "../models/privacy.server";
import { logger } from "../logger.server";
import { getQueue } from "../jobs/runtime.server";
import { requestKlaviyoDeletion } from "../services/klaviyo-privacy.server";
import type { WebhookHandler } from "./receive.server";

const numericId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]);
const customerRef = z.looseObject({ id: numericId });

const dataRequestPayload = z.looseObject({
  shop_domain: z.string(),
  customer: customerRef,
  orders_requested: z.array(numericId).default([]),
  data_request: z.looseObject({ id: numericId }).optional(),
});

const customerRedactPayload = z.looseObject({
  shop_domain: z.string(),
  customer: customerRef,
  orders_to_redact: z.array(numericId).default([]),
});

const shopRedactPayload = z.looseObject({ shop_domain: z.string() });

export const customersDataRequest: WebhookHandler<typeof dataRequestPayload> = {
  topic: "customers/data_request",
  payload: dataRequestPayload,
  shopOf: (p) => p.shop_domain,
  async handle({ shop, payload }) {
    const customerId = customerGid(String(payload.customer.id));
    const report = await collectCustomerData(
      shop,
      customerId,
      payload.orders_requested.map((id) => orderGid(String(id))),
    );
    await recordComplianceRequest(shop, {
      topic: "customers/data_request",
      customerId,
      requestId: payload.data_request ? String(payload.data_request.id) : undefined,
      summary: report,
    });
  },
};

export const customersRedact: WebhookHandler<typeof customerRedactPayload> = {
  topic: "customers/redact",
  payload: customerRedactPayload,
  shopOf: (p) => p.shop_domain,
  async handle({ shop, payload }) {
    const customerId = customerGid(String(payload.customer.id));
    // Klaviyo is asked to delete the profile the app made, while the email is still known (docs/klaviyo.md#privacy).
    const payloadEmail = (payload.customer as { email?: unknown }).email;
    const klaviyoDeletion = await requestKlaviyoDeletion(
      shop,
      customerId,
      typeof payloadEmail === "string" ? payloadEmail : null,
    );
    const erased = {
      ...(await eraseCustomerData(
        shop,
        customerId,
        payload.orders_to_redact.map((id) => orderGid(String(id))),
      )),
      // Jobs that name the customer (a queued or finished customer-changed, an error naming them): their work is moot.
      jobs: await getQueue().purgeCustomer(shop, customerId),
    };
    // The receipt keeps counts only: nothing that identifies the customer survives the redaction.
    await recordComplianceRequest(shop, { topic: "customers/redact", summary: { erased, klaviyoDeletion } });
  },
};

export const shopRedact: WebhookHandler<typeof shopRedactPayload> = {
  topic: "shop/redact",
  payload: shopRedactPayload,
  shopOf: (p) => p.shop_domain,
  erasesShop: true,
  async handle({ shop, receivedAt }) {
    // Jobs first: none of the shop's can start between the two steps and write its data back.
    const jobs = await getQueue().purgeShop(shop);
    const erased = { ...(await eraseShopData(shop, receivedAt)), jobs };
    // No receipt row: it would keep the shop's domain. The tombstone (status redacted, redactedAt) is the receipt;
    // the counts go to the log.
    logger.info("shop/redact: shop data erased", { shop, erased });
  },
};
