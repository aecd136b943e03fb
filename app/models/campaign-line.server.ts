// A campaign's LINE side (docs/line-messages.md#campaigns): its mode, how many linked, following recipients are still
// to be messaged (the quota warning), and what its LINE messages became (the report's counts). Keyed by shop.
import { prisma } from "../db.server";
import { isLineMode, type LineMode } from "../domain/campaign-line";

const IN_BATCH = 500;

export async function campaignLineMode(shop: string, campaignId: string): Promise<LineMode | null> {
  const row = await prisma.campaign.findFirst({ where: { shop, id: campaignId }, select: { lineMode: true } });
  if (!row) return null;
  return isLineMode(row.lineMode) ? row.lineMode : "off";
}

/** Sets the campaign's LINE mode; false when the shop has no such campaign. */
export async function setCampaignLineMode(shop: string, campaignId: string, mode: LineMode): Promise<boolean> {
  const { count } = await prisma.campaign.updateMany({ where: { shop, id: campaignId }, data: { lineMode: mode } });
  return count === 1;
}

/** The shop's members linked to LINE and following the account, per locale (before a campaign has recipients). */
export async function followingByLocale(shop: string): Promise<Record<string, number>> {
  const rows = await prisma.lineLink.groupBy({
    by: ["locale"],
    where: { shop, following: true },
    _count: { _all: true },
  });
  return Object.fromEntries(rows.map((r) => [r.locale, r._count._all]));
}

/**
 * The campaign's recipients (not held out) who are linked and following and have no LINE message of this campaign
 * that is done (sent, refused or skipped): what it still needs from the quota, per locale.
 */
export async function recipientsToMessageByLocale(shop: string, campaignId: string): Promise<Record<string, number>> {
  const sourceKey = `campaign:${campaignId}`;
  const rows = await prisma.$queryRaw<{ locale: string; n: bigint | number }[]>`
    SELECT l."locale" AS "locale", COUNT(*) AS "n"
    FROM "CampaignRecipient" r
    JOIN "LineLink" l ON l."shop" = r."shop" AND l."customerId" = r."customerId"
    WHERE r."shop" = ${shop} AND r."campaignId" = ${campaignId} AND r."holdout" = ${false} AND l."following" = ${true}
      AND NOT EXISTS (
        SELECT 1 FROM "ChannelMessage" m
        WHERE m."shop" = r."shop" AND m."channel" = 'line' AND m."customerId" = r."customerId"
          AND m."event" = 'campaign-offer' AND m."sourceKey" = ${sourceKey} AND m."state" <> 'pending'
      )
    GROUP BY l."locale"`;
  return Object.fromEntries(rows.map((r) => [r.locale, Number(r.n)]));
}

export interface CampaignLineCounts {
  pending: number;
  sent: number;
  refused: number;
  skipped: number;
}

/** The campaign's LINE messages by state (ChannelMessage, event campaign-offer, source campaign:<id>). */
export async function campaignLineCounts(shop: string, campaignId: string): Promise<CampaignLineCounts> {
  const rows = await prisma.channelMessage.groupBy({
    by: ["state"],
    where: { shop, channel: "line", event: "campaign-offer", sourceKey: `campaign:${campaignId}` },
    _count: { _all: true },
  });
  const out: CampaignLineCounts = { pending: 0, sent: 0, refused: 0, skipped: 0 };
  for (const r of rows) if (r.state in out) out[r.state as keyof CampaignLineCounts] = r._count._all;
  return out;
}

/** The codes (and when they were given) of the recipients this campaign's LINE message reached. */
export async function messagedRecipientCodes(shop: string, campaignId: string) {
  const sent = await prisma.channelMessage.findMany({
    where: { shop, channel: "line", event: "campaign-offer", sourceKey: `campaign:${campaignId}`, state: "sent" },
    select: { customerId: true },
  });
  const ids = sent.map((s) => s.customerId);
  const out: { customerId: string; code: string; assignedAt: Date }[] = [];
  for (let i = 0; i < ids.length; i += IN_BATCH) {
    const rows = await prisma.campaignRecipient.findMany({
      where: { shop, campaignId, holdout: false, customerId: { in: ids.slice(i, i + IN_BATCH) }, code: { not: null } },
      select: { customerId: true, code: true, assignedAt: true },
    });
    for (const r of rows) out.push({ customerId: r.customerId, code: r.code!, assignedAt: r.assignedAt });
  }
  return out;
}
