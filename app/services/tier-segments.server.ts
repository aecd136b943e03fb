// One Shopify customer segment per tier, its query selecting the tier's tag (docs/rules.md#sync-tier-segments); the
// tier's perk discounts are limited to it (tier-discounts.server.ts). Runs at the start of every sync: compares the
// programme and settings with what the app last wrote (TierSegment rows) and sends only the differences — created or
// updated idempotently, deleted when the tier goes. Nothing to change: no request.
import type { AdminClient } from "../shopify/client";
import {
  SEGMENT_CREATE_MUTATION,
  SEGMENT_DELETE_MUTATION,
  SEGMENT_UPDATE_MUTATION,
  SEGMENTS_QUERY,
} from "../shopify/documents";
import { nodes } from "../shopify/paging";
import { tierSegmentQuery, type SyncSettings } from "../domain/sync";
import type { Tier, TierProgram } from "../domain/tiers";
import { saveTierSegment, tierSegments, type TierSegmentValues } from "../models/tier-segments.server";

type UserError = { field: string[] | null; message: string };

export interface TierSegmentsOutcome {
  /** Mutations sent. */
  writes: number;
  /** Tiers whose segment Shopify refused (the reason is on their TierSegment row). */
  failed: string[];
}

interface Desired {
  name: string;
  query: string;
}

function desiredFor(tier: Tier, settings: SyncSettings): Desired {
  return { name: `${settings.segmentNamePrefix}${tier.name}`, query: tierSegmentQuery(settings.tierPrefix!, tier.key) };
}

/**
 * Brings the shop's tier segments in line with `program` and `settings`. With segments off, without a tier tag
 * prefix (tier tags off) or in clean-up, every segment the app made is deleted. Run the tier discounts first when
 * segments go: a discount is limited to its segment (tier-discounts.server.ts deletes them).
 */
export async function syncTierSegments(
  shop: string,
  { client, program, settings }: { client: AdminClient; program: TierProgram; settings: SyncSettings },
): Promise<TierSegmentsOutcome> {
  const rows = new Map((await tierSegments(shop)).map((r) => [r.tierKey, r]));
  const wanted = new Map(
    settings.tierPrefix === null || !settings.segments
      ? []
      : program.tiers.map((t) => [t.key, desiredFor(t, settings)] as const),
  );
  const outcome: TierSegmentsOutcome = { writes: 0, failed: [] };

  const mutate = async <T extends Record<string, { userErrors: UserError[] } & Record<string, unknown>>>(
    doc: string,
    variables: Record<string, unknown>,
  ) => {
    outcome.writes += 1;
    const data = await client.request<T>(doc, variables);
    const payload = Object.values(data)[0];
    return { payload, error: payload.userErrors[0] ? payload.userErrors.map((e) => e.message).join("; ") : null };
  };
  const save = (tierKey: string, values: TierSegmentValues) => saveTierSegment(shop, tierKey, values);
  const fail = async (tierKey: string, message: string) => {
    outcome.failed.push(tierKey);
    await save(tierKey, { failure: message });
  };

  for (const [key, want] of wanted) {
    const row = rows.get(key);
    // The segment
    let segmentId = row?.segmentId ?? null;
    if (segmentId === null) {
      const { payload, error } = await mutate<{
        segmentCreate: { segment: { id: string } | null; userErrors: UserError[] };
      }>(SEGMENT_CREATE_MUTATION, {
        name: want.name,
        query: want.query,
      });
      // The name taken by a segment selecting exactly this tier's tag: the app's own create whose answer was lost.
      // Adopted; a segment of that name selecting anything else is the merchant's and stays a failure to show.
      const made = error ? await segmentNamed(want.name, want.query) : (payload.segment as { id: string }).id;
      if (made === null) {
        await fail(key, `segmentCreate: ${error}`);
        continue;
      }
      segmentId = made;
      await save(key, { segmentId, segmentName: want.name, segmentQuery: want.query, failure: null });
    } else if (row!.segmentName !== want.name || row!.segmentQuery !== want.query) {
      const { error } = await mutate<{ segmentUpdate: { userErrors: UserError[] } }>(SEGMENT_UPDATE_MUTATION, {
        id: segmentId,
        name: want.name,
        query: want.query,
      });
      if (error) {
        await fail(key, `segmentUpdate: ${error}`);
        continue;
      }
      await save(key, { segmentName: want.name, segmentQuery: want.query, failure: null });
    }
  }

  // Tiers that are gone (or all of them, with tier tags off): segments deleted.
  for (const [key, row] of rows) {
    if (wanted.has(key)) continue;
    if (row.segmentId) {
      const { error } = await mutate<{ segmentDelete: { userErrors: UserError[] } }>(SEGMENT_DELETE_MUTATION, {
        id: row.segmentId,
      });
      // Already deleted by the merchant: nothing left to undo.
      if (error && !/does not exist/i.test(error)) {
        await fail(key, `segmentDelete: ${error}`);
        continue;
      }
      await save(key, { segmentId: null, segmentName: null, segmentQuery: null, failure: null });
    }
  }
  return outcome;

  async function segmentNamed(name: string, query: string): Promise<string | null> {
    for await (const segment of nodes<{ segments: never }, { id: string; name: string; query: string }>(client, {
      query: SEGMENTS_QUERY,
      connection: (data) => data.segments,
    })) {
      if (segment.name === name) return segment.query === query ? segment.id : null;
    }
    return null;
  }
}
