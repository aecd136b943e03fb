// A shop's channel connections (ChannelConnection; docs/channels.md). Rows hold sealed secrets only; reads for the
// admin page return the public part, never the sealed value.
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
