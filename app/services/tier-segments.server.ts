// One Shopify customer segment per tier (its query selects the tier's tag) and, where the tier has a discount perk,
// one discount code limited to that segment (docs/rules.md#sync-tier-segments). Runs at the start of
// every sync: compares the programme and settings with what the app last wrote (TierSegment rows) and sends only the
// differences — created or updated idempotently, the code updated when the perk changes, deactivated when the perk
// or the tier goes (the segment of a removed tier is deleted). Nothing to change: no request.
import type { AdminClient } from "../shopify/client";
import {
  DISCOUNT_CODE_ACTIVATE_MUTATION,
  DISCOUNT_CODE_BASIC_CREATE_MUTATION,
  DISCOUNT_CODE_BASIC_UPDATE_MUTATION,
  DISCOUNT_CODE_DEACTIVATE_MUTATION,
  SEGMENT_CREATE_MUTATION,
  SEGMENT_DELETE_MUTATION,
  SEGMENT_UPDATE_MUTATION,
  SEGMENTS_QUERY,
  TIER_DISCOUNT_BY_CODE_QUERY,
} from "../shopify/documents";
import { nodes } from "../shopify/paging";
import { tierDiscountCode, tierSegmentQuery, type SyncSettings } from "../domain/sync";
import type { Tier, TierProgram } from "../domain/tiers";
import { saveTierSegment, tierSegments, type TierSegmentValues } from "../models/tier-segments.server";

type UserError = { field: string[] | null; message: string };

export interface TierSegmentsOutcome {
  /** Mutations sent. */
  writes: number;
  /** Tiers whose segment or code Shopify refused (the reason is on their TierSegment row). */
  failed: string[];
}

interface Desired {
  name: string;
  query: string;
  discount: { code: string; title: string; percent: number } | null;
}

function desiredFor(tier: Tier, settings: SyncSettings): Desired {
  const percent = tier.perks.discountPercent;
  return {
    name: `${settings.segmentNamePrefix}${tier.name}`,
    query: tierSegmentQuery(settings.tierPrefix!, tier.key),
    discount:
      percent && settings.codes
        ? {
            code: tierDiscountCode(settings.codePrefix, tier.key, percent),
            title: `${settings.segmentNamePrefix}${tier.name} — ${percent}% off`,
            percent,
          }
        : null,
  };
}

/**
 * Brings the shop's tier segments and codes in line with `program` and `settings`. With segments off, without a
 * tier tag prefix (tier tags off) or in clean-up, every segment the app made is deleted and every code
 * deactivated; with codes off, every code is deactivated.
 */
export async function syncTierSegments(
  shop: string,
  {
    client,
    program,
    settings,
    now = () => new Date(),
  }: { client: AdminClient; program: TierProgram; settings: SyncSettings; now?: () => Date },
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

    // The discount code
    const discount = want.discount;
    if (discount) {
      const input = {
        title: discount.title,
        code: discount.code,
        context: { customerSegments: { add: [segmentId] } },
        customerGets: { value: { percentage: discount.percent / 100 }, items: { all: true } },
        combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
        appliesOncePerCustomer: false,
      };
      if (!row?.discountId) {
        const { payload, error } = await mutate<{
          discountCodeBasicCreate: { codeDiscountNode: { id: string } | null; userErrors: UserError[] };
        }>(DISCOUNT_CODE_BASIC_CREATE_MUTATION, { basicCodeDiscount: { ...input, startsAt: now().toISOString() } });
        // The code taken by a discount with this tier's title: the app's own create whose answer was lost. Adopted
        // (it was made from this same input); any other holder of the code is the merchant's and stays a failure.
        const id = error
          ? await discountOf(discount.code, discount.title)
          : (payload.codeDiscountNode as { id: string }).id;
        if (id === null) {
          await fail(key, `discountCodeBasicCreate: ${error}`);
          continue;
        }
        await save(key, {
          discountId: id,
          discountCode: discount.code,
          discountTitle: discount.title,
          discountPercent: discount.percent,
          discountActive: true,
          discountSegmentId: segmentId,
          failure: null,
        });
        continue;
      }
      // Back from deactivated first: an ended discount cannot be edited into one that ends before it starts.
      if (!row.discountActive) {
        const { error } = await mutate<{ discountCodeActivate: { userErrors: UserError[] } }>(
          DISCOUNT_CODE_ACTIVATE_MUTATION,
          { id: row.discountId },
        );
        if (error) {
          await fail(key, `discountCodeActivate: ${error}`);
          continue;
        }
        await save(key, { discountActive: true, failure: null });
      }
      if (
        row.discountCode !== discount.code ||
        row.discountTitle !== discount.title ||
        row.discountPercent !== discount.percent ||
        row.discountSegmentId !== segmentId
      ) {
        const { error } = await mutate<{ discountCodeBasicUpdate: { userErrors: UserError[] } }>(
          DISCOUNT_CODE_BASIC_UPDATE_MUTATION,
          {
            id: row.discountId,
            basicCodeDiscount: input,
          },
        );
        if (error) {
          await fail(key, `discountCodeBasicUpdate: ${error}`);
          continue;
        }
        await save(key, {
          discountCode: discount.code,
          discountTitle: discount.title,
          discountPercent: discount.percent,
          discountSegmentId: segmentId,
          failure: null,
        });
      }
    } else if (row?.discountId && row.discountActive) {
      if (await deactivate(key, row.discountId)) await save(key, { discountActive: false, failure: null });
    }
  }

  // Tiers that are gone (or all of them, with tier tags off): codes deactivated, segments deleted.
  for (const [key, row] of rows) {
    if (wanted.has(key)) continue;
    if (row.discountId && row.discountActive) {
      if (!(await deactivate(key, row.discountId))) continue;
      await save(key, { discountActive: false });
    }
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

  async function discountOf(code: string, title: string): Promise<string | null> {
    const data = await client.request<{
      codeDiscountNodeByCode: { id: string; codeDiscount: { title?: string } } | null;
    }>(TIER_DISCOUNT_BY_CODE_QUERY, { code });
    const node = data.codeDiscountNodeByCode;
    return node && node.codeDiscount.title === title ? node.id : null;
  }

  async function deactivate(key: string, id: string): Promise<boolean> {
    const { error } = await mutate<{ discountCodeDeactivate: { userErrors: UserError[] } }>(
      DISCOUNT_CODE_DEACTIVATE_MUTATION,
      { id },
    );
    if (error) await fail(key, `discountCodeDeactivate: ${error}`);
    return error === null;
  }
}
