// What the app can do in a shop with the access Shopify gave it: the access scopes granted to the installation and the
// protected customer data its developer had approved. Pure: the scopes and what Shopify last refused come in, the
// features that work, are limited or are paused (and why) come out. docs/rules.md#access.

/** The app's features, each with the access scopes it needs (a write_ scope includes its read_ scope). */
export const FEATURE_SCOPES = {
  /** The ledger: history import, reconciliation, customer re-reads (orders/customers webhooks need the same). */
  ledger: ["read_orders", "read_customers"],
  /** Orders older than 60 days (without it Shopify shows the app only the last 60 days). */
  fullHistory: ["read_all_orders"],
  /** Tags, app metafields and tier segments written to customers. */
  customerSync: ["write_customers"],
  /** Tier discount codes and campaign codes. */
  discounts: ["write_discounts"],
  /** Points rewards: single-use codes, store credit (with Shopify's notification) and gift cards. */
  rewards: [
    "write_discounts",
    "read_store_credit_accounts",
    "write_store_credit_account_transactions",
    "write_gift_cards",
  ],
  /** The product catalogue: product types and vendors of what customers bought (products import and webhooks). */
  products: ["read_products"],
} as const satisfies Record<string, readonly string[]>;

export type Feature = keyof typeof FEATURE_SCOPES;
export const FEATURES = Object.keys(FEATURE_SCOPES) as Feature[];

/** Which features each kind of background job needs; a job refused for access is parked until they work again. */
export const JOB_FEATURES: Record<string, readonly Feature[]> = {
  backfill: ["ledger"],
  reconcile: ["ledger"],
  "customer-refresh": ["ledger"],
  // Customer.statistics needs read_customers (docs/history.md).
  "shopify-stats": ["ledger"],
  sync: ["customerSync"],
  campaigns: ["discounts", "customerSync"],
  "redemptions-recover": ["rewards"],
  // Friends' codes (write_discounts) and the self-referral guard's reads of customers and orders (docs/referrals.md).
  referrals: ["discounts", "ledger"],
  "products-import": ["products"],
  "product-refresh": ["products"],
};

/** Protected customer fields, as Shopify's approval names them. */
export type ProtectedField = "name" | "email" | "phone" | "address";

/** What Shopify refused, in the terms of what to do about it. */
export type AccessProblem =
  /** A field or mutation needs access scopes the installation lacks: the merchant approves them. */
  | { kind: "scope"; scopes: string[] }
  /** Protected customer data is not approved at all (customers and orders are refused): the developer requests it. */
  | { kind: "customer-data" }
  /** Customer data is approved but not these fields (they come back empty): the developer requests them. */
  | { kind: "customer-fields"; fields: ProtectedField[] };

export interface RecordedProblem {
  problem: AccessProblem;
  /** Shopify's own words, for the engineer. */
  message: string;
  /** ISO time it was last seen. */
  at: string;
}

/** The installation's scopes include `scope` (write_X includes read_X). */
export function hasScope(granted: readonly string[], scope: string): boolean {
  if (granted.includes(scope)) return true;
  const read = /^read_(.+)$/.exec(scope);
  return !!read && granted.includes(`write_${read[1]}`);
}

export function missingScopes(granted: readonly string[], needed: readonly string[]): string[] {
  return needed.filter((scope) => !hasScope(granted, scope));
}

/** Scopes named in Shopify's message: "Access denied for orders field. Required access: `read_orders` access scope." */
export function scopesInMessage(message: string): string[] {
  const required = /Required access:(.*)$/s.exec(message)?.[1] ?? "";
  return [...required.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
}

/** The protected field a Shopify field name belongs to (Customer.firstName → name …). */
export function protectedFieldOf(field: string): ProtectedField | null {
  if (/^(firstName|lastName|displayName|name)$/i.test(field)) return "name";
  if (/email/i.test(field)) return "email";
  if (/phone/i.test(field)) return "phone";
  if (/address/i.test(field)) return "address";
  return null;
}

/**
 * One refusal in Shopify's words → the problem. `granted` settles a bulk operation's bare ACCESS_DENIED (Shopify
 * gives no message there): scopes the job's features lack, or else the protected customer data approval.
 */
export function problemOf(
  message: string,
  context: { granted: readonly string[]; features: readonly Feature[] },
): AccessProblem {
  const scopes = scopesInMessage(message);
  if (scopes.length) return { kind: "scope", scopes };
  const field = /not approved to use the (\w+) field/i.exec(message)?.[1];
  if (field) {
    const protectedField = protectedFieldOf(field);
    if (protectedField) return { kind: "customer-fields", fields: [protectedField] };
  }
  if (/not approved to access/i.test(message)) return { kind: "customer-data" };
  const lacking = [...new Set(context.features.flatMap((f) => missingScopes(context.granted, FEATURE_SCOPES[f])))];
  return lacking.length ? { kind: "scope", scopes: lacking } : { kind: "customer-data" };
}

/** Problems with the same subject are one (the newest wins); fields of customer-fields problems add up. */
export function mergeProblems(held: readonly RecordedProblem[], seen: RecordedProblem): RecordedProblem[] {
  const rest = held.filter((h) => h.problem.kind !== seen.problem.kind);
  const same = held.find((h) => h.problem.kind === seen.problem.kind);
  if (!same) return [...rest, seen];
  if (seen.problem.kind === "scope" && same.problem.kind === "scope") {
    return [
      ...rest,
      {
        ...seen,
        problem: { kind: "scope", scopes: [...new Set([...same.problem.scopes, ...seen.problem.scopes])].sort() },
      },
    ];
  }
  if (seen.problem.kind === "customer-fields" && same.problem.kind === "customer-fields") {
    const fields = [...new Set([...same.problem.fields, ...seen.problem.fields])].sort() as ProtectedField[];
    return [...rest, { ...seen, problem: { kind: "customer-fields", fields } }];
  }
  return [...rest, seen];
}

/** After the installation's scopes changed: scope problems keep only what is still missing. */
export function withScopesGranted(held: readonly RecordedProblem[], granted: readonly string[]): RecordedProblem[] {
  return held.flatMap((h) => {
    if (h.problem.kind !== "scope") return [h];
    const still = missingScopes(granted, h.problem.scopes);
    return still.length ? [{ ...h, problem: { kind: "scope" as const, scopes: still } }] : [];
  });
}

/**
 * Whether a parked job of this kind may run again: its features' scopes are granted, and customer data is not
 * refused when it reads the ledger's customers. (A refusal of some fields only does not hold jobs back: the fields
 * come back empty; a job that was refused on them re-parks itself if they still are.)
 */
export function jobCanRun(kind: string, granted: readonly string[], held: readonly RecordedProblem[]): boolean {
  const features = JOB_FEATURES[kind] ?? [];
  if (features.some((f) => missingScopes(granted, FEATURE_SCOPES[f]).length > 0)) return false;
  return !(features.includes("ledger") && held.some((h) => h.problem.kind === "customer-data"));
}

export type FeatureState = "working" | "limited" | "paused";

export interface AccessReportItem {
  feature: Feature | "customerNames";
  state: FeatureState;
  /** Scopes to approve (for scope problems). */
  scopes: string[];
  /** Protected fields to request (customer-fields). */
  fields: ProtectedField[];
  /** What fixes it: the merchant approves scopes, or the app's developer requests access in the Partner Dashboard. */
  action: "approve-scopes" | "request-all-orders" | "request-customer-data" | "request-customer-fields";
}

/**
 * What the admin shows: every feature that does not fully work, with what is missing and who can fix it. Only the
 * scopes the app asks for count (`requested`): a scope it never asks for is no problem.
 */
export function accessReport({
  granted,
  requested,
  problems,
}: {
  granted: readonly string[];
  requested: readonly string[];
  problems: readonly RecordedProblem[];
}): AccessReportItem[] {
  const items: AccessReportItem[] = [];
  const customerData = problems.some((p) => p.problem.kind === "customer-data");
  const refusedScopes = problems.flatMap((p) => (p.problem.kind === "scope" ? p.problem.scopes : []));
  for (const feature of FEATURES) {
    const needed = FEATURE_SCOPES[feature].filter((s) => hasScope(requested, s) || refusedScopes.includes(s));
    const missing = missingScopes(granted, needed);
    if (feature === "ledger" && customerData) {
      items.push({ feature, state: "paused", scopes: missing, fields: [], action: "request-customer-data" });
    } else if (missing.length) {
      const fullHistory = feature === "fullHistory";
      items.push({
        feature,
        state: fullHistory ? "limited" : "paused",
        scopes: missing,
        fields: [],
        action: fullHistory ? "request-all-orders" : "approve-scopes",
      });
    }
  }
  const fields = problems.flatMap((p) => (p.problem.kind === "customer-fields" ? p.problem.fields : []));
  if (fields.length && !customerData) {
    items.push({
      feature: "customerNames",
      state: "limited",
      scopes: [],
      fields: [...new Set(fields)].sort(),
      action: "request-customer-fields",
    });
  }
  return items;
}
