// Test fixtures for shops: an installed shop as the app would hold it after token exchange.
import { databaseKind, prisma } from "../../app/db.server";
import { jobRows } from "./queue";
import { Prisma } from "../../app/generated/prisma/client";
import { DEFAULT_SCOPES } from "../../app/env.server";
import { recordInstall } from "../../app/models/shop.server";

export async function installShop(shop: string, { scope = DEFAULT_SCOPES } = {}) {
  await recordInstall(shop, { scope });
  await prisma.session.create({
    data: {
      id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      scope,
      accessToken: `shpat_${shop.split(".")[0]}`,
    },
  });
}

/** Adds ledger rows for one customer with orders, so erasure and tenancy can be checked row by row. */
export async function addCustomerWithOrders(shop: string, customerNumber: number, orderNumbers: number[]) {
  const customerId = `gid://shopify/Customer/${customerNumber}`;
  await prisma.customer.create({
    data: { shop, id: customerId, email: `c${customerNumber}@example.com`, firstName: "Ada", lastName: "Lovelace" },
  });
  for (const n of orderNumbers) {
    await prisma.order.create({
      data: {
        shop,
        id: `gid://shopify/Order/${n}`,
        customerId,
        processedAt: new Date("2026-01-02T03:04:05Z"),
        currencyCode: "USD",
        currentTotalMinor: 1250n,
        valueMinor: 1250n,
      },
    });
  }
  return customerId;
}

/** Every row the database holds for a shop, table by table: what tests compare before and after. */
export async function snapshotShop(shop: string) {
  const [shopRow, sessions, customers, orders, jobs, deliveries, compliance] = await Promise.all([
    prisma.shop.findUnique({ where: { shop } }),
    prisma.session.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.customer.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.order.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    jobRows(shop),
    prisma.webhookDelivery.findMany({ where: { shop }, orderBy: { webhookId: "asc" } }),
    prisma.complianceRequest.findMany({ where: { shop }, orderBy: { id: "asc" } }),
  ]);
  return { shopRow, sessions, customers, orders, jobs, deliveries, compliance };
}

/** Rows of `shop` in every table that has a `shop` column, by table (found from the database, so new tables count). */
export async function rowsPerTable(shop: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of await tablesWithShop()) {
    const [row] = await prisma.$queryRaw<{ n: bigint | number }[]>(
      Prisma.sql`SELECT COUNT(*) AS n FROM ${Prisma.raw(`"${name}"`)} WHERE "shop" = ${shop}`,
    );
    counts[name] = Number(row.n);
  }
  return counts;
}

/** Every table with a `shop` column, from the database's own catalogue (SQLite or PostgreSQL). */
export async function tablesWithShop(): Promise<string[]> {
  const rows =
    databaseKind === "postgresql"
      ? await prisma.$queryRawUnsafe<{ name: string }[]>(
          `SELECT table_name::text AS name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'shop' ORDER BY 1`,
        )
      : await prisma.$queryRawUnsafe<{ name: string }[]>(
          `SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'shop') ORDER BY 1`,
        );
  return rows.map((r) => r.name);
}
