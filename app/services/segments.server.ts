// The segments page: each RFM segment's size, share of revenue and average order value, the moves between segments
// since a chosen date (where customers came from and went to; before the install, the weeks reconstructed from the
// ledger), and the shop's own segment names.
import { z } from "zod";
import { segmentMovesSince, segmentTotals } from "../models/customer-state.server";
import { SEGMENT_KEYS, SEGMENT_MOVEMENT_DAYS as MOVEMENT_DAYS } from "../domain/segments";
import { getRfmSettings } from "../models/rfm-settings.server";
import { historyMoves } from "../models/state-history.server";
import { shopCurrency } from "../models/shop-currency.server";
import { saveRfmSettings } from "./rule-changes.server";
import { backfillStatus } from "./backfill.server";

const DAY_MS = 86_400_000;

export async function segmentsOverview(shop: string, sinceDays: number, now = new Date()) {
  const since = new Date(now.getTime() - sinceDays * DAY_MS);
  const [sizes, moves, rfm, currency, backfill, reconstructed] = await Promise.all([
    segmentTotals(shop),
    segmentMovesSince(shop, since),
    getRfmSettings(shop),
    shopCurrency(shop),
    backfillStatus(shop, now),
    // Moves reconstructed from the ledger for the weeks before the install (docs/history.md), joiners left out.
    historyMoves(shop, "segment", { after: since }),
  ]);
  const bySegment = new Map(sizes.map((s) => [s.segment, s]));
  const revenue = sizes.reduce((sum, s) => sum + s.spend, 0);
  const flows = [...moves];
  for (const m of reconstructed) {
    if (m.from === "") continue;
    const flow = flows.find((f) => f.from === m.from && f.to === m.to);
    if (flow) flow.moves += m.customers;
    else flows.push({ from: m.from, to: m.to, moves: m.customers });
  }
  return {
    currency,
    backfill,
    sinceDays,
    since: since.toISOString(),
    segmentNames: rfm.segmentNames,
    totalCustomers: sizes.reduce((sum, s) => sum + s.customers, 0),
    segments: SEGMENT_KEYS.map((key) => {
      const row = bySegment.get(key);
      const spend = row?.spend ?? 0;
      const orders = row?.orders ?? 0;
      return {
        key,
        customers: row?.customers ?? 0,
        revenueShare: revenue > 0 ? spend / revenue : 0,
        averageOrderMinor: orders > 0 ? Math.round(spend / orders) : null,
        cameFrom: flows.filter((f) => f.to === key).sort((a, b) => b.moves - a.moves),
        wentTo: flows.filter((f) => f.from === key).sort((a, b) => b.moves - a.moves),
      };
    }),
  };
}

const SINCE = z.coerce
  .number()
  .pipe(z.union(MOVEMENT_DAYS.map((d) => z.literal(d)) as [z.ZodLiteral<7>, z.ZodLiteral<30>, z.ZodLiteral<90>]))
  .catch(30);

export function sinceDaysParam(value: string | null): number {
  return SINCE.parse(value ?? "30");
}

/** Renames segments (display names only; keys, tags and scores stay). Blank restores the default name. */
export async function renameSegments(shop: string, form: FormData) {
  const names: Record<string, string> = {};
  for (const key of SEGMENT_KEYS) {
    const value = form.get(`name.${key}`);
    if (typeof value === "string") names[key] = value;
  }
  const current = await getRfmSettings(shop);
  return saveRfmSettings(shop, { windowDays: current.windowDays, segmentNames: names });
}
