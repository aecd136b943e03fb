// The "Award points" Shopify Flow action (extensions/flow-award-points, docs/rules.md#flow-triggers): Flow POSTs each
// run here. Answers as Flow reads them: 200 done (a retried run included: one award per action_run_id); 401 a request
// not signed with the app's secret; 400 a body that is not the action's; 404 a shop the app has no session for or a
// customer the shop does not have. Flow does not retry a 4xx; nothing is written for any of them.
import { json, type ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { awardPointsFromFlow, flowSignatureValid } from "../services/points-adjustments.server";
import { logger } from "../logger.server";

const refuse = (status: number, error: string) => json({ error }, { status, headers: { "Cache-Control": "no-store" } });

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return refuse(405, "method not allowed");
  const raw = await request.clone().text();
  if (!flowSignatureValid(raw, request.headers.get("X-Shopify-Hmac-Sha256"))) {
    logger.warn("flow action refused: signature");
    return refuse(401, "unauthorized");
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return refuse(400, "the body is not JSON");
  }
  if (
    typeof body !== "object" ||
    body === null ||
    typeof (body as { shopify_domain?: unknown }).shopify_domain !== "string"
  )
    return refuse(400, "shopify_domain is missing");
  let context: Awaited<ReturnType<typeof authenticate.flow>>;
  try {
    // The library checks the signature again and finds the shop's offline session.
    context = await authenticate.flow(request);
  } catch (error) {
    if (error instanceof Response) return refuse(404, "unknown shop");
    throw error;
  }
  const shop = context.session.shop;
  const result = await awardPointsFromFlow(shop, body, { flow: { graphql: context.admin.graphql } });
  if (result.status !== 200) {
    logger.warn("flow action refused", { shop, status: result.status, reason: result.error });
    return refuse(result.status, result.error);
  }
  return json({ ok: true, repeated: result.repeated });
};

export const loader = () => refuse(405, "method not allowed");
