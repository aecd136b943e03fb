// GET /proxy/line/callback: LINE Login's redirect back (https://<shop>/apps/loyalty/line/callback?code&state, or
// ?error=access_denied&state; docs/line-link.md). Shopify's proxy signs LINE's parameters along with the signed-in
// customer, and this strict authentication answers each signature once. One service call spends the state and links
// the account (or refuses, writing nothing); the answer is a redirect back to the loyalty page naming the result.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { finishLineLink } from "../services/line-link.server";
import { proxyPagePath } from "../storefront/line-link-section";

const headers = { "Cache-Control": "private, no-store" };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, customerId } = await authenticate.public.appProxy(request);
  const result = await finishLineLink(shop, customerId, new URL(request.url).searchParams);
  return new Response(null, { status: 303, headers: { ...headers, Location: `${proxyPagePath(request)}?${result}` } });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  await authenticate.public.appProxy(request);
  return new Response("Method Not Allowed", { status: 405, headers: { ...headers, Allow: "GET" } });
};
