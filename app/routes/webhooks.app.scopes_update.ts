import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { appScopesUpdate } from "../webhooks/app-scopes-update.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, appScopesUpdate);
export const loader = webhookLoader;
