import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { customersRedact } from "../webhooks/compliance.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, customersRedact);
export const loader = webhookLoader;
