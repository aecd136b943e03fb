import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { appUninstalled } from "../webhooks/app-uninstalled.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, appUninstalled);
export const loader = webhookLoader;
