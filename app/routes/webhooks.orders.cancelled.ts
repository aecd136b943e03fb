import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { ordersCancelled } from "../webhooks/orders.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, ordersCancelled);
export const loader = webhookLoader;
