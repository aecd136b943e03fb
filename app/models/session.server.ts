// Shopify sessions beyond what the session storage does itself: removal on uninstall, scope changes.
import { prisma } from "../db.server";

export async function deleteSessions(shop: string): Promise<number> {
  const { count } = await prisma.session.deleteMany({ where: { shop } });
  return count;
}

export async function updateSessionScopes(shop: string, scope: string): Promise<number> {
  const { count } = await prisma.session.updateMany({ where: { shop }, data: { scope } });
  return count;
}

export function countSessions(shop: string) {
  return prisma.session.count({ where: { shop } });
}
