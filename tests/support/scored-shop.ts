// A local Shopify with one generated shop installed into the built app, backfilled and scored: what the admin's
// pages are tested on (tests/e2e/admin-*.test.ts).
import path from "node:path";
import { expect, inject } from "vitest";
import { backfillJob } from "../../app/jobs/backfill.server";
import { testQueue } from "./queue";
import { recomputeShop } from "../../app/services/recompute.server";
import { writeShopFile } from "../../simulator/generator/index";
import { adminHostParam } from "../../simulator/app-bridge/session-token";
import { openApp, startLocalShopifyAndApp } from "./local-shopify";

export async function startScoredShop(
  shop: string,
  { seed, customers, asOf }: { seed: number; customers: number; asOf: Date },
) {
  const env = await startLocalShopifyAndApp();
  const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
  await writeShopFile({ preset: "demo", seed, customers, shopDomain: shop, endDate: asOf.toISOString() }, file, {
    truthFile: false,
  });
  await env.shopify.admin.shops.loadShopFile(file);
  env.shopify.install(shop);
  expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  const clientFor = env.clientFor;
  const queue = testQueue();
  const worker = queue.work({ backfill: backfillJob({ queue, clientFor }) }, { pollMs: 20 });
  await worker.idle();
  await worker.stop();
  await recomputeShop(shop, { asOf, reason: "backfill" });
  /** An embedded admin URL of the app, as Shopify admin opens it. */
  const url = (pathname: string, params: Record<string, string> = {}) =>
    `${env.app.url}${pathname}?${new URLSearchParams({ embedded: "1", shop, host: adminHostParam(shop), ...params })}`;
  return { env, url };
}
