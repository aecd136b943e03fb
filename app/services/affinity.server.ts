// Product affinity for a shop (docs/affinity.md): one streaming pass over the ledger's baskets counts the associations
// and keeps each customer's purchase history compactly, then every customer's recommendations are scored from the
// rules and those histories — then the run, its associations
// and the recommendations stored, and a sync queued when recommendations changed so the metafield follows. The
// `affinity` job (daily, after backfill, after an exclusion changed, "recompute now") calls computeAffinity.
import {
  AffinityCounter,
  checkAffinitySettings,
  CustomerHistories,
  dayNumberAt,
  DEFAULT_AFFINITY_SETTINGS,
  Recommender,
  RULES_PER_PRODUCT,
  type AffinityOrder,
  type AffinitySettings,
  type AffinityTotals,
  type AssociationRule,
} from "../domain/affinity";
import { isValidTimeZone } from "../domain/time";
import { enqueueAffinity, enqueueSync, type AffinityReason } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { getQueue } from "../jobs/runtime.server";
import {
  addExclusion,
  distinctProducts,
  excludedProducts,
  forEachCustomerBaskets,
  getShopAffinity,
  listExclusions,
  MAX_STORED_RULES,
  productSeen,
  productsSeen,
  productTitles,
  recommendableProducts,
  removeExclusion,
  saveAffinityRun,
  topAssociations,
  type AffinityStatus,
  type BasketOrder,
} from "../models/affinity.server";
import { recommendedCustomers, replaceRecommendations } from "../models/recommendations.server";
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
    onPhase,
  }: {
    asOf: Date;
    now?: Date;
    queue?: JobQueue;
    settings?: AffinitySettings;
    /** Called as each phase ends (the benchmark samples memory there). */
    onPhase?: (phase: "read" | "count" | "recommend" | "write") => void;
  },
): Promise<AffinityRun> {
  const settings = checkAffinitySettings(given ?? (await affinitySettings(shop)));
  const zone = await shopZone(shop);
  const excluded = await excludedProducts(shop);
  try {
    const t0 = performance.now();
    // One pass over the ledger: the counts, and each customer's history kept compactly for the recommendations.
    const counter = new AffinityCounter(settings, excluded, await distinctProducts(shop));
    const histories = new CustomerHistories(excluded);
    await forEachCustomerBaskets(shop, asOf, (customerId, orders) => {
      const mine = asAffinityOrders(orders, zone);
      histories.add(customerId, mine, counter.addCustomer(mine));
    });
    onPhase?.("read");
    // The rules kept: the strongest of each kind (stored) and each product's most confident usable ones (for the
    // recommendations), never all of them at once.
    const recommendable = await recommendableProducts(shop);
    const rules = counter.selectRules({
      top: MAX_STORED_RULES,
      perAntecedent: RULES_PER_PRODUCT,
      usable: (r) => r.lift > 1 && recommendable.has(r.consequent),
    });
    onPhase?.("count");
    const t1 = performance.now();
    const found = rules.found.together + rules.found.next;
    const status: AffinityStatus = found > 0 ? "done" : "too_small";

    const rows: { customerId: string; products: string[] }[] = [];
    if (status === "done") {
      const recommender = new Recommender(rules.forRecommendations, {
        settings,
        asOfDay: dayNumberAt(asOf.getTime(), zone),
        recommendable,
        excluded,
      });
      for (const [customerId, last, bought] of histories.entries()) {
        const products = recommender.forHistory(last, bought).map((r) => r.productId);
        if (products.length > 0) rows.push({ customerId, products });
      }
    }
    onPhase?.("recommend");
    const t2 = performance.now();
    // A shop with too little for any rule keeps no rules and no recommendations: it says so (status too_small).
    await saveAffinityRun(
      shop,
      {
        asOf,
        status,
        orders: rules.totals.orders,
        lines: rules.totals.lines,
        rules: found,
        settings: { ...settings },
        computedAt: now,
      },
      rules,
    );
    const changed = await replaceRecommendations(shop, rows, now);
    if (queue && changed.size > 0) await enqueueSync(queue, shop, "recompute");
    onPhase?.("write");
    const t3 = performance.now();
    return {
      status,
      asOf,
      totals: rules.totals,
      together: rules.found.together,
      next: rules.found.next,
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

// ---- The admin's products page (routes/app.products.tsx) -----------------------------------------------------

const TOP_RULES = 10;

export interface RuleView {
  antecedent: string;
  antecedentTitle: string;
  consequent: string;
  consequentTitle: string;
  count: number;
  support: number;
  confidence: number;
  lift: number;
}

/** What the products page shows: the last run, the strongest rules of each kind with titles, the exclusions. */
export async function productsOverview(shop: string) {
  const [run, together, next, exclusions, seen, recommended] = await Promise.all([
    getShopAffinity(shop),
    topAssociations(shop, "together", TOP_RULES * 2),
    topAssociations(shop, "next", TOP_RULES),
    listExclusions(shop),
    productsSeen(shop),
    recommendedCustomers(shop),
  ]);
  // "Together" rules come in pairs (A → B and B → A, same lift): the table shows each pair once, the stronger way.
  const pairs = new Set<string>();
  const togetherOnce = together.filter((r) => {
    const key = [r.antecedent, r.consequent].sort().join(" ");
    if (pairs.has(key)) return false;
    pairs.add(key);
    return true;
  });
  const ids = [
    ...togetherOnce.flatMap((r) => [r.antecedent, r.consequent]),
    ...next.flatMap((r) => [r.antecedent, r.consequent]),
    ...exclusions.map((e) => e.productId),
  ];
  const titles = await productTitles(shop, ids);
  const title = (id: string) => titles.get(id) ?? id;
  const view = (r: AssociationRule): RuleView => ({
    antecedent: r.antecedent,
    antecedentTitle: title(r.antecedent),
    consequent: r.consequent,
    consequentTitle: title(r.consequent),
    count: r.count,
    support: r.support,
    confidence: r.confidence,
    lift: r.lift,
  });
  const excluded = new Set(exclusions.map((e) => e.productId));
  return {
    run: run && {
      status: run.status,
      asOf: run.asOf.toISOString(),
      computedAt: run.computedAt.toISOString(),
      orders: run.orders,
      lines: run.lines,
      rules: run.rules,
      settings: run.settings,
    },
    recommended,
    together: togetherOnce.slice(0, TOP_RULES).map(view),
    next: next.map(view),
    exclusions: exclusions.map((e) => ({ productId: e.productId, title: title(e.productId) })),
    choices: seen.filter((p) => !excluded.has(p.id)).map((p) => ({ id: p.id, title: p.title })),
  };
}

export type ProductsActionResult =
  | { ok: true; done: "queued" | "excluded" | "included" }
  | { ok: false; field: "productId" | "intent"; error: ExclusionError | "choose" | "unknown_intent" };

/** The products page's form: "recompute now", add an exclusion, remove one. Bad input changes nothing. */
export async function productsAction(
  shop: string,
  form: FormData,
  { queue = getQueue(), now = new Date() }: { queue?: JobQueue; now?: Date } = {},
): Promise<ProductsActionResult> {
  const intent = form.get("intent");
  const productId = form.get("productId");
  if (intent === "recompute") {
    await enqueueAffinity(queue, shop, "manual");
    return { ok: true, done: "queued" };
  }
  if (intent === "exclude") {
    if (productId === null || productId === "") return { ok: false, field: "productId", error: "choose" };
    const result = await excludeProduct(queue, shop, productId, now);
    return result.ok ? { ok: true, done: "excluded" } : { ok: false, field: "productId", error: result.error };
  }
  if (intent === "include") {
    const result = await includeProduct(queue, shop, productId);
    return result.ok ? { ok: true, done: "included" } : { ok: false, field: "productId", error: result.error };
  }
  return { ok: false, field: "intent", error: "unknown_intent" };
}
