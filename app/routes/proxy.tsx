// GET /proxy: the shoppers' loyalty page, which Shopify serves at https://<shop>/apps/loyalty (shopify.app.toml
// [app_proxy]) inside the shop's theme (docs/rules.md#loyalty-page). Thin: the strict app proxy authentication (a
// forged, expired or replayed signature is a 401 that says nothing), one service call for the verified shop and
// signed-in customer, then the Liquid. Nothing else of the request (path, other parameters) is read.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { loyaltyPage } from "../services/loyalty-page.server";
import { renderLoyaltyPage } from "../storefront/loyalty-page";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { liquid, shop, customerId } = await authenticate.public.appProxy(request);
  const view = await loyaltyPage(shop, customerId);
  return liquid(renderLoyaltyPage(view), {
    status: view.kind === "unavailable" ? 404 : 200,
    // The page is one customer's: no shared cache may keep it.
    headers: { "Cache-Control": "private, no-store" },
  });
};
