// The webhook benchmark's floor (issue #23 item 1; docs/BENCHMARKS.md): what Shopify's app template does with a webhook
// — `authenticate.webhook` (HMAC, headers, the shop's session) and 200 — in this same built server, so the ledger's
// webhook routes are measured against the framework's own cost. Answers 404, as if absent, unless the deployment sets
// WEBHOOK_FLOOR_ROUTE=on (the benchmark does; nothing else should): no subscription points here.
import type { ActionFunctionArgs } from "@remix-run/node";
import { env } from "../env.server";
import { authenticate } from "../shopify.server";

const absent = () => new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain" } });

export const action = async ({ request }: ActionFunctionArgs) => {
  if (env.WEBHOOK_FLOOR_ROUTE !== "on") return absent();
  await authenticate.webhook(request);
  return new Response();
};

export const loader = () =>
  env.WEBHOOK_FLOOR_ROUTE === "on" ? new Response(null, { status: 405, headers: { Allow: "POST" } }) : absent();
