import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { customersDataRequest } from "../webhooks/compliance.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, customersDataRequest);
export const loader = webhookLoader;
