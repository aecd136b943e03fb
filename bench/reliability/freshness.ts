// Freshness end to end (issue #23 item 4), measured under the load suite (load.ts): for each order a shopper places in
// the local Shopify, how long until the store holds what the app computed from it —
//
// - the customer's tier metafields: the first write of the app's `status` metafield (the tier pair's JSON: tier,
//   spend in the window, progress) after the order whose spend in the window counts the order (at least the spend
//   the store held when the order was placed, plus the order, less what refunds and cancellations of the customer's
//   orders took off since);
// - the customer's automatic tier discount (docs/rules.md, "Perks: tier discounts in Shopify"), for orders after which
//   the customer reaches a new tier: the first moment the local Shopify's own checkout (the same evaluation that prices
//   a cart) applies a tier discount to them that it did not apply when the order was placed. Membership is the tier
//   segment's query on the tier tag, so that moment is a tag write; the checkout is evaluated at each of the
//   customer's tag writes.
//
// Times are taken from the moment placeOrder returns: the local Shopify sends the orders/create webhook then, so
// this includes the webhook's delivery, the app's acknowledgement, the jobs (customer-changed, then the sync after
// its coalescing wait) and the sync's requests. The observation point is the simulator's ShopState.observeWrites.
import type pg from "pg";
import type { Cluster } from "./cluster";
import type { StoreWrite } from "../../simulator/admin/store";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import type { TierProgram } from "../../app/domain/tiers";

/** Percent off per tier key given to the load's shops by --perks (automatic discounts limited to the tier segment). */
const PERK_PERCENT: Record<string, number> = { silver: 5, gold: 10, platinum: 15 };

/**
 * Gives each shop a tier programme whose tiers above the first carry an automatic percentage discount, before it is
 * installed: the install's backfill, recompute and sync then create the tier segments and discounts in the local
 * Shopify as a merchant's saved programme would.
 */
export async function givePerks(db: pg.Client, shop: string, currency: string): Promise<void> {
  const base = defaultTierProgram(currency);
  const program: TierProgram = {
    ...base,
    tiers: base.tiers.map((t) =>
      PERK_PERCENT[t.key] ? { ...t, perks: { ...t.perks, discountPercent: PERK_PERCENT[t.key] } } : t,
    ),
  };
  await db.query(`INSERT INTO "TierProgramVersion" ("shop", "version", "program") VALUES ($1, 1, $2)`, [
    shop,
    JSON.stringify(program),
  ]);
}

interface Pending {
  shop: string;
  customerId: string;
  orderId: string;
  placedAt: number;
  /** Spend in the window the store's status metafield held when the order was placed (minor units; 0: none). */
  spendBefore: number;
  totalMinor: number;
  /** The customer's refunds and cancellations (minor units) the status found at the order already reflects. */
  reducedBefore: number;
  /** Tier discounts checkout applied to the customer when the order was placed. */
  discountsBefore: Set<string>;
  /** The tier in the store's status metafield when the order was placed (null: none), and in the first write counting it. */
  tierBefore: string | null;
  tierAfter: string | null;
  metafieldMs: number | null;
  discountMs: number | null;
}

const minor = (amount: string | number) => Math.round(Number(amount) * 100);

export function trackFreshness(cluster: Cluster, shops: readonly string[], { perks }: { perks: boolean }) {
  const pending = new Map<string, Pending[]>(); // shop|customer → orders not yet seen in the store
  const all: Pending[] = [];
  const reduced = new Map<string, number>(); // shop|customer → refunds + cancellations since the start (minor)
  const cancelled = new Set<string>();
  // shop|customer → their refunds + cancellations when the store's status metafield was written the time before last
  // and the last time. A reduction made after the last write is not in the status an order placed now finds; one made
  // shortly before it may not be either (the sync read the state before the reduction's webhook was handled: seen in
  // runs), so an order is measured against the reductions since the write before last.
  const reducedAtStatus = new Map<string, [number, number]>();
  const lastTags = new Map<string, string>(); // shop|customer → the tags last written (for the report's details)
  const history = new Map<string, string[]>(); // shop|customer → what happened to them, timed (for the details)
  const note = (shop: string, customerId: string, text: string) => {
    const list = history.get(key(shop, customerId)) ?? [];
    list.push(`${new Date().toISOString().slice(11, 23)} ${text}`);
    history.set(key(shop, customerId), list);
  };
  const key = (shop: string, customerId: string) => `${shop}|${customerId}`;
  const state = (shop: string) => cluster.shopify.admin.shops.getShop(shop)!;
  const statusOf = (shop: string, customerId: string) =>
    state(shop)
      .metafieldsOf(customerId)
      .find((m) => m.namespace.startsWith("app--") && m.key === "status");
  const parsed = (value: string | null | undefined): { spend_in_window?: string; tier?: string } => {
    if (!value) return {};
    try {
      return JSON.parse(value) as { spend_in_window?: string; tier?: string };
    } catch {
      return {};
    }
  };
  const spendIn = (value: string | null | undefined) => minor(parsed(value).spend_in_window ?? 0);
  const tierIn = (value: string | null | undefined) => parsed(value).tier ?? null;
  const tierDiscounts = (shop: string, customerId: string) =>
    new Set(
      cluster.shopify.admin
        .checkout(shop, { customerId, subtotal: "1000.00", shipping: "0.00" })
        .applied.filter((a) => a.code === null && a.title.includes("—"))
        .map((a) => a.id),
    );

  const stops = shops.map((shop) =>
    state(shop).observeWrites((write: StoreWrite) => {
      if (write.kind === "tags") lastTags.set(key(shop, write.ownerId), write.value ?? "");
      if (write.kind === "metafield" && write.key?.startsWith("app--") && write.key.endsWith(".status")) {
        const k = key(shop, write.ownerId);
        reducedAtStatus.set(k, [reducedAtStatus.get(k)?.[1] ?? 0, reduced.get(k) ?? 0]);
      }
      const waiting = pending.get(key(shop, write.ownerId));
      if (!waiting?.length) return;
      const reducedNow = reduced.get(key(shop, write.ownerId)) ?? 0;
      if (write.kind === "metafield" && write.key?.startsWith("app--") && write.key.endsWith(".status")) {
        const spend = spendIn(write.value);
        note(shop, write.ownerId, `status spend ${spend}`);
        for (const p of waiting)
          if (
            p.metafieldMs === null &&
            spend >= p.spendBefore + p.totalMinor - (reducedNow - p.reducedBefore) &&
            write.at >= p.placedAt
          ) {
            p.metafieldMs = write.at - p.placedAt;
            p.tierAfter = tierIn(write.value);
          }
      }
      if (perks && write.kind === "tags") {
        const now = tierDiscounts(shop, write.ownerId);
        for (const p of waiting)
          if (p.discountMs === null && [...now].some((id) => !p.discountsBefore.has(id)))
            p.discountMs = write.at - p.placedAt;
      }
    }),
  );

  return {
    placed(shop: string, order: { id: string; customerId: string; total: string }) {
      const p: Pending = {
        shop,
        customerId: order.customerId,
        orderId: order.id,
        placedAt: Date.now(),
        spendBefore: spendIn(statusOf(shop, order.customerId)?.value),
        totalMinor: minor(order.total),
        // What the status found now surely reflects (reducedAtStatus); without a status it holds none of the
        // customer's orders, so none of their reductions either.
        reducedBefore: statusOf(shop, order.customerId)
          ? (reducedAtStatus.get(key(shop, order.customerId))?.[0] ?? 0)
          : (reduced.get(key(shop, order.customerId)) ?? 0),
        discountsBefore: perks ? tierDiscounts(shop, order.customerId) : new Set(),
        tierBefore: tierIn(statusOf(shop, order.customerId)?.value),
        tierAfter: null,
        metafieldMs: null,
        discountMs: null,
      };
      all.push(p);
      note(shop, order.customerId, `placed ${order.id} +${p.totalMinor} (status spend ${p.spendBefore})`);
      const list = pending.get(key(shop, order.customerId)) ?? [];
      list.push(p);
      pending.set(key(shop, order.customerId), list);
    },
    /** A refund or cancellation of one of the customer's orders took `amount` off. */
    reduced(shop: string, customerId: string, amount: string, cancelledOrderId?: string) {
      reduced.set(key(shop, customerId), (reduced.get(key(shop, customerId)) ?? 0) + minor(amount));
      note(shop, customerId, `${cancelledOrderId ? `cancelled ${cancelledOrderId}` : "refund"} −${minor(amount)}`);
      if (cancelledOrderId) cancelled.add(cancelledOrderId);
    },
    /** Waits (at most `timeoutMs`) until every order measured has reached the store. */
    async settle(timeoutMs: number) {
      const start = Date.now();
      while (Date.now() - start < timeoutMs && all.some((p) => !cancelled.has(p.orderId) && p.metafieldMs === null))
        await new Promise((r) => setTimeout(r, 200));
    },
    stop() {
      for (const stop of stops) stop();
    },
    /** Table rows (markdown) for load.ts's report; `db` tells which orders moved their customer up a tier. */
    async rows(db: pg.Client): Promise<string[]> {
      const measured = all.filter((p) => !cancelled.has(p.orderId));
      const pct = (sorted: number[], q: number) =>
        sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((q / 100) * sorted.length))] : NaN;
      const s = (n: number) => `${(n / 1000).toFixed(2)} s`;
      const metafield = measured
        .map((p) => p.metafieldMs)
        .filter((n): n is number => n !== null)
        .sort((a, b) => a - b);
      // The app's part alone: from the moment it accepted the order's webhook (the customer-changed job its
      // transaction enqueued: the first one of the customer created after the order was placed) to the store. An
      // order whose customer already had that job waiting joined it and has no moment of its own: left out here.
      const jobs = (
        await db.query(
          `SELECT data->>'shop' AS shop, data->'payload'->>'customerId' AS "customerId",
             extract(epoch FROM created_on) * 1000 AS at
           FROM (SELECT name, data, created_on FROM pgboss.job UNION ALL SELECT name, data, created_on FROM pgboss.archive) j
           WHERE name = 'customer-changed' AND data->>'shop' = ANY($1)`,
          [[...shops]],
        )
      ).rows as { shop: string; customerId: string; at: string }[];
      const acceptedAt = new Map<string, number[]>();
      for (const j of jobs) {
        const list = acceptedAt.get(key(j.shop, j.customerId)) ?? [];
        list.push(Number(j.at));
        acceptedAt.set(key(j.shop, j.customerId), list);
      }
      const fromAccepted = measured
        .flatMap((p) => {
          if (p.metafieldMs === null) return [];
          const at = (acceptedAt.get(key(p.shop, p.customerId)) ?? [])
            .filter((t) => t >= p.placedAt)
            .sort((a, b) => a - b)[0];
          const reached = p.placedAt + p.metafieldMs;
          return at !== undefined && at <= reached ? [reached - at] : [];
        })
        .sort((a, b) => a - b);
      for (const p of measured.filter((q) => q.metafieldMs === null)) {
        const status = parsed(statusOf(p.shop, p.customerId)?.value);
        console.error(
          `freshness: ${p.shop} ${p.customerId} order ${p.orderId}: status never counted it (spend before ${p.spendBefore}, order ${p.totalMinor}, reduced since ${(reduced.get(key(p.shop, p.customerId)) ?? 0) - p.reducedBefore}); at the end the status says tier ${status.tier ?? "none"}, spend ${status.spend_in_window ?? "none"}\n  ${(history.get(key(p.shop, p.customerId)) ?? []).join("\n  ")}`,
        );
      }
      const rows = [
        `| freshness: order placed → tier metafields (status) updated in the local Shopify, p50 / p99 / max | ${s(pct(metafield, 50))} / ${s(pct(metafield, 99))} / ${s(metafield[metafield.length - 1] ?? NaN)} (${metafield.length} orders; ${measured.length - metafield.length} not reached; ${all.length - measured.length} cancelled during the load, left out) |`,
        `| freshness, the app's part: webhook accepted (its customer-changed job enqueued) → tier metafields updated, p50 / p99 / max | ${s(pct(fromAccepted, 50))} / ${s(pct(fromAccepted, 99))} / ${s(fromAccepted[fromAccepted.length - 1] ?? NaN)} (${fromAccepted.length} orders with a job of their own) |`,
      ];
      if (perks) {
        // Orders that moved their customer into a tier with a discount, as the store saw it: the first status write
        // counting the order names a tier with a perk other than the one the store held when the order was placed.
        // (Timing every order to the customer's next new discount would credit an earlier order of theirs with the
        // move a later order made.)
        const movers = measured.filter(
          (p) => p.tierAfter !== null && p.tierAfter !== p.tierBefore && PERK_PERCENT[p.tierAfter] !== undefined,
        );
        const discount = movers
          .map((p) => p.discountMs)
          .filter((n): n is number => n !== null)
          .sort((a, b) => a - b);
        // A mover whose discount never applied is a defect unless the customer left that tier again before the run
        // ended (a refund or cancellation): the store's last status tells.
        const never = movers.filter((p) => p.discountMs === null);
        const missing = never.filter((p) => {
          const tierNow = tierIn(statusOf(p.shop, p.customerId)?.value);
          return (
            tierNow !== null && PERK_PERCENT[tierNow] !== undefined && tierDiscounts(p.shop, p.customerId).size === 0
          );
        });
        for (const p of never) {
          const tierNow = tierIn(statusOf(p.shop, p.customerId)?.value);
          console.error(
            `freshness: ${p.shop} ${p.customerId} order ${p.orderId}: ${p.tierBefore ?? "none"} → ${p.tierAfter} (status after ${(p.metafieldMs! / 1000).toFixed(2)} s), discount never seen; at the end: status tier ${tierNow ?? "none"}, tags ${JSON.stringify(lastTags.get(key(p.shop, p.customerId)) ?? null)}, checkout tier discounts ${[...tierDiscounts(p.shop, p.customerId)].join(",") || "none"}`,
          );
        }
        rows.push(
          `| freshness: order placed → the new tier's automatic discount applies at checkout (orders that moved their customer into a tier with a discount), p50 / p99 / max | ${s(pct(discount, 50))} / ${s(pct(discount, 99))} / ${s(discount[discount.length - 1] ?? NaN)} (${discount.length} orders; ${never.length} never applied: ${never.length - missing.length} left the tier again before the end, ${missing.length} in a discounted tier at the end without the discount) |`,
        );
      }
      return rows;
    },
  };
}
