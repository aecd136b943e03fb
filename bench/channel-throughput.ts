// Benchmark: a 100k-recipient campaign's LINE sends through the real producer and sender (push mode and multicast
// mode) against the local LINE with its rate limits on (push 2,000/s, multicast 200/s per channel), vs
//   - the theoretical minimum those limits allow (push: 100,000 / 2,000 per s = 50 s; multicast: 200 requests /
//     200 per s = 1 s), and
//   - the baseline measured in the same run: a raw loop of the LINE client (pre-rendered messages, no database) at the
//     same pace and concurrency, against its own channel of the same local LINE.
//   npx tsx bench/channel-throughput.ts                 (100,000 recipients, SQLite)
//   npx tsx bench/channel-throughput.ts --recipients 20000 --postgres
// The local LINE runs in a child process (bench/channel-throughput-line.ts). Checks: every recipient delivered exactly
// once per channel, the 429s LINE answered, rows all `sent`. Prints the figures and the load average.
// KLAVIYO: its part (profile bulk import jobs and events within Klaviyo's limits) goes in the section marked below.
import { fork } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { createPostgresDatabase, createSqliteDatabase, type BenchDatabase } from "./support/bench-database";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = option("recipients", 100_000);
const DIR = path.resolve("tmp/bench/channels");
const SHOP_PUSH = "bench-line-push.myshopify.com";
const SHOP_MULTI = "bench-line-multi.myshopify.com";
const CH = { push: "1650000001", multi: "1650000002", basePush: "1650000003", baseMulti: "1650000004" };
const TOKENS = Object.fromEntries(Object.entries(CH).map(([k]) => [k, randomBytes(64).toString("base64")]));
const benchUser = (i: number) => `U${i.toString(16).padStart(32, "0")}`;
const gid = (i: number) => `gid://shopify/Customer/${100000 + i}`;
const secs = (ms: number) => (ms / 1000).toFixed(2);

async function main() {
  mkdirSync(DIR, { recursive: true });
  let db: BenchDatabase;
  if (flag("postgres")) db = await createPostgresDatabase(`bench_channels_${process.pid}`);
  else {
    const file = path.join(DIR, "bench.sqlite");
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    db = createSqliteDatabase(file, "wal");
  }
  // The local LINE, in its own process
  const child = fork(
    path.resolve("bench/channel-throughput-line.ts"),
    [JSON.stringify(Object.entries(CH).map(([k, channelId]) => ({ channelId, accessToken: TOKENS[k] })))],
    { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  let seq = 0;
  const pending = new Map<number, (v: unknown) => void>();
  const url = await new Promise<string>((resolve) => {
    child.on("message", (m: { id?: number; url?: string }) => {
      if (m.url) resolve(m.url);
      else if (m.id !== undefined) pending.get(m.id)?.(m);
    });
  });
  const ask = <T>(m: object) =>
    new Promise<T>((resolve) => {
      const id = ++seq;
      pending.set(id, resolve as (v: unknown) => void);
      child.send({ id, ...m });
    });
  for (const ch of Object.values(CH)) await ask({ follow: { channelId: ch, count: N } });

  Object.assign(process.env, {
    DATABASE_URL: db.url,
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: "bench",
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
    LINE_API_ORIGIN: url,
    CHANNEL_SECRETS_KEY: randomBytes(32).toString("base64"),
  });
  const { prisma } = await import("../app/db.server");
  const { saveConnection } = await import("../app/services/channels.server");
  const { produceLineMessages } = await import("../app/services/channel-events.server");
  const { sendLineMessages, createPacer, PACE_FRACTION } = await import("../app/services/line-send.server");
  const { createLineClient, LINE_RATE_LIMITS, LINE_MULTICAST_MAX } = await import("../app/services/line-client.server");
  const { renderLineMessages, defaultTemplate } = await import("../app/domain/line-messages");

  // ---- seed: two shops, each N linked following Thai shoppers and a campaign that issued each of them a code
  const now = new Date();
  const expiresAt = new Date(now.getTime() + 14 * 86_400_000);
  const seedStarted = performance.now();
  const campaignOf: Record<string, string> = {};
  for (const [shop, mode, ch, token] of [
    [SHOP_PUSH, "push", CH.push, TOKENS.push],
    [SHOP_MULTI, "multicast", CH.multi, TOKENS.multi],
  ] as const) {
    await db.install(shop);
    await prisma.shop.update({ where: { shop }, data: { currencyCode: "THB", timezone: "Asia/Bangkok" } });
    const saved = await saveConnection(shop, "line-messaging", {
      channelId: ch,
      channelSecret: "0".repeat(32),
      accessToken: token,
    });
    if (!saved.ok) throw new Error(`connection not saved: ${JSON.stringify(saved)}`);
    const campaign = await prisma.campaign.create({
      data: {
        shop,
        name: `Bench ${mode}`,
        template: "custom",
        audience: "{}",
        schedule: "entry",
        offerKind: "percentage",
        offerValue: 15,
        expiryDays: 14,
        holdoutPercent: 0,
        cooldownDays: 0,
        codePrefix: "BN",
        lineMode: mode,
      },
    });
    campaignOf[shop] = campaign.id;
    for (let i = 0; i < N; i += 5000) {
      const ids = Array.from({ length: Math.min(5000, N - i) }, (_, j) => i + j);
      await prisma.lineLink.createMany({
        data: ids.map((k) => ({
          shop,
          customerId: gid(k),
          lineUserId: benchUser(k),
          locale: "th",
          following: true,
          linkedAt: now,
        })),
      });
      await prisma.campaignRecipient.createMany({
        data: ids.map((k) => ({
          shop,
          campaignId: campaign.id,
          customerId: gid(k),
          holdout: false,
          assignedAt: now,
          issuedAt: now,
          code: `BN${mode[0]}${k.toString(36).toUpperCase().padStart(6, "0")}`,
          expiresAt,
        })),
      });
    }
  }
  console.error(`▶ seeded 2 × ${N} linked recipients in ${secs(performance.now() - seedStarted)} s (${db.kind})`);

  const shopCtx = {
    shopName: "bench-line-push",
    shopUrl: `https://${SHOP_PUSH}`,
    loyaltyUrl: `https://${SHOP_PUSH}/apps/loyalty`,
    currencyCode: "THB",
    timeZone: "Asia/Bangkok",
    tierColour: null,
  };
  const template = defaultTemplate("campaign-offer", "th");
  const load: number[] = [];
  const sampler = setInterval(() => load.push(loadavg()[0]), 2000);

  // ---- baseline: the raw client loop at the same pace and concurrency, pre-rendered messages, no database
  async function rawPush(): Promise<number> {
    const client = createLineClient({ origin: url, accessToken: TOKENS.basePush });
    const messages = Array.from({ length: N }, (_, k) =>
      renderLineMessages(
        {
          event: "campaign-offer",
          code: `BNP${k.toString(36).toUpperCase().padStart(6, "0")}`,
          expiresAt,
          offer: { kind: "percentage", percent: 15 },
        },
        template,
        "th",
        shopCtx,
      ),
    );
    const pacer = createPacer(LINE_RATE_LIMITS.push * PACE_FRACTION);
    let next = 0;
    let failures = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < N) {
          const k = next++;
          await pacer.take();
          const o = await client.push(benchUser(k), messages[k], randomUUID());
          if (o.kind !== "sent") failures++;
        }
      }),
    );
    if (failures) console.error(`  baseline push: ${failures} not sent`);
    return performance.now() - started;
  }
  async function rawMulticast(): Promise<number> {
    const client = createLineClient({ origin: url, accessToken: TOKENS.baseMulti });
    const messages = renderLineMessages(
      { event: "campaign-offer", code: null, expiresAt: null, offer: { kind: "percentage", percent: 15 } },
      template,
      "th",
      shopCtx,
    );
    const pacer = createPacer(LINE_RATE_LIMITS.multicast * PACE_FRACTION);
    const started = performance.now();
    for (let i = 0; i < N; i += LINE_MULTICAST_MAX) {
      await pacer.take();
      const to = Array.from({ length: Math.min(LINE_MULTICAST_MAX, N - i) }, (_, j) => benchUser(i + j));
      const o = await client.multicast(to, messages, randomUUID());
      if (o.kind !== "sent") console.error(`  baseline multicast: ${o.kind}`);
    }
    return performance.now() - started;
  }

  // ---- the app: producer pass, then sender passes until nothing is pending
  async function app(shop: string) {
    const p0 = performance.now();
    const produced = await produceLineMessages(shop);
    const produceMs = performance.now() - p0;
    const s0 = performance.now();
    let requests = 0;
    for (;;) {
      const r = await sendLineMessages(shop);
      requests += r.requests;
      if (r.nextRunAt === null) break;
      const wait = r.nextRunAt.getTime() - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
    const sendMs = performance.now() - s0;
    const states = await prisma.channelMessage.groupBy({ by: ["state"], where: { shop }, _count: { _all: true } });
    return { produced: produced["campaign-offer"] ?? 0, produceMs, sendMs, requests, states };
  }

  console.error("▶ push: baseline (raw client loop) …");
  const basePushMs = await rawPush();
  console.error("▶ push: the app's producer and sender …");
  const push = await app(SHOP_PUSH);
  console.error("▶ multicast: baseline …");
  const baseMultiMs = await rawMulticast();
  console.error("▶ multicast: the app …");
  const multi = await app(SHOP_MULTI);

  // ---- KLAVIYO: its throughput part goes here (profile bulk import jobs and events within Klaviyo's limits).

  clearInterval(sampler);
  type Stats = { deliveries: number; recipients: number; statuses: Record<string, number> };
  const stats: Record<string, Stats> = {};
  for (const [k, ch] of Object.entries(CH)) stats[k] = await ask<Stats>({ stats: ch });

  const minPush = (N / LINE_RATE_LIMITS.push) * 1000;
  const minMulti = (Math.ceil(N / LINE_MULTICAST_MAX) / LINE_RATE_LIMITS.multicast) * 1000;
  const row = (name: string, ms: number, min: number, base: number | null, s: Stats) =>
    console.log(
      `| ${name} | ${secs(ms)} s | ${secs(min)} s | ${(ms / min).toFixed(2)} | ${base === null ? "—" : `${(ms / base).toFixed(2)}`} | ${s.deliveries} / ${s.recipients} | ${s.statuses["429"] ?? 0} |`,
    );
  console.log(
    `\n${N} recipients, ${db.kind}; pace ${PACE_FRACTION * 100} % of LINE's limits; 64 requests in flight (push)`,
  );
  console.log(
    `load average (1 min) during the run: min ${Math.min(...load).toFixed(2)}, max ${Math.max(...load).toFixed(2)}`,
  );
  console.log(
    "| run | time | theoretical minimum | × minimum | × baseline | deliveries / distinct recipients | 429s |",
  );
  console.log("|---|---|---|---|---|---|---|");
  row("push, raw client loop (baseline)", basePushMs, minPush, null, stats.basePush);
  row("push, the app's sender", push.sendMs, minPush, basePushMs, stats.push);
  row("multicast, raw client loop (baseline)", baseMultiMs, minMulti, null, stats.baseMulti);
  row("multicast, the app's sender", multi.sendMs, minMulti, baseMultiMs, stats.multi);
  console.log(
    `producer pass: push ${push.produced} rows in ${secs(push.produceMs)} s; multicast ${multi.produced} rows in ${secs(multi.produceMs)} s`,
  );
  console.log(`app requests: push ${push.requests}, multicast ${multi.requests}`);
  console.log(
    `rows: push ${JSON.stringify(push.states.map((s) => [s.state, s._count._all]))}, multicast ${JSON.stringify(multi.states.map((s) => [s.state, s._count._all]))}`,
  );
  const ok =
    stats.push.deliveries === N &&
    stats.push.recipients === N &&
    stats.multi.deliveries === N &&
    stats.multi.recipients === N;
  console.log(
    ok ? "check: every recipient delivered exactly once on both channels" : "CHECK FAILED: deliveries ≠ recipients",
  );
  await prisma.$disconnect();
  child.disconnect();
  await db.close();
  if (!ok) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
