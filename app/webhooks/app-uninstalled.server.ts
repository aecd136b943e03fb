// app/uninstalled: the shop removed the app. Its sessions and channel credentials (LINE, Klaviyo) go, its jobs stop;
// its other data waits for shop/redact.
import { z } from "zod";
import { deleteSessions } from "../models/session.server";
import { getQueue } from "../jobs/runtime.server";
import { markUninstalled } from "../models/shop.server";
import { deleteShopConnections } from "../models/channel-connections.server";
import type { WebhookHandler } from "./receive.server";

const payload = z.looseObject({ id: z.number().int() });

export const appUninstalled: WebhookHandler<typeof payload> = {
  topic: "app/uninstalled",
  payload,
  async handle({ shop, receivedAt }) {
    await deleteSessions(shop);
    await deleteShopConnections(shop);
    await getQueue().cancelShop(shop);
    await markUninstalled(shop, receivedAt);
  },
};
