// Earning rules beyond the order's value (docs/rules.md#points-earning-rules): the tier a customer held when an order
// was placed (for its tier multiplier), and the instants and keys of the three bonuses — signing up, the first order,
// the birthday month. Pure: epoch milliseconds in, no clock, no I/O. targetEntries (points.ts) turns them into
// journal entries next to the orders' own.
import { evaluateTier, type TierOrder, type TierProgram } from "./tiers";
import { localDateAt, localDayStart } from "./time";

/** Source keys of the bonuses (derived: a rebuild writes them again, docs/rules.md#points-keys). */
export const bonusKeys = {
  signUp: () => "bonus:signup",
  firstOrder: () => "bonus:first-order",
  /** What the first order's cancellation or refund to 0 takes back of its bonus. */
  firstOrderClawback: () => "bonus:first-order:clawback",
  birthday: (year: number) => `bonus:birthday:${year}`,
};

/** A tier programme and the instant from which it was the shop's (the saved version's creation time). */
export interface TierProgrammeAt {
  from: number;
  program: TierProgram;
}

/** The tier programme in force at `t`: the latest one whose `from` ≤ t, else the earliest (the shop's default). */
export function tierProgrammeAt(programmes: readonly TierProgrammeAt[], t: number): TierProgram | null {
  let found: TierProgrammeAt | null = null;
  let earliest: TierProgrammeAt | null = null;
  for (const p of programmes) {
    if (!earliest || p.from < earliest.from) earliest = p;
    if (p.from <= t && (!found || p.from >= found.from)) found = p;
  }
  return (found ?? earliest)?.program ?? null;
}

/** An order as the tier rules count it: the ledger's qualifying orders (not test, not cancelled, worth more than 0). */
export interface TierCountedOrder {
  processedAt: number;
  cancelledAt: number | null;
  test: boolean;
  valueMinor: number;
}

/**
 * The key of the tier the customer held at `t` under the programme in force then, counting their qualifying orders
 * placed strictly before `t` (an order does not lift its own tier): evaluateTier as of t on those orders, retention
 * included. The orders are the ledger's as it stands (current values, refunds taken off), so a later refund of an
 * earlier order can lower the tier a later order was placed in. Null: no tier (no earlier qualifying order).
 */
export function tierHeldAt(
  programmes: readonly TierProgrammeAt[],
  orders: readonly TierCountedOrder[],
  t: number,
): string | null {
  const program = tierProgrammeAt(programmes, t);
  if (!program || program.tiers.length === 0) return null;
  const counted: TierOrder[] = [];
  for (const o of orders)
    if (!o.test && o.cancelledAt === null && o.valueMinor > 0 && o.processedAt < t)
      counted.push({ time: o.processedAt, value: o.valueMinor });
  if (counted.length === 0) return null;
  return evaluateTier(program, counted, t).tier;
}

/**
 * The instants of the birthday bonus: the first instant of the birthday month (the 1st, 00:00 in the shop's zone) of
 * every calendar year whose instant lies in [startsAt, asOf]. The year is the key's: one bonus per year at most.
 */
export function birthdayInstants(
  birthday: { month: number },
  startsAt: number,
  asOf: number,
  timeZone?: string,
): { year: number; at: number }[] {
  if (!(asOf >= startsAt)) return [];
  const out: { year: number; at: number }[] = [];
  const first = localDateAt(startsAt, timeZone).year;
  const last = localDateAt(asOf, timeZone).year;
  for (let year = first; year <= last; year++) {
    const at = localDayStart({ year, month: birthday.month, day: 1 }, timeZone);
    if (at >= startsAt && at <= asOf) out.push({ year, at });
  }
  return out;
}
