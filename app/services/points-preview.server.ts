// The Points programme screen (routes/app.points._index.tsx): the rules as the merchant edits them (decimal text for
// rates and multipliers, empty for "never"), turned into the domain's input with an issue for anything that is not a
// number; a preview of what a change would award, computed by deriving every customer's target journal under the
// current and the proposed programme as of now; saving (savePointsRules) and the retroactive grant (setPointsStart).
// Never a 500 for bad input: every refusal is an issue on its field.
import { balancesAt, isDerivedSource, programmeNeeds, targetEntries, validatePointsRules } from "../domain/points";
import type { PointsBalance, PointsProgramme, PointsRuleIssue, PointsRules } from "../domain/points";
import { localDateAt, localDayStart } from "../domain/time";
import { enqueueSync } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { getQueue } from "../jobs/runtime.server";
import { customerNames, journalsOf, pointsLedgers } from "../models/points.server";
import { getPointsRules } from "../models/points-rules.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import {
  pointsProgramme,
  programmeCustomerIds,
  savePointsRules,
  setPointsStart,
  tierProgrammesOf,
} from "./points.server";

type Clock = { now?: () => Date };
const BATCH = 500;
const EXAMPLES = 5;

// ---- The form ------------------------------------------------------------------------------------------------------

/** The rules as the page edits them: text fields. */
export interface PointsRulesForm {
  /** Points per 1 major unit of the shop currency, up to 3 decimals ("1", "2.5"). */
  rate: string;
  /** ×, up to 3 decimals ("1", "1.5"). */
  multiplier: string;
  /** Per tier key, ×; empty: ×1. */
  tierMultipliers: Record<string, string>;
  returnWindowDays: string;
  /** Empty: never. */
  expiryMonths: string;
  /** "inactivity" or "lifetime" (docs/rules.md#points-expiry). */
  expiryMode: string;
  signUpPoints: string;
  firstOrderPoints: string;
  birthdayPoints: string;
  birthdayMetafield: string;
}

const perMilleText = (value: number) => {
  const whole = Math.floor(value / 1000);
  const rest = value % 1000;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(3, "0").replace(/0+$/, "")}`;
};

export function formFromRules(rules: PointsRules, tierKeys: readonly string[]): PointsRulesForm {
  return {
    rate: perMilleText(rules.ratePerMille),
    multiplier: perMilleText(rules.multiplierPerMille),
    tierMultipliers: Object.fromEntries(
      tierKeys.map((key) => [key, key in rules.tierMultipliers ? perMilleText(rules.tierMultipliers[key]) : "1"]),
    ),
    returnWindowDays: String(rules.returnWindowDays),
    expiryMonths: rules.expiryMonths === null ? "" : String(rules.expiryMonths),
    // Rules saved before the mode existed expire after inactivity
    expiryMode: rules.expiryMode ?? "inactivity",
    signUpPoints: String(rules.signUpPoints),
    firstOrderPoints: String(rules.firstOrderPoints),
    birthdayPoints: String(rules.birthdayPoints),
    birthdayMetafield: rules.birthdayMetafield,
  };
}

const DECIMAL = /^\d{1,9}(?:[.,]\d{1,3})?$/;
const WHOLE = /^\d{1,9}$/;

/** The domain's input for a form, with an issue for each field that is not a number at all. */
export function rulesInputFromForm(form: unknown): { input: Record<string, unknown>; issues: PointsRuleIssue[] } {
  const f = (form && typeof form === "object" ? form : {}) as Partial<Record<keyof PointsRulesForm, unknown>>;
  const issues: PointsRuleIssue[] = [];
  const input: Record<string, unknown> = {};
  const text = (v: unknown) => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "");
  const perMille = (value: unknown, path: string[], key: string, message: string): number | undefined => {
    const t = text(value);
    if (!DECIMAL.test(t)) {
      issues.push({ path, key, message });
      return undefined;
    }
    const [whole, fraction = ""] = t.replace(",", ".").split(".");
    return Number(whole) * 1000 + Number(fraction.padEnd(3, "0"));
  };
  const whole = (value: unknown, path: string[]): number | undefined => {
    const t = text(value);
    if (!WHOLE.test(t)) {
      issues.push({ path, key: "points.not_whole", message: "Enter a whole number." });
      return undefined;
    }
    return Number(t);
  };
  const decimalMessage = "Enter a number with up to 3 decimals, like 1 or 2.5.";
  const rate = perMille(f.rate, ["ratePerMille"], "points.not_decimal", decimalMessage);
  if (rate !== undefined) input.ratePerMille = rate;
  const multiplier = perMille(f.multiplier, ["multiplierPerMille"], "points.not_decimal", decimalMessage);
  if (multiplier !== undefined) input.multiplierPerMille = multiplier;
  const tiers: Record<string, number> = {};
  if (f.tierMultipliers && typeof f.tierMultipliers === "object" && !Array.isArray(f.tierMultipliers)) {
    for (const [key, value] of Object.entries(f.tierMultipliers as Record<string, unknown>)) {
      if (text(value) === "") continue; // empty: ×1
      const v = perMille(value, ["tierMultipliers", key], "points.not_decimal", decimalMessage);
      // ×1 is what a tier not listed gets: kept out of the rules so they say only what differs
      if (v !== undefined && v !== 1000) tiers[key] = v;
    }
  }
  input.tierMultipliers = tiers;
  for (const field of ["returnWindowDays", "signUpPoints", "firstOrderPoints", "birthdayPoints"] as const) {
    const v = whole(f[field], [field]);
    if (v !== undefined) input[field] = v;
  }
  if (text(f.expiryMonths) === "") input.expiryMonths = null;
  else {
    const v = whole(f.expiryMonths, ["expiryMonths"]);
    if (v !== undefined) input.expiryMonths = v;
  }
  // As sent (the domain refuses anything but its two modes); absent: the default, inactivity
  if (f.expiryMode !== undefined) input.expiryMode = f.expiryMode;
  input.birthdayMetafield = text(f.birthdayMetafield);
  return { input, issues };
}

/** The form's rules checked: the domain's validation after the form's own. */
export function rulesFromForm(
  form: unknown,
): { ok: true; rules: PointsRules } | { ok: false; issues: PointsRuleIssue[] } {
  const { input, issues } = rulesInputFromForm(form);
  const checked = validatePointsRules(input);
  // A field the form refused is absent from the input: the domain's issues are for the others
  const all = [...issues, ...(checked.ok ? [] : checked.issues)];
  if (all.length > 0) return { ok: false, issues: all };
  return checked as { ok: true; rules: PointsRules };
}

/** "YYYY-MM-DD" as the first instant of that day in the shop's zone, or an issue. */
export function startFromForm(
  text: unknown,
  timeZone: string | undefined,
  now: number,
): { ok: true; at: Date } | { ok: false; issues: PointsRuleIssue[] } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typeof text === "string" ? text.trim() : "");
  const bad = (key: string, message: string) => ({
    ok: false as const,
    issues: [{ path: ["startsAt"], key, message }],
  });
  if (!m) return bad("points.startsAt.invalid", "Enter a date as YYYY-MM-DD.");
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const at = localDayStart(date, timeZone);
  const back = localDateAt(at, timeZone);
  if (date.year < 2000 || back.year !== date.year || back.month !== date.month || back.day !== date.day)
    return bad("points.startsAt.invalid", "Enter a date as YYYY-MM-DD.");
  if (at > now) return bad("points.startsAt.future", "The programme start cannot be in the future.");
  return { ok: true, at: new Date(at) };
}

// ---- The preview ---------------------------------------------------------------------------------------------------

/** What the preview compares: earned, pending and available points, and what has expired (an expiry rule's change). */
export type PreviewBalance = Pick<PointsBalance, "earned" | "pending" | "available" | "expired">;

export interface PointsPreview {
  asOf: string;
  /** Customers whose journal either programme gives entries. */
  customers: number;
  /** Customers whose earned, pending, available or expired points differ. */
  affected: number;
  before: PreviewBalance;
  after: PreviewBalance;
  /** The customers the change moves most (by earned points), largest first. */
  examples: { customerId: string; name: string; before: PreviewBalance; after: PreviewBalance }[];
}

const pick = (b: PointsBalance): PreviewBalance => ({
  earned: b.earned,
  pending: b.pending,
  available: b.available,
  expired: b.expired,
});
const add = (a: PreviewBalance, b: PreviewBalance) => {
  a.earned += b.earned;
  a.pending += b.pending;
  a.available += b.available;
  a.expired += b.expired;
};
const same = (a: PreviewBalance, b: PreviewBalance) =>
  a.earned === b.earned && a.pending === b.pending && a.available === b.available && a.expired === b.expired;

/**
 * Every customer's balances as of now under two programmes: each customer's target journal (the ledger, their
 * bonuses' facts and the movements other services wrote) derived under `before` and under `after`. Writes nothing.
 */
export async function comparePointsProgrammes(
  shop: string,
  before: PointsProgramme,
  after: PointsProgramme,
  { now = () => new Date() }: Clock = {},
): Promise<PointsPreview> {
  const asOf = now().getTime();
  const ids = [
    ...new Set([...(await programmeCustomerIds(shop, before)), ...(await programmeCustomerIds(shop, after))]),
  ].sort();
  const from = new Date(Math.min(before.startsAt, after.startsAt));
  const zero = (): PreviewBalance => ({ earned: 0, pending: 0, available: 0, expired: 0 });
  const total = { before: zero(), after: zero() };
  let customers = 0;
  let affected = 0;
  const moved: { customerId: string; before: PreviewBalance; after: PreviewBalance }[] = [];
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    const [ledgers, journals] = await Promise.all([pointsLedgers(shop, batch, from), journalsOf(shop, batch)]);
    for (const id of batch) {
      const ledger = ledgers.get(id)!;
      const held = journals.get(id)!;
      const external = held.filter((e) => !isDerivedSource(e.sourceKey));
      const options = { customerDeleted: ledger.customerDeleted, held, customer: ledger.customer };
      const a = targetEntries(ledger.orders, before, asOf, options);
      const b = targetEntries(ledger.orders, after, asOf, options);
      if (a.length === 0 && b.length === 0 && external.length === 0) continue;
      customers += 1;
      const x = pick(balancesAt([...external, ...a], asOf));
      const y = pick(balancesAt([...external, ...b], asOf));
      add(total.before, x);
      add(total.after, y);
      if (!same(x, y)) {
        affected += 1;
        moved.push({ customerId: id, before: x, after: y });
      }
    }
  }
  const size = (m: (typeof moved)[number]) =>
    Math.abs(m.after.earned - m.before.earned) + Math.abs(m.after.available - m.before.available);
  moved.sort((p, q) => size(q) - size(p) || (p.customerId < q.customerId ? -1 : 1));
  const top = moved.slice(0, EXAMPLES);
  const names = await customerNames(
    shop,
    top.map((m) => m.customerId),
  );
  return {
    asOf: new Date(asOf).toISOString(),
    customers,
    affected,
    before: total.before,
    after: total.after,
    examples: top.map((m) => ({ ...m, name: names.get(m.customerId) ?? "" })),
  };
}

/**
 * What the proposed rules would award: the current programme against the same with the proposed rules in force for
 * every order and bonus since the programme start (saving applies them from now on; the preview shows their size on
 * the shop's own history).
 */
export async function previewPointsRules(
  shop: string,
  rules: PointsRules,
  clock: Clock = {},
): Promise<PointsPreview | null> {
  const current = await pointsProgramme(shop);
  if (!current) return null;
  const next = Math.max(0, ...current.versions.map((v) => v.version)) + 1;
  const proposed: PointsProgramme = {
    ...current,
    versions: [...current.versions, { version: next, effectiveFrom: current.startsAt, rules }],
  };
  if (programmeNeeds(proposed).tiers && !proposed.tierProgrammes)
    proposed.tierProgrammes = await tierProgrammesOf(shop);
  return comparePointsProgrammes(shop, current, proposed, clock);
}

/** What moving the programme start would do (setPointsStart): the current programme against the same from `at`. */
export async function previewPointsStart(shop: string, at: Date, clock: Clock = {}): Promise<PointsPreview | null> {
  const current = await pointsProgramme(shop);
  if (!current) return null;
  return comparePointsProgrammes(shop, current, { ...current, startsAt: at.getTime() }, clock);
}

// ---- The page ------------------------------------------------------------------------------------------------------

export interface PointsProgramPage {
  currency: string;
  version: number;
  /** The programme start as the shop's local date (YYYY-MM-DD) and instant. */
  startsOn: string;
  startsAt: string;
  timeZone: string | null;
  tiers: { key: string; name: string }[];
  form: PointsRulesForm;
}

export async function pointsProgramPage(shop: string): Promise<PointsProgramPage | null> {
  const programme = await pointsProgramme(shop);
  if (!programme) return null;
  const [stored, tierProgram, currency] = await Promise.all([
    getPointsRules(shop),
    getActiveTierProgram(shop),
    shopCurrency(shop),
  ]);
  const tiers = tierProgram.program.tiers.map((t) => ({ key: t.key, name: t.name }));
  const d = localDateAt(programme.startsAt, programme.timeZone);
  return {
    currency,
    version: stored.active.version,
    startsOn: `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`,
    startsAt: new Date(programme.startsAt).toISOString(),
    timeZone: programme.timeZone ?? null,
    tiers,
    form: formFromRules(
      stored.active.rules,
      tiers.map((t) => t.key),
    ),
  };
}

export type PointsProgramResult =
  | { intent: "preview" | "previewStart"; ok: true; preview: PointsPreview }
  | { intent: "save"; ok: true; version: number }
  | { intent: "applyStart"; ok: true; startsAt: string; appended: number }
  | { intent: string; ok: false; issues: PointsRuleIssue[] };

/** The page's actions: preview or save the rules, preview or apply a programme start. */
export async function submitPointsProgram(
  shop: string,
  body: unknown,
  { now = () => new Date(), queue }: Clock & { queue?: JobQueue } = {},
): Promise<PointsProgramResult> {
  const b = (body && typeof body === "object" ? body : {}) as { intent?: unknown; rules?: unknown; startsOn?: unknown };
  const intent = typeof b.intent === "string" ? b.intent : "";
  const programme = await pointsProgramme(shop);
  if (!programme) throw new Error(`unknown shop ${shop}`);
  if (intent === "preview" || intent === "save") {
    const checked = rulesFromForm(b.rules);
    if (!checked.ok) return { intent, ok: false, issues: checked.issues };
    if (intent === "preview")
      return { intent, ok: true, preview: (await previewPointsRules(shop, checked.rules, { now }))! };
    const saved = await savePointsRules(shop, checked.rules, { now, queue: queue ?? getQueue() });
    if (!saved.ok) return { intent, ok: false, issues: saved.issues };
    return { intent, ok: true, version: saved.version };
  }
  if (intent === "previewStart" || intent === "applyStart") {
    const start = startFromForm(b.startsOn, programme.timeZone, now().getTime());
    if (!start.ok) return { intent, ok: false, issues: start.issues };
    if (intent === "previewStart")
      return { intent, ok: true, preview: (await previewPointsStart(shop, start.at, { now }))! };
    const applied = await setPointsStart(shop, start.at, { now });
    if (applied.appended > 0) await enqueueSync(queue ?? getQueue(), shop, "recompute", { now });
    return { intent, ok: true, startsAt: applied.startsAt, appended: applied.appended };
  }
  return { intent, ok: false, issues: [{ path: [], key: "points.intent", message: "Unknown action." }] };
}
