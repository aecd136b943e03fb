// app/scopes_update: the merchant granted or revoked scopes; sessions and the shop row carry the new set.
import { z } from "zod";
import { updateSessionScopes } from "../models/session.server";
import { updateShopScope } from "../models/shop.server";
import type { WebhookHandler } from "./receive.server";

const payload = z.looseObject({ current: z.array(z.string()) });

export const appScopesUpdate: WebhookHandler<typeof payload> = {
  topic: "app/scopes_update",
  payload,
  async handle({ shop, payload }) {
    const scope = payload.current.join(",");
    await updateSessionScopes(shop, scope);
    await updateShopScope(shop, scope);
  },
};
