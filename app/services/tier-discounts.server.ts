// Tier perks as real Shopify discounts (docs/rules.md#perks): per tier, a percentage off and free shipping, each
// automatic (applied at checkout with no code) or a code, limited to the tier's customer segment, so a member gets
// their tier's perks and a tier move changes them at the next checkout. Runs in every sync, in two steps around the
// segments: `remove` first (what the programme no longer asks for is deleted before its segment can go), then `all`
// (created, updated in place, replaced where an edit cannot change it). Compares with what the app last wrote
// (TierDiscount rows): nothing to change, no request. A create whose answer was lost is found again, not repeated.
import type { AdminClient } from "../shopify/client";
import {
  DISCOUNT_AUTOMATIC_BASIC_CREATE_MUTATION,
  DISCOUNT_AUTOMATIC_BASIC_UPDATE_MUTATION,
  DISCOUNT_AUTOMATIC_DELETE_MUTATION,
  DISCOUNT_AUTOMATIC_FREE_SHIPPING_CREATE_MUTATION,
  DISCOUNT_AUTOMATIC_FREE_SHIPPING_UPDATE_MUTATION,
  DISCOUNT_CODE_BASIC_CREATE_MUTATION,
  DISCOUNT_CODE_BASIC_UPDATE_MUTATION,
  DISCOUNT_CODE_DELETE_MUTATION,
  DISCOUNT_CODE_FREE_SHIPPING_CREATE_MUTATION,
  DISCOUNT_CODE_FREE_SHIPPING_UPDATE_MUTATION,
  DISCOUNTS_BY_TITLE_QUERY,
  TIER_DISCOUNT_BY_CODE_QUERY,
} from "../shopify/documents";
import { fromMinorUnits } from "../domain/money";
import { perkDiscountSpec, programPerkDiscounts, type PerkDiscount, type PerkSettings } from "../domain/perks";
import type { SyncSettings } from "../domain/sync";
import type { TierProgram } from "../domain/tiers";
import {
  dropTierDiscount,
  saveTierDiscount,
  tierDiscounts,
  type TierDiscountRow,
  type TierDiscountValues,
} from "../models/tier-discounts.server";
import { tierSegments } from "../models/tier-segments.server";

type UserError = { field: string[] | null; message: string };

export interface TierDiscountsOutcome {
  /** Mutations sent. */
  writes: number;
  /** "tier:kind" of the discounts Shopify refused (the reason is on their TierDiscount row). */
  failed: string[];
}

/** The mutations of one kind and method: create, update, delete, and the input's name. */
const MUTATIONS = {
  automatic: {
    percent: {
      create: DISCOUNT_AUTOMATIC_BASIC_CREATE_MUTATION,
      update: DISCOUNT_AUTOMATIC_BASIC_UPDATE_MUTATION,
      input: "automaticBasicDiscount",
    },
    shipping: {
      create: DISCOUNT_AUTOMATIC_FREE_SHIPPING_CREATE_MUTATION,
      update: DISCOUNT_AUTOMATIC_FREE_SHIPPING_UPDATE_MUTATION,
      input: "freeShippingAutomaticDiscount",
    },
    delete: DISCOUNT_AUTOMATIC_DELETE_MUTATION,
  },
  code: {
    percent: {
      create: DISCOUNT_CODE_BASIC_CREATE_MUTATION,
      update: DISCOUNT_CODE_BASIC_UPDATE_MUTATION,
      input: "basicCodeDiscount",
    },
    shipping: {
      create: DISCOUNT_CODE_FREE_SHIPPING_CREATE_MUTATION,
      update: DISCOUNT_CODE_FREE_SHIPPING_UPDATE_MUTATION,
      input: "freeShippingCodeDiscount",
    },
    delete: DISCOUNT_CODE_DELETE_MUTATION,
  },
} as const;

/** The Shopify input for a discount, limited to `segmentId` (and no longer to `previousSegmentId`). */
function discountInput(d: PerkDiscount, currency: string, segmentId: string, previousSegmentId: string | null) {
  const money = (minor: number) => fromMinorUnits(minor, currency);
  const input: Record<string, unknown> = {
    title: d.title,
    context: {
      customerSegments: {
        add: [segmentId],
        ...(previousSegmentId && previousSegmentId !== segmentId ? { remove: [previousSegmentId] } : {}),
      },
    },
    combinesWith: d.combinesWith,
  };
  if (d.minimumSubtotalMinor !== null)
    input.minimumRequirement = { subtotal: { greaterThanOrEqualToSubtotal: money(d.minimumSubtotalMinor) } };
  if (d.kind === "percent") {
    input.customerGets = { value: { percentage: d.percent! / 100 }, items: { all: true } };
  } else {
    input.destination = { all: true };
    if (d.maxShippingMinor !== null) input.maximumShippingPrice = money(d.maxShippingMinor);
  }
  if (d.method === "code") {
    input.code = d.code;
    input.appliesOncePerCustomer = false;
  }
  return input;
}

/**
 * Whether Shopify's discount must be replaced rather than edited: another method (automatic and code discounts are
 * different objects), an unknown state, or a minimum or maximum price taken away (an edit leaves the old one).
 */
function mustReplace(row: TierDiscountRow, d: PerkDiscount): boolean {
  if (row.spec === null || row.method !== d.method) return true;
  const [, , , , maxShipping, minimum] = JSON.parse(row.spec) as unknown[];
  return (maxShipping !== null && d.maxShippingMinor === null) || (minimum !== null && d.minimumSubtotalMinor === null);
}

/**
 * Brings the tier discounts in Shopify in line with `program` and `settings`. `step: "remove"` only deletes what is
 * no longer wanted; `"all"` also creates and updates. With segments or discounts off, tier tags off or in clean-up
 * (settings with `codes` false), every discount the app made is deleted.
 */
export async function syncTierDiscounts(
  shop: string,
  {
    client,
    program,
    settings,
    currency,
    step = "all",
    now = () => new Date(),
  }: {
    client: AdminClient;
    program: TierProgram;
    settings: SyncSettings & Pick<PerkSettings, "locale">;
    currency: string;
    step?: "remove" | "all";
    now?: () => Date;
  },
): Promise<TierDiscountsOutcome> {
  const outcome: TierDiscountsOutcome = { writes: 0, failed: [] };
  const id = (tierKey: string, kind: string) => `${tierKey}:${kind}`;
  const rows = new Map((await tierDiscounts(shop)).map((r) => [id(r.tierKey, r.kind), r]));
  const wanted = new Map(programPerkDiscounts(program, settings).map((d) => [id(d.tierKey, d.kind), d]));

  const mutate = async (doc: string, variables: Record<string, unknown>) => {
    outcome.writes += 1;
    const data = await client.request<Record<string, { userErrors: UserError[] } & Record<string, unknown>>>(
      doc,
      variables,
    );
    const payload = Object.values(data)[0];
    const error = payload.userErrors[0] ? payload.userErrors.map((e) => e.message).join("; ") : null;
    return { payload, error };
  };
  const save = (row: Pick<TierDiscountRow, "tierKey" | "kind">, values: TierDiscountValues) =>
    saveTierDiscount(shop, row.tierKey, row.kind, values);
  const fail = async (row: Pick<TierDiscountRow, "tierKey" | "kind">, message: string) => {
    outcome.failed.push(id(row.tierKey, row.kind));
    await save(row, { failure: message });
  };

  /** Deletes the row's discount in Shopify (already gone counts as deleted); false when Shopify refused. */
  const remove = async (row: TierDiscountRow): Promise<boolean> => {
    if (row.discountId) {
      const method = row.method === "automatic" ? "automatic" : "code";
      const { error } = await mutate(MUTATIONS[method].delete, { id: row.discountId });
      if (error && !/does not exist|not found/i.test(error)) {
        await fail(row, `${method === "automatic" ? "discountAutomaticDelete" : "discountCodeDelete"}: ${error}`);
        return false;
      }
    }
    await dropTierDiscount(shop, row.tierKey, row.kind);
    return true;
  };

  // What the programme no longer asks for: deleted (a create in doubt is looked for first, so it goes too).
  for (const [key, row] of rows) {
    if (wanted.has(key)) continue;
    const held = row.discountId ? row : await adoptPending(row);
    if (held && !(await remove(held))) continue;
    if (!held) await dropTierDiscount(shop, row.tierKey, row.kind);
    rows.delete(key);
  }
  if (step === "remove") return outcome;

  const segments = new Map((await tierSegments(shop)).map((s) => [s.tierKey, s.segmentId]));
  for (const [key, d] of wanted) {
    const segmentId = segments.get(d.tierKey) ?? null;
    // The tier's segment failed (its reason is on the segment): nothing to limit the discount to yet.
    if (segmentId === null) continue;
    let row = rows.get(key) ?? null;
    if (row && !row.discountId) row = await adoptPending(row);
    if (row?.discountId && mustReplace(row, d)) {
      if (!(await remove(row))) continue;
      row = null;
    }
    const spec = perkDiscountSpec(d);
    const mutations = MUTATIONS[d.method][d.kind];
    if (!row?.discountId) {
      // Starting at the whole second: Shopify keeps seconds, and a checkout in the same second must already see it.
      const startsAt = new Date(Math.floor(now().getTime() / 1000) * 1000).toISOString();
      const input = { ...discountInput(d, currency, segmentId, null), startsAt };
      // Recorded before it is sent: if the answer is lost, the next run looks for this discount before creating.
      await save(d, { pendingSpec: spec, discountId: null, method: null, spec: null, segmentId: null });
      const { payload, error } = await mutate(mutations.create, { [mutations.input]: input });
      const node = (payload.automaticDiscountNode ?? payload.codeDiscountNode) as { id: string } | null | undefined;
      // A code already taken by a discount with this exact title is the app's own create whose answer was lost.
      const made = node?.id ?? (error && d.code ? await codeDiscountTitled(d.code, d.title) : null);
      if (!made) {
        await fail(d, `${createName(d)}: ${error ?? "no discount in the answer"}`);
        await save(d, { pendingSpec: null });
        continue;
      }
      if (node?.id) {
        await save(d, { discountId: made, method: d.method, spec, segmentId, pendingSpec: null, failure: null });
        continue;
      }
      // Adopted: made from an earlier input with this title; edited below into what is wanted now.
      const adopted = { discountId: made, method: d.method, spec: null, segmentId: null, pendingSpec: null };
      await save(d, adopted);
      row = { shop, tierKey: d.tierKey, kind: d.kind, failure: null, updatedAt: now(), ...adopted };
    }
    if (row.spec === spec && row.segmentId === segmentId) continue;
    const { error } = await mutate(mutations.update, {
      id: row.discountId,
      [mutations.input]: discountInput(d, currency, segmentId, row.segmentId),
    });
    if (error) {
      await fail(d, `${createName(d).replace("Create", "Update")}: ${error}`);
      continue;
    }
    await save(d, { spec, segmentId, failure: null });
  }
  return outcome;

  /** The row with the discount its lost create made, when Shopify has it; null when it made none. */
  async function adoptPending(row: TierDiscountRow): Promise<TierDiscountRow | null> {
    if (!row.pendingSpec) return null;
    const [method, title, code] = JSON.parse(row.pendingSpec) as [string, string, string | null];
    const found = method === "code" && code ? await codeDiscountTitled(code, title) : await discountTitled(title);
    if (!found) {
      await save(row, { pendingSpec: null });
      return null;
    }
    const adopted = { discountId: found, method, spec: row.pendingSpec, pendingSpec: null };
    await save(row, adopted);
    return { ...row, ...adopted };
  }

  async function codeDiscountTitled(code: string, title: string): Promise<string | null> {
    const data = await client.request<{
      codeDiscountNodeByCode: { id: string; codeDiscount: { title?: string } } | null;
    }>(TIER_DISCOUNT_BY_CODE_QUERY, { code });
    const node = data.codeDiscountNodeByCode;
    return node && node.codeDiscount.title === title ? node.id : null;
  }

  async function discountTitled(title: string): Promise<string | null> {
    const data = await client.request<{
      discountNodes: { nodes: { id: string; discount: { __typename: string; title?: string } }[] };
    }>(DISCOUNTS_BY_TITLE_QUERY, { query: `title:${JSON.stringify(title)}` });
    const node = data.discountNodes.nodes.find(
      (n) => n.discount.title === title && n.discount.__typename.startsWith("DiscountAutomatic"),
    );
    // A DiscountNode's id names the same discount as its DiscountAutomaticNode id.
    return node ? node.id.replace("/DiscountNode/", "/DiscountAutomaticNode/") : null;
  }
}

function createName(d: PerkDiscount): string {
  return `discount${d.method === "automatic" ? "Automatic" : "Code"}${d.kind === "percent" ? "Basic" : "FreeShipping"}Create`;
}
