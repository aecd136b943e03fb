// App proxy signatures already answered (ProxySignature): the insert of (shop, signature) decides whether a signed
// request is new, in one statement the database makes atomic, so two web processes cannot both accept the same
// signature. Rows whose signature the timestamp check refuses anyway are purged now and then.
import { prisma } from "../db.server";

/** At most one purge per process this often: a purge is a write, and the page should not pay for one per request. */
const PURGE_EVERY_MS = 30_000;
let lastPurge = 0;

/**
 * Records `signature` as used for `shop` until `keptUntil`; false when it was already used (a replay). Expired rows of
 * every shop are deleted first when the last purge of this process is old enough.
 */
export async function claimProxySignature(
  shop: string,
  signature: string,
  keptUntil: Date,
  now: Date = new Date(),
): Promise<boolean> {
  if (now.getTime() - lastPurge >= PURGE_EVERY_MS) {
    lastPurge = now.getTime();
    await purgeProxySignatures(now);
  }
  try {
    await prisma.proxySignature.create({ data: { shop, signature, expiresAt: keptUntil } });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return false;
    throw error;
  }
}

/** Deletes the rows whose signatures can no longer pass the timestamp check; returns how many. */
export async function purgeProxySignatures(now: Date): Promise<number> {
  const { count } = await prisma.proxySignature.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
