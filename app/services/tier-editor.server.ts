// The tier editor's form: the programme as the merchant edits it (amounts as decimal text in the shop currency,
// empty fields for "none"), turned into the domain's input (minor units, nulls) with an issue for anything that is not
// a number, then previewed (preview.server.ts) or saved (rule-changes.server.ts) — never a 500 for bad input.
import { MoneyError, fromMinorUnits, toMinorUnits } from "../domain/money";
import type { TierRuleIssue } from "../domain/tier-rules";
import type { TierProgram } from "../domain/tiers";
import { shopCurrency } from "../models/shop-currency.server";
import { getActiveTierProgram, listTierProgramVersions } from "../models/tier-program.server";
import { previewTierProgram } from "./preview.server";
import { saveTierProgram } from "./rule-changes.server";

export interface TierForm {
  key: string;
  name: string;
  /** Decimal amount in the shop currency ("250.00"). */
  threshold: string;
  /** Whole number, or empty for none. */
  minOrders: string;
  /** Whole percent, or empty for no discount. */
  discountPercent: string;
  freeShipping: boolean;
  /** Decimal amount in the shop currency, or empty for any shipping rate. */
  freeShippingMaxPrice: string;
  /** Decimal amount in the shop currency, or empty for any order. */
  minimumSubtotal: string;
  delivery: "automatic" | "code";
  combinesWithOrder: boolean;
  combinesWithProduct: boolean;
  combinesWithShipping: boolean;
  customText: string;
  /** The tier's own colour as typed ("#86650A"), or empty for the palette colour of its place. */
  colour: string;
}

export interface ProgramForm {
  tiers: TierForm[];
  windowKind: "rolling" | "calendar_year" | "lifetime";
  windowDays: string;
  retentionDays: string;
}

export function formFromProgram(program: TierProgram, currency: string): ProgramForm {
  return {
    tiers: program.tiers.map((t) => ({
      key: t.key,
      name: t.name,
      threshold: fromMinorUnits(t.threshold, currency),
      minOrders: t.minOrders === null ? "" : String(t.minOrders),
      discountPercent: t.perks.discountPercent === null ? "" : String(t.perks.discountPercent),
      freeShipping: t.perks.freeShipping,
      freeShippingMaxPrice:
        t.perks.freeShippingMaxPriceMinor === null ? "" : fromMinorUnits(t.perks.freeShippingMaxPriceMinor, currency),
      minimumSubtotal:
        t.perks.minimumSubtotalMinor === null ? "" : fromMinorUnits(t.perks.minimumSubtotalMinor, currency),
      delivery: t.perks.delivery,
      combinesWithOrder: t.perks.combinesWith.orderDiscounts,
      combinesWithProduct: t.perks.combinesWith.productDiscounts,
      combinesWithShipping: t.perks.combinesWith.shippingDiscounts,
      customText: t.perks.customText ?? "",
      colour: t.colour ?? "",
    })),
    windowKind: program.window.kind,
    windowDays: program.window.kind === "rolling" ? String(program.window.days) : "365",
    retentionDays: String(program.retentionDays),
  };
}

const WHOLE = /^\d{1,9}$/;

/** The domain's input for a form, or the issues of fields that are not numbers at all. */
export function programInputFromForm(
  form: unknown,
  currency: string,
  timeZone: string | null,
): { input: unknown; issues: TierRuleIssue[] } {
  const issues: TierRuleIssue[] = [];
  const f = form as Partial<ProgramForm> | null;
  if (!f || typeof f !== "object" || !Array.isArray(f.tiers)) {
    return {
      input: null,
      issues: [
        {
          path: ["tiers"],
          key: "field.invalid_type",
          message: "This field must be a list.",
          params: { expected: "array" },
        },
      ],
    };
  }
  const whole = (text: unknown, path: (string | number)[], key: string, message: string): number | null => {
    const value = typeof text === "string" ? text.trim() : "";
    if (value === "") return null;
    if (!WHOLE.test(value)) {
      issues.push({ path, key, message });
      return null;
    }
    return Number(value);
  };
  /** An optional amount in the shop currency: minor units, null when empty, an issue when it is not an amount. */
  const optionalAmount = (text: unknown, path: (string | number)[]): number | null => {
    const value = typeof text === "string" ? text.trim() : "";
    if (value === "") return null;
    try {
      return toMinorUnits(value, currency);
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error;
      issues.push({
        path,
        key: "tier.perks.not_amount",
        message: `Enter an amount in ${currency}, like 50.00, or leave it empty.`,
        params: { currency },
      });
      return null;
    }
  };
  const tiers = f.tiers.map((t, i) => {
    let threshold = 0;
    try {
      threshold = toMinorUnits(String(t?.threshold ?? "").trim() || "0", currency);
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error;
      issues.push({
        path: ["tiers", i, "threshold"],
        key: "tier.threshold.not_amount",
        message: `Enter an amount in ${currency}, like 250.00.`,
        params: { currency },
      });
    }
    return {
      key: String(t?.key ?? "").trim(),
      name: String(t?.name ?? ""),
      threshold,
      minOrders: whole(
        t?.minOrders,
        ["tiers", i, "minOrders"],
        "tier.min_orders.invalid",
        "Enter a whole number of orders, or leave it empty.",
      ),
      perks: {
        discountPercent: whole(
          t?.discountPercent,
          ["tiers", i, "perks", "discountPercent"],
          "tier.perks.discount_out_of_range",
          "Enter a whole percentage from 1 to 100, or leave it empty.",
        ),
        freeShipping: t?.freeShipping === true,
        freeShippingMaxPriceMinor: optionalAmount(t?.freeShippingMaxPrice, [
          "tiers",
          i,
          "perks",
          "freeShippingMaxPriceMinor",
        ]),
        minimumSubtotalMinor: optionalAmount(t?.minimumSubtotal, ["tiers", i, "perks", "minimumSubtotalMinor"]),
        // Anything but "code" is the default: a form cannot ask for a third way.
        delivery: t?.delivery === "code" ? "code" : "automatic",
        combinesWith: {
          orderDiscounts: t?.combinesWithOrder === true,
          productDiscounts: t?.combinesWithProduct === true,
          shippingDiscounts: t?.combinesWithShipping === true,
        },
        customText: String(t?.customText ?? "").trim() || null,
      },
      // Empty is no colour of its own (no key at all, as a programme saved before colours existed); the domain checks
      // the rest (#RRGGBB, dark enough for white text).
      ...(typeof t?.colour === "string" && t.colour.trim() !== "" ? { colour: t.colour.trim() } : {}),
    };
  });
  const days = (text: unknown, path: (string | number)[], key: string) => {
    const value = typeof text === "string" ? text.trim() : "";
    if (!WHOLE.test(value)) {
      issues.push({ path, key, message: "Enter a whole number of days." });
      return 0;
    }
    return Number(value);
  };
  const window =
    f.windowKind === "calendar_year" || f.windowKind === "lifetime"
      ? { kind: f.windowKind }
      : { kind: "rolling" as const, days: days(f.windowDays, ["window", "days"], "window.days.out_of_range") };
  const retentionDays = days(f.retentionDays, ["retentionDays"], "retention.out_of_range");
  return { input: { tiers, window, retentionDays, timeZone }, issues };
}

/** What the tier editor loads: the active programme as a form, its version, the currency. */
export async function tierEditor(shop: string) {
  const [active, currency, versions] = await Promise.all([
    getActiveTierProgram(shop),
    shopCurrency(shop),
    listTierProgramVersions(shop),
  ]);
  return {
    form: formFromProgram(active.program, currency),
    version: active.version,
    isDefault: active.isDefault,
    currency,
    timeZone: active.program.timeZone,
    versions: versions.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString() })),
  };
}

export type TierEditorResult =
  | { intent: "preview" | "save"; ok: false; issues: TierRuleIssue[] }
  | { intent: "preview"; ok: true; preview: Extract<Awaited<ReturnType<typeof previewTierProgram>>, { ok: true }> }
  | { intent: "save"; ok: true; version: number };

/** Preview or save a submitted form. */
export async function submitTierEditor(shop: string, body: unknown): Promise<TierEditorResult> {
  const { intent, program } = (body ?? {}) as { intent?: unknown; program?: unknown };
  const kind = intent === "save" ? "save" : "preview";
  const [currency, active] = await Promise.all([shopCurrency(shop), getActiveTierProgram(shop)]);
  const { input, issues } = programInputFromForm(program, currency, active.program.timeZone);
  if (issues.length) return { intent: kind, ok: false, issues };
  if (kind === "save") {
    const saved = await saveTierProgram(shop, input);
    return saved.ok
      ? { intent: "save", ok: true, version: saved.version }
      : { intent: "save", ok: false, issues: saved.issues };
  }
  const preview = await previewTierProgram(shop, input);
  return preview.ok
    ? { intent: "preview", ok: true, preview }
    : { intent: "preview", ok: false, issues: preview.issues };
}
