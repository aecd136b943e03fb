// The shop currency money is shown in: Shop.currencyCode (read from Shopify at backfill), else the currency of the
// shop's orders, else USD — the same currency the ledger's minor units are in.
import { isKnownCurrency } from "../domain/money";
import { prisma } from "../db.server";
import { mostUsedOrderCurrency } from "./qualifying-orders.server";

export async function shopCurrency(shop: string): Promise<string> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { currencyCode: true } });
  if (row?.currencyCode && isKnownCurrency(row.currencyCode)) return row.currencyCode;
  const fromOrders = await mostUsedOrderCurrency(shop);
  if (fromOrders && isKnownCurrency(fromOrders) && fromOrders !== "XXX") return fromOrders;
  return "USD";
}
