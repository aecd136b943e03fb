// Tier programme rules: validation with merchant-readable, translatable issues, and the default programme per currency.
import { z } from "zod";
import { carriesWhiteText, contrastWithWhite, isHexColour, WHITE_TEXT_MIN_CONTRAST } from "./colour";
import { currencyDecimals, fromMinorUnits, isKnownCurrency } from "./money";
import { isValidTimeZone } from "./time";
import { NO_PERKS, type Tier, type TierProgram } from "./tiers";

export const TIER_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const TIER_LIMITS = {
  minTiers: 1,
  maxTiers: 10,
  nameMaxLength: 40,
  customTextMaxLength: 200,
  /** Largest perk amount (maximum shipping price, minimum purchase), minor units: 10 billion in a 2-decimal currency. */
  maxPerkAmountMinor: 1_000_000_000_000,
  maxMinOrders: 10_000,
  rollingDays: { min: 30, max: 1095, default: 365 },
  retentionDays: { min: 0, max: 1095, default: 365 },
} as const;

/**
 * One problem with a programme. `path` points at the field (["tiers", 2, "threshold"]), `key` is the stable message
 * key the UI translates (with `params` filled in), `message` the English text.
 */
export interface TierRuleIssue {
  path: (string | number)[];
  key: string;
  message: string;
  params?: Record<string, string | number>;
}

export type TierProgramValidation = { ok: true; program: TierProgram } | { ok: false; issues: TierRuleIssue[] };

// Shape only (types, defaults); every range and cross-field rule is a custom check below, so each gets its own
// message key instead of zod's generic wording.
const perksSchema = z.object({
  discountPercent: z.number().nullable().default(null),
  freeShipping: z.boolean().default(false),
  freeShippingMaxPriceMinor: z.number().nullable().default(null),
  minimumSubtotalMinor: z.number().nullable().default(null),
  delivery: z.enum(["automatic", "code"]).default("automatic"),
  combinesWith: z
    .object({ orderDiscounts: z.boolean(), productDiscounts: z.boolean(), shippingDiscounts: z.boolean() })
    .default({ ...NO_PERKS.combinesWith }),
  customText: z.string().nullable().default(null),
});
const tierSchema = z.object({
  key: z.string(),
  name: z.string(),
  threshold: z.number(),
  minOrders: z.number().nullable().default(null),
  perks: perksSchema.default({ ...NO_PERKS, combinesWith: { ...NO_PERKS.combinesWith } }),
  // Optional: absent or null is the palette colour (and leaves no key in the validated programme).
  colour: z.string().nullable().optional(),
});
const windowSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("rolling"), days: z.number().default(TIER_LIMITS.rollingDays.default) }),
  z.object({ kind: z.literal("calendar_year") }),
  z.object({ kind: z.literal("lifetime") }),
]);
export const tierProgramInputSchema = z.object({
  tiers: z.array(tierSchema),
  window: windowSchema.default({ kind: "rolling", days: TIER_LIMITS.rollingDays.default }),
  retentionDays: z.number().default(TIER_LIMITS.retentionDays.default),
  timeZone: z.string().nullable().default(null),
});
export type TierProgramInput = z.input<typeof tierProgramInputSchema>;

const EXPECTED: Record<string, string> = {
  number: "a number",
  string: "text",
  boolean: "yes or no",
  object: "a group of settings",
  array: "a list",
};

/**
 * Checks a programme as the admin submits it. Thresholds are minor units of the shop currency; give `currency` so
 * messages show amounts the merchant recognises ("250.00 USD"). Names are trimmed in the returned programme.
 */
export function validateTierProgram(input: unknown, options: { currency?: string } = {}): TierProgramValidation {
  const parsed = tierProgramInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map(shapeIssue) };
  const program: TierProgram = {
    ...parsed.data,
    tiers: parsed.data.tiers.map(({ colour, ...t }) => {
      const tier: Tier = {
        ...t,
        name: t.name.trim(),
        perks: { ...t.perks, combinesWith: { ...t.perks.combinesWith } },
      };
      // Upper case, so the same colour typed either way is the same programme; empty means none.
      const given = colour?.trim() ?? "";
      if (given !== "") tier.colour = isHexColour(given) ? given.toUpperCase() : given;
      return tier;
    }),
  };
  const issues: TierRuleIssue[] = [];
  const add = (path: (string | number)[], key: string, message: string, params?: Record<string, string | number>) =>
    issues.push(params ? { path, key, message, params } : { path, key, message });
  const amount = (minor: number) =>
    options.currency && isKnownCurrency(options.currency)
      ? `${fromMinorUnits(minor, options.currency)} ${options.currency}`
      : String(minor);

  const { tiers } = program;
  if (tiers.length < TIER_LIMITS.minTiers) add(["tiers"], "tiers.too_few", "Add at least one tier.");
  if (tiers.length > TIER_LIMITS.maxTiers) {
    add(["tiers"], "tiers.too_many", `A programme can have at most ${TIER_LIMITS.maxTiers} tiers.`, {
      max: TIER_LIMITS.maxTiers,
    });
  }

  const keys = new Map<string, number>();
  const names = new Map<string, number>();
  tiers.forEach((tier, i) => {
    const at = (field: string, ...rest: string[]) => ["tiers", i, field, ...rest];
    if (!TIER_KEY_PATTERN.test(tier.key)) {
      add(
        at("key"),
        "tier.key.invalid",
        `The key "${tier.key}" must start with a lowercase letter or digit and contain only lowercase letters, digits, "-" and "_", at most 32 characters (it becomes the tag tier:${tier.key}).`,
        { value: tier.key },
      );
    } else if (keys.has(tier.key)) {
      add(
        at("key"),
        "tier.key.duplicate",
        `The key "${tier.key}" is already used by tier ${keys.get(tier.key)! + 1}.`,
        { value: tier.key, other: keys.get(tier.key)! + 1 },
      );
    } else keys.set(tier.key, i);

    const nameLength = Array.from(tier.name).length;
    const folded = tier.name.toLocaleLowerCase("en");
    if (nameLength === 0) add(at("name"), "tier.name.required", "Give this tier a name.");
    else if (nameLength > TIER_LIMITS.nameMaxLength) {
      add(at("name"), "tier.name.too_long", `Tier names can be at most ${TIER_LIMITS.nameMaxLength} characters.`, {
        max: TIER_LIMITS.nameMaxLength,
      });
    } else if (names.has(folded)) {
      add(
        at("name"),
        "tier.name.duplicate",
        `The name "${tier.name}" is already used by tier ${names.get(folded)! + 1}.`,
        { value: tier.name, other: names.get(folded)! + 1 },
      );
    } else names.set(folded, i);

    if (tier.threshold < 0) add(at("threshold"), "tier.threshold.negative", "The spend threshold cannot be negative.");
    else if (!Number.isSafeInteger(tier.threshold)) {
      add(
        at("threshold"),
        "tier.threshold.not_exact",
        "The spend threshold must be an exact amount of the shop currency (whole minor units).",
      );
    } else if (i === 0 && tier.threshold !== 0) {
      add(
        at("threshold"),
        "tier.threshold.lowest_not_zero",
        "The first tier must start at a spend of 0, so that every customer with an order is a member.",
      );
    } else if (i > 0 && Number.isSafeInteger(tiers[i - 1].threshold) && tier.threshold <= tiers[i - 1].threshold) {
      const previous = tiers[i - 1];
      add(
        at("threshold"),
        "tier.threshold.not_increasing",
        `"${tier.name}" must need more spend than "${previous.name}" (more than ${amount(previous.threshold)}).`,
        { tier: tier.name, previous: previous.name, previousThreshold: amount(previous.threshold) },
      );
    }

    if (tier.minOrders !== null) {
      if (tier.minOrders < 0)
        add(at("minOrders"), "tier.min_orders.negative", "The minimum number of orders cannot be negative.");
      else if (!Number.isInteger(tier.minOrders) || tier.minOrders > TIER_LIMITS.maxMinOrders) {
        add(
          at("minOrders"),
          "tier.min_orders.invalid",
          `The minimum number of orders must be a whole number up to ${TIER_LIMITS.maxMinOrders}.`,
          { max: TIER_LIMITS.maxMinOrders },
        );
      } else if (i === 0 && tier.minOrders > 1) {
        add(
          at("minOrders"),
          "tier.min_orders.lowest",
          "The first tier cannot require more than one order: every customer with an order is a member.",
        );
      }
    }

    if (tier.colour !== undefined) {
      if (!isHexColour(tier.colour)) {
        add(
          at("colour"),
          "tier.colour.invalid",
          `"${tier.colour}" is not a colour: enter # and six hex digits, like #86650A, or leave it empty for the palette colour.`,
          { value: tier.colour },
        );
      } else if (!carriesWhiteText(tier.colour)) {
        // Rounded down, so a colour just short of the minimum never reads as meeting it.
        const contrast = (Math.floor(contrastWithWhite(tier.colour) * 10) / 10).toFixed(1);
        add(
          at("colour"),
          "tier.colour.too_light",
          `${tier.colour} is too light: white text on it has a contrast of ${contrast}:1, below the ${WHITE_TEXT_MIN_CONTRAST}:1 LINE messages need. Choose a darker colour.`,
          { value: tier.colour, contrast, min: WHITE_TEXT_MIN_CONTRAST },
        );
      }
    }

    const { discountPercent, customText } = tier.perks;
    if (
      discountPercent !== null &&
      !(Number.isInteger(discountPercent) && discountPercent >= 1 && discountPercent <= 100)
    ) {
      add(
        at("perks", "discountPercent"),
        "tier.perks.discount_out_of_range",
        "The discount must be a whole percentage from 1 to 100 (leave it empty for no discount).",
        { min: 1, max: 100 },
      );
    }
    const { freeShipping, freeShippingMaxPriceMinor, minimumSubtotalMinor } = tier.perks;
    const positiveAmount = (value: number | null) =>
      value === null || (Number.isSafeInteger(value) && value >= 1 && value <= TIER_LIMITS.maxPerkAmountMinor);
    if (!positiveAmount(freeShippingMaxPriceMinor)) {
      add(
        at("perks", "freeShippingMaxPriceMinor"),
        "tier.perks.amount_out_of_range",
        `Enter an amount above zero and at most ${amount(TIER_LIMITS.maxPerkAmountMinor)}, or leave it empty.`,
        { max: amount(TIER_LIMITS.maxPerkAmountMinor) },
      );
    } else if (freeShippingMaxPriceMinor !== null && !freeShipping) {
      add(
        at("perks", "freeShippingMaxPriceMinor"),
        "tier.perks.max_shipping_without_free_shipping",
        "A maximum shipping price needs free shipping: tick free shipping or leave the price empty.",
      );
    }
    if (!positiveAmount(minimumSubtotalMinor)) {
      add(
        at("perks", "minimumSubtotalMinor"),
        "tier.perks.amount_out_of_range",
        `Enter an amount above zero and at most ${amount(TIER_LIMITS.maxPerkAmountMinor)}, or leave it empty.`,
        { max: amount(TIER_LIMITS.maxPerkAmountMinor) },
      );
    } else if (minimumSubtotalMinor !== null && discountPercent === null && !freeShipping) {
      add(
        at("perks", "minimumSubtotalMinor"),
        "tier.perks.minimum_without_discount",
        "A minimum purchase applies to the tier's discounts: add a discount or free shipping, or leave it empty.",
      );
    }
    if (customText !== null && Array.from(customText).length > TIER_LIMITS.customTextMaxLength) {
      add(
        at("perks", "customText"),
        "tier.perks.custom_text_too_long",
        `The perk text can be at most ${TIER_LIMITS.customTextMaxLength} characters.`,
        { max: TIER_LIMITS.customTextMaxLength },
      );
    }
  });

  const { window } = program;
  const rolling = TIER_LIMITS.rollingDays;
  if (
    window.kind === "rolling" &&
    !(Number.isInteger(window.days) && window.days >= rolling.min && window.days <= rolling.max)
  ) {
    add(
      ["window", "days"],
      "window.days.out_of_range",
      `A rolling window must be a whole number of days from ${rolling.min} to ${rolling.max}.`,
      { min: rolling.min, max: rolling.max },
    );
  }
  const retention = TIER_LIMITS.retentionDays;
  if (
    !(
      Number.isInteger(program.retentionDays) &&
      program.retentionDays >= retention.min &&
      program.retentionDays <= retention.max
    )
  ) {
    add(
      ["retentionDays"],
      "retention.out_of_range",
      `Retention must be a whole number of days from ${retention.min} to ${retention.max}.`,
      { min: retention.min, max: retention.max },
    );
  }
  if (program.timeZone !== null && !isValidTimeZone(program.timeZone)) {
    add(
      ["timeZone"],
      "time_zone.invalid",
      `"${program.timeZone}" is not a time zone we know (expected a name like "Asia/Bangkok").`,
      { value: program.timeZone },
    );
  }

  return issues.length === 0 ? { ok: true, program } : { ok: false, issues };
}

function shapeIssue(issue: z.core.$ZodIssue): TierRuleIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "invalid_type") {
    const expected = EXPECTED[issue.expected] ?? issue.expected;
    return {
      path,
      key: "field.invalid_type",
      message: `This field must be ${expected}.`,
      params: { expected: issue.expected },
    };
  }
  if (issue.code === "invalid_union" && "options" in issue && Array.isArray(issue.options)) {
    const options = issue.options.map(String).join(", ");
    return { path, key: "field.invalid_option", message: `Choose one of: ${options}.`, params: { options } };
  }
  return { path, key: "field.invalid", message: "This value is not valid.", params: { detail: issue.message } };
}

/**
 * Default thresholds (Silver, Gold, Platinum) in whole major units: round equivalents of USD 250 / 750 / 2000 at
 * approximate 2024–25 exchange rates. A fixed table, not live rates: the programme must be the same every time it
 * is proposed, and the merchant is expected to adjust it.
 */
export const DEFAULT_THRESHOLDS_MAJOR: Readonly<Record<string, readonly [number, number, number]>> = {
  USD: [250, 750, 2000],
  EUR: [250, 700, 1800],
  GBP: [200, 600, 1500],
  CAD: [350, 1000, 2750],
  AUD: [400, 1200, 3000],
  NZD: [400, 1250, 3250],
  CHF: [200, 650, 1750],
  JPY: [35_000, 100_000, 300_000],
  KRW: [350_000, 1_000_000, 2_800_000],
  CNY: [1800, 5500, 15_000],
  HKD: [2000, 6000, 15_000],
  TWD: [8000, 25_000, 65_000],
  SGD: [350, 1000, 2750],
  MYR: [1000, 3500, 9000],
  THB: [8000, 25_000, 70_000],
  IDR: [4_000_000, 12_000_000, 32_000_000],
  PHP: [15_000, 45_000, 120_000],
  VND: [6_000_000, 18_000_000, 50_000_000],
  INR: [20_000, 60_000, 170_000],
  AED: [900, 2750, 7500],
  SAR: [900, 2750, 7500],
  ILS: [900, 2750, 7500],
  SEK: [2500, 8000, 20_000],
  NOK: [2500, 8000, 20_000],
  DKK: [1750, 5000, 14_000],
  PLN: [1000, 3000, 8000],
  CZK: [6000, 18_000, 45_000],
  HUF: [90_000, 275_000, 700_000],
  MXN: [5000, 15_000, 40_000],
  BRL: [1500, 4000, 11_000],
  ZAR: [4500, 14_000, 36_000],
};

/** The default tiers' names per storefront language (the merchant renames them at will). */
const DEFAULT_TIER_NAMES = {
  en: { member: "Member", silver: "Silver", gold: "Gold", platinum: "Platinum" },
  th: { member: "สมาชิก", silver: "ซิลเวอร์", gold: "โกลด์", platinum: "แพลทินัม" },
} as const;

/**
 * The programme a new shop starts with: Member (0), Silver, Gold, Platinum — named in the storefront's language
 * (`locale`: Thai names for a Thai shop, English otherwise; keys stay member/silver/gold/platinum); rolling 365-day window, 365-day
 * retention, UTC calendar, no perks (a discount gives money away, so the merchant switches it on). Thresholds come
 * from DEFAULT_THRESHOLDS_MAJOR; a currency not in it gets the USD figures as whole units of its own currency
 * (250, 750, 2000), converted with its number of decimals. Throws for a currency Shopify does not know.
 */
export function defaultTierProgram(currency: string, locale: string | null = null): TierProgram {
  const scale = 10 ** currencyDecimals(currency);
  const [silver, gold, platinum] = (DEFAULT_THRESHOLDS_MAJOR[currency] ?? DEFAULT_THRESHOLDS_MAJOR.USD).map(
    (major) => major * scale,
  );
  const tier = (key: string, name: string, threshold: number): Tier => ({
    key,
    name,
    threshold,
    minOrders: null,
    perks: { ...NO_PERKS, combinesWith: { ...NO_PERKS.combinesWith } },
  });
  const names = DEFAULT_TIER_NAMES[(locale ?? "").toLowerCase().startsWith("th") ? "th" : "en"];
  return {
    tiers: [
      tier("member", names.member, 0),
      tier("silver", names.silver, silver),
      tier("gold", names.gold, gold),
      tier("platinum", names.platinum, platinum),
    ],
    window: { kind: "rolling", days: TIER_LIMITS.rollingDays.default },
    retentionDays: TIER_LIMITS.retentionDays.default,
    timeZone: null,
  };
}
