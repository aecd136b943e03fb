// Sync back to the store (docs/rules.md#sync): for every customer, the difference between
// their current state and what the app last wrote — the app's tags (tagsAdd / tagsRemove) and its metafields (the
// tier pair, points, recommended products: metafieldsSet / metafieldsDelete) — sent as aliased mutations, up to 100 per request (1000 cost
// points, Shopify's single-query limit), paced by the client on the shop's bucket. Unchanged customers cost nothing.
//
// Before the app first writes a customer's tags it reads them (one `nodes` query per 250 customers): tags already
// under the app's prefixes are the merchant's and are never removed. Shopify's answers are recorded per request, so a
// killed sync resumes with only what is still missing; refusals (userErrors) are recorded per customer, retried on
// later syncs, and after MAX_FAILURES left alone until the merchant asks again (resetSyncFailures). Each run first
// brings the tiers' customer segments and discount codes in line (tier-segments.server.ts).
//
// Which customers a run looks at (docs/rules.md#sync, "Changed since last sync"): a sync after customer events
// (reason "customer": an order, a points movement) reads only the customers changed since the last sync
// (CustomerSyncDue rows, set by the database in the transaction of the change), so its cost follows what changed,
// not the shop's size; every other reason (a recompute, settings, the tier programme, products, predictions, the
// merchant) reads every state, since what it changed can touch any customer. Both clear the rows of what they found
// written or wrote, at the version they read.
import type { AdminClient } from "../shopify/client";
import { runBulkMutation, runBulkQuery } from "../shopify/bulk";
import {
  CUSTOMER_TAGS_QUERY,
  METAFIELDS_DELETE_MUTATION,
  METAFIELDS_SET_MUTATION,
  SYNC_CUSTOMER_TAGS_BULK_QUERY,
  SYNC_MUTATION_FIELDS_MAX,
  syncCustomersMutation,
  TAGS_ADD_MUTATION,
  TAGS_REMOVE_MUTATION,
  type SyncMutationShape,
} from "../shopify/documents";
import { streamBulkResult } from "../shopify/jsonl";
import { customerInsights, type TaggedInsight } from "../domain/insights";
import { insightFacts, predictionContext } from "../models/insights.server";
import {
  desiredTags,
  joinStorefrontDigest,
  METAFIELD_NAMESPACE,
  metafieldsDigest,
  POINTS_EXPIRY_WARNING_DAYS,
  POINTS_METAFIELD,
  pointsMetafield,
  RECOMMENDATIONS_METAFIELD,
  RECOMMENDATIONS_WRITTEN_MAX,
  recommendationsMetafield,
  splitRecommendationsDigest,
  withRecommendationsDigest,
  pointsStatus,
  type StatusReward,
  splitStorefrontDigest,
  STATUS_METAFIELD,
  tagChange,
  tagsAfter,
  TIER_METAFIELD,
  tierMetafields,
  underPrefixes,
  type SyncSettings,
  type TagChange,
  type TierMetafields,
} from "../domain/sync";
import { balancesAt, journalAppends, targetEntries, type PointsProgramme } from "../domain/points";
import { DAY_MS } from "../domain/time";
import { journalsOf, pointsLedgers } from "../models/points.server";
import { listRewards } from "../models/rewards.server";
import { recommendedProductsOf } from "../models/recommended-products.server";
import { pointsProgramme } from "./points.server";
import type { TierProgram } from "../domain/tiers";
import { perkLocale, programShopperPerks, type ShopperPerks } from "../domain/perks";
import { shopCurrency } from "../models/shop-currency.server";
import {
  clearSyncDue,
  createSyncRun,
  dropOrphanSyncRows,
  dueSyncCandidates,
  finishSyncRun,
  getSyncSettings,
  recordForeignTags,
  recordPendingTags,
  recordSyncOutcomes,
  syncCandidates,
  updateSyncRun,
  type SyncCandidate,
  type SyncDue,
  type SyncOutcome,
  type SyncRunTotals,
} from "../models/sync.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { isShopActive, shopLocale } from "../models/shop.server";
import type { SyncMode, SyncReason } from "../jobs/contracts";
import { syncTierDiscounts } from "./tier-discounts.server";
import { syncTierSegments } from "./tier-segments.server";
import { sendFlowTriggers } from "./flow-triggers.server";
import { firePointsExpiring } from "./points-flow.server";

export type { SyncReason };

/** After this many refused writes in a row a customer waits for the merchant's "retry failed" (or a manual sync). */
export const MAX_FAILURES = 5;
const PAGE = 500;
const TAG_READ_BATCH = 250; // `nodes` takes at most 250 ids
/** metafieldsSet's documented limit; metafieldsDelete calls are grouped the same way. A customer's metafields (the
 * tier pair, the points, the recommendations) go in one call: 12 customers with the tier pair, 8 with points too, 6
 * with recommendations as well. */
const METAFIELDS_PER_CALL = 25;
/** Above this many customers to write, a sync goes through bulk mutations (no rate-limit cost, minutes not hours). */
export const BULK_THRESHOLD = 2_000;
/** Variables per bulk mutation, kept under Shopify's 20 MiB (BULK_VARIABLES_MAX_BYTES) with room to spare. */
const BULK_VARIABLES_BUDGET = 16 * 1024 * 1024;

/**
 * A customer's metafield writes: per part, the values to set (changed), "delete" (the customer lost their tier, or
 * their journal), or null (unchanged); `want` is the digest of each part once written.
 */
interface MetafieldsChange {
  tier: TierMetafields | "delete" | null;
  points: string | "delete" | null;
  /** The recommendations metafield's value (a JSON array of product gids). */
  recommendations: string | "delete" | null;
  want: { tier: string | null; points: string | null; recommendations: string | null };
}

/** One customer's writes in this run. */
interface Work {
  customerId: string;
  before: { tags: string[]; metafields: string | null };
  foreign: string[];
  /** Tags sent to add earlier whose outcome was never recorded. */
  pending: string[];
  tags: TagChange;
  /** Metafields to set or delete, or null (nothing to do). */
  metafields: MetafieldsChange | null;
  /** Whether this customer is back after a metafieldsSet that failed for another customer of the same call. */
  retried: boolean;
  /** The version of the customer's "changed since last sync" row read with their state (null: none). */
  due: number | null;
}

/**
 * Which customers a run reads: every state of the shop, or only those changed since the last sync (CustomerSyncDue).
 */
export type SyncScope = "all" | "changed";

/** The scope a run takes: only a sync after customer events can rely on the changed customers alone. */
export function syncScopeFor(reason: SyncReason, mode: SyncMode = "sync"): SyncScope {
  return reason === "customer" && mode !== "cleanup" ? "changed" : "all";
}

export interface SyncResult extends Required<SyncRunTotals> {
  runId: string;
  status: "done" | "failed";
  error: string | null;
  /** What made the run fail, as thrown (the job decides from it: e.g. an access refusal parks the job). */
  failure?: unknown;
  /** Tiers whose segment or discount code Shopify refused (reasons on their TierSegment rows). */
  tierFailures: string[];
  /** Flow triggers sent for tier and segment moves, and refused (left to send again). */
  flowTriggers: { sent: number; refused: number };
}

/**
 * The `sync` job's work: a sync of the shop, none for a shop that left (null: no access token any more). A failed run
 * is returned as such; the job gives it back to the queue.
 */
export async function syncActiveShop(
  shop: string,
  {
    clientFor,
    ...options
  }: {
    clientFor(shop: string): Promise<AdminClient>;
    reason: SyncReason;
    mode?: SyncMode;
    signal?: AbortSignal;
    now?: () => Date;
  },
): Promise<SyncResult | null> {
  if (!(await isShopActive(shop))) return null;
  return syncShop(shop, { client: await clientFor(shop), ...options });
}

/**
 * Syncs one shop. `mode: "cleanup"` removes everything the app wrote (its tags, metafields, tier segments and
 * discounts), as before an uninstall or after turning the sync off; otherwise the shop's settings say what is written.
 */
export async function syncShop(
  shop: string,
  {
    client,
    reason,
    mode = "sync",
    signal,
    now = () => new Date(),
    fieldsPerRequest = SYNC_MUTATION_FIELDS_MAX,
    bulkThreshold = BULK_THRESHOLD,
    scope = syncScopeFor(reason, mode),
  }: {
    client: AdminClient;
    reason: SyncReason;
    mode?: SyncMode;
    signal?: AbortSignal;
    now?: () => Date;
    /** Mutations per request, at most SYNC_MUTATION_FIELDS_MAX (Shopify's single-query cost limit). */
    fieldsPerRequest?: number;
    /** Above this many customers to write, the run goes through bulk operations instead of paced requests. */
    bulkThreshold?: number;
    /** Every customer, or only those changed since the last sync; by default from the reason (syncScopeFor). */
    scope?: SyncScope;
  },
): Promise<SyncResult> {
  if (!(fieldsPerRequest >= 1 && fieldsPerRequest <= SYNC_MUTATION_FIELDS_MAX))
    throw new RangeError(`fieldsPerRequest must be 1–${SYNC_MUTATION_FIELDS_MAX}`);
  const stored = await getSyncSettings(shop);
  const settings: SyncSettings =
    mode === "cleanup"
      ? {
          ...stored,
          rfmPrefix: null,
          tierPrefix: null,
          insightPrefix: null,
          metafields: false,
          segments: false,
          codes: false,
        }
      : stored;
  const [{ program }, currency, locale] = await Promise.all([
    getActiveTierProgram(shop),
    shopCurrency(shop),
    shopLocale(shop),
  ]);
  const storefront: Storefront = {
    currency,
    settings,
    locale,
    perks: programShopperPerks(program, { ...settings, locale: perkLocale(locale) }, currency, perkLocale(locale)),
    points: settings.metafields ? pointsReader(shop, now().getTime()) : async () => new Map(),
    recommendations: settings.metafields ? recommendationsReader(shop) : async () => new Map(),
  };
  const run = await createSyncRun(shop, mode === "cleanup" ? "cleanup" : reason);
  const start = { ...client.stats };
  const totals: Required<SyncRunTotals> = {
    considered: 0,
    changed: 0,
    synced: 0,
    failed: 0,
    requests: 0,
    costPoints: 0,
    throttled: 0,
  };
  const spent = () => {
    totals.requests = client.stats.requests - start.requests;
    totals.costPoints = Math.round(client.stats.actualCost - start.actualCost);
    totals.throttled =
      client.stats.throttled - start.throttled + (client.stats.retriesByReason.http429 - start.retriesByReason.http429);
  };
  const prefixes = [settings.rfmPrefix, settings.tierPrefix, settings.insightPrefix ?? null].filter(
    (p): p is string => p !== null,
  );
  let error: string | null = null;
  let failure: unknown;
  let tierFailures: string[] = [];
  let flowTriggers = { sent: 0, refused: 0 };
  try {
    // Discounts no longer wanted go before their segments can; the rest follow the segments they are limited to.
    const perks = { client, program, settings: { ...settings, locale: perkLocale(locale) }, currency, now };
    const removed = await syncTierDiscounts(shop, { ...perks, step: "remove" });
    const segments = await syncTierSegments(shop, { client, program, settings });
    const discounts = await syncTierDiscounts(shop, { ...perks, step: "all" });
    tierFailures = [
      ...new Set([...segments.failed, ...removed.failed, ...discounts.failed].map((f) => f.split(":")[0])),
    ];
    if (mode !== "cleanup") flowTriggers = await sendFlowTriggers(shop, { client, program, now });
    // Customers gone from the ledger are found by a pass over the shop: not the work of a run for a few changes.
    if (scope === "all") await dropOrphanSyncRows(shop);
    const due = (c: SyncCandidate) =>
      reason === "manual" || mode === "cleanup" || (c.synced?.failures ?? 0) < MAX_FAILURES;
    // How many customers need a write (before reading anyone's tags, which can only take writes away).
    let count = 0;
    for await (const page of pages(shop, signal, settings, now, scope)) {
      const points = await storefront.points(page.map((c) => c.state.customerId));
      const recommended = await storefront.recommendations(page.map((c) => c.state.customerId));
      for (const c of page)
        if (due(c) && workFor(c, settings, program, storefront, points, undefined, recommended)) count++;
    }
    if (count > bulkThreshold) {
      await syncInBulk(shop, { client, settings, program, storefront, prefixes, due, totals, now, signal, scope });
    } else {
      let pending: Work[] = [];
      for await (const page of pages(shop, signal, settings, now, scope)) {
        totals.considered += page.length;
        const dueHere = page.filter(due);
        const foreign = await readForeignTags(shop, client, dueHere, settings, prefixes);
        const points = await storefront.points(dueHere.map((c) => c.state.customerId));
        const recommended = await storefront.recommendations(dueHere.map((c) => c.state.customerId));
        // Customers with nothing to write (or left alone after too many refusals) are no longer due.
        const settled: SyncDue[] = page.flatMap((c) => (c.due !== null && !due(c) ? [dueOf(c)] : []));
        for (const candidate of dueHere) {
          const id = candidate.state.customerId;
          const work = workFor(candidate, settings, program, storefront, points, foreign.get(id), recommended);
          if (!work) {
            if (candidate.due !== null) settled.push(dueOf(candidate));
            continue;
          }
          pending.push(work);
          totals.changed += 1;
        }
        await clearSyncDue(shop, settled);
        pending = await sendFull(client, shop, pending, totals, now, fieldsPerRequest, signal);
        spent();
        await updateSyncRun(shop, run.id, totals);
      }
      while (pending.length > 0) {
        signal?.throwIfAborted();
        pending = await send(client, shop, pending, totals, now, fieldsPerRequest);
      }
    }
  } catch (caught) {
    failure = caught;
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  }
  spent();
  await finishSyncRun(shop, run.id, { ...totals, error });
  if (error !== null && signal?.aborted) throw signal.reason;
  return { runId: run.id, status: error ? "failed" : "done", error, failure, tierFailures, flowTriggers, ...totals };
}

const dueOf = (c: SyncCandidate): SyncDue => ({ customerId: c.state.customerId, version: c.due! });

/** Every customer with a state (or, scope "changed", those changed since the last sync), a page at a time, in id order. */
async function* pages(
  shop: string,
  signal: AbortSignal | undefined,
  settings: SyncSettings,
  now: () => Date,
  scope: SyncScope,
): AsyncGenerator<SyncCandidate[]> {
  const read = scope === "changed" ? dueSyncCandidates : syncCandidates;
  let after: string | null = null;
  // Insight tags on: each page's customers carry their insights (app/domain/insights.ts) for desiredTags.
  const insights = settings.insightPrefix ? await insightReader(shop, now()) : null;
  for (;;) {
    signal?.throwIfAborted();
    const page = await read(shop, after, PAGE);
    if (page.length === 0) return;
    after = page[page.length - 1].state.customerId;
    if (insights) {
      const found = await insights(page.map((c) => c.state.customerId));
      for (const c of page) c.state.insights = found.get(c.state.customerId) ?? [];
    }
    yield page;
  }
}

/** The tagged insights of a page of customers, with the shop's predictions read once per run. */
async function insightReader(shop: string, asOf: Date) {
  const { threshold } = await predictionContext(shop);
  return async (customerIds: readonly string[]): Promise<Map<string, TaggedInsight[]>> => {
    const facts = await insightFacts(shop, customerIds, asOf);
    return new Map([...facts].map(([id, f]) => [id, customerInsights(f, threshold)]));
  };
}

/**
 * What the storefront metafields are written with: the shop's currency and language, every tier's perks, and the
 * points JSON of a page of customers (only those with a journal have one).
 */
interface Storefront {
  currency: string;
  settings: SyncSettings;
  locale: string | null;
  perks: Map<string, ShopperPerks>;
  points(customerIds: readonly string[]): Promise<Map<string, string>>;
  /** The recommendations metafield's value of a page of customers (only those with products to show have one). */
  recommendations(customerIds: readonly string[]): Promise<Map<string, string>>;
}

/**
 * The recommendations metafield's value of a page of customers: their stored lists reduced to products the shop
 * sells now (not deleted, ACTIVE), at most RECOMMENDATIONS_WRITTEN_MAX each.
 */
function recommendationsReader(shop: string) {
  return async (customerIds: readonly string[]): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    const shown = await recommendedProductsOf(shop, customerIds, RECOMMENDATIONS_WRITTEN_MAX);
    for (const [id, products] of shown) {
      const text = recommendationsMetafield(products.map((p) => p.id));
      if (text !== null) out.set(id, text);
    }
    return out;
  };
}

/**
 * The points metafield's text of a page of customers as of `asOf` (the sync's moment), read with one query of their
 * journals; the ledger of those holding points is read (one batch) only to tell which of them expire within the
 * warning window: the expiry entries the rules would write by then if the ledger does not change.
 */
function pointsReader(shop: string, asOf: number) {
  let programme: Promise<PointsProgramme | null> | undefined;
  let rewards: Promise<StatusReward[]> | undefined;
  return async (customerIds: readonly string[]): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    if (customerIds.length === 0) return out;
    const journals = await journalsOf(shop, customerIds);
    const holders = customerIds.filter((id) => journals.get(id)!.length > 0);
    if (holders.length === 0) return out;
    // A journal exists, so its programme (start and versions) was saved by the derive that wrote it.
    programme ??= pointsProgramme(shop);
    const rules = await programme;
    rewards ??= listRewards(shop, { activeOnly: true }).then((list) =>
      list.map((r) => ({ title: r.title, pointsPrice: r.pointsPrice })),
    );
    const active = await rewards;
    const withPoints = holders.filter((id) => {
      const b = balancesAt(journals.get(id)!, asOf);
      return b.available + b.pending > 0;
    });
    const ledgers =
      rules && withPoints.length > 0 ? await pointsLedgers(shop, withPoints, new Date(rules.startsAt)) : new Map();
    const horizon = asOf + POINTS_EXPIRY_WARNING_DAYS * DAY_MS;
    for (const id of holders) {
      const held = journals.get(id)!;
      const ledger = ledgers.get(id);
      const upcoming =
        rules && ledger
          ? journalAppends(
              held,
              targetEntries(ledger.orders, rules, horizon, {
                customerDeleted: ledger.customerDeleted,
                held,
                customer: ledger.customer,
              }),
            )
          : [];
      const text = pointsMetafield(pointsStatus(held, asOf, upcoming, POINTS_EXPIRY_WARNING_DAYS, active));
      if (text !== null) out.set(id, text);
    }
    return out;
  };
}

/** What a customer needs written, or null when Shopify already holds their current state. */
function workFor(
  { state, synced, due }: SyncCandidate,
  settings: SyncSettings,
  program: TierProgram,
  storefront: Storefront,
  points: ReadonlyMap<string, string>,
  readForeign: string[] | undefined,
  recommended: ReadonlyMap<string, string> = new Map(),
): Work | null {
  const before = { tags: synced?.tags ?? [], metafields: synced?.metafields ?? null };
  const foreign = synced?.foreignTags ?? readForeign ?? [];
  const pending = synced?.pendingTags ?? [];
  const tags = tagChange(desiredTags(state, settings), before.tags, foreign, pending);
  const metafields = metafieldsChange(
    before.metafields,
    settings.metafields ? tierMetafields(state, program, storefront.currency, storefront) : null,
    settings.metafields ? (points.get(state.customerId) ?? null) : null,
    settings.metafields ? (recommended.get(state.customerId) ?? null) : null,
  );
  if (tags.add.length === 0 && tags.remove.length === 0 && metafields === null) {
    return null;
  }
  return { customerId: state.customerId, before, foreign, pending, tags, metafields, retried: false, due };
}

/** Each part of the metafields whose text differs from what was last written; null: nothing. */
function metafieldsChange(
  written: string | null,
  tier: TierMetafields | null,
  points: string | null,
  recommendations: string | null = null,
): MetafieldsChange | null {
  const before = splitStorefrontDigest(written);
  const beforeRecommendations = splitRecommendationsDigest(written).recommendations;
  const want = { tier: metafieldsDigest(tier), points, recommendations };
  const change: MetafieldsChange = {
    tier: want.tier === before.tier ? null : tier === null ? "delete" : tier,
    points: want.points === before.points ? null : points === null ? "delete" : points,
    recommendations:
      want.recommendations === beforeRecommendations ? null : recommendations === null ? "delete" : recommendations,
    want,
  };
  return change.tier === null && change.points === null && change.recommendations === null ? null : change;
}

/** The metafieldsSet inputs of a customer's change (one call holds them all). */
function setInputs(w: Work) {
  const m = w.metafields;
  if (m === null) return [];
  return [
    ...(m.tier !== null && m.tier !== "delete" ? tierInputs(w.customerId, m.tier) : []),
    ...(m.points !== null && m.points !== "delete" ? [pointsInput(w.customerId, m.points)] : []),
    ...(m.recommendations !== null && m.recommendations !== "delete"
      ? [recommendationsInput(w.customerId, m.recommendations)]
      : []),
  ];
}

/** The metafieldsDelete identifiers of a customer's change. */
function deleteIdentifiers(w: Work) {
  const m = w.metafields;
  if (m === null) return [];
  return [
    ...(m.tier === "delete" ? tierIdentifiers(w.customerId) : []),
    ...(m.points === "delete"
      ? [{ ownerId: w.customerId, namespace: METAFIELD_NAMESPACE, key: POINTS_METAFIELD.key }]
      : []),
    ...(m.recommendations === "delete"
      ? [{ ownerId: w.customerId, namespace: METAFIELD_NAMESPACE, key: RECOMMENDATIONS_METAFIELD.key }]
      : []),
  ];
}

/** The digest recorded after a write: each part that went through as wanted, the others as before. */
function digestAfter(w: Work, setOk: boolean, deleteOk: boolean): string | null {
  const m = w.metafields;
  if (m === null) return w.before.metafields;
  const before = splitStorefrontDigest(w.before.metafields);
  const applied = (part: unknown) => (part === null ? false : part === "delete" ? deleteOk : setOk);
  return withRecommendationsDigest(
    joinStorefrontDigest({
      tier: applied(m.tier) ? m.want.tier : before.tier,
      points: applied(m.points) ? m.want.points : before.points,
    }),
    applied(m.recommendations)
      ? m.want.recommendations
      : splitRecommendationsDigest(w.before.metafields).recommendations,
  );
}

/** Customers in calls of at most METAFIELDS_PER_CALL metafields, in order, a customer's all in one call. */
function packCalls(work: readonly Work[], size: (w: Work) => number): Work[][] {
  const calls: Work[][] = [];
  let fill = 0;
  for (const w of work) {
    const n = size(w);
    if (n === 0) continue;
    if (calls.length === 0 || fill + n > METAFIELDS_PER_CALL) {
      calls.push([]);
      fill = 0;
    }
    calls[calls.length - 1].push(w);
    fill += n;
  }
  return calls;
}

/**
 * The current tags of customers the app is about to tag for the first time, reduced to those under the app's
 * prefixes: the merchant's, never to be removed. Customers Shopify does not know come back without an entry.
 */
async function readForeignTags(
  shop: string,
  client: AdminClient,
  due: readonly SyncCandidate[],
  settings: SyncSettings,
  prefixes: readonly string[],
) {
  const out = new Map<string, string[]>();
  const unread = due
    .filter((c) => c.synced?.foreignTags == null && desiredTags(c.state, settings).length > 0)
    .map((c) => c.state.customerId);
  for (let i = 0; i < unread.length; i += TAG_READ_BATCH) {
    const ids = unread.slice(i, i + TAG_READ_BATCH);
    const data = await client.request<{ nodes: ({ id: string; tags: string[] } | null)[] }>(CUSTOMER_TAGS_QUERY, {
      ids,
    });
    for (const node of data.nodes)
      if (node)
        out.set(
          node.id,
          node.tags.filter((t) => underPrefixes(t, prefixes)),
        );
  }
  await recordForeignTags(shop, out);
  return out;
}

/** Sends full requests while there is more work than one request takes; returns the rest (at most one request). */
async function sendFull(
  client: AdminClient,
  shop: string,
  work: Work[],
  totals: Required<SyncRunTotals>,
  now: () => Date,
  fieldsPerRequest: number,
  signal?: AbortSignal,
) {
  let rest = work;
  while (takeRequest(rest, fieldsPerRequest).length < rest.length) {
    signal?.throwIfAborted();
    rest = await send(client, shop, rest, totals, now, fieldsPerRequest);
  }
  return rest;
}

/**
 * The longest prefix of `work` that fits one request: tag changes one field each, metafields up to 25 a call (12
 * customers with the tier pair), a customer's in one call.
 */
function takeRequest(work: readonly Work[], fieldsPerRequest: number): Work[] {
  let adds = 0;
  let removes = 0;
  const sets = { calls: 0, fill: 0 };
  const deletes = { calls: 0, fill: 0 };
  const pack = (p: { calls: number; fill: number }, n: number) =>
    n === 0
      ? p
      : p.calls === 0 || p.fill + n > METAFIELDS_PER_CALL
        ? { calls: p.calls + 1, fill: n }
        : { calls: p.calls, fill: p.fill + n };
  let n = 0;
  for (const w of work) {
    const a = adds + (w.tags.add.length > 0 ? 1 : 0);
    const r = removes + (w.tags.remove.length > 0 ? 1 : 0);
    const s = pack(sets, setInputs(w).length);
    const d = pack(deletes, deleteIdentifiers(w).length);
    if (a + r + s.calls + d.calls > fieldsPerRequest) break;
    [adds, removes] = [a, r];
    Object.assign(sets, s);
    Object.assign(deletes, d);
    n++;
  }
  return work.slice(0, n);
}

type UserError = { field: string[] | null; message: string; code?: string | null; elementIndex?: number | null };

/**
 * Which metafieldsSet input a userError is about: its `field` path, ["metafields", "<index>", …]. `elementIndex` is
 * not that: it names the element of a list-type value at fault and is null otherwise.
 */
function inputIndex(e: UserError): number | null {
  const [root, index] = e.field ?? [];
  return root === "metafields" && index !== undefined && /^\d+$/.test(index) ? Number(index) : null;
}

/** Sends one request's worth of `work`, records the outcomes, and returns the work still to send. */
async function send(
  client: AdminClient,
  shop: string,
  work: Work[],
  totals: Required<SyncRunTotals>,
  now: () => Date,
  fieldsPerRequest: number,
): Promise<Work[]> {
  const batch = takeRequest(work, fieldsPerRequest);
  const rest = work.slice(batch.length);
  const variables: Record<string, unknown> = {};
  const adds = batch.filter((w) => w.tags.add.length > 0);
  const removes = batch.filter((w) => w.tags.remove.length > 0);
  adds.forEach((w, i) => Object.assign(variables, { [`addId${i}`]: w.customerId, [`addTags${i}`]: w.tags.add }));
  removes.forEach((w, i) =>
    Object.assign(variables, { [`removeId${i}`]: w.customerId, [`removeTags${i}`]: w.tags.remove }),
  );
  const setCalls = packCalls(batch, (w) => setInputs(w).length);
  setCalls.forEach((calls, i) => {
    variables[`set${i}`] = calls.flatMap(setInputs);
  });
  const deleteCalls = packCalls(batch, (w) => deleteIdentifiers(w).length);
  deleteCalls.forEach((calls, i) => {
    variables[`delete${i}`] = calls.flatMap(deleteIdentifiers);
  });
  const shape: SyncMutationShape = {
    tagsAdd: adds.length,
    tagsRemove: removes.length,
    metafieldsSet: setCalls.length,
    metafieldsDelete: deleteCalls.length,
  };
  await markPending(shop, adds);
  const data = await client.request<Record<string, { userErrors: UserError[] }>>(
    syncCustomersMutation(shape),
    variables,
  );

  // Per customer: which parts went through.
  const failures = new Map<string, { code: string; message: string }>();
  const fail = (id: string, code: string, message: string) => {
    if (!failures.has(id)) failures.set(id, { code, message });
  };
  const addOk = new Set<string>();
  const removeOk = new Set<string>();
  const setOk = new Set<string>();
  const deleteOk = new Set<string>();
  const again: Work[] = [];
  // One alias per customer for tag writes: its userErrors say whether that customer's tags went through.
  const tagOutcomes = (list: Work[], alias: string, mutation: string, ok: Set<string>) =>
    list.forEach((w, i) => {
      const errors = data[`${alias}${i}`]?.userErrors ?? [];
      if (errors.length === 0) ok.add(w.customerId);
      else fail(w.customerId, codeOf(mutation, errors[0]), errors[0].message);
    });
  tagOutcomes(adds, "add", "tagsAdd", addOk);
  tagOutcomes(removes, "remove", "tagsRemove", removeOk);
  setCalls.forEach((calls, i) => {
    const errors = data[`set${i}`]?.userErrors ?? [];
    if (errors.length === 0) return calls.forEach((w) => setOk.add(w.customerId));
    // metafieldsSet is atomic: one refused element and nothing in the call was written. The customers the errors
    // name fail; the others go again once, in a call of their own.
    const owners = calls.flatMap((w) => setInputs(w).map(() => w));
    const named = new Set<string>();
    for (const e of errors) {
      const input = inputIndex(e);
      const owner = input === null ? undefined : owners[input];
      if (owner) {
        named.add(owner.customerId);
        fail(owner.customerId, codeOf("metafieldsSet", e), e.message);
      }
    }
    for (const w of calls) {
      if (named.has(w.customerId)) continue;
      if (named.size > 0 && !w.retried)
        again.push({
          ...w,
          tags: { add: [], remove: [] },
          // Its deletes (in their own call) are recorded with this request's outcome: only the sets go again.
          metafields: {
            ...w.metafields!,
            tier: w.metafields!.tier === "delete" ? null : w.metafields!.tier,
            points: w.metafields!.points === "delete" ? null : w.metafields!.points,
            recommendations: w.metafields!.recommendations === "delete" ? null : w.metafields!.recommendations,
          },
          retried: true,
        });
      else fail(w.customerId, codeOf("metafieldsSet", errors[0]), errors[0].message);
    }
  });
  deleteCalls.forEach((calls, i) => {
    const errors = data[`delete${i}`]?.userErrors ?? [];
    if (errors.length === 0) calls.forEach((w) => deleteOk.add(w.customerId));
    else calls.forEach((w) => fail(w.customerId, codeOf("metafieldsDelete", errors[0]), errors[0].message));
  });

  const outcomes: SyncOutcome[] = batch.map((w) => {
    const applied: TagChange = {
      add: addOk.has(w.customerId) ? w.tags.add : [],
      remove: removeOk.has(w.customerId) ? w.tags.remove : [],
    };
    const metafields = digestAfter(w, setOk.has(w.customerId), deleteOk.has(w.customerId));
    const retrying = again.some((a) => a.customerId === w.customerId);
    return {
      customerId: w.customerId,
      tags: tagsAfter(w.before.tags, applied),
      foreignTags: w.foreign,
      metafields,
      failure: retrying ? null : (failures.get(w.customerId) ?? null),
      // Sent again in this run: still due until that write is recorded.
      due: retrying ? null : w.due,
    };
  });
  await recordSyncOutcomes(shop, outcomes, now());
  await firePointsExpiring(
    shop,
    client,
    batch.map((w, i) => ({ customerId: w.customerId, before: w.before.metafields, after: outcomes[i].metafields })),
  );
  // A customer sent again keeps the tags this request wrote.
  const written = new Map(outcomes.map((o) => [o.customerId, o]));
  for (const a of again) {
    const o = written.get(a.customerId)!;
    a.before = { tags: o.tags, metafields: o.metafields };
  }
  for (const o of outcomes) {
    if (again.some((a) => a.customerId === o.customerId)) continue;
    if (o.failure) totals.failed += 1;
    else totals.synced += 1;
  }
  return [...again, ...rest];
}

function codeOf(mutation: string, error: UserError): string {
  return error.code
    ? `${mutation}.${error.code}`
    : `${mutation}.${(error.field ?? []).filter((f) => !/^\d+$/.test(f)).join(".") || "error"}`;
}

// ---- Bulk path ---------------------------------------------------------------------------------------------------

/** Per customer, which of their writes Shopify applied in a bulk run. */
interface Applied {
  /** A result line of the customer's tagsAdd was read: its outcome is known. */
  addKnown: boolean;
  add: boolean;
  remove: boolean;
  metafieldsSet: boolean;
  metafieldsDelete: boolean;
  failure: { code: string; message: string } | null;
}

/**
 * A large sync: every customer's writes as one bulk mutation per kind (tagsAdd, tagsRemove, metafieldsSet,
 * metafieldsDelete; one JSONL line per customer), which costs no rate-limit points. Tags still unknown are read
 * with one bulk query. Outcomes are recorded as each operation's result is read; an operation that failed leaves
 * its unfinished customers pending, and the run fails so the job runs again for them.
 */
async function syncInBulk(
  shop: string,
  ctx: {
    client: AdminClient;
    settings: SyncSettings;
    program: TierProgram;
    storefront: Storefront;
    prefixes: readonly string[];
    due: (c: SyncCandidate) => boolean;
    totals: Required<SyncRunTotals>;
    now: () => Date;
    signal?: AbortSignal;
    scope: SyncScope;
  },
) {
  const { client, settings, program, storefront, prefixes, totals, now, signal } = ctx;
  const candidates: SyncCandidate[] = [];
  const points = new Map<string, string>();
  const recommended = new Map<string, string>();
  for await (const page of pages(shop, signal, settings, now, ctx.scope)) {
    totals.considered += page.length;
    const due = page.filter(ctx.due);
    const pagePoints = await storefront.points(due.map((c) => c.state.customerId));
    const pageRecommended = await storefront.recommendations(due.map((c) => c.state.customerId));
    const settled: SyncDue[] = page.flatMap((c) => (c.due !== null && !ctx.due(c) ? [dueOf(c)] : []));
    for (const c of due)
      if (workFor(c, settings, program, storefront, pagePoints, undefined, pageRecommended)) {
        candidates.push(c);
        const text = pagePoints.get(c.state.customerId);
        if (text !== undefined) points.set(c.state.customerId, text);
        const products = pageRecommended.get(c.state.customerId);
        if (products !== undefined) recommended.set(c.state.customerId, products);
      } else if (c.due !== null) settled.push(dueOf(c));
    await clearSyncDue(shop, settled);
  }
  const unknown = candidates.filter((c) => c.synced?.foreignTags == null && desiredTags(c.state, settings).length > 0);
  // Tags still unknown: one bulk query (no rate-limit cost) rather than `nodes` calls 250 at a time.
  const foreign =
    unknown.length > 0
      ? await readAllTagsInBulk(client, new Set(unknown.map((c) => c.state.customerId)), prefixes, signal)
      : new Map<string, string[]>();
  await recordForeignTags(shop, foreign);
  const work = candidates.flatMap(
    (c) => workFor(c, settings, program, storefront, points, foreign.get(c.state.customerId), recommended) ?? [],
  );
  totals.changed += work.length;

  const applied = new Map<string, Applied>(
    work.map((w) => [
      w.customerId,
      { addKnown: false, add: false, remove: false, metafieldsSet: false, metafieldsDelete: false, failure: null },
    ]),
  );
  const failures: string[] = [];
  const kinds: {
    mutation: string;
    field: string;
    part: "add" | "remove" | "metafieldsSet" | "metafieldsDelete";
    items: Work[];
    variables: (w: Work) => Record<string, unknown>;
  }[] = [
    {
      mutation: TAGS_ADD_MUTATION,
      field: "tagsAdd",
      part: "add",
      items: work.filter((w) => w.tags.add.length > 0),
      variables: (w) => ({ id: w.customerId, tags: w.tags.add }),
    },
    {
      mutation: TAGS_REMOVE_MUTATION,
      field: "tagsRemove",
      part: "remove",
      items: work.filter((w) => w.tags.remove.length > 0),
      variables: (w) => ({ id: w.customerId, tags: w.tags.remove }),
    },
    {
      mutation: METAFIELDS_SET_MUTATION,
      field: "metafieldsSet",
      part: "metafieldsSet",
      items: work.filter((w) => setInputs(w).length > 0),
      variables: (w) => ({ metafields: setInputs(w) }),
    },
    {
      mutation: METAFIELDS_DELETE_MUTATION,
      field: "metafieldsDelete",
      part: "metafieldsDelete",
      items: work.filter((w) => deleteIdentifiers(w).length > 0),
      variables: (w) => ({ metafields: deleteIdentifiers(w) }),
    },
  ];
  await markPending(shop, work);
  for (const kind of kinds) {
    // Shopify takes at most 20 MiB of variables per bulk mutation: larger runs go as several operations.
    for (const items of bySize(kind.items, kind.variables, BULK_VARIABLES_BUDGET)) {
      signal?.throwIfAborted();
      const { operation, results } = await runBulkMutation(client, kind.mutation, items.map(kind.variables), {
        signal,
      });
      for await (const { value } of results) {
        const line = value as {
          data?: Record<string, { userErrors?: UserError[] } | null>;
          errors?: { message: string }[];
          __lineNumber?: number;
        };
        const w = items[line.__lineNumber ?? -1];
        if (!w) continue;
        const state = applied.get(w.customerId)!;
        if (kind.part === "add") state.addKnown = true;
        const userErrors = line.data?.[kind.field]?.userErrors ?? [];
        if (line.errors?.length) state.failure ??= { code: `${kind.field}.error`, message: line.errors[0].message };
        else if (userErrors.length)
          state.failure ??= { code: codeOf(kind.field, userErrors[0]), message: userErrors[0].message };
        else state[kind.part] = true;
      }
      if (operation.status !== "COMPLETED") {
        failures.push(
          `${kind.field} bulk operation ${operation.status.toLowerCase()}${operation.errorCode ? ` (${operation.errorCode})` : ""}`,
        );
      }
    }
  }

  const outcomes: SyncOutcome[] = work.map((w) => {
    const a = applied.get(w.customerId)!;
    const change: TagChange = { add: a.add ? w.tags.add : [], remove: a.remove ? w.tags.remove : [] };
    const metafields = digestAfter(w, a.metafieldsSet, a.metafieldsDelete);
    // An add whose line never came back (the operation failed or was cancelled part way) may still have been applied.
    const pendingTags = w.tags.add.length > 0 && !a.addKnown ? [...new Set([...w.pending, ...w.tags.add])] : null;
    return {
      customerId: w.customerId,
      tags: tagsAfter(w.before.tags, change),
      foreignTags: w.foreign,
      pendingTags,
      metafields,
      failure: a.failure,
      // An add whose outcome is unknown leaves the customer due: the next run looks at them again.
      due: pendingTags === null ? w.due : null,
    };
  });
  for (let i = 0; i < outcomes.length; i += PAGE) await recordSyncOutcomes(shop, outcomes.slice(i, i + PAGE), now());
  await firePointsExpiring(
    shop,
    client,
    work.map((w, i) => ({ customerId: w.customerId, before: w.before.metafields, after: outcomes[i].metafields })),
  );
  for (const o of outcomes) {
    if (o.failure) totals.failed += 1;
    else totals.synced += 1;
  }
  if (failures.length) throw new Error(failures.join("; "));
}

/** Items in runs whose JSONL variables stay under `budget` bytes. */
function bySize<T>(items: readonly T[], variables: (item: T) => unknown, budget: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(variables(item))) + 1;
    if (current.length > 0 && bytes + size > budget) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Every customer's tags in one bulk query, reduced to those `wanted` and to the tags under the app's prefixes. */
async function readAllTagsInBulk(
  client: AdminClient,
  wanted: ReadonlySet<string>,
  prefixes: readonly string[],
  signal?: AbortSignal,
) {
  const out = new Map<string, string[]>();
  const operation = await runBulkQuery(client, SYNC_CUSTOMER_TAGS_BULK_QUERY, { signal });
  if (operation.status !== "COMPLETED") {
    throw new Error(
      `reading customer tags: bulk operation ${operation.status.toLowerCase()}${operation.errorCode ? ` (${operation.errorCode})` : ""}`,
    );
  }
  if (!operation.url) return out;
  for await (const { value } of streamBulkResult(operation.url, globalThis.fetch, { signal })) {
    const node = value as { id?: string; tags?: string[] };
    if (node.id && node.tags && wanted.has(node.id))
      out.set(
        node.id,
        node.tags.filter((t) => underPrefixes(t, prefixes)),
      );
  }
  return out;
}

function tierInputs(ownerId: string, values: TierMetafields) {
  return [
    { ownerId, namespace: METAFIELD_NAMESPACE, key: TIER_METAFIELD.key, type: TIER_METAFIELD.type, value: values.tier },
    {
      ownerId,
      namespace: METAFIELD_NAMESPACE,
      key: STATUS_METAFIELD.key,
      type: STATUS_METAFIELD.type,
      value: values.status,
    },
  ];
}

function pointsInput(ownerId: string, value: string) {
  return { ownerId, namespace: METAFIELD_NAMESPACE, key: POINTS_METAFIELD.key, type: POINTS_METAFIELD.type, value };
}

function recommendationsInput(ownerId: string, value: string) {
  return {
    ownerId,
    namespace: METAFIELD_NAMESPACE,
    key: RECOMMENDATIONS_METAFIELD.key,
    type: RECOMMENDATIONS_METAFIELD.type,
    value,
  };
}

function tierIdentifiers(ownerId: string) {
  return [
    { ownerId, namespace: METAFIELD_NAMESPACE, key: TIER_METAFIELD.key },
    { ownerId, namespace: METAFIELD_NAMESPACE, key: STATUS_METAFIELD.key },
  ];
}

/** Marks the tags `work` is about to add as pending (recordPendingTags) before the request goes out. */
async function markPending(shop: string, work: readonly Work[]) {
  const pending = new Map<string, string[]>();
  for (const w of work)
    if (w.tags.add.length > 0) pending.set(w.customerId, [...new Set([...w.pending, ...w.tags.add])]);
  await recordPendingTags(shop, pending);
}
