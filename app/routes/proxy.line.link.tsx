// POST /proxy/line/link: "Link LINE" on the loyalty page (https://<shop>/apps/loyalty/line/link; docs/line-link.md).
// Thin, like /proxy: the strict app proxy authentication (a forged, expired or replayed signature is a 401 that says
// nothing), the form's own token (docs/storefront-forms.md: a form not made by the page for this customer is the
// refusal page, 403, nothing written), then one service call for the signed-in customer, which records the attempt and
// answers LINE Login's authorisation URL (a redirect the browser follows) — or a redirect back to the page naming why
// not. A guest, or a GET, goes back to the page; nothing is written.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { formRefusedView, storefrontFormIssue } from "../services/form-tokens.server";
import { startLineLink } from "../services/line-link.server";
import { renderFormRefused } from "../storefront/form-refused";
import { proxyPagePath } from "../storefront/line-link-section";

const headers = { "Cache-Control": "private, no-store" };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.public.appProxy(request);
  return new Response(null, { status: 303, headers: { ...headers, Location: proxyPagePath(request) } });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { liquid, shop, customerId } = await authenticate.public.appProxy(request);
  const path = proxyPagePath(request);
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405, headers });
  if (!customerId) return new Response(null, { status: 303, headers: { ...headers, Location: path } });
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    form = new FormData();
  }
  if (storefrontFormIssue(form, shop, customerId, "line-link"))
    return liquid(renderFormRefused((await formRefusedView(shop)).locale, path), { status: 403, headers });
  const started = await startLineLink(shop, customerId, form, path);
  const location = started.kind === "redirect" ? started.location : `${path}?${started.query}`;
  return new Response(null, { status: 303, headers: { ...headers, Location: location } });
};
