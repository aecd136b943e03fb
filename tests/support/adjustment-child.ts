// A process that submits one points adjustment (tests/integration/points-adjustments.test.ts, forked with
// `--import tsx`): it inherits the test file's DATABASE_URL. argv: shop customerId points token nowMs. It loads, says
// {type: "ready"}, adjusts on {type: "go"} (so that racing processes start together) and sends {type: "done", result}.
import { prisma } from "../../app/db.server";
import { adjustPoints } from "../../app/services/points-adjustments.server";

const [shop, customerId, points, token, nowMs] = process.argv.slice(2);
const go = new Promise<void>((resolve) =>
  process.on("message", (m: { type?: string }) => m?.type === "go" && resolve()),
);
// Connected and warm before the start, so that the racers reach their transactions together.
await prisma.customer.findMany({ where: { shop, id: customerId } });
process.send?.({ type: "ready" });
await go;
const result = await adjustPoints(shop, customerId, { points, reason: "race", token }, "staff:race", {
  now: () => new Date(Number(nowMs)),
});
process.send?.({ type: "done", result });
process.exit(0);
