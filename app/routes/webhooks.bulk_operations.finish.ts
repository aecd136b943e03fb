import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { bulkOperationsFinish } from "../webhooks/bulk-operations.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, bulkOperationsFinish);
export const loader = webhookLoader;
