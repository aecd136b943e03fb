// shop/update: the merchant changed the shop's settings. The app keeps the shop's name (LINE messages are signed with
// it) and time zone current from it instead of only reading them at backfill (models/shop.server.ts applyShopUpdate).
import { z } from "zod";
import { isValidTimeZone } from "../domain/time";
import { applyShopUpdate } from "../models/shop.server";
import type { WorkHandler } from "./receive.server";

// The REST Shop (Shopify's 2026-04 shop/update body): `name` is required; `iana_timezone` may be null.
const payload = z.looseObject({
  id: z.number().int(),
  name: z.string().trim().min(1),
  iana_timezone: z.string().nullable().optional(),
});

export const shopUpdate: WorkHandler<typeof payload> = {
  topic: "shop/update",
  payload,
  async handle({ shop, payload: body, triggeredAt }) {
    const zone = body.iana_timezone ?? null;
    await applyShopUpdate(
      shop,
      { name: body.name, timezone: zone !== null && isValidTimeZone(zone) ? zone : null },
      triggeredAt,
    );
  },
};
