// Klaviyo's part of the 100k-recipient throughput bench (docs/BENCHMARKS.md, "Klaviyo throughput"):
// `npm run bench:klaviyo -- [--profiles 100000] [--events 100000]`.
//
// What it measures, against the local Klaviyo in its own process (every request validated against Klaviyo's vendored
// description, burst/steady limits enforced per account and operation in fixed windows):
// 1. Profiles: N profiles through the app's client as the Klaviyo pass sends them — bulk import jobs of 10,000
//    (ceil(N / 10,000) jobs), created then polled to `complete`, paced by the client within 10/s and 150/min.
// 2. Events: M events through the app's client as the pass sends them — Bulk Create Events requests of up to 1,000
//    events (unique_id each), one after the other, paced within 10/s and 150/min.
// Each against the theoretical minimum those documented limits allow for that many requests, and against a raw loop
// in the same run (plain fetch, same bodies and concurrency, no pacing: what the limits do to a client that ignores
// them — every 429 is counted, not retried). A separate account per arm, so one arm's windows do not slow the other.
// Not included: the app's database work of a pass (reading the ledger, the digests, recording rows) and the consent
// reads from Shopify — tests/integration/klaviyo.test.ts times a whole pass of 10,000 customers.
import { fork } from "node:child_process";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { KlaviyoProfileInput } from "../app/services/klaviyo-client.server";

// The client reads the app's environment when imported (the revision lives beside the connection code): placeholders
// for what a bench does not use, then the modules.
Object.assign(process.env, {
  SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY ?? "bench-key",
  SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET ?? "bench-secret",
  SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL ?? "http://127.0.0.1:1",
});
const {
  createKlaviyoClient,
  KLAVIYO_BULK_EVENTS_MAX,
  KLAVIYO_IMPORT_MAX_PROFILES,
  KLAVIYO_PACE_FRACTION,
  KLAVIYO_RATE_LIMITS,
} = await import("../app/services/klaviyo-client.server");
const { KLAVIYO_REVISION } = await import("../app/services/channels.server");
const { eventPayload, profileProperties } = await import("../app/domain/klaviyo");

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PROFILES = arg("profiles", 100_000);
const EVENTS = arg("events", 100_000);
const CONCURRENCY = 8;

/** Seconds the documented limits require for n requests sent as early as they allow (first at t = 0). */
export function theoreticalSeconds(n: number, limit: { burst: number; steady: number }): number {
  if (n <= 0) return 0;
  const minutes = Math.floor((n - 1) / limit.steady);
  const inLastMinute = (n - 1) % limit.steady;
  return minutes * 60 + Math.floor(inLastMinute / limit.burst);
}

const ACCOUNTS = ["PACED1", "RAWRAW"].map((id) => ({ id, privateKey: `pk_bench_${id.toLowerCase()}_0123456789ab` }));
const child = fork(path.join(here, "klaviyo-double-child.ts"), [JSON.stringify(ACCOUNTS)], {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const origin: string = await new Promise((resolve) =>
  child.on("message", (m: { ready?: string }) => m.ready && resolve(m.ready)),
);
let seq = 0;
const stats = (accountId: string) =>
  new Promise<{ profiles: number; events: number; statuses: Record<string, number> }>((resolve) => {
    const id = ++seq;
    const on = (m: { id?: number }) => {
      if (m.id === id) {
        child.off("message", on);
        resolve(m as never);
      }
    };
    child.on("message", on);
    child.send({ id, stats: accountId });
  });

const load: number[] = [];
const sampler = setInterval(() => load.push(loadavg()[0]), 1000);

function profiles(n: number): KlaviyoProfileInput[] {
  return Array.from({ length: n }, (_, i) => ({
    email: `bench${i}@example.com`,
    externalId: `gid://shopify/Customer/${1_000_000 + i}`,
    properties: profileProperties({
      tierKey: i % 3 ? "gold" : "silver",
      tierName: i % 3 ? "Gold" : "Silver",
      segmentKey: "loyal",
      segmentName: "Loyal",
      pointsAvailable: i % 1000,
      pointsPending: 0,
      clv12Minor: BigInt(i * 7),
      currency: "THB",
      openCodes: [{ code: `WB-${i}`, source: "campaign", expiresAt: new Date("2027-01-01T00:00:00Z") }],
    }),
  }));
}
const events = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({
    ...eventPayload({
      event: "campaign-offer",
      at: new Date("2026-12-06T00:00:00Z"),
      campaign: "Bench",
      code: `WB-${i}`,
      expiresAt: null,
      offer: "10%",
    }),
    profile: { email: `bench${i}@example.com`, externalId: `gid://shopify/Customer/${1_000_000 + i}` },
    uniqueId: `00000000-0000-4000-8000-${tag}${String(i).padStart(12 - tag.length, "0")}`,
  }));

async function pool<T>(items: T[], run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}

// ---- the app's client ----------------------------------------------------------------------------------------------
const paced = createKlaviyoClient({ origin, privateKey: ACCOUNTS[0].privateKey, timeoutMs: 120_000 });
const jobs = Math.ceil(PROFILES / KLAVIYO_IMPORT_MAX_PROFILES);
const all = profiles(PROFILES);
let t0 = performance.now();
const ids: string[] = [];
const outcomes: Record<string, number> = {};
for (let j = 0; j < jobs; j++) {
  const out = await paced.createImportJob(
    all.slice(j * KLAVIYO_IMPORT_MAX_PROFILES, (j + 1) * KLAVIYO_IMPORT_MAX_PROFILES),
  );
  outcomes[`create ${out.kind}`] = (outcomes[`create ${out.kind}`] ?? 0) + 1;
  if (out.kind === "ok") ids.push(out.value.id);
}
let polls = 0;
for (const id of ids) {
  for (;;) {
    polls++;
    const out = await paced.importJob(id);
    if (out.kind === "ok" && out.value.status === "complete") break;
    if (out.kind !== "ok") outcomes[`poll ${out.kind}`] = (outcomes[`poll ${out.kind}`] ?? 0) + 1;
  }
}
const profilesMs = performance.now() - t0;
const profileRequests = jobs + polls;

t0 = performance.now();
// As the pass sends them: one Bulk Create Events request of up to 1,000 events per step, one step after the other.
const pacedEvents = events(EVENTS, "1");
const eventRequests = Math.ceil(EVENTS / KLAVIYO_BULK_EVENTS_MAX);
for (let i = 0; i < EVENTS; i += KLAVIYO_BULK_EVENTS_MAX) {
  const out = await paced.createEvents(pacedEvents.slice(i, i + KLAVIYO_BULK_EVENTS_MAX));
  outcomes[`events ${out.kind}`] = (outcomes[`events ${out.kind}`] ?? 0) + 1;
}
const eventsMs = performance.now() - t0;

// ---- the raw loop: same requests, no pacing, 429s counted ------------------------------------------------------------
const headers = {
  authorization: `Klaviyo-API-Key ${ACCOUNTS[1].privateKey}`,
  revision: KLAVIYO_REVISION,
  accept: "application/vnd.api+json",
  "content-type": "application/vnd.api+json",
};
const raw: Record<string, number> = {};
t0 = performance.now();
const rawIds: string[] = [];
for (let j = 0; j < jobs; j++) {
  const res = await fetch(`${origin}/api/profile-bulk-import-jobs`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      data: {
        type: "profile-bulk-import-job",
        attributes: {
          profiles: {
            data: all.slice(j * KLAVIYO_IMPORT_MAX_PROFILES, (j + 1) * KLAVIYO_IMPORT_MAX_PROFILES).map((p) => ({
              type: "profile",
              attributes: { email: p.email, external_id: p.externalId, properties: p.properties },
            })),
          },
        },
      },
    }),
  });
  raw[`create ${res.status}`] = (raw[`create ${res.status}`] ?? 0) + 1;
  if (res.ok) rawIds.push(((await res.json()) as { data: { id: string } }).data.id);
  else await res.arrayBuffer();
}
let rawPolls = 0;
for (const id of rawIds) {
  for (;;) {
    rawPolls++;
    const res = await fetch(`${origin}/api/profile-bulk-import-jobs/${id}`, { headers });
    const body = res.ok ? ((await res.json()) as { data: { attributes: { status: string } } }) : null;
    if (!res.ok) await res.arrayBuffer().catch(() => null);
    raw[`poll ${res.status}`] = (raw[`poll ${res.status}`] ?? 0) + 1;
    if (body?.data.attributes.status === "complete") break;
    if (!res.ok && rawPolls > 1000) break;
  }
}
const rawProfilesMs = performance.now() - t0;
t0 = performance.now();
const rawEvents = events(EVENTS, "2");
const batches = Array.from({ length: eventRequests }, (_, k) =>
  rawEvents.slice(k * KLAVIYO_BULK_EVENTS_MAX, (k + 1) * KLAVIYO_BULK_EVENTS_MAX),
);
await pool(batches, async (list) => {
  const res = await fetch(`${origin}/api/event-bulk-create-jobs`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      data: {
        type: "event-bulk-create-job",
        attributes: {
          "events-bulk-create": {
            data: list.map((e) => ({
              type: "event-bulk-create",
              attributes: {
                profile: {
                  data: { type: "profile", attributes: { email: e.profile.email, external_id: e.profile.externalId } },
                },
                events: {
                  data: [
                    {
                      type: "event",
                      attributes: {
                        properties: e.properties,
                        time: e.time.toISOString(),
                        unique_id: e.uniqueId,
                        metric: { data: { type: "metric", attributes: { name: e.metric } } },
                      },
                    },
                  ],
                },
              },
            })),
          },
        },
      },
    }),
  });
  await res.arrayBuffer();
  raw[`events ${res.status}`] = (raw[`events ${res.status}`] ?? 0) + 1;
});
const rawEventsMs = performance.now() - t0;

clearInterval(sampler);
const [pacedStats, rawStats] = [await stats(ACCOUNTS[0].id), await stats(ACCOUNTS[1].id)];
child.kill();

const createMin = theoreticalSeconds(jobs, KLAVIYO_RATE_LIMITS.bulk_import_profiles);
const profileMin = theoreticalSeconds(profileRequests, KLAVIYO_RATE_LIMITS.bulk_import_profiles);
const eventsMin = theoreticalSeconds(eventRequests, KLAVIYO_RATE_LIMITS.bulk_create_events);
// The client paces at KLAVIYO_PACE_FRACTION of each limit (its margin for arrival jitter): the minimum at that pace.
const fraction = (l: { burst: number; steady: number }) => ({
  burst: Math.floor(l.burst * KLAVIYO_PACE_FRACTION),
  steady: Math.floor(l.steady * KLAVIYO_PACE_FRACTION),
});
const eventsPacedMin = theoreticalSeconds(eventRequests, fraction(KLAVIYO_RATE_LIMITS.bulk_create_events));
const s = (ms: number) => (ms / 1000).toFixed(2);
console.log(`Klaviyo throughput — ${PROFILES} profiles in ${jobs} import jobs, ${EVENTS} events`);
console.log(
  `load average during the run: mean ${(load.reduce((a, b) => a + b, 0) / Math.max(1, load.length)).toFixed(2)}, max ${Math.max(...load).toFixed(2)}`,
);
console.log(`\nprofiles (app client): ${s(profilesMs)} s for ${jobs} creates + ${polls} polls`);
console.log(
  `  theoretical minimum from the limits (10/s, 150/min): creates ${createMin} s; creates + polls ${profileMin} s; profiles in Klaviyo: ${pacedStats.profiles}`,
);
console.log(
  `  raw loop: ${s(rawProfilesMs)} s (ratio app/raw ${(profilesMs / rawProfilesMs).toFixed(2)}); profiles: ${rawStats.profiles}`,
);
console.log(
  `\nevents (app client, Bulk Create Events, ${eventRequests} requests of <= 1,000): ${s(eventsMs)} s, ${(EVENTS / (eventsMs / 1000)).toFixed(0)}/s`,
);
console.log(
  `  theoretical minimum (bulk: 10/s, 150/min): ${eventsMin} s for ${eventRequests} requests; one event per request (350/s, 3,500/min) would need ${theoreticalSeconds(EVENTS, KLAVIYO_RATE_LIMITS.create_event)} s; events in Klaviyo: ${pacedStats.events}`,
);
console.log(
  `  at the client's ${KLAVIYO_PACE_FRACTION * 100} % pace: minimum ${eventsPacedMin} s (measured/minimum ${(eventsMs / 1000 / Math.max(1, eventsPacedMin)).toFixed(2)})`,
);
console.log(
  `  raw loop: ${s(rawEventsMs)} s (ratio app/raw ${(eventsMs / rawEventsMs).toFixed(2)}); events recorded: ${rawStats.events}`,
);
console.log(`\napp client outcomes: ${JSON.stringify(outcomes)}`);
console.log(`raw loop statuses: ${JSON.stringify(raw)}`);
console.log(`local Klaviyo (app account): ${JSON.stringify(pacedStats.statuses)}`);
console.log(`local Klaviyo (raw account): ${JSON.stringify(rawStats.statuses)}`);
