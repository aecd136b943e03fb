// The LINE event producer (docs/line-sending.md): turns what happened in the ledger into pending ChannelMessage rows
// (channel "line"), one per (customer, event, source), for the events the merchant switched on, and only for
// customers whose LINE link follows the shop's account. Reruns insert nothing twice (the unique key); a pass reads
// only a recent window of each source (LOOKBACK_MS), so its cost does not grow with history, and old news is not sent
// when a merchant connects LINE or switches an event on.
//   campaign-offer   a recipient issued a live code in a campaign whose lineMode is push or multicast;
//                    sourceKey campaign:<id>; multicast rows get one batchKey (and one shared retry key) per ≤ 500
//                    recipients of the same locale
//   tier-reached     a tier move up, or a join, in CustomerStateChange (not the first scoring after install);
//                    sourceKey change:<id>
//   tier-expiring    CustomerState.tierExpiresAt within TIER_EXPIRY_NOTICE_MS; sourceKey expiry:<tier>:<instant>
//   points-earned    a "points earned" announcement (the points Flow trigger's record); sourceKey points:<source>
//   reward-redeemed  a confirmed redemption; sourceKey redemption:<id>
//   points-expiring  the points the shopper's storefront shows as expiring (the points metafield the sync last wrote,
//                    the same text the "Points expiring" Flow trigger reads) within POINTS_EXPIRY_NOTICE_MS;
//                    sourceKey expiring:<instant>
import { randomUUID } from "node:crypto";
import type { LineEvent } from "../domain/line-messages";
import { lineConnected, lineTemplates } from "../models/channel-templates.server";
import { enqueueChannelEvents, type ChannelEventsReason } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import {
  customersWithMessage,
  existingPairs,
  expiringTiers,
  followingCustomerIds,
  followingLinks,
  insertChannelMessages,
  issuedRecipients,
  lineCampaigns,
  pointsEarnedSince,
  redemptionsConfirmedSince,
  tierChangesSince,
  syncedStorefront,
  type NewChannelMessage,
} from "../models/channel-messages.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { splitStorefrontDigest, type PointsStatusJson } from "../domain/sync";
import { LINE_MULTICAST_MAX } from "./line-client.server";

export const LINE_CHANNEL = "line";
/** How far back a pass reads each source. */
export const LOOKBACK_MS = 3 * 24 * 60 * 60 * 1000;
/** A tier about to end is announced this long before. */
export const TIER_EXPIRY_NOTICE_MS = 7 * 24 * 60 * 60 * 1000;
/** Points about to expire are announced this long before. */
export const POINTS_EXPIRY_NOTICE_MS = 7 * 24 * 60 * 60 * 1000;
const PAGE = 1000;

/** The expiring points of a storefront digest (what the shopper's loyalty block shows), or null. */
export function expiringPointsOf(digest: string | null): { points: number; at: string } | null {
  const text = splitStorefrontDigest(digest).points;
  if (text === null) return null;
  try {
    const expiring = (JSON.parse(text) as PointsStatusJson).expiring;
    return expiring && expiring.points > 0 ? expiring : null;
  } catch {
    return null;
  }
}

export type ProducedCounts = Partial<Record<LineEvent, number>>;

/** Groups the new recipients of a multicast campaign into batches of ≤ 500 of one locale, one key per batch. */
export function multicastBatches(
  recipients: readonly { customerId: string; locale: string }[],
  campaignId: string,
): NewChannelMessage[] {
  const byLocale = new Map<string, string[]>();
  for (const r of recipients) {
    const list = byLocale.get(r.locale);
    if (list) list.push(r.customerId);
    else byLocale.set(r.locale, [r.customerId]);
  }
  const rows: NewChannelMessage[] = [];
  for (const ids of byLocale.values()) {
    for (let i = 0; i < ids.length; i += LINE_MULTICAST_MAX) {
      const key = randomUUID();
      for (const customerId of ids.slice(i, i + LINE_MULTICAST_MAX)) {
        rows.push({
          customerId,
          event: "campaign-offer",
          sourceKey: `campaign:${campaignId}`,
          retryKey: key,
          batchKey: key,
        });
      }
    }
  }
  return rows;
}

/** Pending rows for `pairs` whose customer follows; those already recorded are left out. */
async function produce(
  shop: string,
  event: LineEvent,
  pairs: readonly { customerId: string; sourceKey: string }[],
  now: Date,
): Promise<number> {
  if (pairs.length === 0) return 0;
  const links = await followingLinks(
    shop,
    pairs.map((p) => p.customerId),
  );
  const consenting = pairs.filter((p) => links.has(p.customerId));
  if (consenting.length === 0) return 0;
  const seen = await existingPairs(shop, LINE_CHANNEL, event, consenting);
  const rows = consenting
    .filter((p) => !seen.has(`${p.customerId} ${p.sourceKey}`))
    .map((p) => ({ ...p, event, retryKey: randomUUID(), batchKey: null }));
  return insertChannelMessages(shop, LINE_CHANNEL, rows, now);
}

async function produceCampaignOffers(shop: string, since: Date, now: Date): Promise<number> {
  let inserted = 0;
  for (const campaign of await lineCampaigns(shop)) {
    const issued = await issuedRecipients(shop, campaign.id, since, now);
    if (issued.length === 0) continue;
    const sourceKey = `campaign:${campaign.id}`;
    const done = await customersWithMessage(shop, LINE_CHANNEL, "campaign-offer", sourceKey);
    const fresh = [...new Set(issued.map((r) => r.customerId))].filter((id) => !done.has(id));
    if (fresh.length === 0) continue;
    const links = await followingLinks(shop, fresh);
    const recipients = fresh.flatMap((customerId) => {
      const link = links.get(customerId);
      return link ? [{ customerId, locale: link.locale }] : [];
    });
    const rows =
      campaign.lineMode === "multicast"
        ? multicastBatches(recipients, campaign.id)
        : recipients.map((r) => ({
            customerId: r.customerId,
            event: "campaign-offer",
            sourceKey,
            retryKey: randomUUID(),
            batchKey: null,
          }));
    inserted += await insertChannelMessages(shop, LINE_CHANNEL, rows, now);
  }
  return inserted;
}

async function produceTierReached(shop: string, since: Date, now: Date): Promise<number> {
  const changes = await tierChangesSince(shop, since);
  if (changes.length === 0) return 0;
  const { program } = await getActiveTierProgram(shop);
  const rank = (key: string) => program.tiers.findIndex((t) => t.key === key);
  const ups = changes.filter((c) => c.to !== null && (c.from === null || rank(c.to) > rank(c.from)));
  return produce(
    shop,
    "tier-reached",
    ups.map((c) => ({ customerId: c.customerId, sourceKey: `change:${c.id}` })),
    now,
  );
}

async function produceTierExpiring(shop: string, now: Date): Promise<number> {
  const until = new Date(now.getTime() + TIER_EXPIRY_NOTICE_MS);
  let inserted = 0;
  let after: string | null = null;
  for (;;) {
    const ids = await followingCustomerIds(shop, after, PAGE);
    if (ids.length === 0) break;
    after = ids[ids.length - 1];
    const expiring = await expiringTiers(shop, ids, now, until);
    inserted += await produce(
      shop,
      "tier-expiring",
      expiring.map((s) => ({
        customerId: s.customerId,
        sourceKey: `expiry:${s.tier}:${s.tierExpiresAt!.toISOString()}`,
      })),
      now,
    );
  }
  return inserted;
}

async function producePointsExpiring(shop: string, now: Date): Promise<number> {
  const until = now.getTime() + POINTS_EXPIRY_NOTICE_MS;
  let inserted = 0;
  let after: string | null = null;
  for (;;) {
    const ids = await followingCustomerIds(shop, after, PAGE);
    if (ids.length === 0) break;
    after = ids[ids.length - 1];
    const pairs: { customerId: string; sourceKey: string }[] = [];
    for (const row of await syncedStorefront(shop, ids)) {
      const expiring = expiringPointsOf(row.metafields);
      const at = expiring ? Date.parse(expiring.at) : NaN;
      if (expiring && at > now.getTime() && at <= until)
        pairs.push({ customerId: row.customerId, sourceKey: `expiring:${new Date(at).toISOString()}` });
    }
    inserted += await produce(shop, "points-expiring", pairs, now);
  }
  return inserted;
}

/**
 * One producer pass: rows for everything new in each source's recent window, for the events switched on. Returns
 * how many rows each event gained.
 */
export async function produceLineMessages(shop: string, { now = new Date() }: { now?: Date } = {}) {
  const templates = await lineTemplates(shop);
  const on = (e: LineEvent) => templates[e].enabled;
  const since = new Date(now.getTime() - LOOKBACK_MS);
  const counts: ProducedCounts = {};
  if (on("campaign-offer")) counts["campaign-offer"] = await produceCampaignOffers(shop, since, now);
  if (on("tier-reached")) counts["tier-reached"] = await produceTierReached(shop, since, now);
  if (on("tier-expiring")) counts["tier-expiring"] = await produceTierExpiring(shop, now);
  if (on("points-earned")) {
    const earned = await pointsEarnedSince(shop, since);
    counts["points-earned"] = await produce(
      shop,
      "points-earned",
      earned.map((e) => ({ customerId: e.customerId, sourceKey: `points:${e.sourceKey}` })),
      now,
    );
  }
  if (on("points-expiring")) counts["points-expiring"] = await producePointsExpiring(shop, now);
  if (on("reward-redeemed")) {
    const redeemed = await redemptionsConfirmedSince(shop, since);
    counts["reward-redeemed"] = await produce(
      shop,
      "reward-redeemed",
      redeemed.map((r) => ({ customerId: r.customerId, sourceKey: `redemption:${r.id}` })),
      now,
    );
  }
  return counts;
}

/** Queues a producer pass when the shop has connected LINE (nothing to produce otherwise). */
export async function enqueueLineEventsIfConnected(
  queue: JobQueue,
  shop: string,
  reason: ChannelEventsReason,
  options: { delayMs?: number; now?: () => Date } = {},
): Promise<void> {
  if (await lineConnected(shop)) await enqueueChannelEvents(queue, shop, reason, options);
}
