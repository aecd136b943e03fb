// Shop rows: install state of each shop that ever installed the app.
import { prisma } from "../db.server";
import { ledgerCounts } from "./ledger-counts.server";

export type ShopStatus = "installed" | "uninstalled" | "redacted";

export function getShop(shop: string) {
  return prisma.shop.findUnique({ where: { shop } });
}

/** False once the shop uninstalled or was erased (no access token any more); a shop not seen yet counts as active. */
export async function isShopActive(shop: string): Promise<boolean> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { status: true } });
  return row?.status !== "uninstalled" && row?.status !== "redacted";
}

/** After a successful token exchange: the shop is (again) installed with these scopes. */
export function recordInstall(shop: string, { scope }: { scope: string | null }) {
  const now = new Date();
  return prisma.shop.upsert({
    where: { shop },
    create: { shop, status: "installed", scope, installedAt: now },
    update: { status: "installed", scope, installedAt: now, uninstalledAt: null },
  });
}

export function markUninstalled(shop: string, at: Date) {
  return prisma.shop.updateMany({
    where: { shop, status: "installed" },
    data: { status: "uninstalled", uninstalledAt: at },
  });
}

/** What the shop's own settings say (read from Shopify at backfill): the ledger's currency, the shop's zone, its
 * language and (when given) its name. */
export function setShopSettings(
  shop: string,
  {
    currencyCode,
    timezone,
    locale,
    name,
  }: { currencyCode: string; timezone: string; locale: string | null; name?: string | null },
) {
  return prisma.shop.updateMany({
    where: { shop },
    data: { currencyCode, timezone, locale, ...(name === undefined ? {} : { name }) },
  });
}

/** The storefront's default language as Shopify last said (e.g. "th"); null when not known yet. */
export async function shopLocale(shop: string): Promise<string | null> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { locale: true } });
  return row?.locale ?? null;
}

export function updateShopScope(shop: string, scope: string) {
  return prisma.shop.updateMany({ where: { shop }, data: { scope } });
}

export interface InstallOverview {
  shop: string;
  status: ShopStatus | "unknown";
  scopes: string[];
  installedAt: string | null;
  customers: number;
  orders: number;
}

/**
 * What the first admin page shows: the shop's install state and what the ledger holds so far — the counts kept by the
 * database (ledger-counts.server.ts), not counted here: a count of a large shop's orders grows with its ledger.
 */
export async function getInstallOverview(shop: string): Promise<InstallOverview> {
  const [row, { customers, orders }] = await Promise.all([
    prisma.shop.findUnique({ where: { shop } }),
    ledgerCounts(shop),
  ]);
  return {
    shop,
    status: (row?.status as ShopStatus | undefined) ?? "unknown",
    scopes: row?.scope ? row.scope.split(",").filter(Boolean) : [],
    installedAt: row?.installedAt.toISOString() ?? null,
    customers,
    orders,
  };
}
