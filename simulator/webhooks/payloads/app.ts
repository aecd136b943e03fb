// App-level topics: app/uninstalled (the REST Shop), app/scopes_update, and bulk_operations/finish.
import type { ShopRecord } from "../../shop-file/types";
import { shopMoneyFormats } from "../../storefront/money-format";
import { derivedId, fromExample, restTimestamp, shopIdOf } from "./shared";

const PLANS: Record<ShopRecord["plan"], { plan_name: string; plan_display_name: string }> = {
  standard: { plan_name: "professional", plan_display_name: "Shopify" },
  advanced: { plan_name: "unlimited", plan_display_name: "Advanced" },
  // Shopify's own example names Plus this way.
  plus: { plan_name: "enterprise", plan_display_name: "Shopify Plus" },
};

/** The shop's money formats (its record's, else Shopify's defaults for its currency), as the payload names them. */
function moneyFormats(shop: ShopRecord) {
  const { moneyFormat, moneyWithCurrencyFormat } = shopMoneyFormats(shop);
  return {
    money_format: moneyFormat,
    money_with_currency_format: moneyWithCurrencyFormat,
    money_in_emails_format: moneyFormat,
    money_with_currency_in_emails_format: moneyWithCurrencyFormat,
  };
}

/**
 * app/uninstalled carries the REST Shop. The record has no address, owner or phone: those are empty strings
 * (the schema wants strings) rather than the example's Tennessee toy shop. `at` fixes the offset shown in `timezone`.
 */
export function appUninstalledPayload(shop: ShopRecord, at: string): Record<string, unknown> {
  return restShop("app/uninstalled", shop, at);
}

/** shop/update carries the same REST Shop as app/uninstalled, as the shop is now (e.g. its new name). */
export function shopUpdatePayload(shop: ShopRecord, at: string): Record<string, unknown> {
  return restShop("shop/update", shop, at);
}

function restShop(topic: "app/uninstalled" | "shop/update", shop: ShopRecord, at: string): Record<string, unknown> {
  const offset = restTimestamp(at, shop.ianaTimezone).slice(-6);
  return fromExample(topic, {
    id: shopIdOf(shop),
    name: shop.name,
    email: shop.email,
    domain: shop.myshopifyDomain,
    province: "",
    country: "",
    address1: "",
    zip: "",
    city: "",
    source: null,
    phone: "",
    latitude: null,
    longitude: null,
    primary_locale: shop.primaryLocale,
    address2: null,
    created_at: null,
    updated_at: null,
    country_code: "",
    country_name: "",
    currency: shop.currencyCode,
    customer_email: shop.email,
    timezone: `(GMT${offset}) ${shop.ianaTimezone}`,
    iana_timezone: shop.ianaTimezone,
    shop_owner: "",
    ...moneyFormats(shop),
    weight_unit: "kg",
    province_code: "",
    taxes_included: null,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: null,
    ...PLANS[shop.plan],
    has_discounts: false,
    has_gift_cards: false,
    myshopify_domain: shop.myshopifyDomain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: null,
    has_storefront: true,
    finances: true,
    primary_location_id: derivedId(`${shop.id}/primary-location`),
    checkout_api_supported: true,
    multi_location_enabled: false,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: [shop.currencyCode],
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  });
}

export interface ScopesUpdateResource {
  previous: string[];
  current: string[];
  /** When the grant changed (ISO-8601). */
  updatedAt: string;
  id?: number;
}

export function scopesUpdatePayload(resource: ScopesUpdateResource, shop: ShopRecord): Record<string, unknown> {
  return fromExample("app/scopes_update", {
    id: resource.id ?? derivedId(`${shop.id}/scopes/${resource.updatedAt}`),
    shop_id: shop.id,
    previous: resource.previous,
    current: resource.current,
    // This topic prints UTC with milliseconds, unlike the REST resources ("2024-06-25T00:00:00.000Z").
    updated_at: new Date(resource.updatedAt).toISOString(),
  });
}

/** bulk_operations/finish is passed through as given; the schema check still applies to it. */
export function bulkOperationFinishPayload(body: Record<string, unknown>): Record<string, unknown> {
  return structuredClone(body);
}
