import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { refundsCreate } from "../webhooks/refunds.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, refundsCreate);
export const loader = webhookLoader;
