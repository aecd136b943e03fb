// The shop's own settings: the currency its money is in, the time zone its days are in, its name, its language.
import { isKnownCurrency } from "../domain/money";
import type { AdminClient } from "./client";
import { SHOP_QUERY } from "./documents";
import { GatewayError } from "./errors";

export interface ShopSettings {
  name: string;
  currencyCode: string;
  ianaTimezone: string;
  /** The storefront's default language (its primary domain's), e.g. "th"; null when Shopify names none. */
  locale: string | null;
}

export async function readShopSettings(client: AdminClient): Promise<ShopSettings> {
  const { shop } = await client.request<{
    shop: Omit<ShopSettings, "locale"> & {
      primaryDomain: { localization: { defaultLocale: string } | null } | null;
    };
  }>(SHOP_QUERY);
  if (!isKnownCurrency(shop.currencyCode))
    throw new GatewayError(`shop currency ${shop.currencyCode} is not one the ledger can hold exactly`);
  return {
    name: shop.name,
    currencyCode: shop.currencyCode,
    ianaTimezone: shop.ianaTimezone,
    locale: shop.primaryDomain?.localization?.defaultLocale ?? null,
  };
}
