import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { ordersDelete } from "../webhooks/orders.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, ordersDelete);
export const loader = webhookLoader;
