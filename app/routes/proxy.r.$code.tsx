// /proxy/r/<code>: a member's referral link, which Shopify serves at https://<shop>/apps/loyalty/r/<code> inside the
// shop's theme (docs/referrals.md). Thin, like /proxy: the strict app proxy authentication (a forged, expired or
// replayed signature is a 401 that says nothing), then one service call. The friend may be signed out.
// GET: the offer and the email form (a visit counts as a link followed), or the friend's code after the form.
// POST: the email form: the friend's code is created once (the form's token is the referral's idempotency key); the
// answer is a redirect back to the link (Post/Redirect/Get) whose query names the referral or the refusal.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { claimReferralOffer, referralLanding } from "../services/referrals.server";
import { renderReferralLanding, referralPath } from "../storefront/referral-page";

const headers = { "Cache-Control": "private, no-store" };

/** The proxy's path on the storefront (signed: `/apps/loyalty`). */
const pagePath = (request: Request) => {
  const prefix = new URL(request.url).searchParams.get("path_prefix") ?? "";
  return /^\/[a-z]+\/[A-Za-z0-9_-]{1,30}$/.test(prefix) ? prefix : "/apps/loyalty";
};

/** The code as the path gives it (anything else is looked up as nothing: the service refuses it without a read). */
const codeOf = (params: { code?: string }) => (params.code ?? "").slice(0, 40);

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { liquid, shop } = await authenticate.public.appProxy(request);
  const code = codeOf(params);
  const view = await referralLanding(shop, code, new URL(request.url).searchParams);
  return liquid(renderReferralLanding(view, referralPath(pagePath(request), code)), {
    status: view.kind === "unavailable" ? 404 : 200,
    headers,
  });
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop, admin } = await authenticate.public.appProxy(request);
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405, headers });
  const code = codeOf(params);
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    form = new FormData();
  }
  const query = await claimReferralOffer(shop, code, form, { graphql: admin?.graphql });
  const location = `${referralPath(pagePath(request), /^[2-9A-HJ-NP-Z]{10}$/.test(code) ? code : "x")}?${query}`;
  return new Response(null, { status: 303, headers: { ...headers, Location: location } });
};
