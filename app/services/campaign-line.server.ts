// A campaign's LINE side for the admin (docs/line-messages.md#campaigns): the form's LINE option (checked against
// the shop's connection and saved with the campaign), the quota warning (LINE's monthly quota and consumption, read
// from LINE, against the linked, following recipients the campaign would message) and the report's message counts.
import { checkLineMode, quotaCheck, type LineMode, type LineModeCheck, type QuotaCheck } from "../domain/campaign-line";
import {
  campaignLineCounts,
  campaignLineMode,
  followingByLocale,
  messagedRecipientCodes,
  recipientsToMessageByLocale,
  setCampaignLineMode,
  type CampaignLineCounts,
} from "../models/campaign-line.server";
import { campaignAbTest } from "../models/campaign-variants.server";
import { memberOrders } from "../models/campaigns.server";
import { lineConnected } from "../models/channel-templates.server";
import { releasePausedCampaignMessages } from "../models/channel-messages.server";
import { enqueueLineSend } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { lineClientForShop } from "./line-client.server";

/**
 * The form's LINE option for campaign `campaignId` (null: a new one, A/B test when the form adds a variant B).
 */
export async function checkCampaignLineMode(
  shop: string,
  raw: FormDataEntryValue | null,
  { campaignId = null, variantB = null }: { campaignId?: string | null; variantB?: FormDataEntryValue | null } = {},
): Promise<LineModeCheck> {
  const abTest =
    raw === "multicast" &&
    (campaignId === null
      ? variantB === "on" || variantB === "true"
      : ((await campaignAbTest(shop, campaignId))?.variants.length ?? 0) > 0);
  return checkLineMode(raw, { lineConnected: await lineConnected(shop), abTest });
}

/** Saves a checked mode (null: left as it is). */
export async function applyCampaignLineMode(shop: string, campaignId: string, mode: LineMode | null) {
  if (mode !== null) await setCampaignLineMode(shop, campaignId, mode);
}

/**
 * A campaign resumed: its LINE messages that waited while it was paused are due now, and the sender is queued (the
 * sender checks each one's code and retry key when its turn comes; docs/line-sending.md). How many were released.
 */
export async function releaseCampaignLine(shop: string, campaignId: string, queue: JobQueue, now: Date) {
  const released = await releasePausedCampaignMessages(shop, campaignId, now);
  if (released > 0) await enqueueLineSend(queue, shop);
  return released;
}

const QUOTA_TIMEOUT_MS = 3000;

export type QuotaReading =
  | { ok: true; limit: number | null; used: number }
  | { ok: false; reason: "not_connected" | "unavailable"; detail: string | null };

/** LINE's monthly quota and this month's consumption, read from LINE now. */
export async function readLineQuota(shop: string): Promise<QuotaReading> {
  let client;
  try {
    // A page waits for this: a short timeout, then "could not be read" rather than a slow page.
    client = await lineClientForShop(shop, { timeoutMs: QUOTA_TIMEOUT_MS });
  } catch (e) {
    return { ok: false, reason: "unavailable", detail: e instanceof Error ? e.message : String(e) };
  }
  if (!client) return { ok: false, reason: "not_connected", detail: null };
  const [quota, consumption] = await Promise.all([client.quota(), client.consumption()]);
  if (!quota.ok) return { ok: false, reason: "unavailable", detail: quota.message };
  if (!consumption.ok) return { ok: false, reason: "unavailable", detail: consumption.message };
  return {
    ok: true,
    limit: quota.value.type === "limited" ? quota.value.value : null,
    used: consumption.value.totalUsage,
  };
}

/** For the campaign form: whether LINE is connected, the quota, and who could be messaged (per locale). */
export async function campaignLineFormContext(shop: string) {
  const connected = await lineConnected(shop);
  if (!connected) return { connected, quota: null, followingByLocale: {} as Record<string, number> };
  const [quota, following] = await Promise.all([readLineQuota(shop), followingByLocale(shop)]);
  return { connected, quota, followingByLocale: following };
}

export interface CampaignLinePanel {
  mode: LineMode;
  connected: boolean;
  counts: CampaignLineCounts;
  /** Recipients the LINE message reached whose code was then used in an order. */
  codesUsed: number;
  quota: QuotaReading | null;
  /** The quota against the recipients still to message (null: mode off, or the quota could not be read). */
  check: QuotaCheck | null;
  followingByLocale: Record<string, number>;
}

/** The campaign page's LINE figures; null when the shop has no such campaign. */
export async function campaignLinePanel(shop: string, campaignId: string): Promise<CampaignLinePanel | null> {
  const mode = await campaignLineMode(shop, campaignId);
  if (mode === null) return null;
  const [connected, counts, codes, toMessage, following] = await Promise.all([
    lineConnected(shop),
    campaignLineCounts(shop, campaignId),
    messagedRecipientCodes(shop, campaignId),
    recipientsToMessageByLocale(shop, campaignId),
    followingByLocale(shop),
  ]);
  let codesUsed = 0;
  if (codes.length) {
    const since = new Date(Math.min(...codes.map((c) => c.assignedAt.getTime())));
    const orders = await memberOrders(
      shop,
      codes.map((c) => c.customerId),
      since,
    );
    const used = new Set<string>();
    const byCustomer = new Map(codes.map((c) => [c.customerId, c]));
    for (const o of orders) {
      const r = byCustomer.get(o.customerId);
      if (!r || o.processedAt < r.assignedAt) continue;
      const orderCodes = (JSON.parse(o.discountCodes) as string[]).map((c) => c.toLowerCase());
      if (orderCodes.includes(r.code.toLowerCase())) used.add(r.customerId);
    }
    codesUsed = used.size;
  }
  const quota = connected && (mode !== "off" || counts.pending > 0) ? await readLineQuota(shop) : null;
  const check =
    quota?.ok && mode !== "off"
      ? quotaCheck(
          quota.limit === null ? { type: "none" } : { type: "limited", value: quota.limit },
          quota.used,
          mode,
          toMessage,
        )
      : null;
  return { mode, connected, counts, codesUsed, quota, check, followingByLocale: following };
}
