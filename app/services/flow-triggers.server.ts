// Shopify Flow triggers (extensions/flow-tier-changed, extensions/flow-segment-changed): every tier or segment move in
// the state history is sent once with flowTriggerReceive, many per request, paced like every other write. A change
// is marked sent in the same step that records Shopify's answer, so a rerun sends only what is still missing. The
// first scoring after install (reason "backfill") describes the past, not an event: it is marked and not sent.
import type { AdminClient } from "../shopify/client";
import { flowTriggersMutation, SYNC_MUTATION_FIELDS_MAX } from "../shopify/documents";
import type { TierProgram } from "../domain/tiers";
import { markFlowSent, markFlowSkipped, unsentChanges, type UnsentChange } from "../models/customer-state.server";

export const TIER_TRIGGER = "loyalty-tier-changed";
export const SEGMENT_TRIGGER = "rfm-segment-changed";
const PAGE = 500;

type Change = UnsentChange;

function direction(program: TierProgram, from: string | null, to: string | null): string {
  if (from === null) return "joined";
  if (to === null) return "left";
  const rank = (key: string) => program.tiers.findIndex((t) => t.key === key);
  return rank(to) > rank(from) ? "up" : "down";
}

/** The trigger for one change: its handle and payload as the extension declares them. */
export function flowTrigger(
  change: Change,
  program: TierProgram,
): { handle: string; payload: Record<string, unknown> } {
  const customer_id = Number(change.customerId.split("/").pop());
  const name = (key: string | null) => (key === null ? "" : (program.tiers.find((t) => t.key === key)?.name ?? key));
  return change.kind === "tier"
    ? {
        handle: TIER_TRIGGER,
        payload: {
          customer_id,
          "from tier": name(change.from),
          "to tier": name(change.to),
          direction: direction(program, change.from, change.to),
        },
      }
    : {
        handle: SEGMENT_TRIGGER,
        payload: { customer_id, "from segment": change.from ?? "", "to segment": change.to ?? "" },
      };
}

/** Sends every change not sent yet; returns how many were sent and how many Shopify refused (left to retry). */
export async function sendFlowTriggers(
  shop: string,
  { client, program, now = () => new Date() }: { client: AdminClient; program: TierProgram; now?: () => Date },
) {
  // The first scoring is history, not news.
  await markFlowSkipped(shop, "backfill", now());
  let sent = 0;
  let refused = 0;
  let afterId = 0;
  for (;;) {
    const changes = await unsentChanges(shop, afterId, PAGE);
    if (changes.length === 0) break;
    afterId = changes[changes.length - 1].id;
    for (let i = 0; i < changes.length; i += SYNC_MUTATION_FIELDS_MAX) {
      const batch = changes.slice(i, i + SYNC_MUTATION_FIELDS_MAX);
      const variables: Record<string, unknown> = {};
      batch.forEach((c, j) => {
        const { handle, payload } = flowTrigger(c, program);
        variables[`handle${j}`] = handle;
        variables[`payload${j}`] = payload;
      });
      const data = await client.request<Record<string, { userErrors: { message: string }[] }>>(
        flowTriggersMutation(batch.length),
        variables,
      );
      const ok = batch.filter((_, j) => (data[`trigger${j}`]?.userErrors ?? []).length === 0).map((c) => c.id);
      refused += batch.length - ok.length;
      sent += ok.length;
      await markFlowSent(shop, ok, now());
    }
  }
  return { sent, refused };
}
