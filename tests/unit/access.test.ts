// What the app can do with the access Shopify gave it (app/domain/access.ts): Shopify's refusals read into problems,
// which jobs may run, and what the admin shows.
import { describe, expect, it } from "vitest";
import {
  accessReport,
  jobCanRun,
  mergeProblems,
  problemOf,
  withScopesGranted,
  type RecordedProblem,
} from "../../app/domain/access";

const ALL = [
  "read_orders",
  "read_all_orders",
  "read_customers",
  "write_customers",
  "read_discounts",
  "write_discounts",
];
const at = "2026-12-05T00:00:00.000Z";
const recorded = (problem: RecordedProblem["problem"], message = "m"): RecordedProblem => ({ problem, message, at });

describe("Shopify's refusals", () => {
  it("a missing scope is read from Shopify's message", () => {
    const message = "Access denied for orders field. Required access: `read_orders` access scope.";
    expect(problemOf(message, { granted: ALL, features: ["ledger"] })).toEqual({
      kind: "scope",
      scopes: ["read_orders"],
    });
  });

  it("an object refused for protected customer data is a customer-data problem", () => {
    const message =
      "This app is not approved to access the Customer object. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.";
    expect(problemOf(message, { granted: ALL, features: ["ledger"] })).toEqual({ kind: "customer-data" });
  });

  it("a refused field is the protected field it belongs to", () => {
    expect(
      problemOf("This app is not approved to use the firstName field. See …", { granted: ALL, features: ["ledger"] }),
    ).toEqual({ kind: "customer-fields", fields: ["name"] });
    expect(
      problemOf("This app is not approved to use the email field. See …", { granted: ALL, features: ["ledger"] }),
    ).toEqual({ kind: "customer-fields", fields: ["email"] });
  });

  it("a bulk operation's bare ACCESS_DENIED is a scope the job's features lack, or else customer data", () => {
    const bare = "backfill customers bulk operation failed (ACCESS_DENIED)";
    expect(problemOf(bare, { granted: ["read_orders"], features: ["ledger"] })).toEqual({
      kind: "scope",
      scopes: ["read_customers"],
    });
    expect(problemOf(bare, { granted: ALL, features: ["ledger"] })).toEqual({ kind: "customer-data" });
  });

  it("problems of one kind merge: scopes and fields add up, the newest message wins", () => {
    let held = mergeProblems([], recorded({ kind: "scope", scopes: ["write_customers"] }, "first"));
    held = mergeProblems(held, recorded({ kind: "scope", scopes: ["read_orders"] }, "second"));
    held = mergeProblems(held, recorded({ kind: "customer-fields", fields: ["name"] }));
    held = mergeProblems(held, recorded({ kind: "customer-fields", fields: ["email"] }));
    expect(held).toEqual([
      recorded({ kind: "scope", scopes: ["read_orders", "write_customers"] }, "second"),
      recorded({ kind: "customer-fields", fields: ["email", "name"] }),
    ]);
  });

  it("granting scopes keeps only what is still missing", () => {
    const held = [
      recorded({ kind: "scope", scopes: ["read_orders", "write_customers"] }),
      recorded({ kind: "customer-data" }),
    ];
    expect(withScopesGranted(held, ["read_orders"])).toEqual([
      recorded({ kind: "scope", scopes: ["write_customers"] }),
      recorded({ kind: "customer-data" }),
    ]);
    expect(withScopesGranted(held, ["read_orders", "write_customers"])).toEqual([recorded({ kind: "customer-data" })]);
  });
});

describe("which parked jobs may run", () => {
  it("a job runs when its features' scopes are granted (write includes read)", () => {
    expect(jobCanRun("sync", ["read_customers"], [])).toBe(false);
    expect(jobCanRun("sync", ["write_customers"], [])).toBe(true);
    expect(jobCanRun("backfill", ["read_orders", "write_customers"], [])).toBe(true);
    expect(jobCanRun("campaigns", ["write_customers"], [])).toBe(false);
  });

  it("a refusal of customer data holds back the jobs that read the ledger's customers, not the others", () => {
    const held = [recorded({ kind: "customer-data" })];
    expect(jobCanRun("backfill", ALL, held)).toBe(false);
    expect(jobCanRun("reconcile", ALL, held)).toBe(false);
    expect(jobCanRun("sync", ALL, held)).toBe(true);
  });

  it("a refusal of some fields holds nothing back (they come back empty)", () => {
    expect(jobCanRun("backfill", ALL, [recorded({ kind: "customer-fields", fields: ["email"] })])).toBe(true);
  });
});

describe("what the admin shows", () => {
  it("nothing when every scope the app asks for is granted and nothing was refused", () => {
    expect(accessReport({ granted: ALL, requested: ALL, problems: [] })).toEqual([]);
  });

  it("history limited to 60 days without read_all_orders", () => {
    const granted = ALL.filter((s) => s !== "read_all_orders");
    expect(accessReport({ granted, requested: ALL, problems: [] })).toEqual([
      {
        feature: "fullHistory",
        state: "limited",
        scopes: ["read_all_orders"],
        fields: [],
        action: "request-all-orders",
      },
    ]);
  });

  it("features paused for a revoked scope, with the scope to approve", () => {
    const granted = ["read_orders", "read_all_orders", "read_customers", "write_discounts"];
    expect(accessReport({ granted, requested: ALL, problems: [] })).toEqual([
      { feature: "customerSync", state: "paused", scopes: ["write_customers"], fields: [], action: "approve-scopes" },
    ]);
  });

  it("an install from before the rewards' scopes: points rewards paused until the merchant approves them", () => {
    const rewards = ["read_store_credit_accounts", "write_store_credit_account_transactions", "write_gift_cards"];
    expect(accessReport({ granted: ALL, requested: [...ALL, ...rewards], problems: [] })).toEqual([
      { feature: "rewards", state: "paused", scopes: rewards, fields: [], action: "approve-scopes" },
    ]);
    expect(jobCanRun("redemptions-recover", ALL, [])).toBe(false);
    expect(jobCanRun("redemptions-recover", [...ALL, ...rewards], [])).toBe(true);
    expect(accessReport({ granted: [...ALL, ...rewards], requested: [...ALL, ...rewards], problems: [] })).toEqual([]);
  });

  it("a scope the app does not ask for is no problem, unless Shopify refused something for it", () => {
    const requested = ALL.filter((s) => s !== "read_all_orders");
    expect(accessReport({ granted: requested, requested, problems: [] })).toEqual([]);
    const refused = [recorded({ kind: "scope", scopes: ["read_all_orders"] })];
    expect(accessReport({ granted: requested, requested, problems: refused })).toEqual([
      {
        feature: "fullHistory",
        state: "limited",
        scopes: ["read_all_orders"],
        fields: [],
        action: "request-all-orders",
      },
    ]);
  });

  it("customer data refused: the ledger is paused until the developer requests it; refused fields limit names", () => {
    expect(accessReport({ granted: ALL, requested: ALL, problems: [recorded({ kind: "customer-data" })] })).toEqual([
      { feature: "ledger", state: "paused", scopes: [], fields: [], action: "request-customer-data" },
    ]);
    expect(
      accessReport({
        granted: ALL,
        requested: ALL,
        problems: [recorded({ kind: "customer-fields", fields: ["email", "name"] })],
      }),
    ).toEqual([
      {
        feature: "customerNames",
        state: "limited",
        scopes: [],
        fields: ["email", "name"],
        action: "request-customer-fields",
      },
    ]);
  });
});
