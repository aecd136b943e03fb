import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { productsUpdate } from "../webhooks/products.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, productsUpdate);
export const loader = webhookLoader;
