// The customers of each insight (app/domain/insights.ts, docs/insights.md) in SQL, scoped by shop: as a list (campaign
// audiences), as a condition on CustomerState aliased `s` (the customer list's filter), and as facts per customer for a
// page of the sync (tags). Reads only: the ledger, the products and the predictions are written elsewhere.
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import { LOOKS_FINE_SEGMENTS, PROMOTION_ONLY, clvBandOf, type Insight, type InsightFacts } from "../domain/insights";
import { qualifying } from "./qualifying-orders.server";
import { getPredictionSettings, getShopPrediction } from "./predictions.server";

/** Whether the shop's predictions can be used, and the churn threshold ("likely lost" is P(active) below it). */
export interface PredictionContext {
  available: boolean;
  /** Why not: the fit's own reason; null when available or when no fit has run yet (the UI says so). */
  reason: string | null;
  /** Null when not available. */
  threshold: number | null;
}

/** Reads the shop's last fit and the merchant's churn threshold (app/models/predictions.server.ts). */
export async function predictionContext(shop: string): Promise<PredictionContext> {
  const [fit, settings] = await Promise.all([getShopPrediction(shop), getPredictionSettings(shop)]);
  if (!fit) return { available: false, reason: null, threshold: null };
  if (fit.status !== "fitted") return { available: false, reason: fit.reason ?? fit.status, threshold: null };
  return { available: true, reason: null, threshold: settings.churnThreshold };
}

const looksFine = Prisma.join(LOOKS_FINE_SEGMENTS.map((s) => Prisma.sql`${s}`));

/** "Most orders used a discount": SUM(discounted) * 100 > share% * COUNT, with at least minOrders orders. */
const promotionOnlyHaving = Prisma.sql`COUNT(*) >= ${Prisma.raw(String(PROMOTION_ONLY.minOrders))}
  AND SUM(CASE WHEN o."discountMinor" > 0 OR o."discountCodes" <> '[]' THEN 1 ELSE 0 END) * 100
    > ${Prisma.raw(String(Math.round(PROMOTION_ONLY.share * 100)))} * COUNT(*)`;

/** A line of a qualifying order with a net quantity (quantity less refunded quantities) above 0. */
function boughtLines(shop: string, asOf: Date, condition: Prisma.Sql, join: Prisma.Sql = Prisma.empty): Prisma.Sql {
  return Prisma.sql`SELECT o."customerId" FROM "OrderLine" l ${join}
    JOIN "Order" o ON o."shop" = l."shop" AND o."id" = l."orderId"
    WHERE l."shop" = ${shop} AND ${condition} AND ${qualifying(shop, asOf)}
      AND l."quantity" - COALESCE((SELECT SUM(r."quantity") FROM "RefundLine" r
        WHERE r."shop" = l."shop" AND r."orderId" = l."orderId" AND r."lineId" = l."id"), 0) > 0`;
}

/**
 * The customer ids (a subquery's single column) of an insight's customers, before the RFM-segment part of "likely
 * lost" (applied on CustomerState). Null when the insight needs predictions the shop does not have.
 */
function insightIds(shop: string, insight: Insight, ctx: PredictionContext, asOf: Date): Prisma.Sql | null {
  const band = clvBandOf(insight);
  if (band !== null) {
    if (!ctx.available) return null;
    return Prisma.sql`SELECT p."customerId" FROM "CustomerPrediction" p WHERE p."shop" = ${shop} AND p."band" = ${band}`;
  }
  switch (insight.key) {
    case "likely_lost":
      if (!ctx.available || ctx.threshold === null) return null;
      return Prisma.sql`SELECT p."customerId" FROM "CustomerPrediction" p WHERE p."shop" = ${shop} AND p."pAlive" < ${ctx.threshold}`;
    case "promotion_only":
      return Prisma.sql`SELECT o."customerId" FROM "Order" o WHERE ${qualifying(shop, asOf)}
        GROUP BY o."customerId" HAVING ${promotionOnlyHaving}`;
    case "product":
      return boughtLines(shop, asOf, Prisma.sql`l."productId" = ${insight.productId}`);
    case "product_type":
      return boughtLines(
        shop,
        asOf,
        Prisma.sql`p."productType" = ${insight.productType}`,
        Prisma.sql`JOIN "Product" p ON p."shop" = l."shop" AND p."id" = l."productId"`,
      );
    default:
      throw new Error(`unhandled insight ${JSON.stringify(insight)}`);
  }
}

/**
 * The condition on CustomerState `s` that selects an insight's customers (the customer list's filter). A shop without
 * the predictions an insight needs matches nobody.
 */
export function insightCondition(shop: string, insight: Insight, ctx: PredictionContext, asOf: Date): Prisma.Sql {
  const ids = insightIds(shop, insight, ctx, asOf);
  if (ids === null) return Prisma.sql`1 = 0`;
  const segment = insight.key === "likely_lost" ? Prisma.sql` AND s."segment" IN (${looksFine})` : Prisma.empty;
  return Prisma.sql`s."customerId" IN (${ids})${segment}`;
}

/** An insight's customers (scored customers with a state), in id order: a campaign audience. */
export async function insightCustomers(
  shop: string,
  insight: Insight,
  ctx: PredictionContext,
  asOf: Date,
): Promise<string[]> {
  if (insightIds(shop, insight, ctx, asOf) === null) return [];
  const rows = await prisma.$queryRaw<{ customerId: string }[]>(Prisma.sql`
    SELECT s."customerId" FROM "CustomerState" s
    WHERE s."shop" = ${shop} AND ${insightCondition(shop, insight, ctx, asOf)}
    ORDER BY s."customerId"`);
  return rows.map((r) => r.customerId);
}

/**
 * What the tags need of a page of customers: their segment, band and P(active), and their qualifying and discounted
 * orders. Customers without a state are left out.
 */
export async function insightFacts(
  shop: string,
  customerIds: readonly string[],
  asOf: Date,
): Promise<Map<string, InsightFacts>> {
  const out = new Map<string, InsightFacts>();
  const BATCH = 500;
  for (let i = 0; i < customerIds.length; i += BATCH) {
    const ids = Prisma.join(customerIds.slice(i, i + BATCH).map((id) => Prisma.sql`${id}`));
    const rows = await prisma.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
      SELECT s."customerId", s."segment", p."band", p."pAlive", COALESCE(a."n", 0) AS "n", COALESCE(a."d", 0) AS "d"
      FROM "CustomerState" s
      LEFT JOIN "CustomerPrediction" p ON p."shop" = s."shop" AND p."customerId" = s."customerId"
      LEFT JOIN (
        SELECT o."customerId", COUNT(*) AS "n",
          SUM(CASE WHEN o."discountMinor" > 0 OR o."discountCodes" <> '[]' THEN 1 ELSE 0 END) AS "d"
        FROM "Order" o WHERE ${qualifying(shop, asOf)} AND o."customerId" IN (${ids})
        GROUP BY o."customerId"
      ) a ON a."customerId" = s."customerId"
      WHERE s."shop" = ${shop} AND s."customerId" IN (${ids})`);
    for (const r of rows)
      out.set(r.customerId as string, {
        segment: r.segment as string,
        band: (r.band as string | null) ?? null,
        pAlive: r.pAlive === null || r.pAlive === undefined ? null : Number(r.pAlive),
        qualifyingOrders: Number(r.n),
        discountedOrders: Number(r.d),
      });
  }
  return out;
}

/** The shop's products to choose from (not deleted), by title: what the campaign form and the list filter offer. */
export async function productChoices(shop: string, limit = 500) {
  return prisma.product.findMany({
    where: { shop, deletedAt: null },
    select: { id: true, title: true },
    orderBy: [{ title: "asc" }, { id: "asc" }],
    take: limit,
  });
}

/** The shop's distinct product types (non-empty), alphabetically. */
export async function productTypeChoices(shop: string, limit = 500): Promise<string[]> {
  const rows = await prisma.product.findMany({
    where: { shop, deletedAt: null, productType: { not: null } },
    select: { productType: true },
    distinct: ["productType"],
    orderBy: { productType: "asc" },
    take: limit,
  });
  return rows.map((r) => r.productType!).filter((t) => t.trim() !== "");
}
