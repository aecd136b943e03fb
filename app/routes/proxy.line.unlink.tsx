// POST /proxy/line/unlink: "Unlink" on the loyalty page (https://<shop>/apps/loyalty/line/unlink; docs/line-link.md).
// The strict app proxy authentication (a replayed form's signature is refused like the page's other forms), the
// form's own token (docs/storefront-forms.md: a form not made by the page for this customer is the refusal page, 403,
// the link kept), then the signed-in customer's link is deleted at once; the answer is a redirect back to the page. A
// guest or a GET: back to the page, nothing changed.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { formRefusedView, storefrontFormIssue } from "../services/form-tokens.server";
import { unlinkLine } from "../services/line-link.server";
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
  if (storefrontFormIssue(form, shop, customerId, "line-unlink"))
    return liquid(renderFormRefused((await formRefusedView(shop)).locale, path), { status: 403, headers });
  const result = await unlinkLine(shop, customerId);
  return new Response(null, { status: 303, headers: { ...headers, Location: `${path}?${result}` } });
};
