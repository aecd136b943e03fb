import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook, webhookLoader } from "../webhooks/receive.server";
import { emailMarketingConsentUpdate } from "../webhooks/email-consent.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, emailMarketingConsentUpdate);
export const loader = webhookLoader;
