// Every job kind the app queues: its name, its payload and the helper that enqueues it (coalescing key, delay,
// attempts). Services, webhooks and the CLI enqueue through these; the handlers (handlers.server.ts) run them. No I/O
// here: the queue is passed in (jobs/runtime.server.ts has the process's one, app/jobs/queue.ts its contract).
import { nextMidnightUtc } from "../domain/time";
import type { JobQueue } from "./queue";

type Clock = { now?: () => Date };
const at = (delayMs: number, now: () => Date = () => new Date()) => new Date(now().getTime() + delayMs);

// ---- backfill: the full-history import (services/backfill.server.ts) ------------------------------------------

export const BACKFILL = "backfill";
export interface BackfillPayload {
  runId: string;
}
/** Bulk operations fail for passing reasons (a URL expired, Shopify busy): retried long before the run gives up. */
export const BACKFILL_MAX_ATTEMPTS = 20;

export function enqueueBackfill(queue: JobQueue, shop: string, runId: string) {
  return queue.enqueue<BackfillPayload>(shop, BACKFILL, { runId }, { maxAttempts: BACKFILL_MAX_ATTEMPTS });
}

// ---- products-import: the shop's catalogue (services/products-import.server.ts; needs read_products) --------------

export const PRODUCTS_IMPORT = "products-import";
export const PRODUCTS_IMPORT_KEY = PRODUCTS_IMPORT;
export type ProductsImportPayload = Record<string, never>;

/** Reads the whole catalogue again (after each backfill): a no-op while one is queued. */
export function enqueueProductsImport(queue: JobQueue, shop: string) {
  return queue.enqueue<ProductsImportPayload>(shop, PRODUCTS_IMPORT, {}, { key: PRODUCTS_IMPORT_KEY });
}

// ---- reconcile: the ledger compared with Shopify's figures (services/reconcile.server.ts) -----------------------

export const RECONCILE = "reconcile";
export interface ReconcilePayload {
  mode?: "full";
}

export function enqueueReconcile(queue: JobQueue, shop: string) {
  return queue.enqueue<ReconcilePayload>(shop, RECONCILE, {});
}

// ---- recompute-shop: a full recompute (services/recompute.server.ts) ----------------------------------------------

export const RECOMPUTE_SHOP = "recompute-shop";
export type RecomputeReason = "order" | "daily" | "rules" | "backfill" | "manual";
export const RECOMPUTE_REASONS: readonly RecomputeReason[] = ["order", "daily", "rules", "backfill", "manual"];
export interface RecomputeShopPayload {
  /** ISO-8601; absent: the moment the job runs. */
  asOf?: string;
  reason: RecomputeReason;
}
/** Coalescing keys: one queued full recompute per shop for ledger triggers, one for rules, and one daily. */
export const RECOMPUTE_KEY = RECOMPUTE_SHOP;
export const RULES_RECOMPUTE_KEY = `${RECOMPUTE_SHOP}:rules`;
export const DAILY_RECOMPUTE_KEY = `${RECOMPUTE_SHOP}:daily`;

/** A full recompute of the shop: a no-op while one of the same key is queued. */
export function enqueueRecompute(queue: JobQueue, shop: string, reason: Exclude<RecomputeReason, "daily">) {
  return queue.enqueue<RecomputeShopPayload>(
    shop,
    RECOMPUTE_SHOP,
    { reason },
    { key: reason === "rules" ? RULES_RECOMPUTE_KEY : RECOMPUTE_KEY },
  );
}

/**
 * Segments move as time passes, so every shop is recomputed daily at 00:00 UTC. Idempotent: while the next daily
 * run is queued, scheduling again is a no-op (coalesced by key).
 */
export function scheduleDailyRecompute(queue: JobQueue, shop: string, { now = () => new Date() }: Clock = {}) {
  const runAt = new Date(nextMidnightUtc(now().getTime()));
  return queue.enqueue<RecomputeShopPayload>(
    shop,
    RECOMPUTE_SHOP,
    { reason: "daily" },
    { key: DAILY_RECOMPUTE_KEY, runAt },
  );
}

// ---- history: the last 52 weeks of segment and tier sizes reconstructed after backfill (services/history.server.ts) --

export const HISTORY = "history";
export const HISTORY_KEY = HISTORY;
export interface HistoryPayload {
  /** ISO-8601: the install's first computation, the end of the last week reconstructed. */
  anchor: string;
}

/** Reconstructs the shop's history up to `anchor` (after the backfill's recompute): a no-op while one is queued. */
export function enqueueHistory(queue: JobQueue, shop: string, anchor: Date) {
  return queue.enqueue<HistoryPayload>(shop, HISTORY, { anchor: anchor.toISOString() }, { key: HISTORY_KEY });
}

// ---- predictions: predicted CLV and churn risk refitted on the ledger (services/predictions.server.ts) ---------------

export const PREDICTIONS = "predictions";
export const PREDICTIONS_KEY = PREDICTIONS;
export type PredictionsReason = "daily" | "backfill" | "manual";
export const PREDICTIONS_REASONS: readonly PredictionsReason[] = ["daily", "backfill", "manual"];
export interface PredictionsPayload {
  reason: PredictionsReason;
  /** ISO-8601; absent: the moment the job runs. */
  asOf?: string;
}

/** Refits the shop's predictions (after the daily and the backfill recompute, or on request): one queued per shop. */
export function enqueuePredictions(queue: JobQueue, shop: string, reason: PredictionsReason, asOf?: Date) {
  return queue.enqueue<PredictionsPayload>(
    shop,
    PREDICTIONS,
    asOf === undefined ? { reason } : { reason, asOf: asOf.toISOString() },
    { key: PREDICTIONS_KEY },
  );
}

// ---- shopify-stats: Shopify's own RFM group and spend tier of every customer (services/shopify-stats.server.ts) ----

export const SHOPIFY_STATS = "shopify-stats";
export const SHOPIFY_STATS_KEY = SHOPIFY_STATS;
export type ShopifyStatsReason = "backfill" | "daily" | "manual";
export const SHOPIFY_STATS_REASONS: readonly ShopifyStatsReason[] = ["backfill", "daily", "manual"];
export interface ShopifyStatsPayload {
  reason: ShopifyStatsReason;
}

/** Reads every customer's Customer.statistics (after the backfill's recompute, daily): a no-op while one is queued. */
export function enqueueShopifyStats(queue: JobQueue, shop: string, reason: ShopifyStatsReason) {
  return queue.enqueue<ShopifyStatsPayload>(shop, SHOPIFY_STATS, { reason }, { key: SHOPIFY_STATS_KEY });
}

// ---- affinity: product associations and per-customer recommendations (services/affinity.server.ts) ------------------

export const AFFINITY = "affinity";
export const AFFINITY_KEY = AFFINITY;
export type AffinityReason = "daily" | "backfill" | "exclusions" | "manual";
export const AFFINITY_REASONS: readonly AffinityReason[] = ["daily", "backfill", "exclusions", "manual"];
export interface AffinityPayload {
  reason: AffinityReason;
  /** ISO-8601; absent: the moment the job runs. */
  asOf?: string;
}

/** Recomputes the shop's associations and recommendations: one queued per shop. */
export function enqueueAffinity(queue: JobQueue, shop: string, reason: AffinityReason, asOf?: Date) {
  return queue.enqueue<AffinityPayload>(
    shop,
    AFFINITY,
    asOf === undefined ? { reason } : { reason, asOf: asOf.toISOString() },
    { key: AFFINITY_KEY },
  );
}

// ---- customer-changed: one customer's state after a ledger write ---------------------------------------------------

export const CUSTOMER_CHANGED = "customer-changed";
export interface CustomerChangedPayload {
  customerId: string;
}

/** One job per customer the write touched, coalesced per customer (a burst of webhooks makes one job). */
export async function enqueueCustomersChanged(queue: JobQueue, shop: string, customerIds: Iterable<string>) {
  for (const customerId of customerIds) {
    await queue.enqueue<CustomerChangedPayload>(
      shop,
      CUSTOMER_CHANGED,
      { customerId },
      { key: `${CUSTOMER_CHANGED}:${customerId}` },
    );
  }
}

// ---- customer-refresh: re-read a customer whose same-second versions differ ---------------------------------------

/** Also written by the ledger's direct paths in their transaction (domain/ledger-types.ts names the same kind). */
export const CUSTOMER_REFRESH = "customer-refresh";
export interface CustomerRefreshPayload {
  customerId: string;
}

export async function enqueueCustomerRefresh(queue: JobQueue, shop: string, customerIds: Iterable<string>) {
  for (const customerId of customerIds) {
    await queue.enqueue<CustomerRefreshPayload>(
      shop,
      CUSTOMER_REFRESH,
      { customerId },
      { key: `${CUSTOMER_REFRESH}:${customerId}` },
    );
  }
}

// ---- product-refresh: re-read a product whose same-second versions differ (services/product-refresh.server.ts) ----

/** Queued by the products webhooks' ledger write in its transaction (models/ledger-write.ts, coalesced per product). */
export const PRODUCT_REFRESH = "product-refresh";
export interface ProductRefreshPayload {
  productId: string;
}

// ---- sync: the computed state written back to Shopify (services/sync.server.ts) ----------------------------------

export const SYNC = "sync";
export const SYNC_KEY = SYNC;
/** "products": a product customers are recommended was deleted or went on or off sale (its products/* webhook). */
export type SyncReason = "recompute" | "customer" | "manual" | "cleanup" | "settings" | "backfill" | "products";
export const SYNC_REASONS: readonly SyncReason[] = [
  "recompute",
  "customer",
  "manual",
  "cleanup",
  "settings",
  "backfill",
  "products",
];
export type SyncMode = "sync" | "cleanup";
export interface SyncPayload {
  reason: SyncReason;
  mode?: SyncMode;
}
/** How long a sync after a customer event waits, so that the events of the next moments join it. */
export const SYNC_COALESCE_MS = 2_000;
/**
 * A sync after customer events (reason "customer") reads only the customers changed since the last sync
 * (services/sync.server.ts, syncScopeFor); it is queued under its own key, so that a sync of every customer
 * (settings, a recompute…) asked while it waits is never coalesced into it and lost.
 */
export const SYNC_CHANGED_KEY = `${SYNC}:changed`;

/** Queues a sync of the shop (a no-op while one of the same key is already queued). */
export function enqueueSync(
  queue: JobQueue,
  shop: string,
  reason: SyncReason,
  { delayMs = 0, now }: { delayMs?: number } & Clock = {},
) {
  const key = reason === "customer" ? SYNC_CHANGED_KEY : SYNC_KEY;
  return queue.enqueue<SyncPayload>(shop, SYNC, { reason }, { key, runAt: at(delayMs, now) });
}

/** Queues the removal of everything the app wrote to the shop's customers (its own key: never merged into a sync). */
export function enqueueSyncCleanup(queue: JobQueue, shop: string) {
  return queue.enqueue<SyncPayload>(shop, SYNC, { reason: "cleanup", mode: "cleanup" }, { key: `${SYNC}:cleanup` });
}

// ---- campaigns: active campaigns find their new audience, offers delivered (services/campaigns.server.ts) --------

export const CAMPAIGNS = "campaigns";
export const CAMPAIGNS_KEY = CAMPAIGNS;
export interface CampaignsPayload {
  reason: "recompute" | "customer" | "manual";
}
/** After a customer's move, wait this long so that the moves of the next moments join one run. */
export const CAMPAIGNS_COALESCE_MS = 3_000;

/** Queues a campaigns run of the shop (a no-op while one is already queued). */
export function enqueueCampaigns(
  queue: JobQueue,
  shop: string,
  reason: CampaignsPayload["reason"],
  { delayMs = 0, now }: { delayMs?: number } & Clock = {},
) {
  return queue.enqueue<CampaignsPayload>(shop, CAMPAIGNS, { reason }, { key: CAMPAIGNS_KEY, runAt: at(delayMs, now) });
}

// ---- points: the points journal kept equal to the ledger, the rules and the moment (services/points.server.ts) -----

export const POINTS_CUSTOMER = "points-customer";
export interface PointsCustomerPayload {
  customerId: string;
}

/** After a ledger change of the customer (the customer-changed job): one job per customer, coalesced. */
export function enqueuePointsCustomer(queue: JobQueue, shop: string, customerId: string) {
  return queue.enqueue<PointsCustomerPayload>(
    shop,
    POINTS_CUSTOMER,
    { customerId },
    { key: `${POINTS_CUSTOMER}:${customerId}` },
  );
}

export const POINTS_SHOP = "points-shop";
export const POINTS_SHOP_KEY = POINTS_SHOP;
export type PointsShopReason = RecomputeReason | "start";
export const POINTS_SHOP_REASONS: readonly PointsShopReason[] = [...RECOMPUTE_REASONS, "start"];
export interface PointsShopPayload {
  reason: PointsShopReason;
}

/** The whole shop's journal (expiries as days pass, rule changes, after backfill): a no-op while one is queued. */
export function enqueuePointsShop(queue: JobQueue, shop: string, reason: PointsShopReason) {
  return queue.enqueue<PointsShopPayload>(shop, POINTS_SHOP, { reason }, { key: POINTS_SHOP_KEY });
}

// ---- redemptions: finishing what a crash or a lost answer left reserved (services/redemption.server.ts) -------------

export const REDEMPTIONS_RECOVER = "redemptions-recover";
export const REDEMPTIONS_RECOVER_KEY = REDEMPTIONS_RECOVER;
export type RedemptionsRecoverPayload = Record<string, never>;

/**
 * The recovery pass of the shop's reserved redemptions, after `delayMs` (queued before each create is sent, so a
 * crash after it finds one waiting): a no-op while one is queued.
 */
export function enqueueRedemptionsRecover(
  queue: JobQueue,
  shop: string,
  { delayMs = 0, now }: { delayMs?: number } & Clock = {},
) {
  return queue.enqueue<RedemptionsRecoverPayload>(
    shop,
    REDEMPTIONS_RECOVER,
    {},
    { key: REDEMPTIONS_RECOVER_KEY, runAt: at(delayMs, now) },
  );
}

// ---- points-birthdays: birth dates read from the customer metafield the merchant chose (jobs/birthdays.server.ts) --

export const POINTS_BIRTHDAYS = "points-birthdays";
export const POINTS_BIRTHDAYS_KEY = POINTS_BIRTHDAYS;
export type PointsBirthdaysReason = "rules" | "daily" | "manual";
export const POINTS_BIRTHDAYS_REASONS: readonly PointsBirthdaysReason[] = ["rules", "daily", "manual"];
export interface PointsBirthdaysPayload {
  reason: PointsBirthdaysReason;
}

/** Reads every customer's birth date metafield (the birthday bonus turned on, its metafield changed, daily). */
export function enqueueBirthdays(queue: JobQueue, shop: string, reason: PointsBirthdaysReason) {
  return queue.enqueue<PointsBirthdaysPayload>(shop, POINTS_BIRTHDAYS, { reason }, { key: POINTS_BIRTHDAYS_KEY });
}

// ---- referrals: the completion pass (services/referrals.server.ts; docs/referrals.md) ---------------------------

export const REFERRALS = "referrals";
export const REFERRALS_KEY = REFERRALS;
/** The pass queued for when the next waiting referral's return window ends (its own key: the daily one may be later). */
export const REFERRALS_DUE_KEY = `${REFERRALS}:due`;
export type ReferralsPayload = Record<string, never>;

/** Links orders to referrals, rewards past the return window, claws back (daily, and on demand): coalesced. */
export function enqueueReferrals(
  queue: JobQueue,
  shop: string,
  { delayMs = 0, now }: { delayMs?: number } & Clock = {},
) {
  return queue.enqueue<ReferralsPayload>(shop, REFERRALS, {}, { key: REFERRALS_KEY, runAt: at(delayMs, now) });
}

/** The pass at `runAt` (a referral's return window ends then): a no-op while one of this key is queued. */
export function enqueueReferralsDue(queue: JobQueue, shop: string, runAt: Date) {
  return queue.enqueue<ReferralsPayload>(shop, REFERRALS, {}, { key: REFERRALS_DUE_KEY, runAt });
}

// ---- klaviyo-sync: loyalty properties and events to the shop's Klaviyo (services/klaviyo-sync.server.ts) ------------

export const KLAVIYO_SYNC = "klaviyo-sync";
export const KLAVIYO_SYNC_KEY = KLAVIYO_SYNC;
/** The pass queued for a moment Klaviyo asked to wait for (Retry-After, an event's backoff, a job still running). */
export const KLAVIYO_SYNC_RETRY_KEY = `${KLAVIYO_SYNC}:retry`;
export type KlaviyoSyncReason = "recompute" | "customer" | "points" | "campaigns" | "manual" | "retry" | "consent";
export const KLAVIYO_SYNC_REASONS: readonly KlaviyoSyncReason[] = [
  "recompute",
  "customer",
  "points",
  "campaigns",
  "manual",
  "retry",
  // customers_email_marketing_consent/update: properties to remove, or to send again
  "consent",
];
export interface KlaviyoSyncPayload {
  reason: KlaviyoSyncReason;
}
/** After a customer's move or a points pass, wait this long so that the changes of the next moments join one pass. */
export const KLAVIYO_SYNC_COALESCE_MS = 5_000;

/** Queues a Klaviyo pass of the shop: a no-op while one of the same key is queued. */
export function enqueueKlaviyoSync(
  queue: JobQueue,
  shop: string,
  reason: KlaviyoSyncReason,
  { delayMs = 0, runAt, now }: { delayMs?: number; runAt?: Date } & Clock = {},
) {
  return queue.enqueue<KlaviyoSyncPayload>(
    shop,
    KLAVIYO_SYNC,
    { reason },
    { key: reason === "retry" ? KLAVIYO_SYNC_RETRY_KEY : KLAVIYO_SYNC_KEY, runAt: runAt ?? at(delayMs, now) },
  );
}

// ---- LINE: the event producer and the sender (services/channel-events.server.ts, line-send.server.ts) -------------

export const CHANNEL_EVENTS = "channel-events";
export const CHANNEL_EVENTS_KEY = CHANNEL_EVENTS;
export type ChannelEventsReason = "recompute" | "customer" | "campaigns" | "points" | "redemptions" | "manual";
export const CHANNEL_EVENTS_REASONS: readonly ChannelEventsReason[] = [
  "recompute",
  "customer",
  "campaigns",
  "points",
  "redemptions",
  "manual",
];
export interface ChannelEventsPayload {
  reason: ChannelEventsReason;
}
/** After a customer's move or a points pass, wait this long so that the events of the next moments join one pass. */
export const CHANNEL_EVENTS_COALESCE_MS = 3_000;

/** Queues a LINE producer pass of the shop (a no-op while one is queued). */
export function enqueueChannelEvents(
  queue: JobQueue,
  shop: string,
  reason: ChannelEventsReason,
  { delayMs = 0, now }: { delayMs?: number } & Clock = {},
) {
  return queue.enqueue<ChannelEventsPayload>(
    shop,
    CHANNEL_EVENTS,
    { reason },
    { key: CHANNEL_EVENTS_KEY, runAt: at(delayMs, now) },
  );
}

export const LINE_SEND = "line-send";
export const LINE_SEND_KEY = LINE_SEND;
/** The pass queued for the moment a waiting row is due (backoff, Retry-After, the monthly limit): its own key. */
export const LINE_SEND_LATER_KEY = `${LINE_SEND}:later`;
export interface LineSendPayload {
  reason: "produced" | "due" | "manual";
}

/** Queues a LINE sender pass now, or at `runAt` (its own key, so a later pass never delays a pass due now). */
export function enqueueLineSend(queue: JobQueue, shop: string, runAt?: Date) {
  return runAt
    ? queue.enqueue<LineSendPayload>(shop, LINE_SEND, { reason: "due" }, { key: LINE_SEND_LATER_KEY, runAt })
    : queue.enqueue<LineSendPayload>(shop, LINE_SEND, { reason: "produced" }, { key: LINE_SEND_KEY });
}
