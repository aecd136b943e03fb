import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { customersCreate } from "../webhooks/customers.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, customersCreate);
export const loader = webhookLoader;
