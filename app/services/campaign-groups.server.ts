// The campaign report's "who responds" part: its figures per RFM segment and per tier (as recorded when each member
// was chosen) and, for a sign-up campaign, the share of recipients and holdout whose first order came within N days
// of signing up (N = the offer's validity). The arithmetic is app/domain/campaign-groups.ts.
import type { MemberOrder } from "../domain/campaign-stats";
import { campaignGroups, firstOrderWithin, type FirstOrderWithin, type GroupRow } from "../domain/campaign-groups";
import { signupFacts } from "../models/campaign-signups.server";
import type { Campaign } from "../models/campaigns.server";

export interface CampaignGroupReport {
  segments: GroupRow[];
  tiers: GroupRow[];
  /** Sign-up campaigns only. */
  firstOrder: FirstOrderWithin | null;
}

export async function campaignGroupReport(
  shop: string,
  campaign: Campaign,
  observed: readonly {
    customerId: string;
    holdout: boolean;
    assignedAt: Date;
    code: string | null;
    segment: string | null;
    tier: string | null;
  }[],
  orders: readonly MemberOrder[],
  codes: ReadonlySet<string>,
  asOf = new Date(),
): Promise<CampaignGroupReport> {
  const members = observed.map((m) => ({
    customerId: m.customerId,
    holdout: m.holdout,
    assignedAt: m.assignedAt.getTime(),
    code: m.code,
    segment: m.segment,
    tier: m.tier,
  }));
  const options = { windowDays: campaign.offer.expiryDays, codes };
  let firstOrder: FirstOrderWithin | null = null;
  if (campaign.audience.kind === "signup") {
    const facts = await signupFacts(
      shop,
      members.map((m) => m.customerId),
    );
    firstOrder = firstOrderWithin(
      members.map((m) => {
        const f = facts.get(m.customerId);
        return {
          customerId: m.customerId,
          holdout: m.holdout,
          signedUpAt: f?.signedUpAt?.getTime() ?? null,
          firstOrderAt: f?.firstOrderAt?.getTime() ?? null,
        };
      }),
      campaign.offer.expiryDays,
      asOf.getTime(),
    );
  }
  return {
    segments: campaignGroups(members, orders, "segment", options),
    tiers: campaignGroups(members, orders, "tier", options),
    firstOrder,
  };
}
