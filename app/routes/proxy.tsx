// /proxy: the shoppers' loyalty page, which Shopify serves at https://<shop>/apps/loyalty (shopify.app.toml
// [app_proxy]) inside the shop's theme (docs/rules.md#loyalty-page). Thin: the strict app proxy authentication (a
// forged, expired or replayed signature is a 401 that says nothing), one service call for the verified shop and
// signed-in customer, then the Liquid.
// GET: the page; its query may name the result of a form just sent (the parameters Shopify signed along).
// POST: the page's plain HTML forms (redeem a reward, give a birthday; docs/rules.md#loyalty-page-points), which
// Shopify forwards with the body and a signed query. The customer is only the signed `logged_in_customer_id`; the
// answer is a redirect back to the page (Post/Redirect/Get) whose query names the result — or, for a form without the
// page's own token for this customer (docs/storefront-forms.md: made on another site, for someone else, expired), the
// refusal page with 403 and nothing changed.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { formRefusedView } from "../services/form-tokens.server";
import { loyaltyPage } from "../services/loyalty-page.server";
import { submitPageForm } from "../services/shopper-points.server";
import { renderFormRefused } from "../storefront/form-refused";
import { renderLoyaltyPage } from "../storefront/loyalty-page";

/** The proxy's path on the storefront (signed: `/apps/loyalty`), where the forms post and the redirect goes. */
const pagePath = (request: Request) => {
  const prefix = new URL(request.url).searchParams.get("path_prefix") ?? "";
  return /^\/[a-z]+\/[A-Za-z0-9_-]{1,30}$/.test(prefix) ? prefix : "/apps/loyalty";
};

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { liquid, shop, customerId } = await authenticate.public.appProxy(request);
  const view = await loyaltyPage(shop, customerId, new Date(), new URL(request.url).searchParams);
  return liquid(renderLoyaltyPage(view, { action: pagePath(request) }), {
    status: view.kind === "unavailable" ? 404 : 200,
    // The page is one customer's: no shared cache may keep it.
    headers: { "Cache-Control": "private, no-store" },
  });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { liquid, shop, customerId, admin } = await authenticate.public.appProxy(request);
  const path = pagePath(request);
  const headers = { "Cache-Control": "private, no-store" };
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405, headers });
  // A guest (signed out, or the session ended): back to the page, which shows the sign-in link. Nothing is read.
  if (!customerId) return new Response(null, { status: 303, headers: { ...headers, Location: path } });
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    form = new FormData();
  }
  const answer = await submitPageForm(shop, customerId, form, { graphql: admin?.graphql });
  if (answer.kind === "forged")
    return liquid(renderFormRefused((await formRefusedView(shop)).locale, path), { status: 403, headers });
  return new Response(null, { status: 303, headers: { ...headers, Location: `${path}?${answer.query}` } });
};
