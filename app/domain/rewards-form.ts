// The rewards catalogue's form (docs/rules.md#rewards-catalogue): a reward as the merchant types it (text fields; the
// value in major units of the shop currency) turned into a RewardDefinition checked by validateReward, every problem
// reported against its field; and a saved reward shown back as the form. Money is exact: "12.50" USD is 1250 minor
// units, and an amount finer than the currency's minor unit is refused, never rounded. Pure.
import { fromMinorUnits, MoneyError, toMinorUnits } from "./money";
import {
  REWARD_KINDS,
  REWARD_LIMITS,
  validateReward,
  type RewardDefinition,
  type RewardIssue,
  type RewardKind,
} from "./rewards";

/** The form's fields, as typed. Empty optional fields mean "none". */
export interface RewardForm {
  title: string;
  kind: string;
  pointsPrice: string;
  /** Major units of the shop currency ("5.00"); ignored for free shipping. */
  value: string;
  expiryDays: string;
  limitCount: string;
  limitPeriodDays: string;
  limitTotal: string;
}

export const EMPTY_REWARD_FORM: RewardForm = {
  title: "",
  kind: "amount_off",
  pointsPrice: "",
  value: "",
  expiryDays: "",
  limitCount: "",
  limitPeriodDays: "",
  limitTotal: "",
};

/** Which form field an issue's path belongs to. */
export type RewardFormField = keyof RewardForm;

export interface RewardFormIssue extends RewardIssue {
  field: RewardFormField | null;
}

const FIELD_OF: Record<string, RewardFormField> = {
  title: "title",
  kind: "kind",
  pointsPrice: "pointsPrice",
  valueMinor: "value",
  expiryDays: "expiryDays",
  "limits.perCustomer.count": "limitCount",
  "limits.perCustomer.periodDays": "limitPeriodDays",
  "limits.total": "limitTotal",
};

const WHOLE = /^\d{1,15}$/;

/**
 * The reward a form describes, or every problem with it. Whole numbers are digits only; the value is an amount in
 * `currency` ("5", "5.00"); a per-customer limit needs both its count and its period.
 */
export function rewardFromForm(
  form: Partial<Record<RewardFormField, unknown>>,
  currency: string,
): { ok: true; reward: RewardDefinition } | { ok: false; issues: RewardFormIssue[] } {
  const issues: RewardFormIssue[] = [];
  const text = (field: RewardFormField) => (typeof form[field] === "string" ? (form[field] as string).trim() : "");
  /** A whole number, undefined when empty, NaN (reported) when not a whole number. */
  const whole = (field: RewardFormField): number | undefined => {
    const t = text(field).replace(/[,\s]/g, "");
    if (t === "") return undefined;
    if (WHOLE.test(t)) return Number(t);
    issues.push({
      field,
      path: [field],
      key: "rewards.form.not_whole",
      message: "Enter a whole number, like 500.",
    });
    return Number.NaN;
  };
  const kind = text("kind") as RewardKind;
  const pointsPrice = whole("pointsPrice");
  const expiryDays = whole("expiryDays");
  const count = whole("limitCount");
  const periodDays = whole("limitPeriodDays");
  const total = whole("limitTotal");

  let valueMinor: number | null | undefined = null;
  if (kind !== "free_shipping" && REWARD_KINDS.includes(kind)) {
    const amount = text("value").replace(/[,\s]/g, "");
    if (amount === "") valueMinor = undefined;
    else {
      try {
        valueMinor = /^\d+(\.\d+)?$/.test(amount) ? toMinorUnits(amount, currency) : Number.NaN;
      } catch (error) {
        if (!(error instanceof MoneyError)) throw error;
        valueMinor = Number.NaN;
      }
      if (Number.isNaN(valueMinor))
        issues.push({
          field: "value",
          path: ["valueMinor"],
          key: "rewards.form.not_amount",
          message: `Enter an amount in ${currency}, like ${fromMinorUnits(500, currency)}.`,
          params: { currency, example: fromMinorUnits(500, currency) },
        });
    }
  }
  if ((count === undefined) !== (periodDays === undefined))
    issues.push({
      field: count === undefined ? "limitCount" : "limitPeriodDays",
      path: count === undefined ? ["limits", "perCustomer", "count"] : ["limits", "perCustomer", "periodDays"],
      key: "rewards.form.limit_pair",
      message: "A limit per customer needs both a number of redemptions and a period in days.",
    });

  const input = {
    kind,
    title: text("title"),
    pointsPrice,
    valueMinor,
    expiryDays: expiryDays ?? null,
    limits: {
      perCustomer: count === undefined || periodDays === undefined ? null : { count, periodDays },
      total: total ?? null,
    },
  };
  const checked = validateReward(input);
  if (checked.ok && issues.length === 0) return checked;
  const seen = new Set(issues.map((i) => i.path.join(".")));
  for (const issue of checked.ok ? [] : checked.issues) {
    const path = issue.path.join(".");
    if (seen.has(path)) continue; // already said what is wrong with the text
    const field = FIELD_OF[path] ?? null;
    // The value's range in the shop currency, as the merchant types it, not in minor units
    if (issue.key === "rewards.valueMinor.out_of_range") {
      const min = fromMinorUnits(REWARD_LIMITS.valueMinor.min, currency);
      const max = fromMinorUnits(REWARD_LIMITS.valueMinor.max, currency);
      issues.push({
        ...issue,
        field,
        message: `Enter an amount in ${currency} from ${min} to ${max}.`,
        params: { currency, min, max },
      });
    } else issues.push({ ...issue, field });
  }
  return { ok: false, issues };
}

/** A saved reward as the form shows it. */
export function formOfReward(reward: RewardDefinition, currency: string): RewardForm {
  const n = (v: number | null | undefined) => (v === null || v === undefined ? "" : String(v));
  return {
    title: reward.title,
    kind: reward.kind,
    pointsPrice: n(reward.pointsPrice),
    value: reward.valueMinor === null ? "" : fromMinorUnits(reward.valueMinor, currency),
    expiryDays: n(reward.expiryDays),
    limitCount: n(reward.limits.perCustomer?.count),
    limitPeriodDays: n(reward.limits.perCustomer?.periodDays),
    limitTotal: n(reward.limits.total),
  };
}
