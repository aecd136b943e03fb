// A shop's channel connections (ChannelConnection; docs/channels.md). Rows hold sealed secrets only; reads for the
// admin page return the public part, never the sealed value.
import type { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";

export interface ConnectionSummary {
  channel: string;
  publicId: string | null;
  status: string;
  lastError: string | null;
  lastTestedAt: Date | null;
  updatedAt: Date;
}

export function listConnections(shop: string): Promise<ConnectionSummary[]> {
  return prisma.channelConnection.findMany({
    where: { shop },
    select: { channel: true, publicId: true, status: true, lastError: true, lastTestedAt: true, updatedAt: true },
    orderBy: { channel: "asc" },
  });
}

/** The sealed row, for the service that opens it to call the vendor. */
export function getSealedConnection(shop: string, channel: string) {
  return prisma.channelConnection.findUnique({ where: { shop_channel: { shop, channel } } });
}

export function upsertConnection(
  shop: string,
  channel: string,
  row: { publicId: string | null; secrets: string; keyId: string },
) {
  return prisma.channelConnection.upsert({
    where: { shop_channel: { shop, channel } },
    create: { shop, channel, ...row, status: "untested" },
    update: { ...row, status: "untested", lastError: null, lastTestedAt: null },
  });
}

export async function recordTest(
  shop: string,
  channel: string,
  result: { status: "connected" | "failed"; lastError: string | null; at: Date },
) {
  const { count } = await prisma.channelConnection.updateMany({
    where: { shop, channel },
    data: { status: result.status, lastError: result.lastError, lastTestedAt: result.at },
  });
  return count;
}

export async function deleteConnection(shop: string, channel: string): Promise<number> {
  const { count } = await prisma.channelConnection.deleteMany({ where: { shop, channel } });
  return count;
}

/** Every connection of the shop (on uninstall: the keys go at once). */
export async function deleteShopConnections(shop: string): Promise<number> {
  const { count } = await prisma.channelConnection.deleteMany({ where: { shop } });
  return count;
}

// ---- LINE: the shoppers' links belong to the connected channels (docs/channels.md#changing-or-disconnecting-line) --

export const LINE_CHANNELS = ["line-messaging", "line-login"] as const;

/** What ending the shop's LINE links removed: links, login attempts in progress, waiting messages skipped. */
export interface LineLinksEnded {
  unlinked: number;
  attempts: number;
  skipped: number;
}
const NOTHING_ENDED: LineLinksEnded = { unlinked: 0, attempts: 0, skipped: 0 };

/**
 * Ends every LINE link of the shop: the links and the login attempts in progress are deleted, and the waiting LINE
 * messages (pending, not held by a sender's live claim) are skipped with `reason`; sent rows stay as the record.
 */
async function endLineLinks(
  tx: Prisma.TransactionClient,
  shop: string,
  reason: string,
  now: Date,
): Promise<LineLinksEnded> {
  const unlinked = (await tx.lineLink.deleteMany({ where: { shop } })).count;
  const attempts = (await tx.lineLoginAttempt.deleteMany({ where: { shop } })).count;
  const skipped = (
    await tx.channelMessage.updateMany({
      where: {
        shop,
        channel: "line",
        state: "pending",
        OR: [{ claimToken: null }, { nextAttemptAt: null }, { nextAttemptAt: { lte: now } }],
      },
      data: { state: "skipped", lastError: reason.slice(0, 500), claimToken: null, nextAttemptAt: null },
    })
  ).count;
  return { unlinked, attempts, skipped };
}

/** A change that would end links the merchant has not confirmed: nothing written, how many shoppers have linked. */
export interface UnlinkNotConfirmed {
  refused: "confirm_unlink";
  linked: number;
}

/**
 * Locks the shop's connection row of `channel` (a no-op UPDATE) for the rest of the transaction, so a link being
 * written (saveLineLink, which locks the same rows) either commits before the links are counted or waits for the
 * change and then finds it.
 */
async function lockConnection(tx: Prisma.TransactionClient, shop: string, channel: string): Promise<void> {
  await tx.$executeRaw`UPDATE "ChannelConnection" SET "publicId" = "publicId"
    WHERE "shop" = ${shop} AND "channel" = ${channel}`;
}

/**
 * Saves a LINE channel's connection. When it names another channel than the one saved — or none was saved and links
 * are left from an earlier one — the links (LINE user ids are per provider) end in the same transaction. Unless
 * `confirmed`, a change that would end links refuses while the shop has any: nothing is written and the answer says
 * how many shoppers have linked (docs/channels.md#confirming-before-unlinking).
 */
export function upsertLineConnection(
  shop: string,
  channel: (typeof LINE_CHANNELS)[number],
  row: { publicId: string | null; secrets: string; keyId: string },
  reason: string,
  now: Date,
  confirmed: boolean,
): Promise<LineLinksEnded | UnlinkNotConfirmed> {
  return prisma.$transaction(async (tx) => {
    await lockConnection(tx, shop, channel);
    const before = await tx.channelConnection.findUnique({
      where: { shop_channel: { shop, channel } },
      select: { publicId: true },
    });
    const endsLinks = !(before && before.publicId === row.publicId);
    if (endsLinks && !confirmed) {
      const linked = await tx.lineLink.count({ where: { shop } });
      if (linked > 0) return { refused: "confirm_unlink", linked };
    }
    await tx.channelConnection.upsert({
      where: { shop_channel: { shop, channel } },
      create: { shop, channel, ...row, status: "untested" },
      update: { ...row, status: "untested", lastError: null, lastTestedAt: null },
    });
    if (!endsLinks) return NOTHING_ENDED;
    return endLineLinks(tx, shop, reason, now);
  });
}

/**
 * Disconnects a LINE channel: the connection and, in the same transaction, the shop's LINE links. Unless `confirmed`,
 * refuses while the shop has links (nothing deleted).
 */
export function deleteLineConnection(
  shop: string,
  channel: (typeof LINE_CHANNELS)[number],
  reason: string,
  now: Date,
  confirmed: boolean,
): Promise<(LineLinksEnded & { deleted: number }) | UnlinkNotConfirmed> {
  return prisma.$transaction(async (tx) => {
    await lockConnection(tx, shop, channel);
    if (!confirmed && (await tx.channelConnection.count({ where: { shop, channel } })) > 0) {
      const linked = await tx.lineLink.count({ where: { shop } });
      if (linked > 0) return { refused: "confirm_unlink", linked };
    }
    const deleted = (await tx.channelConnection.deleteMany({ where: { shop, channel } })).count;
    if (deleted === 0) return { ...NOTHING_ENDED, deleted };
    return { ...(await endLineLinks(tx, shop, reason, now)), deleted };
  });
}

/** How many shoppers of the shop have linked LINE (the Channels page says what disconnecting would end). */
export function lineLinkCount(shop: string): Promise<number> {
  return prisma.lineLink.count({ where: { shop } });
}
