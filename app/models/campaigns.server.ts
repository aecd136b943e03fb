// Campaigns and their recipients (prisma Campaign, CampaignRecipient), and the reads that find a campaign's audience.
// Every function takes the shop first; no query reaches another shop's rows.
import { prisma } from "../db.server";
import type { Prisma } from "../generated/prisma/client";
import {
  parseAudience,
  type CampaignAudience,
  type CampaignDefinition,
  type CampaignOffer,
  type CampaignSchedule,
  type CampaignStatus,
  type CampaignTemplate,
} from "../domain/campaigns";

export interface Campaign extends CampaignDefinition {
  id: string;
  status: CampaignStatus;
  startedAt: Date;
  lastRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

type Row = Prisma.CampaignGetPayload<object>;

function fromRow(row: Row): Campaign {
  const offer: CampaignOffer = {
    kind: row.offerKind as CampaignOffer["kind"],
    value: row.offerValue,
    minimumSubtotalMinor: row.minimumSubtotalMinor === null ? null : Number(row.minimumSubtotalMinor),
    expiryDays: row.expiryDays,
  };
  return {
    id: row.id,
    name: row.name,
    template: row.template as CampaignTemplate,
    status: row.status as CampaignStatus,
    audience: parseAudience(row.audience),
    includeExisting: row.includeExisting,
    schedule: row.schedule as CampaignSchedule,
    offer,
    holdoutPercent: row.holdoutPercent,
    cooldownDays: row.cooldownDays,
    codePrefix: row.codePrefix,
    startedAt: row.startedAt,
    lastRunAt: row.lastRunAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function columns(c: CampaignDefinition) {
  return {
    name: c.name,
    template: c.template,
    audience: JSON.stringify(c.audience),
    includeExisting: c.includeExisting,
    schedule: c.schedule,
    offerKind: c.offer.kind,
    offerValue: c.offer.value,
    minimumSubtotalMinor: c.offer.minimumSubtotalMinor === null ? null : BigInt(c.offer.minimumSubtotalMinor),
    expiryDays: c.offer.expiryDays,
    holdoutPercent: c.holdoutPercent,
    cooldownDays: c.cooldownDays,
    codePrefix: c.codePrefix,
  };
}

/** The columns of a campaign row (also written by app/models/campaign-variants.server.ts with an A/B test). */
export { columns as campaignColumns };

export async function createCampaign(shop: string, c: CampaignDefinition, now: Date): Promise<Campaign> {
  return fromRow(await prisma.campaign.create({ data: { shop, ...columns(c), startedAt: now, createdAt: now } }));
}

/** Saves the merchant's edit; null when the shop has no such campaign. Issued codes keep the offer they were made with. */
export async function updateCampaign(shop: string, id: string, c: CampaignDefinition): Promise<Campaign | null> {
  const { count } = await prisma.campaign.updateMany({ where: { shop, id }, data: columns(c) });
  return count ? getCampaign(shop, id) : null;
}

export async function setCampaignStatus(shop: string, id: string, status: CampaignStatus): Promise<boolean> {
  const { count } = await prisma.campaign.updateMany({ where: { shop, id }, data: { status } });
  return count > 0;
}

export async function markCampaignRun(shop: string, id: string, at: Date) {
  await prisma.campaign.updateMany({ where: { shop, id }, data: { lastRunAt: at } });
}

export async function getCampaign(shop: string, id: string): Promise<Campaign | null> {
  const row = await prisma.campaign.findFirst({ where: { shop, id } });
  return row ? fromRow(row) : null;
}

export async function listCampaigns(shop: string, { archived = false } = {}): Promise<Campaign[]> {
  const rows = await prisma.campaign.findMany({
    where: { shop, status: archived ? "archived" : { not: "archived" } },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  return rows.map(fromRow);
}

export async function activeCampaigns(shop: string): Promise<Campaign[]> {
  return (await prisma.campaign.findMany({ where: { shop, status: "active" }, orderBy: { createdAt: "asc" } })).map(
    fromRow,
  );
}

// ---- Audience ------------------------------------------------------------------------------------------------

const IN_BATCH = 500;

function* batches<T>(items: readonly T[], size = IN_BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Customers whose current RFM segment is one of `segments`, and when they last entered it (from the history). */
export async function customersInSegments(
  shop: string,
  segments: string[],
  { enteredSince }: { enteredSince: Date | null },
): Promise<string[]> {
  if (enteredSince === null) {
    const rows = await prisma.customerState.findMany({
      where: { shop, segment: { in: segments } },
      select: { customerId: true },
      orderBy: { customerId: "asc" },
    });
    return rows.map((r) => r.customerId);
  }
  // Entered since: a move into one of the segments recorded at or after `enteredSince`, and still there now.
  const moves = await prisma.customerStateChange.findMany({
    where: { shop, kind: "segment", to: { in: segments }, at: { gte: enteredSince } },
    select: { customerId: true },
    distinct: ["customerId"],
  });
  const out: string[] = [];
  for (const batch of batches(moves.map((m) => m.customerId))) {
    const still = await prisma.customerState.findMany({
      where: { shop, customerId: { in: batch }, segment: { in: segments } },
      select: { customerId: true },
    });
    out.push(...still.map((s) => s.customerId));
  }
  return out.sort();
}

/** Tier moves recorded at or after `since` (the audience rule decides which count as "up"). */
export async function tierMovesSince(shop: string, since: Date) {
  return prisma.customerStateChange.findMany({
    where: { shop, kind: "tier", at: { gte: since } },
    select: { customerId: true, from: true, to: true, at: true },
    orderBy: [{ at: "asc" }, { id: "asc" }],
  });
}

/** Customers with exactly one qualifying order in the ledger, placed at or after `since`. */
export async function firstOrderCustomersSince(shop: string, since: Date): Promise<string[]> {
  const candidates = await prisma.customerState.findMany({
    where: { shop, frequency: 1, lastOrderAt: { gte: since } },
    select: { customerId: true },
    orderBy: { customerId: "asc" },
  });
  // The state's frequency counts the RFM window only; the ledger says whether it is the customer's first order ever.
  const out: string[] = [];
  for (const batch of batches(candidates.map((c) => c.customerId))) {
    const counts = await prisma.order.groupBy({
      by: ["customerId"],
      where: {
        shop,
        customerId: { in: batch },
        deletedAt: null,
        test: false,
        cancelledAt: null,
        valueMinor: { gt: 0 },
      },
      _count: { _all: true },
    });
    for (const c of counts) if (c.customerId && c._count._all === 1) out.push(c.customerId);
  }
  return out.sort();
}

/** Customers whose last qualifying order was at or before `lastOrderBefore` (and, optionally, after `lastOrderAfter`). */
export async function lapsedCustomers(
  shop: string,
  { lastOrderBefore, lastOrderAfter }: { lastOrderBefore: Date; lastOrderAfter: Date | null },
) {
  return prisma.customerState.findMany({
    where: { shop, lastOrderAt: { lte: lastOrderBefore, ...(lastOrderAfter ? { gt: lastOrderAfter } : {}) } },
    select: { customerId: true, lastOrderAt: true },
    orderBy: { customerId: "asc" },
  });
}

/** Each customer's latest assignment to the campaign (treatment or holdout). */
export async function lastAssignments(shop: string, campaignId: string): Promise<Map<string, Date>> {
  const rows = await prisma.campaignRecipient.groupBy({
    by: ["customerId"],
    where: { shop, campaignId },
    _max: { assignedAt: true },
  });
  return new Map(rows.map((r) => [r.customerId, r._max.assignedAt!]));
}

// ---- Recipients ----------------------------------------------------------------------------------------------

export interface NewRecipient {
  customerId: string;
  holdout: boolean;
  code: string | null;
  expiresAt: Date | null;
  /** The customer's RFM segment and tier when chosen (the report's breakdown by group). */
  segment?: string | null;
  tier?: string | null;
  /** The A/B test variant whose offer the code carries (null: holdout or no test). */
  variant?: string | null;
}

/** Records one run's assignments in one transaction (all or none, so a rerun never half-assigns). */
export async function addRecipients(shop: string, campaignId: string, assignedAt: Date, recipients: NewRecipient[]) {
  if (recipients.length === 0) return;
  await prisma.$transaction(
    [...batches(recipients)].map((batch) =>
      prisma.campaignRecipient.createMany({
        data: batch.map((r) => ({
          shop,
          campaignId,
          customerId: r.customerId,
          holdout: r.holdout,
          assignedAt,
          code: r.code,
          expiresAt: r.expiresAt,
          segment: r.segment ?? null,
          tier: r.tier ?? null,
          variant: r.variant ?? null,
        })),
      }),
    ),
  );
}

export type RecipientRow = Prisma.CampaignRecipientGetPayload<object>;

/** Recipients whose code is not confirmed by Shopify yet (and have not failed too often), oldest first. */
export async function recipientsToIssue(
  shop: string,
  campaignId: string,
  maxFailures: number,
): Promise<RecipientRow[]> {
  return prisma.campaignRecipient.findMany({
    where: { shop, campaignId, holdout: false, issuedAt: null, failures: { lt: maxFailures } },
    orderBy: { id: "asc" },
  });
}

export async function recordDiscount(shop: string, ids: number[], discountId: string) {
  await prisma.campaignRecipient.updateMany({ where: { shop, id: { in: ids } }, data: { discountId } });
}

export async function markIssued(shop: string, ids: number[], at: Date) {
  for (const batch of batches(ids)) {
    await prisma.campaignRecipient.updateMany({
      where: { shop, id: { in: batch } },
      data: { issuedAt: at, failure: null },
    });
  }
}

export async function recordRecipientFailure(
  shop: string,
  id: number,
  failure: string,
  { newCode }: { newCode?: string } = {},
) {
  await prisma.campaignRecipient.updateMany({
    where: { shop, id },
    data: { failure, failures: { increment: 1 }, ...(newCode ? { code: newCode } : {}) },
  });
}

/** Issued recipients still missing a step (the offers metafield or the Flow trigger). */
export async function issuedMissing(
  shop: string,
  step: "metafieldAt" | "flowSentAt",
  take: number,
  afterId = 0,
): Promise<RecipientRow[]> {
  return prisma.campaignRecipient.findMany({
    where: { shop, holdout: false, issuedAt: { not: null }, [step]: null, id: { gt: afterId } },
    orderBy: { id: "asc" },
    take,
  });
}

export async function markStep(
  shop: string,
  step: "metafieldAt" | "flowSentAt",
  where: { ids?: number[]; customerIds?: string[] },
  at: Date,
) {
  const filter = where.ids
    ? { id: { in: where.ids } }
    : { customerId: { in: where.customerIds ?? [] }, issuedAt: { not: null } };
  await prisma.campaignRecipient.updateMany({ where: { shop, holdout: false, ...filter }, data: { [step]: at } });
}

/** The customers' issued codes that have not expired at `now`, across campaigns (what their offers metafield holds). */
export async function openOffers(shop: string, customerIds: string[], now: Date) {
  return prisma.campaignRecipient.findMany({
    where: {
      shop,
      customerId: { in: customerIds },
      holdout: false,
      issuedAt: { not: null },
      expiresAt: { gt: now },
      retiredAt: null,
    },
    select: { customerId: true, campaignId: true, code: true, expiresAt: true, variant: true },
    orderBy: [{ customerId: "asc" }, { assignedAt: "asc" }, { id: "asc" }],
  });
}

/** Every member of a campaign (recipients and holdout), oldest first. */
export async function campaignMembers(shop: string, campaignId: string) {
  return prisma.campaignRecipient.findMany({
    where: { shop, campaignId },
    select: {
      id: true,
      customerId: true,
      holdout: true,
      assignedAt: true,
      code: true,
      expiresAt: true,
      issuedAt: true,
      failure: true,
      failures: true,
      flowSentAt: true,
      metafieldAt: true,
      segment: true,
      tier: true,
      retiredAt: true,
      variant: true,
    },
    orderBy: { id: "asc" },
  });
}

/** Counts per campaign: recipients issued, waiting, failed, and holdout. */
export async function memberCounts(shop: string) {
  const rows = await prisma.campaignRecipient.groupBy({
    by: ["campaignId", "holdout"],
    where: { shop },
    _count: { _all: true, issuedAt: true },
  });
  const out = new Map<string, { holdout: number; issued: number; waiting: number }>();
  for (const r of rows) {
    const c = out.get(r.campaignId) ?? { holdout: 0, issued: 0, waiting: 0 };
    if (r.holdout) c.holdout += r._count._all;
    else {
      c.issued += r._count.issuedAt;
      c.waiting += r._count._all - r._count.issuedAt;
    }
    out.set(r.campaignId, c);
  }
  return out;
}

/** The members' qualifying orders placed at or after `since` (attribution reads these). */
export async function memberOrders(shop: string, customerIds: string[], since: Date) {
  const out: {
    customerId: string;
    processedAt: Date;
    valueMinor: bigint;
    discountMinor: bigint;
    discountCodes: string;
  }[] = [];
  for (const batch of batches([...new Set(customerIds)])) {
    const rows = await prisma.order.findMany({
      where: {
        shop,
        customerId: { in: batch },
        deletedAt: null,
        test: false,
        cancelledAt: null,
        valueMinor: { gt: 0 },
        processedAt: { gte: since },
      },
      select: { customerId: true, processedAt: true, valueMinor: true, discountMinor: true, discountCodes: true },
    });
    for (const r of rows) out.push({ ...r, customerId: r.customerId! });
  }
  return out;
}

export type { CampaignAudience };
