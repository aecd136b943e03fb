// What a generated shop looks like: the options, their defaults and the named presets.
import { z } from "zod";
import { CURRENCIES } from "./money";

export const PLANS = ["standard", "advanced", "plus"] as const;

export interface GeneratorOptions {
  /** Same seed and options → byte-identical file. */
  seed: number | string;
  /** Number of customer records (some never order: accounts and newsletter sign-ups). */
  customers: number;
  /** Whole years of history, ending at `endDate`. */
  years: number;
  /** The shop's "now": nothing in the file happens after it. ISO-8601. */
  endDate: string;
  /** Shop currency: USD, JPY, THB, EUR or GBP. */
  currency: string;
  shopDomain: string;
  name: string;
  plan: (typeof PLANS)[number];
  /** Mean number of orders per customer (before guest orders). Most customers still buy once; loyal ones carry it. */
  ordersPerCustomer: number;
  /** Share of all orders placed by guests, without a customer. */
  guestOrderShare: number;
  /** Share of orders marked `test`. */
  testOrderShare: number;
  /** Share of orders cancelled. */
  cancelShare: number;
  /** Share of orders (not cancelled, not edited) with a partial or full refund. */
  refundShare: number;
  /** Share of orders (not cancelled) edited after they were placed. */
  editShare: number;
}

export const DEFAULT_OPTIONS: GeneratorOptions = {
  seed: 1,
  customers: 200,
  years: 3,
  endDate: "2025-06-01T00:00:00.000Z",
  currency: "USD",
  shopDomain: "demo-loyalty.myshopify.com",
  name: "Demo Loyalty Shop",
  plan: "standard",
  ordersPerCustomer: 2.6,
  guestOrderShare: 0.08,
  testOrderShare: 0.01,
  cancelShare: 0.03,
  refundShare: 0.06,
  editShare: 0.03,
};

export const PRESETS = {
  /** 200 customers, 3 years, USD. */
  demo: {},
  /** The same shape in yen: amounts without decimals. */
  "demo-jpy": {
    currency: "JPY",
    shopDomain: "demo-jpy.myshopify.com",
    name: "デモ ロイヤルティ ショップ",
  },
  /** A Thai shop in baht, most customers writing in Thai. */
  "demo-thb": {
    currency: "THB",
    shopDomain: "demo-thb.myshopify.com",
    name: "ร้านตัวอย่าง",
  },
  /** 100k customers, ≈1M orders over 5 years. */
  large: {
    customers: 100_000,
    years: 5,
    ordersPerCustomer: 10,
    shopDomain: "large-loyalty.myshopify.com",
    name: "Large Loyalty Shop",
    plan: "plus",
  },
} satisfies Record<string, Partial<GeneratorOptions>>;

export type PresetName = keyof typeof PRESETS;

export type GeneratorInput = Partial<GeneratorOptions> & { preset?: PresetName };

const share = z.number().min(0).max(1);
const optionsSchema = z.object({
  seed: z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1)]),
  customers: z.number().int().min(0).max(10_000_000),
  years: z.number().int().min(1).max(30),
  endDate: z.iso.datetime({ offset: true }),
  currency: z.string().refine((c) => c in CURRENCIES, {
    message: `currency must be one of ${Object.keys(CURRENCIES).join(", ")}`,
  }),
  shopDomain: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "shopDomain must look like name.myshopify.com"),
  name: z.string().min(1),
  plan: z.enum(PLANS),
  ordersPerCustomer: z.number().min(2.1).max(200),
  guestOrderShare: share.max(0.95),
  testOrderShare: share,
  cancelShare: share,
  refundShare: share,
  editShare: share,
});

/** Preset, then explicit options, over the defaults; throws a readable error on a bad value. */
export function resolveOptions(input: GeneratorInput = {}): GeneratorOptions {
  const { preset, ...explicit } = input;
  if (preset !== undefined && !(preset in PRESETS)) {
    throw new Error(`unknown preset "${preset}" (known: ${Object.keys(PRESETS).join(", ")})`);
  }
  const defined = Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined));
  const merged = { ...DEFAULT_OPTIONS, ...(preset ? PRESETS[preset] : {}), ...defined };
  const parsed = optionsSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid generator options: ${problems}`);
  }
  return parsed.data;
}
