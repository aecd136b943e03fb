import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { shopUpdate } from "../webhooks/shop-update.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, shopUpdate);
export const loader = webhookLoader;
