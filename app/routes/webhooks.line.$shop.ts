// POST /webhooks/line/<shop>: the webhook URL a merchant enters in the LINE Developers Console for the shop's
// Messaging API channel (docs/line-link.md). The raw body is read as bytes and its X-Line-Signature checked with the
// shop's channel secret before anything parses it; forged or unsigned: 401, malformed: 400, nothing changed. A valid
// body (LINE's "Verify" request with no events included) answers 200 once its follow/unfollow events are applied.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { receiveLineWebhook } from "../services/line-link.server";
import { readBounded } from "../webhooks/read-bounded.server";

const SHOP = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
/** LINE's webhook bodies are small; a body past this is refused (the service checks the same bound). */
const MAX_BYTES = 1_000_000;

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const shop = (params.shop ?? "").toLowerCase();
  if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
  if (!SHOP.test(shop)) return new Response(null, { status: 404 });
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BYTES) return new Response(null, { status: 413, headers: { Connection: "close" } });
  const body = await readBounded(request, MAX_BYTES);
  if (!body) return new Response(null, { status: 413, headers: { Connection: "close" } });
  const { status } = await receiveLineWebhook(shop, body, request.headers.get("x-line-signature"));
  return new Response(null, { status });
};

export const loader = (_args: LoaderFunctionArgs) => new Response(null, { status: 405, headers: { Allow: "POST" } });
