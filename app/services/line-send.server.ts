// The LINE sender (docs/line-sending.md): drains a shop's pending ChannelMessage rows (channel "line").
// - Consent is checked again when a row's turn comes: no link, or a link that no longer follows → skipped at once;
//   the event switched off → skipped; nothing left to announce (code expired or retired, tier already changed) →
//   skipped; a paused campaign's rows wait untried (PAUSED_RECHECK_MS; resuming releases them), an archived one's are
//   skipped.
// - Rows are claimed before they are sent (models/channel-messages.server.ts claimMessages): two senders racing on a
//   row cannot both send it. A claim is a lease: a sender that dies holding rows gives them back when it ends, and
//   the next attempt carries the row's same retry key, so LINE answers 409 for what it already accepted and the row
//   is recorded sent with the accepted request id — delivered once.
// - push: one request per row, the row's own message; multicast: one request per batchKey (≤ 500 rows of one
//   locale, one identical announcement, the batch's shared retry key), claimed whole by its key and its claim
//   confirmed right before the request, so one retry key's recipients never grow between attempts (a 409 is true
//   of every row it is recorded for).
// - Pacing: requests are spaced to PACE_FRACTION of LINE's per-channel limits (push 2,000/s, multicast 200/s), so a
//   large campaign does not live on 429s; a 429 pauses the pacer.
// - Outcomes: sent / accepted-before → sent (request id); rate-limited → waits (Retry-After, else exponential
//   backoff with jitter) and the attempt is not counted; monthly-limit → this and every due row of the shop wait an
//   hour (MONTHLY_LIMIT_WAIT_MS), not counted; failed (5xx, timeout, reset) → backoff, same retry key, refused after
//   MAX_ATTEMPTS; refused (other 4xx) → refused with LINE's message.
import { randomUUID } from "node:crypto";
import {
  renderLineMessages,
  shopDisplayName,
  tierHeaderColour,
  type EventFacts,
  type LineEvent,
  type Locale,
  type ShopContext,
} from "../domain/line-messages";
import type { TierProgram } from "../domain/tiers";
import { lineTemplates } from "../models/channel-templates.server";
import {
  CAMPAIGN_ARCHIVED_SKIP,
  CAMPAIGN_PAUSED_ERROR,
  campaignOfferFacts,
  campaignStatuses,
  claimBatch,
  claimMessages,
  deferPending,
  currentTiers,
  deferDue,
  dueMessages,
  expiringTiers,
  followingLinks,
  MONTHLY_LIMIT_ERROR,
  nextDueAt,
  pointsAnnouncement,
  recordOutcome,
  recordSentEach,
  redemptionById,
  releasePausedCampaignMessages,
  renewClaim,
  rewardName,
  shopRow,
  skipPending,
  syncedStorefront,
  tierChangeById,
  type DueMessage,
  type FollowingLink,
} from "../models/channel-messages.server";
import { availablePoints } from "../models/rewards.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { expiringPointsOf, LINE_CHANNEL } from "./channel-events.server";
import { LINE_RATE_LIMITS, lineClientForShop, type LineClient, type LineSendOutcome } from "./line-client.server";

export const PACE_FRACTION = 0.95;
export const MAX_ATTEMPTS = 8;
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 15 * 60 * 1000;
export const MONTHLY_LIMIT_WAIT_MS = 60 * 60 * 1000;
/** A paused campaign's rows wait this long before a pass looks again (resuming the campaign releases them at once). */
export const PAUSED_RECHECK_MS = 6 * 60 * 60 * 1000;
/** A claimed row is the sender's for this long (longer than any request takes, with its timeout). */
export const CLAIM_LEASE_MS = 2 * 60 * 1000;
const PAGE = 2000;
const IN_FLIGHT = 64;
const BATCHES_IN_FLIGHT = 4;

/** Requests spaced to a rate: `take()` resolves at the caller's slot; `pause(ms)` pushes every later slot back. */
export function createPacer(perSecond: number, clock: () => number = () => performance.now()) {
  const gap = 1000 / perSecond;
  let next = 0;
  return {
    async take(): Promise<void> {
      const t = clock();
      const at = Math.max(t, next);
      next = at + gap;
      if (at - t >= 1) await new Promise((r) => setTimeout(r, at - t));
    },
    pause(ms: number) {
      next = Math.max(next, clock() + ms);
    },
  };
}
export type Pacer = ReturnType<typeof createPacer>;

/** The wait before attempt `attempts + 1`: Retry-After when LINE gave one, else 1 s · 2^(n-1) capped, + jitter. */
export function backoffMs(attempts: number, retryAfterMs: number | null, random: () => number = Math.random): number {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  const base = Math.max(retryAfterMs ?? 0, exp);
  return Math.round(base + random() * base * 0.25);
}

export interface SendResult {
  sent: number;
  skipped: number;
  refused: number;
  waiting: number;
  requests: number;
  /** The LINE monthly limit was reached: due rows wait until `nextRunAt`. */
  monthlyLimit: boolean;
  /** When the next pass should run (a row waits until then), or null when nothing is pending. */
  nextRunAt: Date | null;
  /** The shop has no LINE connection: nothing was sent, rows stay pending. */
  notConnected?: true;
}

export interface SendOptions {
  now?: () => Date;
  client?: LineClient;
  pacers?: { push: Pacer; multicast: Pacer };
  /** Stop starting new pages after this long (the job runs again for the rest). */
  budgetMs?: number;
  /** Test hook: runs after LINE answered and before the outcome is recorded (a crash there loses the answer). */
  afterSend?: (ids: number[], outcome: LineSendOutcome) => Promise<void> | void;
  /** Test hook: runs when a page's pushes or a multicast batch are ready to go, right before the sender confirms its
   * claim on them and sends. */
  beforeSend?: (ids: number[]) => Promise<void> | void;
  /** Test hook: runs after a page's campaigns were read as paused and before their rows are set aside. */
  beforePausedDefer?: () => Promise<void> | void;
}

function shopContext(
  shop: string,
  name: string | null,
  currencyCode: string,
  timeZone: string,
  colour: string | null,
): ShopContext {
  return {
    // The shop's name as Shopify says it (read with the settings), its store handle until then.
    shopName: shopDisplayName(shop, name),
    shopUrl: `https://${shop}`,
    loyaltyUrl: `https://${shop}/apps/loyalty`,
    currencyCode,
    timeZone,
    tierColour: colour,
  };
}

const localeOf = (link: FollowingLink): Locale => (link.locale === "th" ? "th" : "en");
const campaignIdOf = (sourceKey: string) => sourceKey.replace(/^campaign:/, "");

type Facts = EventFacts | { skip: string };

function offerOf(kind: string, value: number): Extract<EventFacts, { event: "campaign-offer" }>["offer"] {
  return kind === "percentage"
    ? { kind: "percentage", percent: value }
    : { kind: "amount", amountMinor: BigInt(value) };
}

/** What each row announces, read now (null facts: nothing left to announce, with why). */
async function factsFor(
  shop: string,
  rows: readonly DueMessage[],
  program: TierProgram,
  tiers: Map<string, string | null>,
  now: Date,
  multicast: boolean,
): Promise<Map<number, Facts>> {
  const out = new Map<number, Facts>();
  const tierName = (key: string) => program.tiers.find((t) => t.key === key)?.name ?? key;
  const byCampaign = new Map<string, DueMessage[]>();
  for (const row of rows) {
    if (row.event === "campaign-offer") {
      const id = row.sourceKey.replace(/^campaign:/, "");
      const list = byCampaign.get(id);
      if (list) list.push(row);
      else byCampaign.set(id, [row]);
    }
  }
  for (const [campaignId, list] of byCampaign) {
    const { campaign, variants, recipients } = await campaignOfferFacts(
      shop,
      campaignId,
      list.map((r) => r.customerId),
    );
    // Each customer's newest live recipient row (the reads come newest first).
    const live = new Map<string, (typeof recipients)[number]>();
    for (const r of recipients) if (r.retiredAt === null && !live.has(r.customerId)) live.set(r.customerId, r);
    for (const row of list) {
      if (!campaign) {
        out.set(row.id, { skip: "campaign deleted" });
        continue;
      }
      // The merchant switched LINE off for the campaign after its rows were made: what waits is not sent.
      if (campaign.lineMode === "off") {
        out.set(row.id, { skip: "LINE switched off for the campaign" });
        continue;
      }
      if (multicast) {
        out.set(row.id, {
          event: "campaign-offer",
          code: null,
          expiresAt: null,
          offer: offerOf(campaign.offerKind, campaign.offerValue),
        });
        continue;
      }
      const rec = live.get(row.customerId);
      if (!rec?.code) out.set(row.id, { skip: "no live code" });
      else if (rec.expiresAt && rec.expiresAt.getTime() <= now.getTime()) out.set(row.id, { skip: "code expired" });
      else {
        const variant = rec.variant ? variants.find((v) => v.key === rec.variant) : undefined;
        out.set(row.id, {
          event: "campaign-offer",
          code: rec.code,
          expiresAt: rec.expiresAt,
          offer: variant
            ? offerOf(variant.offerKind, variant.offerValue)
            : offerOf(campaign.offerKind, campaign.offerValue),
        });
      }
    }
  }
  const expiring = rows.filter((r) => r.event === "tier-expiring");
  const states = expiring.length
    ? new Map(
        (
          await expiringTiers(
            shop,
            expiring.map((r) => r.customerId),
            now,
            new Date("9999-12-31T00:00:00.000Z"),
          )
        ).map((s) => [s.customerId, s]),
      )
    : new Map();
  for (const row of rows) {
    if (out.has(row.id)) continue;
    switch (row.event) {
      case "tier-reached": {
        const change = await tierChangeById(shop, Number(row.sourceKey.replace(/^change:/, "")));
        if (!change?.to) out.set(row.id, { skip: "tier change gone" });
        else if (tiers.get(row.customerId) !== change.to) out.set(row.id, { skip: "tier no longer held" });
        else out.set(row.id, { event: "tier-reached", tierKey: change.to, tierName: tierName(change.to) });
        break;
      }
      case "tier-expiring": {
        const m = /^expiry:(.*):([^:]+:[^:]+:[^:]+)$/.exec(row.sourceKey);
        const state = states.get(row.customerId);
        if (!m || !state || state.tier !== m[1] || state.tierExpiresAt?.toISOString() !== m[2])
          out.set(row.id, { skip: "tier no longer expiring then" });
        else
          out.set(row.id, {
            event: "tier-expiring",
            tierKey: m[1],
            tierName: tierName(m[1]),
            expiresAt: new Date(m[2]),
          });
        break;
      }
      case "points-earned": {
        const a = await pointsAnnouncement(shop, row.customerId, row.sourceKey.replace(/^points:/, ""));
        if (!a) out.set(row.id, { skip: "announcement gone" });
        else {
          const balance = await availablePoints(shop, row.customerId, now);
          out.set(row.id, { event: "points-earned", points: a.points, balance: BigInt(balance) });
        }
        break;
      }
      case "points-expiring": {
        const at = row.sourceKey.replace(/^expiring:/, "");
        const [synced] = await syncedStorefront(shop, [row.customerId]);
        const expiring = expiringPointsOf(synced?.metafields ?? null);
        if (!expiring || new Date(Date.parse(expiring.at)).toISOString() !== at)
          out.set(row.id, { skip: "points no longer expiring then" });
        else out.set(row.id, { event: "points-expiring", points: BigInt(expiring.points), expiresAt: new Date(at) });
        break;
      }
      case "reward-redeemed": {
        const r = await redemptionById(shop, row.sourceKey.replace(/^redemption:/, ""));
        if (!r) out.set(row.id, { skip: "redemption not confirmed" });
        else {
          const reward = await rewardName(shop, r.rewardId);
          out.set(row.id, {
            event: "reward-redeemed",
            rewardName: reward?.title ?? "",
            code: r.code,
            expiresAt: r.expiresAt,
          });
        }
        break;
      }
      default:
        out.set(row.id, { skip: `no sender for ${row.event}` });
    }
  }
  return out;
}

/** The customers among `rows` (one campaign's) whose newest live code for it has not expired at `now`. */
async function liveCodeHolders(
  shop: string,
  sourceKey: string,
  rows: readonly DueMessage[],
  now: Date,
): Promise<Set<string>> {
  const { recipients } = await campaignOfferFacts(
    shop,
    sourceKey.replace(/^campaign:/, ""),
    rows.map((r) => r.customerId),
  );
  const seen = new Set<string>();
  const out = new Set<string>();
  // Newest first: each customer's newest live row decides.
  for (const r of recipients) {
    if (r.retiredAt !== null || seen.has(r.customerId)) continue;
    seen.add(r.customerId);
    if (r.code && (!r.expiresAt || r.expiresAt.getTime() > now.getTime())) out.add(r.customerId);
  }
  return out;
}

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]);
  });
  await Promise.all(workers);
}

/** One pass over the shop's due LINE rows. */
export async function sendLineMessages(shop: string, options: SendOptions = {}): Promise<SendResult> {
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  const budgetMs = options.budgetMs ?? 4 * 60 * 1000;
  const result: SendResult = {
    sent: 0,
    skipped: 0,
    refused: 0,
    waiting: 0,
    requests: 0,
    monthlyLimit: false,
    nextRunAt: null,
  };
  const client = options.client ?? (await lineClientForShop(shop));
  if (!client) {
    return { ...result, notConnected: true };
  }
  const pacers = options.pacers ?? {
    push: createPacer(LINE_RATE_LIMITS.push * PACE_FRACTION),
    multicast: createPacer(LINE_RATE_LIMITS.multicast * PACE_FRACTION),
  };
  const [templates, program, currency, shopInfo] = await Promise.all([
    lineTemplates(shop),
    getActiveTierProgram(shop).then((p) => p.program),
    shopCurrency(shop),
    shopRow(shop),
  ]);
  const timeZone = shopInfo?.timezone ?? "UTC";
  // The tier's own colour when the programme sets one, else its palette colour (docs/line-messages.md#colours).
  const colourOf = (tier: string | null | undefined) => tierHeaderColour(program.tiers, tier);
  const token = randomUUID();
  let stop = false;
  let monthlyUntil: Date | null = null;
  // The pass reads forward by id; rows that become due again behind it (a backoff) are the next pass's.
  let afterId = 0;
  const recording: Promise<void>[] = [];
  const announcements = new Map<string, Facts>();
  // Counts added after the await (never `result.x += await …`: batches run concurrently).
  const add = (key: "sent" | "skipped" | "refused" | "waiting", count: number) => {
    result[key] += count;
  };

  // Applies one request's outcome to the rows it carried (claimed by this sender).
  async function apply(rows: readonly DueMessage[], outcome: LineSendOutcome, pacer: Pacer) {
    const ids = rows.map((r) => r.id);
    const at = now();
    await options.afterSend?.(ids, outcome);
    switch (outcome.kind) {
      case "sent":
      case "accepted-before": {
        const requestId = outcome.kind === "sent" ? outcome.requestId : outcome.acceptedRequestId;
        add("sent", await recordOutcome(shop, ids, token, { state: "sent", requestId, at }));
        return;
      }
      case "rate-limited": {
        const wait = backoffMs(Math.max(...rows.map((r) => r.attempts)) + 1, outcome.retryAfterMs);
        pacer.pause(outcome.retryAfterMs ?? BACKOFF_BASE_MS);
        add(
          "waiting",
          await recordOutcome(shop, ids, token, {
            state: "pending",
            nextAttemptAt: new Date(at.getTime() + wait),
            error: `rate-limited: ${outcome.message}`,
            uncount: true,
          }),
        );
        return;
      }
      case "monthly-limit": {
        stop = true;
        result.monthlyLimit = true;
        const until = new Date(at.getTime() + MONTHLY_LIMIT_WAIT_MS);
        monthlyUntil = until;
        const error = `${MONTHLY_LIMIT_ERROR}: ${outcome.message}`;
        add(
          "waiting",
          await recordOutcome(shop, ids, token, {
            state: "pending",
            nextAttemptAt: until,
            error,
            uncount: true,
          }),
        );
        add("waiting", await deferDue(shop, LINE_CHANNEL, at, until, error));
        return;
      }
      case "failed": {
        const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
        if (attempts >= MAX_ATTEMPTS) {
          add(
            "refused",
            await recordOutcome(shop, ids, token, {
              state: "refused",
              error: `failed ${attempts} times; last: ${outcome.message}`,
            }),
          );
        } else {
          add(
            "waiting",
            await recordOutcome(shop, ids, token, {
              state: "pending",
              nextAttemptAt: new Date(at.getTime() + backoffMs(attempts, null)),
              error: `failed: ${outcome.message}`,
              uncertain: true,
            }),
          );
        }
        return;
      }
      case "refused": {
        const details = outcome.details.map((d) => `${d.property ?? ""} ${d.message ?? ""}`.trim()).join("; ");
        add(
          "refused",
          await recordOutcome(shop, ids, token, {
            state: "refused",
            error: `${outcome.status} ${outcome.message}${details ? `: ${details}` : ""}`,
          }),
        );
        return;
      }
    }
  }

  async function skipFor(rows: readonly DueMessage[], reason: string) {
    if (rows.length)
      add(
        "skipped",
        await skipPending(
          shop,
          rows.map((r) => r.id),
          reason,
          now(),
        ),
      );
  }

  while (!stop && Date.now() - started < budgetMs) {
    const at = now();
    const page = await dueMessages(shop, LINE_CHANNEL, at, PAGE, afterId);
    if (page.length === 0) break;
    afterId = page[page.length - 1].id;
    const links = await followingLinks(
      shop,
      page.map((r) => r.customerId),
    );
    const noConsent = page.filter((r) => !links.has(r.customerId));
    const switchedOff = page.filter((r) => links.has(r.customerId) && !templates[r.event as LineEvent]?.enabled);
    await skipFor(noConsent, "no consent: not linked or not following");
    await skipFor(switchedOff, "event switched off");
    const consenting = page.filter((r) => links.has(r.customerId) && templates[r.event as LineEvent]?.enabled);
    // The campaign's status at the row's turn: archived → skipped; paused → waits, untried (not lost: sent when the
    // campaign is resumed, if its code is still live and its retry key still valid), and not due again for
    // PAUSED_RECHECK_MS, so a paused campaign does not make every pass find it again.
    const statuses = await campaignStatuses(
      shop,
      consenting.filter((r) => r.event === "campaign-offer").map((r) => campaignIdOf(r.sourceKey)),
    );
    const statusOf = (r: DueMessage) =>
      r.event === "campaign-offer" ? statuses.get(campaignIdOf(r.sourceKey)) : undefined;
    await skipFor(
      consenting.filter((r) => statusOf(r) === "archived"),
      CAMPAIGN_ARCHIVED_SKIP,
    );
    const paused = consenting.filter((r) => statusOf(r) === "paused");
    if (paused.length) {
      await options.beforePausedDefer?.();
      add(
        "waiting",
        await deferPending(
          shop,
          paused.map((r) => r.id),
          new Date(at.getTime() + PAUSED_RECHECK_MS),
          CAMPAIGN_PAUSED_ERROR,
          at,
        ),
      );
      // A campaign resumed since its status was read above released nothing (its rows were not set aside yet): read
      // again after setting them aside and release the resumed ones' rows now. (Resume changes the status, then
      // releases: whichever order the two passes interleave in, one of them releases the rows.)
      const pausedIds = [...new Set(paused.map((r) => campaignIdOf(r.sourceKey)))];
      const again = await campaignStatuses(shop, pausedIds);
      for (const id of pausedIds) if (again.get(id) === "active") await releasePausedCampaignMessages(shop, id, at);
    }
    const live = consenting.filter((r) => statusOf(r) !== "archived" && statusOf(r) !== "paused");
    const tiers = new Map(
      (
        await currentTiers(
          shop,
          live.filter((r) => r.batchKey === null).map((r) => r.customerId),
        )
      ).map((s) => [s.customerId, s.tier]),
    );

    // push rows
    const singles = live.filter((r) => r.batchKey === null);
    const claimedIds = new Set(
      await claimMessages(
        shop,
        singles.map((r) => r.id),
        token,
        at,
        new Date(at.getTime() + CLAIM_LEASE_MS),
      ),
    );
    const claimed = singles.filter((r) => claimedIds.has(r.id)).map((r) => ({ ...r, attempts: r.attempts }));
    const facts = await factsFor(shop, claimed, program, tiers, at, false);
    const nothing = claimed.filter((r) => "skip" in (facts.get(r.id) ?? { skip: "" }));
    for (const r of nothing) {
      add(
        "skipped",
        await recordOutcome(shop, [r.id], token, {
          state: "skipped",
          error: (facts.get(r.id) as { skip: string }).skip,
        }),
      );
    }
    let toSend = claimed.filter((r) => !("skip" in (facts.get(r.id) ?? { skip: "" })));
    // Still ours? (as for a multicast batch below): a row another pass took over after this one's lease ran out — it
    // may have recorded it skipped — is not sent from here; the renewed lease covers the page's pushes.
    if (toSend.length) {
      await options.beforeSend?.(toSend.map((r) => r.id));
      const held = new Set(
        await renewClaim(
          shop,
          toSend.map((r) => r.id),
          token,
          new Date(now().getTime() + CLAIM_LEASE_MS),
        ),
      );
      toSend = toSend.filter((r) => held.has(r.id));
    }
    const sentEach: { id: number; requestId: string | null }[] = [];
    await pool(toSend, IN_FLIGHT, async (row) => {
      if (stop) {
        // The monthly limit stopped the pass: this row waits with the others.
        await recordOutcome(shop, [row.id], token, {
          state: "pending",
          nextAttemptAt: monthlyUntil ?? now(),
          error: `${MONTHLY_LIMIT_ERROR}: not tried, the pass stopped`,
          uncount: true,
        });
        return;
      }
      const link = links.get(row.customerId)!;
      const locale = localeOf(link);
      let messages: object[];
      try {
        messages = renderLineMessages(
          facts.get(row.id) as EventFacts,
          templates[row.event as LineEvent][locale],
          locale,
          shopContext(shop, shopInfo?.name ?? null, currency, timeZone, colourOf(tiers.get(row.customerId))),
        );
      } catch (e) {
        add(
          "refused",
          await recordOutcome(shop, [row.id], token, {
            state: "refused",
            error: `not rendered: ${e instanceof Error ? e.message : String(e)}`,
          }),
        );
        return;
      }
      await pacers.push.take();
      const outcome = await client.push(link.lineUserId, messages, row.retryKey);
      result.requests++;
      if ((outcome.kind === "sent" || outcome.kind === "accepted-before") && !options.afterSend) {
        sentEach.push({
          id: row.id,
          requestId: outcome.kind === "sent" ? outcome.requestId : outcome.acceptedRequestId,
        });
        return;
      }
      await apply([row], outcome, pacers.push);
    });
    // Recorded while the next page is sent (its rows are leased, so no pass takes them meanwhile).
    if (sentEach.length) {
      const n = sentEach.length;
      recording.push(recordSentEach(shop, token, sentEach, now()).then(() => void (result.sent += n)));
    }

    // multicast batches: a few at once (their reads and writes overlap LINE's answers), paced together. A batch is
    // claimed whole by its key (all its pending rows, or none while another sender holds any of them); consent, the
    // switch and live codes are checked on what was claimed and every row left out is recorded before the request;
    // right before the request the claim is confirmed (and its lease renewed). So the recipients a batch's retry key
    // is sent to never grow from one attempt to the next, and LINE's 409 for a later attempt is true of every row it
    // carries; a sender that stalled past its lease and lost the batch sends nothing.
    const batchKeys = [...new Set(live.flatMap((r) => (r.batchKey === null ? [] : [r.batchKey])))];
    await pool(batchKeys, BATCHES_IN_FLIGHT, async (batchKey) => {
      if (stop) return;
      const claimed = await claimBatch(
        shop,
        LINE_CHANNEL,
        batchKey,
        token,
        at,
        new Date(at.getTime() + CLAIM_LEASE_MS),
      );
      if (claimed.length === 0) return;
      // The page's links cover its own rows (the usual case: the page holds the whole batch); the rows of a batch cut
      // by the page's end are read now.
      const missing = claimed.filter((r) => !links.has(r.customerId)).map((r) => r.customerId);
      const batchLinks = missing.length ? new Map([...links, ...(await followingLinks(shop, missing))]) : links;
      const skipClaimed = async (rows: readonly DueMessage[], error: string) => {
        if (rows.length)
          add(
            "skipped",
            await recordOutcome(
              shop,
              rows.map((r) => r.id),
              token,
              { state: "skipped", error },
            ),
          );
      };
      await skipClaimed(
        claimed.filter((r) => !batchLinks.has(r.customerId)),
        "no consent: not linked or not following",
      );
      let mine = claimed.filter((r) => batchLinks.has(r.customerId));
      if (!templates["campaign-offer"].enabled) {
        await skipClaimed(mine, "event switched off");
        return;
      }
      if (mine.length === 0) return;
      // The announcement is the campaign's, the same for every batch: read once per pass.
      const source = mine[0].sourceKey;
      let f = announcements.get(source);
      if (!f) {
        f = (await factsFor(shop, mine.slice(0, 1), program, new Map(), at, true)).get(mine[0].id)!;
        announcements.set(source, f);
      }
      if ("skip" in f) {
        await skipClaimed(mine, f.skip);
        return;
      }
      // The announcement sends each shopper to their own code: a recipient whose code was retired or has expired
      // since the row was made has nothing to see there, and is skipped (as a push row would be).
      const withCode = await liveCodeHolders(shop, source, mine, now());
      await skipClaimed(
        mine.filter((r) => !withCode.has(r.customerId)),
        "no live code",
      );
      mine = mine.filter((r) => withCode.has(r.customerId));
      if (mine.length === 0) return;
      // The batch's language: its first row's link (batches are formed per locale).
      const locale = localeOf(batchLinks.get(mine[0].customerId)!);
      const messages = renderLineMessages(
        f,
        templates["campaign-offer"][locale],
        locale,
        shopContext(shop, shopInfo?.name ?? null, currency, timeZone, null),
      );
      await pacers.multicast.take();
      const ids = mine.map((r) => r.id);
      await options.beforeSend?.(ids);
      // Still ours? A sender that stalled past its lease may have lost the batch to another, which sends it (and may
      // have left out rows this one would send): then this one sends nothing. The renewed lease outlasts the request
      // (its timeout is 10 s), so nobody takes the batch over while it is in flight.
      if ((await renewClaim(shop, ids, token, new Date(now().getTime() + CLAIM_LEASE_MS))).length < ids.length) return;
      const outcome = await client.multicast(
        mine.map((r) => batchLinks.get(r.customerId)!.lineUserId),
        messages,
        mine[0].retryKey,
      );
      result.requests++;
      await apply(mine, outcome, pacers.multicast);
    });
  }

  await Promise.all(recording);
  const next = await nextDueAt(shop, LINE_CHANNEL);
  result.nextRunAt = next === null ? null : next === "now" ? now() : next;
  return result;
}
