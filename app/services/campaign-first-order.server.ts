// "First order only" for sign-up campaigns (docs/campaigns.md "Sign-ups"). Shopify's basic code discount has no
// "first order" condition that can be combined with a list of customers (the context is customers OR segments), and
// a code limited to its customer would still work on their second order when the first was placed without it. So the
// app withdraws it: once the customer's first qualifying order has arrived (by webhook: it queues a campaigns run
// within seconds) without the code, the customer is removed from the discount's customers (discountCodeBasicUpdate,
// context.customers.remove) — or, when nobody else holds an open code of that discount, the discount is deactivated —
// and the code leaves their offers metafield.
import type { AdminClient } from "../shopify/client";
import { DISCOUNT_CODE_BASIC_UPDATE_MUTATION, DISCOUNT_CODE_DEACTIVATE_MUTATION } from "../shopify/documents";
import { firstOrderCameWithout } from "../domain/campaign-groups";
import { firstOrderOnly } from "../domain/campaigns";
import {
  markWithdrawn,
  openCodesOfCustomersWhoOrdered,
  otherOpenHoldersOfDiscount,
} from "../models/campaign-signups.server";
import { listCampaigns } from "../models/campaigns.server";

type UserError = { field?: string[] | null; message: string; code?: string | null };

export interface WithdrawResult {
  withdrawn: number;
  failed: number;
}

/**
 * Withdraws every open first-order-only code whose customer's first order came without it — of every campaign of the
 * shop, paused and archived ones included (their codes stay valid in Shopify until they expire).
 */
export async function withdrawSpentFirstOrderCodes(
  shop: string,
  { client, now = () => new Date() }: { client: AdminClient; now?: () => Date },
): Promise<WithdrawResult> {
  const campaigns = [...(await listCampaigns(shop)), ...(await listCampaigns(shop, { archived: true }))];
  let withdrawn = 0;
  let failed = 0;
  for (const campaign of campaigns) {
    if (!firstOrderOnly(campaign.audience)) continue;
    const at = now();
    for (const r of await openCodesOfCustomersWhoOrdered(shop, campaign.id, at)) {
      if (!firstOrderCameWithout(r.code, r.orders)) continue;
      const alone = (await otherOpenHoldersOfDiscount(shop, r.discountId, r.id, at)) === 0;
      const errors = alone
        ? (
            await client.request<{ discountCodeDeactivate: { userErrors: UserError[] } }>(
              DISCOUNT_CODE_DEACTIVATE_MUTATION,
              { id: r.discountId },
            )
          ).discountCodeDeactivate.userErrors
        : (
            await client.request<{ discountCodeBasicUpdate: { userErrors: UserError[] } }>(
              DISCOUNT_CODE_BASIC_UPDATE_MUTATION,
              { id: r.discountId, basicCodeDiscount: { context: { customers: { remove: [r.customerId] } } } },
            )
          ).discountCodeBasicUpdate.userErrors;
      // Refused: left open, tried again on the next run.
      if (errors.length) {
        failed += 1;
        continue;
      }
      await markWithdrawn(shop, r.id, now());
      withdrawn += 1;
    }
  }
  return { withdrawn, failed };
}
