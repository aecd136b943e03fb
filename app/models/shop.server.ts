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

/**
 * What the shop's own settings say (read from Shopify at backfill, or a history file's Shop line): the ledger's
 * currency, the shop's zone, its language and (when given) its name.
 *
 * `readAt`: when the read from Shopify began (docs/shop-settings.md). The name and the zone — what shop/update also
 * writes — are then taken only when no shop/update raised at or after `readAt` was applied meanwhile (`settingsAt`
 * null or earlier), and `settingsAt` becomes `readAt`, so a shop/update raised before the read and delivered after it
 * changes nothing. A zone the row does not have yet is filled in either way; the currency and the language (which
 * shop/update does not carry) are always written. Without `readAt` (a history file, whose moment is unknown)
 * everything is written as given and `settingsAt` is left as it was.
 */
export async function setShopSettings(
  shop: string,
  {
    currencyCode,
    timezone,
    locale,
    name,
  }: { currencyCode: string; timezone: string; locale: string | null; name?: string | null },
  readAt?: Date,
): Promise<void> {
  const named = name === undefined ? {} : { name };
  if (!readAt) {
    await prisma.shop.updateMany({ where: { shop }, data: { currencyCode, timezone, locale, ...named } });
    return;
  }
  await prisma.$transaction([
    prisma.shop.updateMany({ where: { shop }, data: { currencyCode, locale } }),
    prisma.shop.updateMany({ where: { shop, timezone: null }, data: { timezone } }),
    prisma.shop.updateMany({
      where: { shop, OR: [{ settingsAt: null }, { settingsAt: { lt: readAt } }] },
      data: { timezone, ...named, settingsAt: readAt },
    }),
  ]);
}

/**
 * shop/update: the shop's name, and its time zone when the body gives one, as Shopify says at `at` (when it raised the
 * event). A delivery raised before the one the settings were last taken from changes nothing (Shopify does not
 * deliver in order). The currency is not taken from it: the ledger's amounts were read in the currency of the
 * backfill. Returns whether the row changed.
 */
export async function applyShopUpdate(
  shop: string,
  { name, timezone }: { name: string; timezone: string | null },
  at: Date,
): Promise<boolean> {
  const { count } = await prisma.shop.updateMany({
    where: { shop, OR: [{ settingsAt: null }, { settingsAt: { lt: at } }] },
    data: { name, ...(timezone === null ? {} : { timezone }), settingsAt: at },
  });
  return count > 0;
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
