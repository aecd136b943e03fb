// GET /proxy/<anything>: Shopify forwards every path under https://<shop>/apps/loyalty/ here. The page has no
// subpages: after the same strict authentication as /proxy (a forged, expired or replayed signature is a 401), the
// shop's "not available" page, 404 — whatever the path names (a customer id included), no one's data. A POST gets the
// same (the page's forms post to /proxy itself): nothing is read of its body.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { loyaltyPageNotFound } from "../services/loyalty-page.server";
import { renderLoyaltyPage } from "../storefront/loyalty-page";

const notFound = async ({ request }: LoaderFunctionArgs | ActionFunctionArgs) => {
  const { liquid, shop } = await authenticate.public.appProxy(request);
  return liquid(renderLoyaltyPage(await loyaltyPageNotFound(shop)), {
    status: 404,
    headers: { "Cache-Control": "private, no-store" },
  });
};

export const loader = notFound;
export const action = notFound;
