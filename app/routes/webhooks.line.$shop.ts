// POST /webhooks/line/<shop>: the webhook URL a merchant enters in the LINE Developers Console for the shop's
// Messaging API channel (docs/line-link.md). The raw body is read as bytes and its X-Line-Signature checked with the
// shop's channel secret before anything parses it; forged or unsigned: 401, malformed: 400, nothing changed. A valid
// body (LINE's "Verify" request with no events included) answers 200 once its follow/unfollow events are applied.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { receiveLineWebhook } from "../services/line-link.server";

const SHOP = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const shop = (params.shop ?? "").toLowerCase();
  if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
  if (!SHOP.test(shop)) return new Response(null, { status: 404 });
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > 1_000_000) return new Response(null, { status: 413 });
  const body = new Uint8Array(await request.arrayBuffer());
  const { status } = await receiveLineWebhook(shop, body, request.headers.get("x-line-signature"));
  return new Response(null, { status });
};

export const loader = (_args: LoaderFunctionArgs) => new Response(null, { status: 405, headers: { Allow: "POST" } });
