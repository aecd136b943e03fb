// The reads and writes of sign-up campaigns (docs/campaigns.md "Sign-ups") and of the report by group: who signed up
// without ordering, each customer's segment and tier when chosen, when members signed up and first ordered, and the
// first-order-only codes to withdraw. Every function takes the shop first; no query reaches another shop's rows.
import { prisma } from "../db.server";

const IN_BATCH = 500;

function* batches<T>(items: readonly T[], size = IN_BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** A qualifying order (the ledger rule of app/models/ledger-rules.sql.ts, as Prisma filters). */
const QUALIFYING = { deletedAt: null, test: false, cancelledAt: null, valueMinor: { gt: 0 } } as const;

/** Which of these customers have at least one qualifying order. */
async function withQualifyingOrder(shop: string, customerIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const batch of batches(customerIds)) {
    const rows = await prisma.order.groupBy({
      by: ["customerId"],
      where: { shop, customerId: { in: batch }, ...QUALIFYING },
    });
    for (const r of rows) if (r.customerId) out.add(r.customerId);
  }
  return out;
}

/**
 * Live customers who created their account at or after `since` (any time when null) and have no qualifying order:
 * the sign-up audience. A customer whose creation time is unknown is only found when `since` is null. `skip`: customers
 * left out before their orders are read.
 */
export async function signupCustomers(
  shop: string,
  since: Date | null,
  { skip }: { skip?: (customerId: string) => boolean } = {},
): Promise<string[]> {
  const customers = await prisma.customer.findMany({
    where: { shop, deletedAt: null, ...(since ? { sourceCreatedAt: { gte: since } } : {}) },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  // Those the caller already knows it will not assign (still cooling down) need no look at their orders.
  const ids = customers.map((c) => c.id).filter((id) => !skip?.(id));
  const ordered = await withQualifyingOrder(shop, ids);
  return ids.filter((id) => !ordered.has(id));
}

/** Each customer's current RFM segment and tier (what an assignment records); absent: no state yet. */
export async function customerGroups(
  shop: string,
  customerIds: readonly string[],
): Promise<Map<string, { segment: string; tier: string | null }>> {
  const out = new Map<string, { segment: string; tier: string | null }>();
  for (const batch of batches(customerIds)) {
    const rows = await prisma.customerState.findMany({
      where: { shop, customerId: { in: batch } },
      select: { customerId: true, segment: true, tier: true },
    });
    for (const r of rows) out.set(r.customerId, { segment: r.segment, tier: r.tier });
  }
  return out;
}

/** When each customer signed up (Shopify's created_at) and placed their first qualifying order (null: not yet). */
export async function signupFacts(
  shop: string,
  customerIds: readonly string[],
): Promise<Map<string, { signedUpAt: Date | null; firstOrderAt: Date | null }>> {
  const out = new Map<string, { signedUpAt: Date | null; firstOrderAt: Date | null }>();
  for (const batch of batches([...new Set(customerIds)])) {
    const [customers, firsts] = await Promise.all([
      prisma.customer.findMany({ where: { shop, id: { in: batch } }, select: { id: true, sourceCreatedAt: true } }),
      prisma.order.groupBy({
        by: ["customerId"],
        where: { shop, customerId: { in: batch }, ...QUALIFYING },
        _min: { processedAt: true },
      }),
    ]);
    const first = new Map(firsts.map((f) => [f.customerId!, f._min.processedAt]));
    for (const c of customers) out.set(c.id, { signedUpAt: c.sourceCreatedAt, firstOrderAt: first.get(c.id) ?? null });
  }
  return out;
}

/**
 * Issued first-order-only codes still open (not withdrawn, not expired at `now`) of the campaign whose customer now
 * has a qualifying order, with those orders' codes: the candidates for withdrawal.
 */
export async function openCodesOfCustomersWhoOrdered(shop: string, campaignId: string, now: Date) {
  const open = await prisma.campaignRecipient.findMany({
    where: {
      shop,
      campaignId,
      holdout: false,
      issuedAt: { not: null },
      retiredAt: null,
      expiresAt: { gt: now },
      code: { not: null },
      discountId: { not: null },
    },
    select: { id: true, customerId: true, code: true, discountId: true },
    orderBy: { id: "asc" },
  });
  const orders = new Map<string, { discountCodes: string[] }[]>();
  for (const batch of batches([...new Set(open.map((r) => r.customerId))])) {
    const rows = await prisma.order.findMany({
      where: { shop, customerId: { in: batch }, ...QUALIFYING },
      select: { customerId: true, discountCodes: true },
    });
    for (const r of rows) {
      const list = orders.get(r.customerId!) ?? [];
      list.push({ discountCodes: JSON.parse(r.discountCodes) as string[] });
      orders.set(r.customerId!, list);
    }
  }
  return open
    .filter((r) => orders.has(r.customerId))
    .map((r) => ({
      id: r.id,
      customerId: r.customerId,
      code: r.code!,
      discountId: r.discountId!,
      orders: orders.get(r.customerId)!,
    }));
}

/** How many other recipients of the same Shopify discount still hold an open (not withdrawn) code. */
export async function otherOpenHoldersOfDiscount(shop: string, discountId: string, exceptId: number, now: Date) {
  return prisma.campaignRecipient.count({
    where: { shop, discountId, id: { not: exceptId }, retiredAt: null, expiresAt: { gt: now } },
  });
}

/** Marks a code withdrawn; its customer's offers metafield is rewritten without it on the next delivery. */
export async function markWithdrawn(shop: string, id: number, at: Date) {
  await prisma.campaignRecipient.updateMany({ where: { shop, id }, data: { retiredAt: at, metafieldAt: null } });
}
