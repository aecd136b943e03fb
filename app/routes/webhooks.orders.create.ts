import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { ordersCreate } from "../webhooks/orders.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, ordersCreate);
export const loader = webhookLoader;
