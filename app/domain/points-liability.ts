// The points liability report (docs/rules.md#liability-and-breakage): the points customers hold (available +
// pending), their value at the best active redemption rate, the movements per calendar month in the shop's zone, and
// a breakage estimate from the shop's own history. Pure: sums in, figures out; exact integers (BigInt for money).
import type { PointsKind } from "./points";
import { addCalendarMonths, localDateAt, localDayStart } from "./time";

/** A month's (or the programme's) movements, whole points, each positive in its usual direction. */
export interface PointsMovements {
  /** Orders and bonuses (corrections included). */
  earned: number;
  /** Redemptions less released ones. */
  redeemed: number;
  expired: number;
  /** Refunds and cancellations. */
  clawedBack: number;
  /** What a clawback could not take (moves nothing). */
  lost: number;
  /** Staff adjustments, signed: + added, − removed. */
  adjusted: number;
  imported: number;
}

export const MOVEMENT_COLUMNS = [
  "earned",
  "redeemed",
  "expired",
  "clawedBack",
  "lost",
  "adjusted",
  "imported",
] as const satisfies readonly (keyof PointsMovements)[];

export const emptyMovements = (): PointsMovements => ({
  earned: 0,
  redeemed: 0,
  expired: 0,
  clawedBack: 0,
  lost: 0,
  adjusted: 0,
  imported: 0,
});

/** Adds a signed sum of entries of one kind to the movements. */
export function addKindSum(m: PointsMovements, kind: PointsKind | string, points: number): void {
  switch (kind) {
    case "order":
    case "bonus":
      m.earned += points;
      break;
    case "redemption":
      m.redeemed -= points;
      break;
    case "expiry":
      m.expired -= points;
      break;
    case "refund":
    case "cancellation":
      m.clawedBack -= points;
      break;
    case "loss":
      m.lost -= points;
      break;
    case "adjustment":
      m.adjusted += points;
      break;
    case "import":
      m.imported += points;
      break;
  }
}

/** A calendar month on the shop's wall clock: "2026-03" and its first and next month's first instants. */
export interface MonthSpan {
  month: string;
  start: number;
  end: number;
}

const monthLabel = (year: number, month: number) =>
  `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;

/** Every calendar month in `timeZone` from the one holding `from` to the one holding `to`, oldest first. */
export function monthsBetween(from: number, to: number, timeZone?: string): MonthSpan[] {
  const out: MonthSpan[] = [];
  if (to < from) return out;
  const first = localDateAt(from, timeZone);
  let date = { year: first.year, month: first.month, day: 1 };
  let start = localDayStart(date, timeZone);
  for (;;) {
    const next = addCalendarMonths(date, 1);
    const end = localDayStart(next, timeZone);
    out.push({ month: monthLabel(date.year, date.month), start, end });
    if (end > to) break;
    date = next;
    start = end;
  }
  return out;
}

// ---- Value ------------------------------------------------------------------------------------------------------------

/** An active reward with a money value: what one redemption gives for its points price. */
export interface RewardRate {
  rewardId: string;
  title: string;
  pointsPrice: number;
  valueMinor: number;
}

/**
 * The rate the outstanding points are valued at: of the active rewards with a money value, the one giving the most
 * money per point (the largest liability a redemption could make of them; ties: the cheaper reward). Null: none.
 */
export function bestRate(rewards: readonly RewardRate[]): RewardRate | null {
  let best: RewardRate | null = null;
  for (const r of rewards) {
    if (r.pointsPrice <= 0 || r.valueMinor <= 0) continue;
    if (!best) {
      best = r;
      continue;
    }
    // r.value / r.price vs best.value / best.price, exactly
    const cmp = BigInt(r.valueMinor) * BigInt(best.pointsPrice) - BigInt(best.valueMinor) * BigInt(r.pointsPrice);
    if (cmp > 0n || (cmp === 0n && r.pointsPrice < best.pointsPrice)) best = r;
  }
  return best;
}

/** floor(points × valueMinor / pointsPrice): the points' value in minor units at the rate (0 for ≤ 0 points). */
export function pointsValueMinor(points: number, rate: RewardRate): number {
  if (points <= 0) return 0;
  return Number((BigInt(points) * BigInt(rate.valueMinor)) / BigInt(rate.pointsPrice));
}

// ---- Breakage ---------------------------------------------------------------------------------------------------------

/** Below this many settled points (expired + redeemed) the history is too short for an estimate. */
export const BREAKAGE_MIN_SETTLED_POINTS = 1000;

/**
 * The breakage estimate: the share of points whose fate is settled that expired rather than being redeemed,
 * expired ÷ (expired + redeemed), in basis points (1/100 of a percent, rounded down). Null below the minimum history.
 * Clawed back and lost points are not counted: they were never the customer's to spend.
 */
export function breakage(expired: number, redeemed: number): { settled: number; basisPoints: number | null } {
  const settled = Math.max(0, expired) + Math.max(0, redeemed);
  if (settled < BREAKAGE_MIN_SETTLED_POINTS) return { settled, basisPoints: null };
  return { settled, basisPoints: Math.floor((Math.max(0, expired) * 10_000) / settled) };
}

/** The value expected to be redeemed: floor(value × (10000 − breakage) / 10000); the whole value without an estimate. */
export function expectedCostMinor(valueMinor: number, basisPoints: number | null): number {
  if (basisPoints === null) return valueMinor;
  return Number((BigInt(valueMinor) * BigInt(10_000 - basisPoints)) / 10_000n);
}

// ---- The report -------------------------------------------------------------------------------------------------------

export interface LiabilityReport {
  asOf: number;
  timeZone: string;
  currency: string;
  outstanding: { available: number; pending: number; total: number };
  rate: RewardRate | null;
  valueMinor: number | null;
  breakage: { settled: number; basisPoints: number | null; minSettled: number };
  expectedCostMinor: number | null;
  months: ({ month: string } & PointsMovements)[];
  totals: PointsMovements;
}

/**
 * Assembles the report from the journal's sums: per month (in `months` order) the signed points of each kind, the
 * available and pending points as of asOf, and the active rewards.
 */
export function liabilityReport(input: {
  asOf: number;
  timeZone: string;
  currency: string;
  available: number;
  pending: number;
  monthSums: readonly { month: string; kind: string; points: number }[];
  months: readonly MonthSpan[];
  rewards: readonly RewardRate[];
}): LiabilityReport {
  const byMonth = new Map(input.months.map((m) => [m.month, { month: m.month, ...emptyMovements() }]));
  const totals = emptyMovements();
  for (const s of input.monthSums) {
    const row = byMonth.get(s.month);
    if (row) addKindSum(row, s.kind, s.points);
    addKindSum(totals, s.kind, s.points);
  }
  const total = input.available + input.pending;
  const rate = bestRate(input.rewards);
  const valueMinor = rate ? pointsValueMinor(total, rate) : null;
  const b = breakage(totals.expired, totals.redeemed);
  return {
    asOf: input.asOf,
    timeZone: input.timeZone,
    currency: input.currency,
    outstanding: { available: input.available, pending: input.pending, total },
    rate,
    valueMinor,
    breakage: { ...b, minSettled: BREAKAGE_MIN_SETTLED_POINTS },
    expectedCostMinor: valueMinor === null ? null : expectedCostMinor(valueMinor, b.basisPoints),
    months: [...byMonth.values()],
    totals,
  };
}

const CSV_HEADER = ["month", "earned", "redeemed", "expired", "clawed_back", "lost", "adjusted", "imported"];

/**
 * The report as CSV for the accountant: a header, one line per month (oldest first), a `total` line, then the
 * summary as `# key,value` lines (outstanding points, the rate, the value, breakage). Whole points; money in the
 * currency's major units with its decimals (exact). No cell is text a person typed but the reward's title, which is
 * quoted and neutralised like every CSV cell the app writes (a leading = + - @ is prefixed with ').
 */
export function liabilityCsv(report: LiabilityReport, money: (minor: number) => string): string {
  const line = (cells: (string | number)[]) => cells.map((c) => csvCell(String(c))).join(",");
  const rows = [CSV_HEADER.join(",")];
  for (const m of report.months) rows.push(line([m.month, ...MOVEMENT_COLUMNS.map((c) => m[c])]));
  rows.push(line(["total", ...MOVEMENT_COLUMNS.map((c) => report.totals[c])]));
  rows.push("");
  rows.push(line(["summary", "value"]));
  rows.push(line(["as_of", new Date(report.asOf).toISOString()]));
  rows.push(line(["time_zone", report.timeZone]));
  rows.push(line(["currency", report.currency]));
  rows.push(line(["available_points", report.outstanding.available]));
  rows.push(line(["pending_points", report.outstanding.pending]));
  rows.push(line(["outstanding_points", report.outstanding.total]));
  rows.push(line(["rate_reward", report.rate?.title ?? ""]));
  rows.push(line(["rate_points", report.rate?.pointsPrice ?? ""]));
  rows.push(line(["rate_value", report.rate ? money(report.rate.valueMinor) : ""]));
  rows.push(line(["outstanding_value", report.valueMinor === null ? "" : money(report.valueMinor)]));
  rows.push(line(["settled_points", report.breakage.settled]));
  rows.push(
    line([
      "breakage_percent",
      report.breakage.basisPoints === null ? "" : (report.breakage.basisPoints / 100).toFixed(2),
    ]),
  );
  rows.push(line(["expected_cost", report.expectedCostMinor === null ? "" : money(report.expectedCostMinor)]));
  return rows.join("\n") + "\n";
}

function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}
