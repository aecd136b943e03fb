// Delivering campaign offers to Shopify: the codes, the offers metafield and the "Campaign offer issued" Flow trigger.
// The app sends no email; the merchant's Flow / Shopify Messaging / email tool does, from the trigger or the
// metafield. Every step is marked as Shopify confirms it, so a rerun (after a kill, a refusal or a storm) sends only
// what is missing.
//
// Codes: a batch of at most 250 recipients of one campaign, assigned together, gets one basic code discount limited
// to exactly those customers (context.customers), each code single-use (usageLimit counts per code) and once per
// customer, created with the first recipient's code; the other codes are added with discountRedeemCodeBulkAdd, whose
// asynchronous result is read until done.
import { FLOW_RECOMMENDATIONS_MAX, flowRecommendationFields } from "../domain/recommendation-delivery";
import { recommendedProductsOf } from "../models/recommended-products.server";
import { randomBytes } from "node:crypto";
import type { AdminClient } from "../shopify/client";
import {
  CODE_DISCOUNT_BY_CODE_QUERY,
  DISCOUNT_CODE_BASIC_CREATE_MUTATION,
  DISCOUNT_REDEEM_CODE_BULK_ADD_MUTATION,
  DISCOUNT_REDEEM_CODE_BULK_CREATION_QUERY,
  flowTriggersMutation,
  REDEEM_CODES_PER_CALL,
  SYNC_MUTATION_FIELDS_MAX,
  syncCustomersMutation,
} from "../shopify/documents";
import { campaignCode, offerText, type CampaignOffer } from "../domain/campaigns";
import { fromMinorUnits } from "../domain/money";
import { METAFIELD_NAMESPACE } from "../domain/sync";
import {
  getCampaign,
  issuedMissing,
  markIssued,
  markStep,
  openOffers,
  recipientsToIssue,
  recordDiscount,
  recordRecipientFailure,
  type Campaign,
  type RecipientRow,
} from "../models/campaigns.server";
import { offerResolver } from "./campaign-ab.server";

export const OFFER_TRIGGER = "campaign-offer-issued";
export const OFFERS_METAFIELD = { key: "offers", type: "json" } as const;
/** A recipient Shopify refused this many times is left alone (shown in the admin) until the merchant retries. */
export const MAX_RECIPIENT_FAILURES = 5;
const BULK_CREATION_POLLS = 20;

export interface DeliveryResult {
  issued: number;
  failed: number;
  metafields: number;
  triggers: number;
}

type UserError = { field?: string[] | null; message: string; code?: string | null };

const describe = (errors: UserError[]) =>
  errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join("; ");

function discountInput(campaign: Campaign, currency: string, rows: RecipientRow[], offer: CampaignOffer) {
  const value =
    offer.kind === "percentage"
      ? { percentage: offer.value / 100 }
      : { discountAmount: { amount: fromMinorUnits(offer.value, currency), appliesOnEachItem: false } };
  const assignedAt = rows[0].assignedAt;
  return {
    title: `${campaign.name}${rows[0].variant ? ` · ${rows[0].variant}` : ""} · ${assignedAt.toISOString().slice(0, 10)} · ${rows[0].code}`,
    code: rows[0].code!,
    startsAt: assignedAt.toISOString(),
    endsAt: rows[0].expiresAt!.toISOString(),
    context: { customers: { add: rows.map((r) => r.customerId) } },
    customerGets: { value, items: { all: true } },
    ...(offer.minimumSubtotalMinor !== null
      ? {
          minimumRequirement: {
            subtotal: { greaterThanOrEqualToSubtotal: fromMinorUnits(offer.minimumSubtotalMinor, currency) },
          },
        }
      : {}),
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
  };
}

/**
 * Recipients issued together (same campaign, same moment, so the same expiry; same A/B variant, so the same offer),
 * at most 250 per discount.
 */
function discountBatches(rows: RecipientRow[]): RecipientRow[][] {
  const groups = new Map<string, RecipientRow[]>();
  for (const r of rows) {
    const key = r.discountId ?? `new:${r.assignedAt.getTime()}:${r.variant ?? ""}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const out: RecipientRow[][] = [];
  for (const list of groups.values())
    for (let i = 0; i < list.length; i += REDEEM_CODES_PER_CALL) out.push(list.slice(i, i + REDEEM_CODES_PER_CALL));
  return out;
}

async function codeOwner(client: AdminClient, code: string): Promise<string | null> {
  const data = await client.request<{ codeDiscountNodeByCode: { id: string } | null }>(CODE_DISCOUNT_BY_CODE_QUERY, {
    code,
  });
  return data.codeDiscountNodeByCode?.id ?? null;
}

/** Adds codes to a discount and waits for Shopify's asynchronous result: per code, created or refused. */
async function addCodes(
  client: AdminClient,
  discountId: string,
  codes: string[],
  sleep: (ms: number) => Promise<void>,
) {
  const added = await client.request<{
    discountRedeemCodeBulkAdd: { bulkCreation: { id: string; done: boolean } | null; userErrors: UserError[] };
  }>(DISCOUNT_REDEEM_CODE_BULK_ADD_MUTATION, { discountId, codes: codes.map((code) => ({ code })) });
  const { bulkCreation, userErrors } = added.discountRedeemCodeBulkAdd;
  if (!bulkCreation) return { refusedAll: describe(userErrors), results: new Map<string, UserError[]>() };
  for (let poll = 0; poll < BULK_CREATION_POLLS; poll++) {
    if (poll > 0) await sleep(Math.min(200 * 2 ** (poll - 1), 5_000));
    const read = await client.request<{
      discountRedeemCodeBulkCreation: {
        done: boolean;
        codes: { nodes: { code: string; discountRedeemCode: { id: string } | null; errors: UserError[] }[] };
      } | null;
    }>(DISCOUNT_REDEEM_CODE_BULK_CREATION_QUERY, { id: bulkCreation.id });
    const creation = read.discountRedeemCodeBulkCreation;
    if (creation?.done)
      return {
        refusedAll: null,
        results: new Map(creation.codes.nodes.map((n) => [n.code, n.discountRedeemCode ? [] : n.errors])),
      };
  }
  throw new Error(`adding ${codes.length} codes to ${discountId} did not finish`);
}

async function issueBatch(
  shop: string,
  client: AdminClient,
  campaign: Campaign,
  currency: string,
  rows: RecipientRow[],
  now: () => Date,
  sleep: (ms: number) => Promise<void>,
  offer: CampaignOffer,
) {
  let issued = 0;
  let failed = 0;
  let discountId = rows[0].discountId;
  let rest = rows;
  if (discountId === null) {
    const data = await client.request<{
      discountCodeBasicCreate: { codeDiscountNode: { id: string } | null; userErrors: UserError[] };
    }>(DISCOUNT_CODE_BASIC_CREATE_MUTATION, { basicCodeDiscount: discountInput(campaign, currency, rows, offer) });
    const created = data.discountCodeBasicCreate;
    if (!created.codeDiscountNode) {
      const failure = describe(created.userErrors);
      // A code someone else took: the first recipient gets a fresh one next time, the others simply wait. Anything
      // else concerns the whole batch.
      if (created.userErrors.some((e) => e.code === "TAKEN")) {
        await recordRecipientFailure(shop, rows[0].id, failure, {
          newCode: campaignCode(campaign.codePrefix, randomBytes),
        });
        return { issued: 0, failed: 1 };
      }
      for (const r of rows) await recordRecipientFailure(shop, r.id, failure);
      return { issued: 0, failed: rows.length };
    }
    discountId = created.codeDiscountNode.id;
    await recordDiscount(
      shop,
      rows.map((r) => r.id),
      discountId,
    );
    await markIssued(shop, [rows[0].id], now());
    issued += 1;
    rest = rows.slice(1);
  }
  if (rest.length === 0) return { issued, failed };
  const { refusedAll, results } = await addCodes(
    client,
    discountId,
    rest.map((r) => r.code!),
    sleep,
  );
  const ok: number[] = [];
  for (const r of rest) {
    const errors =
      refusedAll === null
        ? (results.get(r.code!) ?? [{ message: "Shopify did not report this code" }])
        : [{ message: refusedAll }];
    if (errors.length === 0) {
      ok.push(r.id);
      continue;
    }
    // TAKEN by our own discount: an earlier run added it and died before recording it.
    if (errors.some((e) => e.code === "TAKEN") && (await codeOwner(client, r.code!)) === discountId) {
      ok.push(r.id);
      continue;
    }
    const taken = errors.some((e) => e.code === "TAKEN");
    await recordRecipientFailure(
      shop,
      r.id,
      describe(errors),
      taken ? { newCode: campaignCode(campaign.codePrefix, randomBytes) } : {},
    );
    failed += 1;
  }
  await markIssued(shop, ok, now());
  return { issued: issued + ok.length, failed };
}

/** The offers metafield of each customer: every open code, oldest first. */
async function writeOffersMetafields(
  shop: string,
  client: AdminClient,
  currency: string,
  now: () => Date,
): Promise<number> {
  let written = 0;
  const campaigns = new Map<string, Campaign | null>();
  const offerOf = offerResolver(shop);
  let afterId = 0;
  for (;;) {
    // Paged by recipient id, so a customer Shopify refuses is left for the next run instead of blocking this one.
    const rows = await issuedMissing(shop, "metafieldAt", SYNC_MUTATION_FIELDS_MAX, afterId);
    if (rows.length === 0) return written;
    afterId = rows[rows.length - 1].id;
    const customers = [...new Set(rows.map((r) => r.customerId))];
    const at = now();
    const offers = await openOffers(shop, customers, at);
    const variables: Record<string, unknown> = {};
    for (const [i, customerId] of customers.entries()) {
      const list = [];
      for (const o of offers.filter((x) => x.customerId === customerId)) {
        if (!campaigns.has(o.campaignId)) campaigns.set(o.campaignId, await getCampaign(shop, o.campaignId));
        const c = campaigns.get(o.campaignId);
        if (!c) continue;
        const offer = await offerOf(c, o.variant);
        list.push({
          campaign: c.name,
          code: o.code,
          offer: offerText(offer, currency),
          minimum_subtotal:
            offer.minimumSubtotalMinor === null ? null : fromMinorUnits(offer.minimumSubtotalMinor, currency),
          expires_at: o.expiresAt!.toISOString(),
          currency,
        });
      }
      variables[`set${i}`] = [
        {
          ownerId: customerId,
          namespace: METAFIELD_NAMESPACE,
          key: OFFERS_METAFIELD.key,
          type: OFFERS_METAFIELD.type,
          value: JSON.stringify({ offers: list }),
        },
      ];
    }
    const data = await client.request<Record<string, { userErrors: UserError[] }>>(
      syncCustomersMutation({ tagsAdd: 0, tagsRemove: 0, metafieldsSet: customers.length, metafieldsDelete: 0 }),
      variables,
    );
    const ok = customers.filter((_, i) => (data[`set${i}`]?.userErrors ?? []).length === 0);
    if (ok.length) await markStep(shop, "metafieldAt", { customerIds: ok }, at);
    written += ok.length;
  }
}

async function sendOfferTriggers(
  shop: string,
  client: AdminClient,
  currency: string,
  now: () => Date,
): Promise<number> {
  let sent = 0;
  const campaigns = new Map<string, Campaign | null>();
  const offerOf = offerResolver(shop);
  let afterId = 0;
  for (;;) {
    const rows = await issuedMissing(shop, "flowSentAt", SYNC_MUTATION_FIELDS_MAX, afterId);
    if (rows.length === 0) return sent;
    afterId = rows[rows.length - 1].id;
    const variables: Record<string, unknown> = {};
    // What the recipients are recommended now (products the shop sells), so a win-back email can show them.
    const picks = await recommendedProductsOf(
      shop,
      rows.map((r) => r.customerId),
      FLOW_RECOMMENDATIONS_MAX,
    );
    for (const [i, r] of rows.entries()) {
      if (!campaigns.has(r.campaignId)) campaigns.set(r.campaignId, await getCampaign(shop, r.campaignId));
      const c = campaigns.get(r.campaignId)!;
      variables[`handle${i}`] = OFFER_TRIGGER;
      variables[`payload${i}`] = {
        customer_id: Number(r.customerId.split("/").pop()),
        campaign: c.name,
        "campaign id": c.id,
        code: r.code!,
        offer: offerText(await offerOf(c, r.variant), currency),
        "expires at": r.expiresAt!.toISOString(),
        ...flowRecommendationFields(picks.get(r.customerId) ?? []),
      };
    }
    const data = await client.request<Record<string, { userErrors: UserError[] }>>(
      flowTriggersMutation(rows.length),
      variables,
    );
    const ok = rows.filter((_, i) => (data[`trigger${i}`]?.userErrors ?? []).length === 0).map((r) => r.id);
    if (ok.length) await markStep(shop, "flowSentAt", { ids: ok }, now());
    sent += ok.length;
  }
}

/** Issues every waiting code of the given (active) campaigns, then the metafields and Flow triggers still missing. */
export async function deliverCampaignOffers(
  shop: string,
  campaigns: Campaign[],
  {
    client,
    currency,
    now = () => new Date(),
    sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
  }: { client: AdminClient; currency: string; now?: () => Date; sleep?: (ms: number) => Promise<void> },
): Promise<DeliveryResult> {
  let issued = 0;
  let failed = 0;
  const offerOf = offerResolver(shop);
  for (const campaign of campaigns) {
    const waiting = await recipientsToIssue(shop, campaign.id, MAX_RECIPIENT_FAILURES);
    for (const batch of discountBatches(waiting)) {
      // An A/B test's batch carries its variant's offer (campaign-ab.server.ts); otherwise the campaign's.
      const offer = await offerOf(campaign, batch[0].variant);
      const r = await issueBatch(shop, client, campaign, currency, batch, now, sleep, offer);
      issued += r.issued;
      failed += r.failed;
    }
  }
  const metafields = await writeOffersMetafields(shop, client, currency, now);
  const triggers = await sendOfferTriggers(shop, client, currency, now);
  return { issued, failed, metafields, triggers };
}
