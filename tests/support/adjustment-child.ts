// A process that submits one points adjustment, or reserves one redemption (tests/integration/points-adjustments.test.ts,
// forked with `--import tsx`): it inherits the test file's DATABASE_URL. argv: shop customerId points token nowMs
// [rewardId] — with a reward id it reserves that reward instead of adjusting. It loads, says {type: "ready"}, acts on
// {type: "go"} (so that racing processes start together) and sends {type: "done", result: {ok, status?}}.
import { prisma } from "../../app/db.server";
import { reserveRedemption } from "../../app/models/rewards.server";
import { adjustPoints } from "../../app/services/points-adjustments.server";

const [shop, customerId, points, token, nowMs, rewardId] = process.argv.slice(2);
const go = new Promise<void>((resolve) =>
  process.on("message", (m: { type?: string }) => m?.type === "go" && resolve()),
);
// Connected and warm before the start, so that the racers reach their transactions together.
await prisma.customer.findMany({ where: { shop, id: customerId } });
process.send?.({ type: "ready" });
await go;
const now = new Date(Number(nowMs));
const result = rewardId
  ? await reserveRedemption(shop, {
      customerId,
      rewardId,
      token,
      now,
      currencyCode: "USD",
      code: `CODE-${token}`,
      expiresAt: null,
    }).then((r) => (r.outcome === "reserved" ? { ok: true } : { ok: false, status: 409 }))
  : await adjustPoints(shop, customerId, { points, reason: "race", token }, "staff:race", { now: () => now });
process.send?.({ type: "done", result });
process.exit(0);
