// Product affinity for a shop (docs/affinity.md): two streaming passes over the ledger's baskets — the first counts
// the associations, the second scores every customer's recommendations from them — then the run, its associations
// and the recommendations stored, and a sync queued when recommendations changed so the metafield follows. The
// `affinity` job (daily, after backfill, after an exclusion changed, "recompute now") calls computeAffinity.
import {
  AffinityCounter,
  checkAffinitySettings,
  dayNumberAt,
  DEFAULT_AFFINITY_SETTINGS,
  Recommender,
  type AffinityOrder,
  type AffinitySettings,
  type AffinityTotals,
} from "../domain/affinity";
import { isValidTimeZone } from "../domain/time";
import { enqueueAffinity, enqueueSync, type AffinityReason } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import {
  addExclusion,
  excludedProducts,
  forEachCustomerBaskets,
  getShopAffinity,
  productSeen,
  recommendableProducts,
  removeExclusion,
  saveAffinityRun,
  type AffinityStatus,
  type BasketOrder,
} from "../models/affinity.server";
import { replaceRecommendations } from "../models/recommendations.server";
import { getShop, isShopActive } from "../models/shop.server";

export interface AffinityRun {
  status: AffinityStatus;
  asOf: Date;
  totals: AffinityTotals;
  together: number;
  next: number;
  /** Customers with at least one recommendation. */
  recommended: number;
  /** Customers whose recommendations changed (the sync writes their metafield). */
  changed: number;
  settings: AffinitySettings;
  timings: { countMs: number; recommendMs: number; writeMs: number };
}

/** The shop's settings: those stored with its last run over the defaults (checked; defaults when unreadable). */
export async function affinitySettings(shop: string): Promise<AffinitySettings> {
  const last = await getShopAffinity(shop);
  const merged = { ...DEFAULT_AFFINITY_SETTINGS, ...(last?.settings ?? {}) } as AffinitySettings;
  try {
    return checkAffinitySettings(merged);
  } catch {
    return { ...DEFAULT_AFFINITY_SETTINGS };
  }
}

async function shopZone(shop: string): Promise<string | undefined> {
  const zone = (await getShop(shop))?.timezone ?? undefined;
  return zone && isValidTimeZone(zone) ? zone : undefined;
}

const asAffinityOrders = (orders: BasketOrder[], zone: string | undefined): AffinityOrder[] =>
  orders.map((o) => ({ day: dayNumberAt(o.time, zone), lines: o.lines }));

/**
 * Computes the shop's associations and recommendations as of `asOf` and stores them. Pass `settings` to override the
 * stored ones (the benchmark, tests); they are stored with the run. With a queue, a sync is queued when any
 * customer's recommendations changed.
 */
export async function computeAffinity(
  shop: string,
  {
    asOf,
    now = new Date(),
    queue,
    settings: given,
  }: { asOf: Date; now?: Date; queue?: JobQueue; settings?: AffinitySettings },
): Promise<AffinityRun> {
  const settings = checkAffinitySettings(given ?? (await affinitySettings(shop)));
  const zone = await shopZone(shop);
  const excluded = await excludedProducts(shop);
  try {
    const t0 = performance.now();
    const counter = new AffinityCounter(settings, excluded);
    await forEachCustomerBaskets(shop, asOf, (_, orders) => counter.addCustomer(asAffinityOrders(orders, zone)));
    const rules = counter.rules();
    const t1 = performance.now();
    const status: AffinityStatus = rules.together.length + rules.next.length > 0 ? "done" : "too_small";

    const rows: { customerId: string; products: string[] }[] = [];
    if (status === "done") {
      const recommender = new Recommender(rules, {
        settings,
        asOfDay: dayNumberAt(asOf.getTime(), zone),
        recommendable: await recommendableProducts(shop),
        excluded,
      });
      await forEachCustomerBaskets(shop, asOf, (customerId, orders) => {
        const products = recommender.forCustomer(asAffinityOrders(orders, zone)).map((r) => r.productId);
        if (products.length > 0) rows.push({ customerId, products });
      });
    }
    const t2 = performance.now();
    // A shop with too little for any rule keeps no rules and no recommendations: it says so (status too_small).
    await saveAffinityRun(
      shop,
      {
        asOf,
        status,
        orders: rules.totals.orders,
        lines: rules.totals.lines,
        rules: rules.together.length + rules.next.length,
        settings: { ...settings },
        computedAt: now,
      },
      rules,
    );
    const changed = await replaceRecommendations(shop, rows, now);
    if (queue && changed.size > 0) await enqueueSync(queue, shop, "recompute");
    const t3 = performance.now();
    return {
      status,
      asOf,
      totals: rules.totals,
      together: rules.together.length,
      next: rules.next.length,
      recommended: rows.length,
      changed: changed.size,
      settings,
      timings: { countMs: t1 - t0, recommendMs: t2 - t1, writeMs: t3 - t2 },
    };
  } catch (error) {
    // The last good associations and recommendations stay; the run says it failed.
    const last = await getShopAffinity(shop);
    await saveAffinityRun(
      shop,
      {
        asOf,
        status: "failed",
        orders: last?.orders ?? 0,
        lines: last?.lines ?? 0,
        rules: last?.rules ?? 0,
        settings: { ...settings },
        computedAt: now,
      },
      null,
    );
    throw error;
  }
}

/** The job's entry: a shop that stopped using the app keeps its last run until it reinstalls or is erased. */
export async function runAffinityJob(
  shop: string,
  { asOf, now, queue }: { asOf: Date; now: Date; queue?: JobQueue },
): Promise<AffinityRun | null> {
  if (!(await isShopActive(shop))) return null;
  return computeAffinity(shop, { asOf, now, queue });
}

/** Queues a run (the admin's "recompute now", an exclusion changed). */
export function requestAffinity(queue: JobQueue, shop: string, reason: AffinityReason) {
  return enqueueAffinity(queue, shop, reason);
}

export type ExclusionError = "unknown_product" | "invalid";

/**
 * Excludes a product the ledger has seen (gift wrap, shipping protection …) and queues a recompute. Bad input
 * changes nothing and says why.
 */
export async function excludeProduct(
  queue: JobQueue,
  shop: string,
  productId: unknown,
  at: Date,
): Promise<{ ok: true; added: boolean } | { ok: false; error: ExclusionError }> {
  if (typeof productId !== "string" || !/^gid:\/\/shopify\/Product\/\d+$/.test(productId))
    return { ok: false, error: "invalid" };
  if (!(await productSeen(shop, productId))) return { ok: false, error: "unknown_product" };
  const added = await addExclusion(shop, productId, at);
  if (added) await enqueueAffinity(queue, shop, "exclusions");
  return { ok: true, added };
}

/** Removes an exclusion and queues a recompute when there was one. */
export async function includeProduct(
  queue: JobQueue,
  shop: string,
  productId: unknown,
): Promise<{ ok: true; removed: boolean } | { ok: false; error: ExclusionError }> {
  if (typeof productId !== "string" || productId.length === 0 || productId.length > 200)
    return { ok: false, error: "invalid" };
  const removed = await removeExclusion(shop, productId);
  if (removed) await enqueueAffinity(queue, shop, "exclusions");
  return { ok: true, removed };
}
