import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../webhooks/receive.server";
import { appUninstalled } from "../webhooks/app-uninstalled.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, appUninstalled);
