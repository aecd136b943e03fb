// What a discount is, whatever its method: its class, its status at a moment, its ids, and Shopify's limit on
// automatic discounts active at the same time. Shared by the discount resolvers and the checkout.
import { gid, numericId, parseGid } from "./gid";
import type { DiscountRecord } from "./records";
import type { ShopState } from "./store";

/**
 * "At any given time, only 25 automatic discounts can be active." (DiscountErrorCode.ACTIVE_PERIOD_OVERLAP in the
 * 2026-04 schema, https://shopify.dev/docs/api/admin-graphql/2026-04/enums/DiscountErrorCode).
 */
export const MAX_ACTIVE_AUTOMATIC_DISCOUNTS = 25;

export type DiscountClass = "ORDER" | "SHIPPING";
export type DiscountStatus = "ACTIVE" | "SCHEDULED" | "EXPIRED";
export type DiscountTypename =
  | "DiscountCodeBasic"
  | "DiscountCodeFreeShipping"
  | "DiscountAutomaticBasic"
  | "DiscountAutomaticFreeShipping";

/** Amount off with items { all: true } is an order discount; free shipping a shipping discount. */
export function discountClassOf(d: DiscountRecord): DiscountClass {
  return d.value.kind === "freeShipping" ? "SHIPPING" : "ORDER";
}

export function discountStatusAt(d: DiscountRecord, now: number): DiscountStatus {
  if (Date.parse(d.startsAt) > now) return "SCHEDULED";
  if (d.endsAt !== null && Date.parse(d.endsAt) <= now) return "EXPIRED";
  return "ACTIVE";
}

/** The union member a discount is in the schema (Discount, DiscountCode, DiscountAutomatic). */
export function discountTypename(d: DiscountRecord): DiscountTypename {
  const shipping = d.value.kind === "freeShipping";
  if (d.method === "automatic") return shipping ? "DiscountAutomaticFreeShipping" : "DiscountAutomaticBasic";
  return shipping ? "DiscountCodeFreeShipping" : "DiscountCodeBasic";
}

/** The node type of each method's own id. */
export function nodeTypeOf(method: DiscountRecord["method"]): "DiscountCodeNode" | "DiscountAutomaticNode" {
  return method === "code" ? "DiscountCodeNode" : "DiscountAutomaticNode";
}

/** A new discount id of the method's node type, from the one numeric id space code and automatic discounts share. */
export function nextDiscountId(shop: ShopState, method: DiscountRecord["method"]): string {
  return gid(nodeTypeOf(method), numericId(shop.nextId("DiscountNode")));
}

/** DiscountNode/N, the id discountNodes answers for the discount whose own id has the number N. */
export function discountNodeId(d: DiscountRecord): string {
  return gid("DiscountNode", numericId(d.id));
}

/**
 * The discount an id names: its own id (DiscountCodeNode/N, DiscountAutomaticNode/N) or, where `accept` allows,
 * DiscountNode/N. Another method's id finds nothing (codeDiscountNode does not answer for an automatic discount).
 */
export function discountById(
  shop: ShopState,
  id: string,
  accept: { code?: boolean; automatic?: boolean; discountNode?: boolean },
): DiscountRecord | undefined {
  const parsed = parseGid(id);
  if (!parsed) return undefined;
  const number = numericId(id);
  const candidates: DiscountRecord["method"][] =
    parsed.type === "DiscountCodeNode"
      ? ["code"]
      : parsed.type === "DiscountAutomaticNode"
        ? ["automatic"]
        : parsed.type === "DiscountNode" && accept.discountNode
          ? ["code", "automatic"]
          : [];
  for (const method of candidates) {
    if (!accept[method]) continue;
    const found = shop.discounts.get(gid(nodeTypeOf(method), number));
    if (found) return found;
  }
  return undefined;
}

/**
 * The most automatic discounts (other than `exceptId`) active at one moment of the period [startsAt, endsAt) from now
 * on; 0 when the period is over. At most MAX_ACTIVE_AUTOMATIC_DISCOUNTS may overlap, so a period meeting that many is
 * refused. The maximum of half-open intervals is reached where the period or one of them starts.
 */
export function automaticOverlap(
  shop: ShopState,
  period: { startsAt: string; endsAt: string | null },
  exceptId: string | null,
  now: number,
): number {
  const from = Math.max(Date.parse(period.startsAt), now);
  const to = period.endsAt === null ? Infinity : Date.parse(period.endsAt);
  if (to <= from) return 0;
  const others: [number, number][] = [];
  for (const d of shop.discounts.values()) {
    if (d.method !== "automatic" || d.id === exceptId) continue;
    const start = Date.parse(d.startsAt);
    const end = d.endsAt === null ? Infinity : Date.parse(d.endsAt);
    if (end > from && start < to) others.push([start, end]);
  }
  const instants = [from, ...others.map(([start]) => start).filter((start) => start > from)];
  let most = 0;
  for (const t of instants) {
    const active = others.filter(([start, end]) => start <= t && t < end).length;
    if (active > most) most = active;
  }
  return most;
}
