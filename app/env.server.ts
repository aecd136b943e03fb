// The app's configuration, read from the environment once and validated. The only module that touches process.env.
import { z } from "zod";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";
export const DEFAULT_SCOPES =
  "read_orders,read_all_orders,read_customers,write_customers,read_discounts,write_discounts,read_store_credit_accounts,read_store_credit_account_transactions,write_store_credit_account_transactions,read_gift_cards,write_gift_cards,read_products";

/** A 32-byte key written in standard base64. */
function isKey32(s: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(s) && Buffer.from(s, "base64").length === 32;
}

const required = (what: string) => z.string({ error: `is required (${what})` }).min(1, `is required (${what})`);

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    SHOPIFY_API_KEY: required("the app's client id from the Partner Dashboard"),
    SHOPIFY_API_SECRET: required("the app's client secret"),
    SHOPIFY_APP_URL: z.url({
      error: (issue) =>
        issue.input === undefined
          ? "is required (the app's public URL, e.g. https://loyalty.example.com)"
          : "must be the app's public URL, e.g. https://loyalty.example.com",
    }),
    SCOPES: z
      .string()
      .default(DEFAULT_SCOPES)
      .transform((s) =>
        s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
    /** PostgreSQL only: connections this process keeps open. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    // The interface `npm start` listens on. Every interface by default, as a deployer (container, PaaS) expects and as
    // Shopify's Remix template does; 127.0.0.1 keeps it to this machine (behind a local reverse proxy).
    HOST: z
      .union([z.ipv6(), z.hostname()], {
        error:
          "must be an address or host name to listen on, e.g. 0.0.0.0 (every interface) or 127.0.0.1 (this machine only)",
      })
      .default("0.0.0.0"),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
    // inline: the web server also runs the job worker; separate: it only enqueues and `npm run worker` runs jobs.
    WORKER: z.enum(["inline", "separate"]).default("inline"),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    // The webhook benchmark's floor (bench/webhook-ingest.ts): "on" opens POST /webhooks/floor, which does only what
    // Shopify's app template does with a webhook (authenticate.webhook, then 200). Off (404) unless asked.
    WEBHOOK_FLOOR_ROUTE: z
      .enum(["on", "off"], { error: 'must be "on" or "off" (the benchmark floor route, off by default)' })
      .default("off"),
    SHOP_CUSTOM_DOMAIN: z.string().optional(),
    // Points the Admin API client (token exchange included) at the local Shopify simulator. Never in production.
    SHOPIFY_ADMIN_API_ORIGIN: z.url().optional(),
    // A local App Bridge double for the demo and browser tests (read by @shopify/shopify-app-remix itself). Never in
    // production.
    APP_BRIDGE_URL: z.url().optional(),
    // Channel connections (docs/channels.md): the AES-256-GCM key that encrypts LINE and Klaviyo credentials at rest,
    // 32 bytes in base64 (`openssl rand -base64 32`), and earlier keys still able to decrypt (comma-separated) while
    // rotating. Optional: without it the app runs, and saving or using a channel connection says the key is missing.
    CHANNEL_SECRETS_KEY: z
      .string()
      .refine(isKey32, "must be 32 bytes in base64 (e.g. the output of `openssl rand -base64 32`)")
      .optional(),
    CHANNEL_SECRETS_OLD_KEYS: z
      .string()
      .refine(
        (s) => s.split(",").every((k) => isKey32(k.trim())),
        "must be comma-separated 32-byte keys in base64 (earlier values of CHANNEL_SECRETS_KEY)",
      )
      .optional(),
    // Where the LINE Messaging API and Klaviyo's API are; tests and the demo point them at the local doubles.
    LINE_API_ORIGIN: z.url().default("https://api.line.me"),
    // Where LINE Login's pages are (the shopper's browser is sent there to link LINE; docs/line-link.md).
    LINE_ACCESS_ORIGIN: z.url().default("https://access.line.me"),
    KLAVIYO_API_ORIGIN: z.url().default("https://a.klaviyo.com"),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && env.SHOPIFY_ADMIN_API_ORIGIN) {
      ctx.addIssue({
        code: "custom",
        path: ["SHOPIFY_ADMIN_API_ORIGIN"],
        message: "points the app at the Shopify simulator and is refused when NODE_ENV=production",
      });
    }
    if (env.NODE_ENV === "production" && env.APP_BRIDGE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["APP_BRIDGE_URL"],
        message: "replaces Shopify's App Bridge with a local double and is refused when NODE_ENV=production",
      });
    }
  });

export type Env = z.infer<typeof schema>;

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parses an environment; throws EnvError naming every missing or invalid variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((i) => `${i.path.join(".") || "environment"} ${i.message}`));
  }
  return result.data;
}

export const env: Env = parseEnv(process.env);
