// Reads of the ledger's line items (docs/rules.md#line-items-and-products): an order's lines as of the newest version
// held, with what was refunded of each and the product's type and vendor from the catalogue. Every read is scoped by
// shop; lines of a deleted (tombstoned) order are gone from the tables, and the join on a live order keeps it so.
// Aggregates for affinity or audiences are written by their owners against the same tables (OrderLine, RefundLine,
// Product), with the same rule: net quantity = quantity − Σ refunded quantities. (RefundLine is indexed by
// (shop, orderId): match refunded lines by their order too, not by line id alone.)
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";

export interface OrderLineRead {
  id: string;
  orderId: string;
  productId: string | null;
  variantId: string | null;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  /** The line's vendor; the catalogue's when the line has none. */
  vendor: string | null;
  /** From the catalogue (REST line items do not carry it); null when the product is unknown. */
  productType: string | null;
  giftCard: boolean;
  quantity: number;
  refundedQuantity: number;
  /** quantity − refunded quantity, never below 0. */
  netQuantity: number;
  amountMinor: number;
  /** Σ of the refunded subtotals given in the shop currency. */
  refundedAmountMinor: number;
  /** amountMinor − refundedAmountMinor, never below 0. */
  netAmountMinor: number;
}

const BATCH = 500;

/** The lines of these orders (of this shop only), in order id then line id order. */
export async function orderLinesOf(shop: string, orderIds: readonly string[]): Promise<OrderLineRead[]> {
  const out: OrderLineRead[] = [];
  const ids = [...new Set(orderIds)];
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    const rows = await prisma.$queryRaw<Record<string, unknown>[]>(
      Prisma.sql`SELECT l."id", l."orderId", l."productId", l."variantId", l."title", l."variantTitle", l."sku",
          COALESCE(l."vendor", p."vendor") AS "vendor", p."productType" AS "productType", l."giftCard",
          l."quantity", l."amountMinor",
          COALESCE((SELECT SUM(r."quantity") FROM "RefundLine" r
            WHERE r."shop" = l."shop" AND r."orderId" = l."orderId" AND r."lineId" = l."id"), 0) AS "refundedQuantity",
          COALESCE((SELECT SUM(r."amountMinor") FROM "RefundLine" r
            WHERE r."shop" = l."shop" AND r."orderId" = l."orderId" AND r."lineId" = l."id"), 0) AS "refundedAmount"
        FROM "OrderLine" l
        JOIN "Order" o ON o."shop" = l."shop" AND o."id" = l."orderId" AND o."deletedAt" IS NULL
        LEFT JOIN "Product" p ON p."shop" = l."shop" AND p."id" = l."productId"
        WHERE l."shop" = ${shop} AND l."orderId" IN (${Prisma.join(batch)})
        ORDER BY l."orderId", l."id"`,
    );
    for (const r of rows) out.push(lineRead(r));
  }
  return out.sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : a.id < b.id ? -1 : 1));
}

/** The lines of every live order of one customer (shop-scoped), newest order first. */
export async function customerLines(shop: string, customerId: string): Promise<OrderLineRead[]> {
  const orders = await prisma.$queryRaw<{ id: string }[]>(
    Prisma.sql`SELECT "id" FROM "Order" WHERE "shop" = ${shop} AND "customerId" = ${customerId} AND "deletedAt" IS NULL
      ORDER BY "processedAt" DESC`,
  );
  const lines = await orderLinesOf(
    shop,
    orders.map((o) => o.id),
  );
  const rank = new Map(orders.map((o, i) => [o.id, i]));
  return lines.sort((a, b) => rank.get(a.orderId)! - rank.get(b.orderId)! || (a.id < b.id ? -1 : 1));
}

/**
 * The shop's refunds with no refunded line held, after `afterId` in id order, with their order's currency: what the
 * backfill's refund lines pass reads from Shopify (a refund of shipping or an amount only stays without lines and is
 * passed over by the id order).
 */
export async function refundsWithoutLines(
  shop: string,
  afterId: string,
  limit: number,
): Promise<{ id: string; orderId: string; currencyCode: string }[]> {
  return prisma.$queryRaw(
    Prisma.sql`SELECT r."id", r."orderId", o."currencyCode" FROM "Refund" r
      JOIN "Order" o ON o."shop" = r."shop" AND o."id" = r."orderId" AND o."deletedAt" IS NULL
      WHERE r."shop" = ${shop} AND r."id" > ${afterId}
        AND NOT EXISTS (SELECT 1 FROM "RefundLine" x WHERE x."shop" = r."shop" AND x."refundId" = r."id")
      ORDER BY r."id" LIMIT ${limit}`,
  );
}

function lineRead(r: Record<string, unknown>): OrderLineRead {
  const quantity = integer(r.quantity);
  const refundedQuantity = integer(r.refundedQuantity);
  const amountMinor = integer(r.amountMinor);
  const refundedAmountMinor = integer(r.refundedAmount);
  return {
    id: String(r.id),
    orderId: String(r.orderId),
    productId: (r.productId as string | null) ?? null,
    variantId: (r.variantId as string | null) ?? null,
    title: String(r.title),
    variantTitle: (r.variantTitle as string | null) ?? null,
    sku: (r.sku as string | null) ?? null,
    vendor: (r.vendor as string | null) ?? null,
    productType: (r.productType as string | null) ?? null,
    giftCard: Boolean(r.giftCard),
    quantity,
    refundedQuantity,
    netQuantity: Math.max(0, quantity - refundedQuantity),
    amountMinor,
    refundedAmountMinor,
    netAmountMinor: Math.max(0, amountMinor - refundedAmountMinor),
  };
}

function integer(value: unknown): number {
  const n = typeof value === "number" ? value : Number(typeof value === "bigint" ? value : String(value));
  if (!Number.isSafeInteger(n))
    throw new RangeError(`expected an exact integer from the database, got ${String(value)}`);
  return n;
}
