import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { shopRedact } from "../webhooks/compliance.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, shopRedact);
export const loader = webhookLoader;
