// A shopper's LINE link (LineLink) and the links in progress (LineLoginAttempt), docs/line-link.md. Every read and
// write is keyed by the verified shop; a state is spent by the one statement that deletes it, so two callbacks with
// the same state cannot both go on.
import { prisma } from "../db.server";

export interface LineLinkRow {
  shop: string;
  customerId: string;
  lineUserId: string;
  displayName: string | null;
  locale: string;
  following: boolean;
  linkedAt: Date;
  followAt: Date | null;
}

export function getLineLink(shop: string, customerId: string): Promise<LineLinkRow | null> {
  return prisma.lineLink.findUnique({ where: { shop_customerId: { shop, customerId } } });
}

export function lineLinkOfUser(shop: string, lineUserId: string): Promise<LineLinkRow | null> {
  return prisma.lineLink.findUnique({ where: { shop_lineUserId: { shop, lineUserId } } });
}

export interface NewAttempt {
  state: string;
  shop: string;
  customerId: string;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  locale: string;
  expiresAt: Date;
}

/** At most this many links in progress per customer (two tabs work; a loop of starts does not grow the table). */
export const ATTEMPTS_PER_CUSTOMER = 5;

/**
 * Records a started link. Expired attempts of every shop are deleted first (they can never be spent), and the
 * customer's oldest ones beyond the newest ATTEMPTS_PER_CUSTOMER - 1.
 */
export async function createLoginAttempt(attempt: NewAttempt, now: Date): Promise<void> {
  await prisma.lineLoginAttempt.deleteMany({ where: { expiresAt: { lt: now } } });
  const older = await prisma.lineLoginAttempt.findMany({
    where: { shop: attempt.shop, customerId: attempt.customerId },
    orderBy: [{ createdAt: "desc" }, { state: "asc" }],
    skip: ATTEMPTS_PER_CUSTOMER - 1,
    select: { state: true },
  });
  if (older.length > 0)
    await prisma.lineLoginAttempt.deleteMany({ where: { state: { in: older.map((o) => o.state) } } });
  await prisma.lineLoginAttempt.create({ data: { ...attempt, createdAt: now } });
}

/**
 * Spends the attempt with `state` for `shop`: reads it and deletes it; null when there is none (unknown, another
 * shop's, or already spent — by this call's twin too: only the caller whose delete removed the row gets it).
 */
export async function spendLoginAttempt(shop: string, state: string): Promise<NewAttempt | null> {
  const row = await prisma.lineLoginAttempt.findFirst({ where: { shop, state } });
  if (!row) return null;
  const { count } = await prisma.lineLoginAttempt.deleteMany({ where: { shop, state } });
  return count === 1 ? row : null;
}

export type SaveLinkResult = { ok: true } | { ok: false; reason: "taken" | "channel_changed" };

/** The LINE channel IDs a link was made under (the callback read them before it asked LINE for the shopper's id). */
export interface LinkChannels {
  login: string;
  messaging: string;
}

/**
 * Links `customerId` to `lineUserId` (a new link, or the customer's link replaced with this account), unless the LINE
 * account is linked to another customer of the shop: "taken", nothing written. The unique (shop, lineUserId) index
 * decides a race between two customers.
 *
 * `channels`: the channel IDs the user id was obtained under. The link is written only while both connections still
 * name them, in one transaction that first locks the two connection rows (a no-op UPDATE on each): a channel change
 * or a disconnect (channel-connections.server.ts, which ends the shop's links in its own transaction on those rows)
 * either commits first — then this finds another ID or none and writes nothing ("channel_changed") — or waits for
 * this one and then ends the link it wrote. Without it a link finished while the merchant changed the channel would
 * outlive the change (docs/channels.md#changing-or-disconnecting-line).
 */
export async function saveLineLink(link: LineLinkRow, channels?: LinkChannels): Promise<SaveLinkResult> {
  const { shop, customerId, lineUserId } = link;
  try {
    return await prisma.$transaction(async (tx) => {
      if (channels) {
        const held = async (channel: string, publicId: string) =>
          (await tx.$executeRaw`UPDATE "ChannelConnection" SET "publicId" = "publicId"
            WHERE "shop" = ${shop} AND "channel" = ${channel} AND "publicId" = ${publicId}`) === 1;
        // Always in the same order (login, then messaging), like a save that locks one row.
        if (!(await held("line-login", channels.login)) || !(await held("line-messaging", channels.messaging)))
          return { ok: false, reason: "channel_changed" } as const;
      }
      const other = await tx.lineLink.findUnique({ where: { shop_lineUserId: { shop, lineUserId } } });
      if (other && other.customerId !== customerId) return { ok: false, reason: "taken" } as const;
      await tx.lineLink.upsert({
        where: { shop_customerId: { shop, customerId } },
        create: link,
        update: {
          lineUserId,
          displayName: link.displayName,
          locale: link.locale,
          following: link.following,
          linkedAt: link.linkedAt,
          followAt: link.followAt,
        },
      });
      return { ok: true } as const;
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return { ok: false, reason: "taken" };
    throw error;
  }
}

/** Deletes the customer's link at once; returns how many rows went (0 or 1). */
export async function deleteLineLink(shop: string, customerId: string): Promise<number> {
  const { count } = await prisma.lineLink.deleteMany({ where: { shop, customerId } });
  return count;
}

/**
 * Applies a follow/unfollow to the shop's link of `lineUserId` when it is newer than the link's last change
 * (`followAt` strictly older, compared in the statement itself so a concurrent redelivery cannot undo a newer one).
 * Returns whether a row changed; an unlinked user changes nothing.
 */
export async function setFollowing(shop: string, lineUserId: string, following: boolean, at: Date): Promise<boolean> {
  const { count } = await prisma.lineLink.updateMany({
    where: { shop, lineUserId, OR: [{ followAt: null }, { followAt: { lt: at } }] },
    data: { following, followAt: at },
  });
  return count > 0;
}
