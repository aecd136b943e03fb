// app/scopes_update: the merchant granted or revoked scopes; sessions and the shop row carry the new set, and work
// parked for lack of a scope now granted is queued again.
import { z } from "zod";
import { updateSessionScopes } from "../models/session.server";
import { getShop, updateShopScope } from "../models/shop.server";
import { accessScopesChanged } from "../services/access.server";
import type { WebhookHandler } from "./receive.server";

const payload = z.looseObject({ current: z.array(z.string()) });

export const appScopesUpdate: WebhookHandler<typeof payload> = {
  topic: "app/scopes_update",
  payload,
  async handle({ shop, payload }) {
    const scope = payload.current.join(",");
    const previous = (await getShop(shop))?.scope?.split(",").filter(Boolean) ?? [];
    await updateSessionScopes(shop, scope);
    await updateShopScope(shop, scope);
    // Work parked for a scope now granted runs again (only queued here: no Admin API call in a webhook).
    await accessScopesChanged(shop, previous, payload.current);
  },
};
