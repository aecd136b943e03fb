import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { productsCreate } from "../webhooks/products.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, productsCreate);
export const loader = webhookLoader;
