import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { productsDelete } from "../webhooks/products.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, productsDelete);
export const loader = webhookLoader;
