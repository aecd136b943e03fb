import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { customersDelete } from "../webhooks/customers.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, customersDelete);
export const loader = webhookLoader;
