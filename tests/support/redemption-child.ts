// A process that redeems once and is killed by the test (tests/integration/redemption.test.ts, forked with
// `--import tsx`): it inherits the test file's DATABASE_URL and talks to the test's local Shopify over HTTP.
// argv: shop endpoint accessToken customerId rewardId token nowMs [wait]. Sends {type: "done", outcome} if it lives that
// long. With `wait`, it loads, says {type: "ready"} and redeems on {type: "go"}, so that racing processes start together.
import { redeem } from "../../app/services/redemption.server";
import { createAdminClient } from "../../app/shopify/client";
import { fetchTransport } from "../../app/shopify/transport.server";

const [shop, endpoint, accessToken, customerId, rewardId, token, nowMs, wait] = process.argv.slice(2);
const client = createAdminClient({
  shop,
  transport: fetchTransport({ shop, accessToken, endpoint }),
  backoff: { baseMs: 1, maxMs: 5 },
});
if (wait === "wait") {
  const go = new Promise<void>((resolve) =>
    process.on("message", (m: { type?: string }) => m?.type === "go" && resolve()),
  );
  process.send?.({ type: "ready" });
  await go;
}
const result = await redeem(shop, customerId, rewardId, token, { client, now: () => new Date(Number(nowMs)) });
process.send?.({ type: "done", outcome: result.outcome });
process.exit(0);
