import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { ordersUpdated } from "../webhooks/orders.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, ordersUpdated);
export const loader = webhookLoader;
