// Rows the shoppers' loyalty page reads, written as the app would hold them: a ledger customer, a stored state, tier
// moves, campaigns and their issued codes. Used by tests/integration/app-proxy.test.ts and tests/e2e/loyalty-page.test.ts.
import { prisma } from "../../app/db.server";
import type { CustomerStateValues } from "../../app/models/customer-state.server";

export const DAY = 86_400_000;

/** A stored state with the page's fields given (the RFM part is filler: the page does not show it). */
export function memberState(customerId: string, values: Partial<CustomerStateValues>): CustomerStateValues {
  return {
    customerId,
    segment: "loyal",
    r: 4,
    f: 4,
    m: 4,
    fm: 4,
    recencyDays: 10,
    frequency: 3,
    monetaryMinor: 50_000,
    lastOrderAt: Date.now() - 10 * DAY,
    tier: null,
    spendInWindowMinor: 0,
    ordersInWindow: 0,
    nextTier: null,
    amountToNextMinor: null,
    ordersToNext: null,
    tierExpiresAt: null,
    windowChangesAt: null,
    baseLastOrderAt: null,
    baseFrequency: null,
    baseMonetaryMinor: null,
    ...values,
  };
}

export async function addLedgerCustomer(shop: string, customerId: string, firstName: string) {
  const n = customerId.split("/").pop();
  await prisma.customer.create({
    data: { shop, id: customerId, firstName, lastName: "Tester", email: `c${n}@${shop}` },
  });
}

export async function addTierMove(
  shop: string,
  customerId: string,
  from: string | null,
  to: string | null,
  at: number,
) {
  await prisma.customerStateChange.create({
    data: { shop, customerId, kind: "tier", from, to, at: new Date(at), reason: "order" },
  });
}

export async function addCampaign(
  shop: string,
  name: string,
  offer: { kind: string; value: number; minimum?: number },
) {
  const row = await prisma.campaign.create({
    data: {
      shop,
      name,
      template: "custom",
      audience: JSON.stringify({ kind: "first_order" }),
      schedule: "entry",
      offerKind: offer.kind,
      offerValue: offer.value,
      minimumSubtotalMinor: offer.minimum === undefined ? null : BigInt(offer.minimum),
      expiryDays: 30,
      holdoutPercent: 0,
      cooldownDays: 0,
      codePrefix: "",
    },
  });
  return row.id;
}

/** A campaign member: a recipient with an issued code (or, `holdout`, none), assigned 30 days before it expires. */
export async function addOffer(
  shop: string,
  campaignId: string,
  customerId: string,
  code: string | null,
  expiresAt: number,
  { holdout = false, issued = true } = {},
) {
  await prisma.campaignRecipient.create({
    data: {
      shop,
      campaignId,
      customerId,
      holdout,
      assignedAt: new Date(expiresAt - 30 * DAY),
      code,
      expiresAt: new Date(expiresAt),
      issuedAt: issued ? new Date(expiresAt - 30 * DAY) : null,
    },
  });
}
