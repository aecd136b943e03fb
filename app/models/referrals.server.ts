// Referrals' rows (docs/referrals.md): the shop's settings, members' codes and visits, each friend's referral and its
// life. Every read and write is scoped by shop. Transitions are conditional updates on the state they leave (a second
// pass or a racing one changes nothing), so a referral is rewarded and clawed back at most once.
import { randomUUID } from "node:crypto";
import { prisma } from "../db.server";
import {
  DEFAULT_REFERRAL_SETTINGS,
  parseStoredSettings,
  type CompletionRefusal,
  type ReferralFunnel,
  type ReferralOffer,
  type ReferralSettings,
  type ReferralState,
} from "../domain/referrals";

const isUnique = (error: unknown) => (error as { code?: string }).code === "P2002";

export async function getReferralSettings(shop: string): Promise<ReferralSettings> {
  const row = await prisma.referralSettings.findUnique({ where: { shop } });
  return row ? parseStoredSettings(row.settings) : DEFAULT_REFERRAL_SETTINGS;
}

export async function saveReferralSettings(shop: string, settings: ReferralSettings): Promise<void> {
  const json = JSON.stringify(settings);
  await prisma.referralSettings.upsert({
    where: { shop },
    create: { shop, settings: json },
    update: { settings: json },
  });
}

// ---- members ---------------------------------------------------------------------------------------------------

/** The member's code, made on first use with `makeCode` (a collision with another member's code draws again). */
export async function memberCode(shop: string, customerId: string, makeCode: () => string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const held = await prisma.referralMember.findUnique({ where: { shop_customerId: { shop, customerId } } });
    if (held) return held.code;
    try {
      return (await prisma.referralMember.create({ data: { shop, customerId, code: makeCode() } })).code;
    } catch (error) {
      // Taken: the same member created it meanwhile (read it next time round), or another member holds the code.
      if (!isUnique(error) || attempt >= 5) throw error;
    }
  }
}

/** The member a code belongs to (null: none in this shop). */
export async function memberByCode(shop: string, code: string): Promise<{ customerId: string; code: string } | null> {
  const row = await prisma.referralMember.findUnique({
    where: { shop_code: { shop, code } },
    select: { customerId: true, code: true },
  });
  return row;
}

/** Counts one following of a member's link. */
export async function countVisit(shop: string, code: string): Promise<void> {
  await prisma.referralMember.updateMany({ where: { shop, code }, data: { visits: { increment: 1 } } });
}

// ---- facts the guards read ---------------------------------------------------------------------------------------

/** Whether the ledger holds the customer as deleted (a tombstone): such a customer gets no referral code. */
export async function isDeletedCustomer(shop: string, customerId: string): Promise<boolean> {
  const row = await prisma.customer.findUnique({
    where: { shop_id: { shop, id: customerId } },
    select: { deletedAt: true },
  });
  return row?.deletedAt != null;
}

/** The ledger's email of a customer (null: unknown or none). */
export async function customerEmail(shop: string, customerId: string): Promise<string | null> {
  const row = await prisma.customer.findUnique({
    where: { shop_id: { shop, id: customerId } },
    select: { email: true },
  });
  return row?.email ?? null;
}

/**
 * Whether the shop has a customer with this email who has an order in the ledger (cancelled ones too). The email as
 * given and in lower case, read by the (shop, email) index: Shopify keeps customers' emails in lower case. (An email
 * the ledger holds in another case is not found here; the completion's "not a first order" check still refuses it.)
 */
export async function emailHasOrders(shop: string, email: string): Promise<boolean> {
  const customers = await prisma.customer.findMany({
    where: { shop, email: { in: [...new Set([email, email.toLowerCase()])] } },
    select: { id: true },
  });
  const ids = customers.map((c) => c.id);
  if (ids.length === 0) return false;
  return (await prisma.order.count({ where: { shop, customerId: { in: ids }, deletedAt: null, test: false } })) > 0;
}

/**
 * Whether the customer has a qualifying order (docs/rules.md#ledger-qualifying: not a test, not cancelled, not
 * deleted, worth more than 0) processed before `before`, other than `exceptOrderId`.
 */
export async function hasEarlierQualifyingOrder(
  shop: string,
  customerId: string,
  before: Date,
  exceptOrderId: string,
): Promise<boolean> {
  const n = await prisma.order.count({
    where: {
      shop,
      customerId,
      id: { not: exceptOrderId },
      processedAt: { lt: before },
      test: false,
      cancelledAt: null,
      deletedAt: null,
      valueMinor: { gt: 0 },
    },
  });
  return n > 0;
}

export interface CodeOrder {
  id: string;
  customerId: string | null;
  processedAt: Date;
  cancelled: boolean;
  deleted: boolean;
  test: boolean;
  valueMinor: number;
  discountMinor: number;
}

/** The shop's first order (by processedAt) processed since `since` that carries `code` (case folded), or null. */
export async function orderCarryingCode(shop: string, code: string, since: Date): Promise<CodeOrder | null> {
  const rows = await prisma.order.findMany({
    where: {
      shop,
      processedAt: { gte: since },
      OR: [{ discountCodes: { contains: code } }, { discountCodes: { contains: code.toLowerCase() } }],
    },
    orderBy: { processedAt: "asc" },
  });
  const wanted = code.toUpperCase();
  const row = rows.find((o) => (JSON.parse(o.discountCodes) as string[]).some((c) => c.toUpperCase() === wanted));
  if (!row) return null;
  return orderOf(row);
}

const orderOf = (row: {
  id: string;
  customerId: string | null;
  processedAt: Date;
  cancelledAt: Date | null;
  deletedAt: Date | null;
  test: boolean;
  valueMinor: bigint;
  discountMinor: bigint;
}): CodeOrder => ({
  id: row.id,
  customerId: row.customerId,
  processedAt: row.processedAt,
  cancelled: row.cancelledAt !== null,
  deleted: row.deletedAt !== null,
  test: row.test,
  valueMinor: Number(row.valueMinor),
  discountMinor: Number(row.discountMinor),
});

/** One order of the shop as the ledger holds it now. */
export async function ledgerOrder(shop: string, orderId: string): Promise<CodeOrder | null> {
  const row = await prisma.order.findUnique({ where: { shop_id: { shop, id: orderId } } });
  return row ? orderOf(row) : null;
}

/** When each of the referrer's referrals was rewarded (clawed-back ones count: the cap is on rewards given). */
export async function rewardTimes(shop: string, referrerId: string): Promise<number[]> {
  const rows = await prisma.referral.findMany({
    where: { shop, referrerId, rewardedAt: { not: null } },
    select: { rewardedAt: true },
  });
  return rows.map((r) => r.rewardedAt!.getTime());
}

// ---- referrals ---------------------------------------------------------------------------------------------------

export interface Referral {
  id: string;
  referrerId: string;
  friendEmail: string;
  code: string;
  discountId: string | null;
  offer: ReferralOffer;
  currencyCode: string;
  expiresAt: Date;
  state: ReferralState;
  orderId: string | null;
  friendCustomerId: string | null;
  orderedAt: Date | null;
  orderValueMinor: number | null;
  discountMinor: number | null;
  refusal: string | null;
  rewardPoints: number | null;
  rewardedAt: Date | null;
  clawbackPoints: number | null;
  clawedBackAt: Date | null;
  failure: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type Row = NonNullable<Awaited<ReturnType<typeof prisma.referral.findUnique>>>;

const referralOf = (r: Row): Referral => ({
  id: r.id,
  referrerId: r.referrerId,
  friendEmail: r.friendEmail,
  code: r.code,
  discountId: r.discountId,
  offer: JSON.parse(r.offer) as Referral["offer"],
  currencyCode: r.currencyCode,
  expiresAt: r.expiresAt,
  state: r.state as ReferralState,
  orderId: r.orderId,
  friendCustomerId: r.friendCustomerId,
  orderedAt: r.orderedAt,
  orderValueMinor: r.orderValueMinor === null ? null : Number(r.orderValueMinor),
  discountMinor: r.discountMinor === null ? null : Number(r.discountMinor),
  refusal: r.refusal,
  rewardPoints: r.rewardPoints,
  rewardedAt: r.rewardedAt,
  clawbackPoints: r.clawbackPoints,
  clawedBackAt: r.clawedBackAt,
  failure: r.failure,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export async function getReferral(shop: string, id: string): Promise<Referral | null> {
  const row = await prisma.referral.findUnique({ where: { shop_id: { shop, id } } });
  return row ? referralOf(row) : null;
}

/** The referral an email (as a person) already claimed in this shop, if any. */
export async function referralOfEmail(shop: string, emailKey: string): Promise<Referral | null> {
  const row = await prisma.referral.findUnique({ where: { shop_emailKey: { shop, emailKey } } });
  return row ? referralOf(row) : null;
}

export type ReserveResult = { outcome: "reserved" | "existing"; referral: Referral } | { outcome: "conflict" };

/**
 * Reserves a referral (state `reserved`, its code chosen) before Shopify is asked. The same form token again, or the
 * same person through the same referrer, answers with the referral held; the person through another referrer is a
 * conflict (nothing written).
 */
export async function reserveReferral(
  shop: string,
  input: {
    referrerId: string;
    friendEmail: string;
    emailKey: string;
    token: string;
    code: string;
    offer: Referral["offer"];
    currencyCode: string;
    expiresAt: Date;
    now: Date;
  },
): Promise<ReserveResult> {
  const held = async (): Promise<ReserveResult> => {
    const byToken = await prisma.referral.findUnique({ where: { shop_token: { shop, token: input.token } } });
    const row =
      byToken ?? (await prisma.referral.findUnique({ where: { shop_emailKey: { shop, emailKey: input.emailKey } } }));
    if (row && row.referrerId === input.referrerId && row.emailKey === input.emailKey)
      return { outcome: "existing", referral: referralOf(row) };
    return { outcome: "conflict" };
  };
  const before = await held();
  if (before.outcome === "existing") return before;
  if (await prisma.referral.findUnique({ where: { shop_emailKey: { shop, emailKey: input.emailKey } } }))
    return { outcome: "conflict" };
  try {
    const row = await prisma.referral.create({
      data: {
        shop,
        id: randomUUID(),
        referrerId: input.referrerId,
        friendEmail: input.friendEmail,
        emailKey: input.emailKey,
        token: input.token,
        code: input.code,
        offer: JSON.stringify(input.offer),
        currencyCode: input.currencyCode,
        expiresAt: input.expiresAt,
        state: "reserved",
        createdAt: input.now,
      },
    });
    return { outcome: "reserved", referral: referralOf(row) };
  } catch (error) {
    if (!isUnique(error)) throw error;
    return held();
  }
}

/** Shopify holds the friend's code: reserved → issued (once). */
export async function confirmReferralCode(shop: string, id: string, discountId: string): Promise<boolean> {
  const { count } = await prisma.referral.updateMany({
    where: { shop, id, state: "reserved" },
    data: { state: "issued", discountId, failure: null },
  });
  return count === 1;
}

export async function noteReferralFailure(shop: string, id: string, failure: string): Promise<void> {
  await prisma.referral.updateMany({ where: { shop, id }, data: { failure: failure.slice(0, 1000) } });
}

/** The referrals the completion pass looks at: reserved (to finish), issued, ordered and rewarded (to claw back). */
export async function openReferrals(shop: string): Promise<Referral[]> {
  const rows = await prisma.referral.findMany({
    where: { shop, state: { in: ["reserved", "issued", "ordered", "rewarded"] } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(referralOf);
}

/** issued → ordered: the order that carried the code. */
export async function markOrdered(shop: string, id: string, order: CodeOrder): Promise<boolean> {
  const { count } = await prisma.referral.updateMany({
    where: { shop, id, state: "issued" },
    data: {
      state: "ordered",
      orderId: order.id,
      friendCustomerId: order.customerId,
      orderedAt: order.processedAt,
      orderValueMinor: BigInt(order.valueMinor),
      discountMinor: BigInt(order.discountMinor),
    },
  });
  return count === 1;
}

/** The order's current value and discount as the ledger holds them now (refunds, edits). */
export async function refreshOrderFigures(shop: string, id: string, order: CodeOrder): Promise<void> {
  await prisma.referral.updateMany({
    where: { shop, id },
    data: { orderValueMinor: BigInt(order.valueMinor), discountMinor: BigInt(order.discountMinor) },
  });
}

export async function markRefused(shop: string, id: string, reason: CompletionRefusal): Promise<boolean> {
  const { count } = await prisma.referral.updateMany({
    where: { shop, id, state: "ordered" },
    data: { state: "refused", refusal: reason },
  });
  return count === 1;
}

export async function markExpired(shop: string, id: string): Promise<boolean> {
  const { count } = await prisma.referral.updateMany({
    where: { shop, id, state: "issued" },
    data: { state: "expired" },
  });
  return count === 1;
}

/** ordered → rewarded, once: the caller that wins this update is the one that announces it. */
export async function markRewarded(shop: string, id: string, points: number, at: Date): Promise<boolean> {
  const { count } = await prisma.referral.updateMany({
    where: { shop, id, state: "ordered" },
    data: { state: "rewarded", rewardPoints: points, rewardedAt: at },
  });
  return count === 1;
}

export async function markClawedBack(shop: string, id: string, points: number, at: Date): Promise<boolean> {
  const { count } = await prisma.referral.updateMany({
    where: { shop, id, state: "rewarded" },
    data: { state: "clawed_back", clawbackPoints: points, clawedBackAt: at },
  });
  return count === 1;
}

// ---- the merchant's view -----------------------------------------------------------------------------------------

export interface ReferralListRow extends Referral {
  referrerEmail: string | null;
  referrerName: string | null;
  orderName: string | null;
}

/** The shop's newest referrals (at most `limit`), with the referrer's name and email and the order's name. */
export async function listReferrals(shop: string, limit = 100): Promise<ReferralListRow[]> {
  const rows = (await prisma.referral.findMany({ where: { shop }, orderBy: { createdAt: "desc" }, take: limit })).map(
    referralOf,
  );
  const [people, orders] = await Promise.all([
    prisma.customer.findMany({
      where: { shop, id: { in: [...new Set(rows.map((r) => r.referrerId))] } },
      select: { id: true, email: true, firstName: true, lastName: true },
    }),
    prisma.order.findMany({
      where: { shop, id: { in: rows.flatMap((r) => (r.orderId ? [r.orderId] : [])) } },
      select: { id: true, name: true },
    }),
  ]);
  const person = new Map(people.map((p) => [p.id, p]));
  const orderName = new Map(orders.map((o) => [o.id, o.name]));
  return rows.map((r) => {
    const p = person.get(r.referrerId);
    const name = p ? [p.firstName, p.lastName].filter(Boolean).join(" ") : "";
    return {
      ...r,
      referrerEmail: p?.email ?? null,
      referrerName: name || null,
      orderName: r.orderId ? (orderName.get(r.orderId) ?? null) : null,
    };
  });
}

/** The shop's funnel: links followed, codes issued, first orders, rewards; friends' discounts and points given. */
export async function referralFunnel(shop: string): Promise<ReferralFunnel> {
  const [visits, byState, money] = await Promise.all([
    prisma.referralMember.aggregate({ where: { shop }, _sum: { visits: true } }),
    prisma.referral.groupBy({ by: ["state"], where: { shop }, _count: { _all: true } }),
    prisma.referral.aggregate({
      where: { shop, orderId: { not: null } },
      _sum: { discountMinor: true, rewardPoints: true, clawbackPoints: true },
    }),
  ]);
  const count = (states: string[]) =>
    byState.filter((s) => states.includes(s.state)).reduce((n, s) => n + s._count._all, 0);
  return {
    linksFollowed: visits._sum.visits ?? 0,
    codesIssued: count(["issued", "ordered", "rewarded", "refused", "clawed_back", "expired"]),
    firstOrders: count(["ordered", "rewarded", "refused", "clawed_back"]),
    rewarded: count(["rewarded", "clawed_back"]),
    discountCostMinor: Number(money._sum.discountMinor ?? 0n),
    rewardPoints: (money._sum.rewardPoints ?? 0) - (money._sum.clawbackPoints ?? 0),
  };
}
