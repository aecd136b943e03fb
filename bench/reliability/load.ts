// Reliability under load (issue #11 item 4): sustained webhook traffic from several shops against the app at scale —
// one web process and two worker processes on PostgreSQL with the pg-boss queue (bench/reliability/cluster.ts) —
// for a bounded time, on loopback. Shoppers act in the local Shopify (orders, refunds, cancellations, customer
// edits); Shopify delivers each as webhooks (some twice more, as duplicates). Printed: events/s held against the
// rate asked for, ack latency (p50/p99) as Shopify measures it, queue lag (enqueue → done of the follow-up jobs),
// and the check that nothing was lost or doubled: after the queue drains, every shop's ledger equals what the
// local Shopify holds (every order once, with its current total, cancellation and customer; every customer), and
// no event was applied twice.
//
//   npm run reliability:load [-- --shops 3 --rate 120 --duration 20 --workers 2 --seed 7]
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import path from "node:path";
import { parseArgs } from "node:util";
import type pg from "pg";
import { writeShopFile } from "../../simulator/generator/index";
import type { SimulatorEvent } from "../../simulator/admin/index";
import { toMinorUnits } from "../../app/domain/money";
import { createPrng } from "../../simulator/webhooks/prng";
import { startCluster, until, type Cluster, type ProbeLine, type WaitProfile } from "./cluster";
import { givePerks, trackFreshness } from "./freshness";

const { values } = parseArgs({
  options: {
    shops: { type: "string", default: "3" },
    customers: { type: "string", default: "80" },
    rate: { type: "string", default: "120" },
    duration: { type: "string", default: "20" },
    workers: { type: "string", default: "2" },
    duplicates: { type: "string", default: "0.1" },
    seed: { type: "string", default: "7" },
    // Freshness (freshness.ts): tiers above the first get an automatic discount, timed to checkout as well.
    perks: { type: "boolean", default: false },
    // Web processes (node:cluster on one port when > 1; bench/reliability/web-cluster.mjs).
    web: { type: "string", default: "1" },
    // Profile waits during the load: pg_stat_activity sampled, the web process's event-loop delay and pool queue.
    waits: { type: "boolean", default: false },
    // Multiplies Shopify's webhook retry waits (≈56 s, 1.9 min, … 4 h in all); e.g. 0.02 for short ramp runs.
    "retry-factor": { type: "string", default: "1" },
    // Run the app from a copy of another build (a folder below the project holding build/, server.mjs, scripts/).
    "app-dir": { type: "string" },
  },
});
const SHOPS = Number(values.shops);
const RATE = Number(values.rate);
const DURATION_S = Number(values.duration);
const WORKERS = Number(values.workers);
const WEB = Number(values.web);
const DUPLICATE_SHARE = Number(values.duplicates);
const END_DATE = "2026-11-20T00:00:00.000Z";

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function queueIdle(db: pg.Client) {
  const { rows } = await db.query(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE state IN ('created', 'retry', 'active') AND start_after <= now() + interval '5 seconds'`,
  );
  return rows[0].n === 0;
}

/** Differences between the app's ledger and the local Shopify, per shop: lost (missing or stale) and doubled rows. */
async function compareLedger(cluster: Cluster, db: pg.Client, shops: string[]) {
  let lost = 0;
  let stale = 0;
  let doubled = 0;
  let orders = 0;
  let customers = 0;
  const examples: string[] = [];
  for (const shop of shops) {
    const state = cluster.shopify.admin.shops.getShop(shop)!;
    const ledgerOrders = new Map(
      (
        await db.query(
          `SELECT id, "customerId", "cancelledAt", "currentTotalMinor" FROM "Order" WHERE shop = $1 AND "deletedAt" IS NULL`,
          [shop],
        )
      ).rows.map((r) => [r.id as string, r]),
    );
    const ledgerCustomers = new Map(
      (
        await db.query(
          `SELECT id, email, "firstName", "lastName" FROM "Customer" WHERE shop = $1 AND "deletedAt" IS NULL`,
          [shop],
        )
      ).rows.map((r) => [r.id as string, r]),
    );
    for (const order of state.orders.values()) {
      orders += 1;
      const row = ledgerOrders.get(order.id);
      const money = order.currentTotalPriceSet.shopMoney;
      if (!row) {
        lost += 1;
        if (examples.length < 5) examples.push(`${shop} ${order.id}: not in the ledger`);
        continue;
      }
      const want = toMinorUnits(money.amount, money.currencyCode);
      if (
        Number(row.currentTotalMinor) !== want ||
        (row.cancelledAt === null) !== (order.cancelledAt === null) ||
        row.customerId !== (order.customer?.id ?? null)
      ) {
        stale += 1;
        if (examples.length < 5)
          examples.push(
            `${shop} ${order.id}: ledger ${row.currentTotalMinor}/${row.cancelledAt}/${row.customerId}, Shopify ${want}/${order.cancelledAt}/${order.customer?.id}`,
          );
      }
    }
    for (const customer of state.customers.values()) {
      customers += 1;
      const row = ledgerCustomers.get(customer.id);
      if (
        !row ||
        row.email !== customer.email ||
        row.firstName !== customer.firstName ||
        row.lastName !== customer.lastName
      ) {
        stale += 1;
        if (examples.length < 5) examples.push(`${shop} ${customer.id}: ${row ? "stale" : "missing"}`);
      }
    }
    if (ledgerOrders.size !== state.orders.size) doubled += Math.max(0, ledgerOrders.size - state.orders.size);
    // An event applied twice would show as two delivery rows for one event and topic.
    const twice = await db.query(
      `SELECT count(*)::int AS n FROM (SELECT "eventId", topic FROM "WebhookDelivery" WHERE shop = $1 AND "eventId" IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) t`,
      [shop],
    );
    doubled += twice.rows[0].n;
  }
  return { lost, stale, doubled, orders, customers, examples };
}

async function main() {
  const random = createPrng(Number(values.seed)).next; // the same seed makes the same shoppers
  console.log(
    `Reliability under load: ${SHOPS} shops, ${RATE} shopper events/s for ${DURATION_S} s, web + ${WORKERS} workers on PostgreSQL (pg-boss)`,
  );
  const cluster = await startCluster({
    name: "load",
    workers: WORKERS,
    web: WEB,
    probe: values.waits,
    ...(values["app-dir"] ? { appDir: path.resolve(values["app-dir"]) } : {}),
    simulatorOptions: { webhooks: { retry: { factor: Number(values["retry-factor"]) } } },
  });
  try {
    const db = await cluster.db();
    // Shops with a history, installed and backfilled before the load starts.
    const shops: string[] = [];
    for (let i = 0; i < SHOPS; i++) {
      const shop = `load-${i + 1}.myshopify.com`;
      const file = path.resolve(`tmp/reliability/${shop}-${values.customers}.jsonl`);
      await writeShopFile(
        { preset: "demo", seed: 100 + i, customers: Number(values.customers), shopDomain: shop, endDate: END_DATE },
        file,
        { truthFile: false },
      );
      const state = await cluster.shopify.admin.shops.loadShopFile(file);
      state.record.plan = "advanced";
      if (values.perks) await givePerks(db, shop, state.record.currencyCode);
      await cluster.install(shop);
      shops.push(shop);
    }
    await until(
      "every backfill",
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM "BackfillRun" WHERE status = 'done'`)).rows[0].n === SHOPS,
      300_000,
    );
    await until("the queue after backfill", () => queueIdle(db), 300_000);
    console.log(`Installed and backfilled ${SHOPS} shops.`);

    // Duplicates: a share of events is delivered once more, as Shopify sometimes does (new webhook id, same event).
    const sender = cluster.shopify.webhooks;
    let duplicated = 0;
    cluster.shopify.admin.onEvent((event: SimulatorEvent) => {
      if (event.topic === "bulk_operations/finish" || random() >= DUPLICATE_SHARE) return;
      duplicated += 1;
      void sender.deliverBatch([cluster.shopify.webhookEventOf(event)], { duplicates: 1 }).catch(() => {});
    });

    const logStart = sender.log.length;
    const cpuBefore = cluster.cpuSeconds();
    const loadStart = Date.now();
    const waitSampler = values.waits ? cluster.sampleWaits() : null;
    // This process's own event loop: the load generator and the local Shopify's webhook sender share it, and an
    // attempt's 5 s run from the moment it is started here, so a late loop here reads as a slow app.
    const harnessLoop = monitorEventLoopDelay({ resolution: 10 });
    harnessLoop.enable();
    const harnessCpu = process.cpuUsage();
    let actions = 0;
    const customersOf = shops.map((s) =>
      [...cluster.shopify.admin.shops.getShop(s)!.customers.values()].map((c) => c.id),
    );
    const ordersOf: string[][] = shops.map(() => []);
    const freshness = trackFreshness(cluster, shops, { perks: values.perks ?? false });
    // Open loop: actions are started on schedule whatever the app's speed, so a slow app shows as latency and lag.
    while (Date.now() - loadStart < DURATION_S * 1000) {
      const due = Math.floor(((Date.now() - loadStart) / 1000) * RATE);
      while (actions < due) {
        const s = Math.floor(random() * SHOPS);
        const shop = shops[s];
        const roll = random();
        const customer = customersOf[s][Math.floor(random() * customersOf[s].length)];
        const mine = ordersOf[s];
        if (roll < 0.7 || mine.length === 0) {
          const total = (10 + Math.floor(random() * 200)).toFixed(2);
          mine.push(cluster.shopify.admin.placeOrder(shop, { customerId: customer, total }).id);
          freshness.placed(shop, { id: mine[mine.length - 1], customerId: customer, total });
        } else if (roll < 0.85) {
          const orderId = mine[Math.floor(random() * mine.length)];
          const order = cluster.shopify.admin.shops.getShop(shop)!.orders.get(orderId)!;
          if (!order.cancelledAt && Number(order.currentTotalPriceSet.shopMoney.amount) > 2) {
            cluster.shopify.admin.refundOrder(shop, orderId, { amount: "1.00" });
            if (order.customer) freshness.reduced(shop, order.customer.id, "1.00");
          }
        } else if (roll < 0.9) {
          const orderId = mine[Math.floor(random() * mine.length)];
          const order = cluster.shopify.admin.shops.getShop(shop)!.orders.get(orderId)!;
          if (!order.cancelledAt) {
            cluster.shopify.admin.cancelOrder(shop, orderId);
            if (order.customer)
              freshness.reduced(shop, order.customer.id, order.currentTotalPriceSet.shopMoney.amount, orderId);
          }
        } else {
          cluster.shopify.admin.updateCustomer(shop, customer, { firstName: `Renamed ${actions}` });
        }
        actions += 1;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const loadSeconds = (Date.now() - loadStart) / 1000;
    const firstAttempts = sender.log.slice(logStart);
    {
      // The first attempts, printed before the drain (which can last Shopify's whole retry schedule): the load's
      // answer to "where does the first timeout appear".
      await new Promise((r) => setTimeout(r, 5_500));
      const first = sender.log.slice(logStart).filter((a) => a.attempt === 1);
      const answered = first
        .filter((a) => a.status !== null)
        .map((a) => a.latencyMs)
        .sort((x, y) => x - y);
      const all = first.map((a) => a.latencyMs).sort((x, y) => x - y);
      const harnessUsed = process.cpuUsage(harnessCpu);
      harnessLoop.disable();
      console.log(
        `Load generator + local Shopify (this process) during the load: event-loop delay p50 / p99 / max ${ms(harnessLoop.percentile(50) / 1e6)} / ${ms(harnessLoop.percentile(99) / 1e6)} / ${ms(harnessLoop.max / 1e6)}; CPU ${((harnessUsed.user + harnessUsed.system) / 1e6).toFixed(1)} s in ${((Date.now() - loadStart) / 1000).toFixed(1)} s`,
      );
      console.log(
        `First attempts during the load: ${first.length}, acknowledged ${first.filter((a) => a.ok).length}, timeouts ${first.filter((a) => a.error === "timeout").length}; ack p50 / p99 of those answered ${ms(percentile(answered, 50))} / ${ms(percentile(answered, 99))}; p99 of all (a timeout as 5 s) ${ms(percentile(all, 99))}`,
      );
    }
    if (waitSampler) {
      // The load's waits: until its last first attempts were answered or timed out (just waited), before retries.
      printWaits(
        await waitSampler.stop(),
        cluster.probeLines().filter((l) => l.at >= loadStart),
      );
    }
    await sender.drain();
    const drained = Date.now();
    try {
      await until("the queue to drain", () => queueIdle(db), 180_000);
    } catch (error) {
      const { rows } = await db.query(
        `SELECT name, state, retry_count, output::text AS output, start_after FROM pgboss.job WHERE state IN ('created', 'retry', 'active') ORDER BY start_after LIMIT 10`,
      );
      console.log("Jobs still waiting or running:");
      for (const r of rows)
        console.log(
          `  ${r.name} ${r.state} attempt ${r.retry_count} after ${r.start_after.toISOString()} ${String(r.output ?? "").slice(0, 200)}`,
        );
      throw error;
    }
    const lagToIdle = (Date.now() - drained) / 1000;
    // Orders whose sync is still on its way (the last ones wait out the coalescing delay): at most 30 s more.
    await freshness.settle(30_000);
    freshness.stop();
    const cpuAfter = cluster.cpuSeconds();
    const wallSeconds = (Date.now() - loadStart) / 1000;
    const cpu = (key: keyof typeof cpuAfter) => {
      const used = cpuAfter[key] - cpuBefore[key];
      return `${used.toFixed(1)} s (${Math.round((used / wallSeconds) * 100)} %)`;
    };

    const attempts = sender.log.slice(logStart);
    const ok = attempts.filter((a) => a.ok);
    const latencies = attempts
      .filter((a) => a.status !== null)
      .map((a) => a.latencyMs)
      .sort((a, b) => a - b);
    const failedAttempts = attempts.filter((a) => !a.ok);
    const jobLag = (
      await db.query(
        `SELECT extract(epoch FROM (completed_on - created_on)) * 1000 AS lag FROM (
           SELECT created_on, completed_on, name, state FROM pgboss.job UNION ALL SELECT created_on, completed_on, name, state FROM pgboss.archive) j
         WHERE name = 'customer-changed' AND state = 'completed' AND created_on >= to_timestamp($1 / 1000.0)`,
        [loadStart],
      )
    ).rows
      .map((r) => Number(r.lag))
      .sort((a, b) => a - b);
    const check = await compareLedger(cluster, db, shops);

    console.log("");
    console.log("| measured | value |");
    console.log("|---|---:|");
    console.log(
      `| shopper actions (asked ${RATE}/s for ${DURATION_S} s) | ${actions} in ${loadSeconds.toFixed(1)} s = ${(actions / loadSeconds).toFixed(1)}/s |`,
    );
    console.log(
      `| webhooks delivered and acknowledged (2xx) | ${ok.length} (${(ok.length / loadSeconds).toFixed(1)}/s), of which duplicates of ${duplicated} events |`,
    );
    console.log(`| delivery attempts not acknowledged (retried by Shopify) | ${failedAttempts.length} |`);
    const firstFailed = failedAttempts.filter((a) => a.attempt === 1);
    const firstLatencies = attempts
      .filter((a) => a.attempt === 1 && a.status !== null)
      .map((a) => a.latencyMs)
      .sort((a, b) => a - b);
    console.log(
      `| first attempts not acknowledged (of ${attempts.filter((a) => a.attempt === 1).length}); their ack p99 | ${firstFailed.length} (${firstFailed.filter((a) => a.error === "timeout").length} timeouts); ${ms(percentile(firstLatencies, 99))} |`,
    );
    console.log(
      `| ack latency p50 / p99 / max | ${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))} / ${ms(latencies[latencies.length - 1] ?? NaN)} |`,
    );
    console.log(
      `| queue lag, customer-changed (enqueue → done) p50 / p99 | ${ms(percentile(jobLag, 50))} / ${ms(percentile(jobLag, 99))} (${jobLag.length} jobs) |`,
    );
    console.log(`| queue empty after the last delivery | ${lagToIdle.toFixed(1)} s |`);
    for (const row of await freshness.rows(db)) console.log(row);
    console.log(
      `| CPU from the first action until the queue was empty (${wallSeconds.toFixed(1)} s; ${os.cpus().length} cores; % of one core): web / workers / PostgreSQL / generator + local Shopify | ${cpu("web")} / ${cpu("workers")} / ${cpu("postgres")} / ${cpu("harness")} |`,
    );
    console.log(`| ledger vs Shopify: orders / customers checked | ${check.orders} / ${check.customers} |`);
    console.log(
      `| **lost** (missing) / stale / **doubled** | **${check.lost}** / ${check.stale} / **${check.doubled}** |`,
    );
    for (const e of check.examples) console.log(`  ${e}`);
    const reasons = new Map<string, number>();
    for (const a of failedAttempts)
      reasons.set(
        a.status === null ? (a.error ?? "no answer") : `HTTP ${a.status}`,
        (reasons.get(a.status === null ? (a.error ?? "no answer") : `HTTP ${a.status}`) ?? 0) + 1,
      );
    if (reasons.size) console.log(`  not acknowledged: ${[...reasons].map(([k, n]) => `${k} × ${n}`).join(", ")}`);
    void firstAttempts;
    const crashes = cluster.crashes();
    for (const crash of crashes) console.log(`  CRASH: ${crash}`);
    const pass = check.lost === 0 && check.stale === 0 && check.doubled === 0 && crashes.length === 0;
    console.log(
      pass
        ? "\nNothing lost, nothing doubled."
        : crashes.length
          ? "\nFAILED: a process crashed."
          : "\nFAILED: the ledger does not match Shopify.",
    );
    process.exitCode = pass ? 0 : 1;
  } finally {
    await cluster.stop();
  }
}

/** What the backends of the app's database and the web process(es) waited on during the run (--waits). */
function printWaits(waits: WaitProfile, probe: ProbeLine[]) {
  console.log(`\nWaits (pg_stat_activity sampled ${waits.samples} times):`);
  for (const [owner, { backends, states }] of Object.entries(waits.byOwner)) {
    const top = states
      .slice(0, 6)
      .map(([what, share]) => `${what} ${(share * 100).toFixed(0)} %`)
      .join(", ");
    console.log(`  ${owner} (${backends} backends): ${top}`);
  }
  if (waits.waitingStatements.length) console.log("  the web's statements seen waiting (not on the client):");
  for (const [what, n] of waits.waitingStatements) console.log(`    ${n} × ${what}`);
  if (!probe.length) return;
  const max = (pick: (l: ProbeLine) => number) => Math.max(...probe.map(pick));
  const mean = (pick: (l: ProbeLine) => number) => probe.reduce((s, l) => s + pick(l), 0) / probe.length;
  console.log(
    `  web process(es), per second: event-loop delay p99 mean ${mean((l) => l.loopDelayMs.p99).toFixed(1)} ms, max ${max((l) => l.loopDelayMs.max).toFixed(0)} ms; ` +
      `pool open ${mean((l) => l.pool.open).toFixed(1)}, idle ${mean((l) => l.pool.idle).toFixed(1)}, waiting for a connection mean ${mean((l) => l.pool.waitingMean).toFixed(1)} / max ${max((l) => l.pool.waitingMax)}; ` +
      `requests in flight mean ${mean((l) => l.requestsInFlight.mean).toFixed(1)} / max ${max((l) => l.requestsInFlight.max)}; ` +
      `per second on a CPU ${mean((l) => l.cpuMs?.on ?? 0).toFixed(0)} ms, runnable but waiting for a CPU ${mean((l) => l.cpuMs?.runQueue ?? 0).toFixed(0)} ms`,
  );
}

await main();
