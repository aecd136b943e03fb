import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { ordersPaid } from "../webhooks/orders.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, ordersPaid);
export const loader = webhookLoader;
