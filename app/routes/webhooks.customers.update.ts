import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { customersUpdate } from "../webhooks/customers.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, customersUpdate);
export const loader = webhookLoader;
