// Hostile input through the built server: session tokens that are not current or not this app's, shop A's admin
// asking for shop B's records on every admin route, spreadsheet formulas in every CSV the app produces, HTML in names
// (admin pages and the storefront block), SQL-ish text in every search box and text field, and webhooks that are
// forged, replayed, malformed or addressed oddly. Each is answered with a clear 4xx or neutralised, and a refusal
// changes nothing: every row of every table (any shop, or none) is compared before and after (tests/support/db-dump.ts).
import { readFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { jobRows } from "../support/queue";
import { applyCustomers, applyOrders } from "../../app/models/ledger.server";
import { recomputeShop } from "../../app/services/recompute.server";
import { createCampaignFromForm, templateDefinition } from "../../app/services/campaigns.server";
import { campaignFormValues } from "../../app/domain/campaigns";
import { tierMetafields, type SyncState } from "../../app/domain/sync";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import { adminHostParam, mintSessionToken } from "../../simulator/app-bridge/session-token";
import { startApp } from "../support/app-server";
import { dumpDatabase } from "../support/db-dump";
import { exampleBody } from "../support/shopify-examples";
import { installShop } from "../support/shops";
import { storefront } from "../support/storefront";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } from "../support/test-env";
import { postWebhook, sign } from "../support/webhooks";

const A = "ada-goods.myshopify.com";
const B = "bangkok-tea.myshopify.com";
const AS_OF = new Date("2026-06-01T00:00:00.000Z");
const XSS = "<img src=x onerror=window.__xss=1>";
// Text that would change a query if it were pasted into SQL, or match everything if it reached LIKE unescaped.
const SQLISH = [`' OR 1=1 --`, `"; DROP TABLE "Order"; --`, "%", "_", "\\", "\\%"];
// Cells a spreadsheet would run as a formula (OWASP's list: =, +, -, @, tab, carriage return).
const FORMULA_START = /^[=+\-@\t\r]/;

// Shop B's records carry these markers: none may appear in anything shop A's admin is given.
const B_MARKERS = [
  "Bea",
  "Secretbangkok",
  "bea.secret@bangkok-tea.example",
  "gid://shopify/Customer/9100",
  "B-only campaign",
];
let appUrl: string;
let campaignOfA = "";
let campaignOfB = "";

const at = (iso: string) => new Date(iso);
const customer = (id: number, firstName: string, lastName: string, email: string) => ({
  id: `gid://shopify/Customer/${id}`,
  email,
  firstName,
  lastName,
  locale: "en",
  sourceCreatedAt: at("2025-01-01T00:00:00Z"),
  sourceUpdatedAt: at("2025-01-01T00:00:00Z"),
});
const order = (id: number, customerId: string, total: number, processedAt: string) => ({
  id: `gid://shopify/Order/${id}`,
  customerId,
  name: `#${id}`,
  processedAt: at(processedAt),
  cancelledAt: null,
  test: false,
  currencyCode: "USD",
  currentTotalMinor: total,
  discountCodes: [],
  discountMinor: 0,
  sourceUpdatedAt: at(processedAt),
});

beforeAll(async () => {
  await installShop(A);
  await installShop(B);
  // Shop A: a customer named with HTML, one with SQL-ish names, an ordinary one, and one whose id (as the ledger got
  // it) is a spreadsheet formula.
  await applyCustomers(A, [
    customer(1001, XSS, "Lovelace", "xss@ada-goods.example"),
    customer(1002, `' OR 1=1 --`, `"; DROP TABLE "Order"; --`, "100%_real\\name@ada-goods.example"),
    customer(1003, "Grace", "Hopper", "grace@ada-goods.example"),
    { ...customer(0, "Formula", "Cell", "formula@ada-goods.example"), id: `=HYPERLINK("http://evil.example","x")` },
  ]);
  await applyOrders(A, [
    order(5001, "gid://shopify/Customer/1001", 12_500, "2026-05-01T10:00:00Z"),
    order(5002, "gid://shopify/Customer/1002", 40_000, "2026-03-01T10:00:00Z"),
    order(5003, "gid://shopify/Customer/1003", 2_000, "2025-09-01T10:00:00Z"),
    order(5004, `=HYPERLINK("http://evil.example","x")`, 9_900, "2026-04-01T10:00:00Z"),
  ]);
  // Shop B: its own customer, marked.
  await applyCustomers(B, [customer(9100, "Bea", "Secretbangkok", "bea.secret@bangkok-tea.example")]);
  await applyOrders(B, [order(9500, "gid://shopify/Customer/9100", 77_700, "2026-05-20T10:00:00Z")]);
  for (const shop of [A, B]) await recomputeShop(shop, { asOf: AS_OF, reason: "backfill" });
  const saved = async (shop: string, name: string) => {
    const result = await createCampaignFromForm(
      shop,
      { ...campaignFormValues(await templateDefinition(shop, "welcome"), "USD"), name },
      AS_OF,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.campaign.id;
  };
  campaignOfA = await saved(A, "Welcome back");
  campaignOfB = await saved(B, "B-only campaign");
  // Members as a campaign run records them: one whose Shopify refusal reads like a formula, one held out whose id is one.
  await prisma.campaignRecipient.createMany({
    data: [
      {
        shop: A,
        campaignId: campaignOfA,
        customerId: "gid://shopify/Customer/1001",
        holdout: false,
        assignedAt: AS_OF,
        code: "WELCOME-AAAA",
        failure: "@SUM(1+1)*cmd|' /C calc'!A0",
        failures: 1,
      },
      {
        shop: A,
        campaignId: campaignOfA,
        customerId: `=HYPERLINK("http://evil.example","x")`,
        holdout: true,
        assignedAt: AS_OF,
      },
      {
        shop: A,
        campaignId: campaignOfA,
        customerId: "gid://shopify/Customer/1002",
        holdout: false,
        assignedAt: AS_OF,
        code: "WELCOME-BBBB",
        failure: "\t-2+3",
        failures: 1,
      },
      {
        shop: A,
        campaignId: campaignOfA,
        customerId: "gid://shopify/Customer/1003",
        holdout: false,
        assignedAt: AS_OF,
        code: "WELCOME-CCCC",
        failure: "\r+1",
      },
      {
        shop: B,
        campaignId: campaignOfB,
        customerId: "gid://shopify/Customer/9100",
        holdout: false,
        assignedAt: AS_OF,
        code: "WELCOME-BEA1",
      },
    ],
  });
  ({ url: appUrl } = await startApp());
});

// ---- helpers -------------------------------------------------------------------------------------------------

const token = (
  shop: string,
  overrides: Parameters<typeof mintSessionToken>[0]["overrides"] = {},
  secret = TEST_API_SECRET,
) => mintSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: secret, overrides });

/**
 * Every row of every table, whatever shop (or none) it belongs to: "changed nothing" means nothing anywhere, so a row
 * written under a third shop, an unknown one or no shop at all is seen too.
 */
const snapshot = () => dumpDatabase();

interface Route {
  name: string;
  path: string;
  /** Remix route id: page loaders answer JSON with ?_data=<id>; resource routes (CSV) have none. */
  id?: string;
}

/** Every loader under app/routes/app.*, as shop A's admin reaches it. */
const loaders = (): Route[] => [
  { name: "dashboard", path: "/app", id: "routes/app._index" },
  { name: "segments", path: "/app/segments", id: "routes/app.segments" },
  { name: "customers list", path: "/app/customers", id: "routes/app.customers._index" },
  { name: "customer detail", path: "/app/customers/1001", id: "routes/app.customers.$id" },
  { name: "tiers", path: "/app/tiers", id: "routes/app.tiers" },
  { name: "settings", path: "/app/settings", id: "routes/app.settings" },
  { name: "export CSV", path: "/app/export" },
  { name: "analytics", path: "/app/analytics", id: "routes/app.analytics" },
  { name: "analytics CSV", path: "/app/analytics/csv" },
  { name: "campaigns list", path: "/app/campaigns", id: "routes/app.campaigns._index" },
  { name: "new campaign", path: "/app/campaigns/new", id: "routes/app.campaigns.new" },
  { name: "campaign detail", path: `/app/campaigns/${campaignOfA}`, id: "routes/app.campaigns.$id" },
  { name: "campaign CSV", path: `/app/campaigns/${campaignOfA}/csv` },
  { name: "points import", path: "/app/points/import", id: "routes/app.points_.import" },
  { name: "points balances CSV", path: "/app/points/export" },
  { name: "points journal CSV", path: "/app/points/export?what=journal" },
  { name: "rewards", path: "/app/rewards", id: "routes/app.rewards" },
  { name: "points liability", path: "/app/points/liability", id: "routes/app.points_.liability" },
  { name: "points liability CSV", path: "/app/points/liability/csv" },
  { name: "points programme", path: "/app/points", id: "routes/app.points._index" },
  { name: "products", path: "/app/products", id: "routes/app.products" },
];

const withQuery = (route: Route, query: Record<string, string> = {}) => {
  // A path may carry its own query (?what=journal): the test's parameters join it.
  const [pathname, search] = route.path.split("?");
  const params = new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(search ?? "")), ...query });
  if (route.id) params.set("_data", route.id);
  const qs = params.toString();
  return `${appUrl}${pathname}${qs ? `?${qs}` : ""}`;
};

const get = (route: Route, bearer: string, query: Record<string, string> = {}) =>
  fetch(withQuery(route, query), {
    headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${bearer}` },
    redirect: "manual",
  });

interface Action {
  name: string;
  route: Route;
  body: () => BodyInit;
  json?: boolean;
}

/** Every action under app/routes/app.*, each with a body that would change something if it were let through. */
const actions = (): Action[] => [
  {
    name: "segment rename",
    route: { name: "segments", path: "/app/segments", id: "routes/app.segments" },
    body: () => form({ "name.champions": "Renamed" }),
  },
  {
    name: "settings",
    route: { name: "settings", path: "/app/settings", id: "routes/app.settings" },
    body: () => form({ intent: "rfm", windowDays: "90" }),
  },
  {
    name: "tier save",
    route: { name: "tiers", path: "/app/tiers", id: "routes/app.tiers" },
    json: true,
    body: () => JSON.stringify({ intent: "save", program: tierForm((t) => (t.name = `${t.name} renamed`)) }),
  },
  {
    name: "new campaign",
    route: { name: "new campaign", path: "/app/campaigns/new", id: "routes/app.campaigns.new" },
    body: () => campaignForm({ name: "Sneaky" }),
  },
  {
    name: "campaign pause",
    route: { name: "campaign detail", path: `/app/campaigns/${campaignOfA}`, id: "routes/app.campaigns.$id" },
    body: () => form({ intent: "pause" }),
  },
  {
    name: "points adjustment",
    route: { name: "customer detail", path: "/app/customers/1001", id: "routes/app.customers.$id" },
    body: () => form({ points: "5", reason: "Goodwill", token: "hostile-adjust-0001" }),
  },
  {
    name: "points import dry run",
    route: { name: "points import", path: "/app/points/import", id: "routes/app.points_.import" },
    body: () => {
      const upload = new FormData();
      upload.append("format", "generic");
      upload.append("file", new Blob(["email,points\nsomeone@example.com,10\n"], { type: "text/csv" }), "p.csv");
      return upload;
    },
  },
  {
    name: "points rules save",
    route: { name: "points programme", path: "/app/points?index", id: "routes/app.points._index" },
    json: true,
    body: () =>
      JSON.stringify({
        intent: "save",
        rules: {
          rate: "2",
          multiplier: "1",
          tierMultipliers: {},
          returnWindowDays: "30",
          expiryMonths: "12",
          signUpPoints: "0",
          firstOrderPoints: "0",
          birthdayPoints: "0",
          birthdayMetafield: "facts.birth_date",
        },
      }),
  },
  {
    name: "reward create",
    route: { name: "rewards", path: "/app/rewards", id: "routes/app.rewards" },
    json: true,
    body: () =>
      JSON.stringify({
        intent: "save",
        form: { title: "Sneaky", kind: "amount_off", pointsPrice: "100", value: "5" },
      }),
  },
  {
    name: "affinity recompute",
    route: { name: "products", path: "/app/products", id: "routes/app.products" },
    body: () => form({ intent: "recompute" }),
  },
];

const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  return body;
};

function campaignForm(overrides: Record<string, string>) {
  const values = { ...campaignFormValues(defaultCampaign(), "USD"), ...overrides } as Record<string, unknown>;
  const fields: Record<string, string | string[]> = { intent: "save" };
  for (const [k, v] of Object.entries(values))
    fields[k] = Array.isArray(v) ? v.map(String) : typeof v === "boolean" ? (v ? "on" : "") : String(v);
  return form(fields);
}
let defaultCampaignDefinition: Awaited<ReturnType<typeof templateDefinition>>;
const defaultCampaign = () => defaultCampaignDefinition;

const post = (action: Action, bearer: string, query: Record<string, string> = {}) =>
  fetch(withQuery(action.route, query), {
    method: "POST",
    headers: {
      ...BROWSER_HEADERS,
      Authorization: `Bearer ${bearer}`,
      ...(action.json ? { "Content-Type": "application/json" } : {}),
    },
    body: action.body(),
    redirect: "manual",
  });

/** The tier editor's form for the default programme (what the page submits), with a change applied to each tier. */
function tierForm(change: (tier: { key: string; name: string }) => void = () => {}) {
  const program = defaultTierProgram("USD");
  return {
    tiers: program.tiers.map((t) => {
      const tier = {
        key: t.key,
        name: t.name,
        threshold: (t.threshold / 100).toFixed(2),
        minOrders: t.minOrders === null ? "" : String(t.minOrders),
        discountPercent: t.perks.discountPercent === null ? "" : String(t.perks.discountPercent),
        freeShipping: t.perks.freeShipping,
        customText: t.perks.customText ?? "",
      };
      change(tier);
      return tier;
    }),
    windowKind: program.window.kind,
    windowDays: String(program.window.kind === "rolling" ? program.window.days : 365),
    retentionDays: String(program.retentionDays),
  };
}

/** RFC 4180 cells of a CSV text (quoted cells may hold commas, quotes, CR and LF). */
function csvCells(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

beforeAll(async () => {
  defaultCampaignDefinition = await templateDefinition(A, "welcome");
});

// ---- session tokens --------------------------------------------------------------------------------------------

describe("session tokens that are not current, not this app's, or not Shopify's", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const bad: [string, () => string][] = [
    ["expired", () => token(A, { exp: now() - 120, iat: now() - 180, nbf: now() - 185 })],
    ["not valid yet", () => token(A, { nbf: now() + 600, iat: now() + 600, exp: now() + 660 })],
    ["signed with another secret", () => token(A, {}, "not-the-app-secret")],
    ["for another app (audience)", () => token(A, { aud: "someone-elses-api-key" })],
    ["unsigned (alg none)", () => unsigned(token(A))],
  ];

  for (const [what, make] of bad) {
    it(`a token ${what} opens no admin route and changes nothing`, async () => {
      // Given both shops' rows
      const before = await snapshot();
      // When every loader and every action is asked with that token
      const statuses: Record<string, number> = {};
      for (const route of loaders()) statuses[`GET ${route.name}`] = (await get(route, make())).status;
      for (const action of actions()) statuses[`POST ${action.name}`] = (await post(action, make())).status;
      // Then each answers 401 (App Bridge fetches a fresh token and retries), and no row changed
      expect(Object.entries(statuses).filter(([, s]) => s !== 401)).toEqual([]);
      expect(await snapshot()).toEqual(before);
    });
  }

  it("a token whose shop is not a *.myshopify.com domain opens nothing and changes nothing", async () => {
    // Given a token signed with the app's secret but naming evil.example.com (as a leaked secret would allow)
    const evil = "evil.example.com";
    const forged = mintSessionToken({ shop: evil, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
    const before = await snapshot();
    // When it is used on the dashboard and on an action
    const page = await get(loaders()[0], forged);
    const change = await post(actions()[0], forged);
    // Then both are refused with a 4xx and nothing is stored for that domain or changed
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.status).toBeLessThan(500);
    expect(change.status).toBeGreaterThanOrEqual(400);
    expect(change.status).toBeLessThan(500);
    expect(await snapshot()).toEqual(before);
    expect(await prisma.session.count({ where: { shop: evil } })).toBe(0);
  });
});

function unsigned(jwt: string) {
  const [, body] = jwt.split(".");
  return `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${body}.`;
}

// ---- cross-shop access ----------------------------------------------------------------------------------------

describe("shop A's admin asking for shop B's records", () => {
  it("every loader answers with A's data only, even when the URL names shop B", async () => {
    // Given A's session token, and a URL that names B as Shopify admin would for B
    const query = { shop: B, host: adminHostParam(B) };
    for (const route of loaders()) {
      // When the route is loaded
      const response = await get(route, token(A), query);
      const text = await response.text();
      // Then it answers, and nothing of B is in it
      expect(response.status, route.name).toBe(200);
      for (const marker of B_MARKERS) expect(text, `${route.name} leaks ${marker}`).not.toContain(marker);
    }
  });

  it("B's customer, by id, is not found (404) from A's admin", async () => {
    // When A's admin opens the customer page with B's customer's id
    const response = await get(
      { name: "customer detail", path: "/app/customers/9100", id: "routes/app.customers.$id" },
      token(A),
    );
    // Then: 404, and nothing of B
    expect(response.status).toBe(404);
    const text = await response.text();
    for (const marker of B_MARKERS) expect(text).not.toContain(marker);
  });

  it("a customer id that is not a number is not found (404), not an error", async () => {
    for (const id of ["abc", "1001%20OR%201=1", "..%2F..%2Fsegments", "9".repeat(40)]) {
      const response = await get(
        { name: "customer detail", path: `/app/customers/${id}`, id: "routes/app.customers.$id" },
        token(A),
      );
      expect(response.status, id).toBe(404);
    }
  });

  it("B's campaign, by id, is not found (404) from A's admin: page, CSV and every form action, and B's rows stay", async () => {
    const before = await snapshot();
    const page = { name: "campaign detail", path: `/app/campaigns/${campaignOfB}`, id: "routes/app.campaigns.$id" };
    // When A's admin reads B's campaign and its CSV, and pauses, archives and edits it
    expect((await get(page, token(A))).status).toBe(404);
    expect((await get({ name: "csv", path: `/app/campaigns/${campaignOfB}/csv` }, token(A))).status).toBe(404);
    for (const body of [form({ intent: "pause" }), form({ intent: "archive" }), campaignForm({ name: "Taken over" })]) {
      const response = await post({ name: "campaign", route: page, body: () => body }, token(A));
      expect(response.status).toBe(404);
    }
    // Then nothing changed anywhere
    expect(await snapshot()).toEqual(before);
  });

  it("every action of A's admin changes A only, even when the URL names shop B", async () => {
    // Given B's rows
    const beforeB = await dumpDatabase({ shops: [B] });
    // When A's admin submits every form with a URL naming B
    for (const action of actions()) {
      const response = await post(action, token(A), { shop: B, host: adminHostParam(B) });
      expect(response.status, action.name).toBe(200);
    }
    // Then B's rows are exactly as they were, and A's changed (the actions did run)
    expect(await dumpDatabase({ shops: [B] })).toEqual(beforeB);
    expect(JSON.parse((await prisma.rfmSettings.findUniqueOrThrow({ where: { shop: A } })).segmentNames)).toMatchObject(
      { champions: "Renamed" },
    );
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id: campaignOfA } })).status).toBe("paused");
    expect((await jobRows(A, { kind: "affinity" })).length).toBeGreaterThan(0);
    // (restore A's campaign for the tests below)
    await prisma.campaign.update({ where: { id: campaignOfA }, data: { status: "active" } });
  });
});

// ---- CSV formula injection ------------------------------------------------------------------------------------

describe("spreadsheet formulas in every CSV the app produces", () => {
  const csvs: [string, () => Route][] = [
    ["the customer export", () => ({ name: "export", path: "/app/export" })],
    ["the analytics summary", () => ({ name: "analytics", path: "/app/analytics/csv" })],
    ["the analytics cohorts", () => ({ name: "cohorts", path: "/app/analytics/csv?table=cohorts&period=all" })],
    ["a campaign's members", () => ({ name: "campaign", path: `/app/campaigns/${campaignOfA}/csv` })],
  ];

  for (const [what, route] of csvs) {
    it(`${what}: no cell starts with =, +, -, @, tab or CR (a quote goes first)`, async () => {
      // Given A's ledger holding a customer id that is a formula, and refusals that read like formulas
      const { path: p } = route();
      const [pathname, search] = p.split("?");
      const response = await fetch(
        `${appUrl}${pathname}?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(search ?? "")), asOf: AS_OF.toISOString() })}`,
        {
          headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${token(A)}` },
        },
      );
      // When the CSV is downloaded
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
      const cells = csvCells(await response.text()).flat();
      // Then no cell would run as a formula
      expect(cells.filter((c) => FORMULA_START.test(c))).toEqual([]);
    });
  }

  it("the hostile values themselves reach the files as text, each behind a quote", async () => {
    const download = async (p: string) =>
      await (
        await fetch(`${appUrl}${p}`, { headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${token(A)}` } })
      ).text();
    const exported = csvCells(await download(`/app/export?asOf=${AS_OF.toISOString()}`)).flat();
    const members = csvCells(await download(`/app/campaigns/${campaignOfA}/csv`)).flat();
    expect(exported).toContain(`'=HYPERLINK("http://evil.example","x")`);
    expect(members).toEqual(
      expect.arrayContaining([
        `'=HYPERLINK("http://evil.example","x")`,
        "'@SUM(1+1)*cmd|' /C calc'!A0",
        "'\t-2+3",
        "'\r+1",
      ]),
    );
  });
});

// ---- HTML in names --------------------------------------------------------------------------------------------

describe("HTML in a customer's name", () => {
  const documentHtml = async (pathname: string, params: Record<string, string> = {}) => {
    const query = new URLSearchParams({
      embedded: "1",
      shop: A,
      host: adminHostParam(A),
      id_token: token(A),
      ...params,
    });
    const response = await fetch(`${appUrl}${pathname}?${query}`, { headers: BROWSER_HEADERS, redirect: "manual" });
    expect(response.status).toBe(200);
    return response.text();
  };

  for (const [page, pathname, params] of [
    ["customer list", "/app/customers", { search: "Lovelace" }],
    ["customer detail", "/app/customers/1001", {}],
  ] as const) {
    it(`is escaped in the server-rendered ${page}, markup and embedded data alike`, async () => {
      // When the page is rendered for Shopify admin
      const html = await documentHtml(pathname, params);
      // Then the name is there as text, and the raw tag nowhere (not in the markup, not in the hydration data)
      expect(html).toContain("&lt;img src=x onerror=window.__xss=1&gt;");
      expect(html).not.toContain("<img src=x");
    });
  }

  it("never reaches the storefront block, and a tier name with HTML is shown as text there", async () => {
    // Given a programme whose tier names hold markup, and the status metafield the sync writes for a member
    const program = defaultTierProgram("USD");
    program.tiers[1].name = XSS;
    program.tiers[2].name = `<script>alert("gold")</script>`;
    const state: SyncState = {
      customerId: "gid://shopify/Customer/1001",
      segment: "loyal",
      tier: "silver",
      spendInWindowMinor: 40_000,
      nextTier: "gold",
      amountToNextMinor: 35_000,
      tierExpiresAt: Date.parse("2027-03-01T00:00:00Z"),
    };
    const status = JSON.parse(tierMetafields(state, program, "USD")!.status);
    const block = readFileSync(path.resolve("extensions/loyalty-theme/blocks/loyalty-status.liquid"), "utf8");
    const customerObject = {
      id: 1001,
      first_name: XSS,
      last_name: XSS,
      name: XSS,
      metafields: { app: { status: { value: status } } },
    };
    const settings = {
      heading: "",
      accent_color: "#1f5199",
      show_spend: true,
      show_progress: true,
      show_expiry: true,
      perks: "",
    };
    // When the block renders for that shopper
    const html = await storefront("en", "${{amount}}").parseAndRender(block, {
      customer: customerObject,
      block: { id: "b1", settings },
      routes: { account_login_url: "/account/login" },
    });
    // Then the tier names are escaped text, and no markup from data made it in
    expect(html).toContain("&lt;img src=x onerror=window.__xss=1&gt;");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toMatch(/<img|<script/i);
  });
});

// ---- SQL-ish text ---------------------------------------------------------------------------------------------

describe("SQL-ish text in search boxes and text fields", () => {
  const search = async (text: string) => {
    const response = await get(
      { name: "customers", path: "/app/customers", id: "routes/app.customers._index" },
      token(A),
      { search: text },
    );
    expect(response.status).toBe(200);
    return (await response.json()) as { total: number; rows: { customerId: string }[] };
  };

  it("the customer search matches such text literally, as a part of a name or email", async () => {
    // Given A's customers (one named with SQL, one whose email holds %, _ and a backslash)
    const before = await snapshot();
    // When each string is searched
    const found: Record<string, string[]> = {};
    for (const text of SQLISH) found[text] = (await search(text)).rows.map((r) => r.customerId);
    // Then only customers whose name or email contains it literally are found — never everyone
    expect(found).toEqual({
      [`' OR 1=1 --`]: ["gid://shopify/Customer/1002"],
      [`"; DROP TABLE "Order"; --`]: ["gid://shopify/Customer/1002"],
      "%": ["gid://shopify/Customer/1002"],
      _: ["gid://shopify/Customer/1001", "gid://shopify/Customer/1002"], // 1001's name holds "__xss"
      "\\": ["gid://shopify/Customer/1002"],
      "\\%": [],
    });
    // And the search changed nothing
    expect(await snapshot()).toEqual(before);
  });

  it("a segment renamed to SQL is stored and shown as that text", async () => {
    // When every segment name is set to one of the strings
    const names = { "name.champions": SQLISH[0], "name.loyal": SQLISH[1], "name.at_risk": "%_\\" };
    const response = await post(
      {
        name: "rename",
        route: { name: "segments", path: "/app/segments", id: "routes/app.segments" },
        body: () => form(names),
      },
      token(A),
    );
    expect(response.status).toBe(200);
    // Then the page shows them back literally, and the ledger is whole
    const page = await (
      await get({ name: "segments", path: "/app/segments", id: "routes/app.segments" }, token(A))
    ).json();
    expect(page.segmentNames).toMatchObject({ champions: SQLISH[0], loyal: SQLISH[1], at_risk: "%_\\" });
    expect(await prisma.order.count({ where: { shop: A } })).toBe(4);
  });

  it("tier names in SQL are saved and shown as that text", async () => {
    const program = tierForm((t) => (t.name = t.key === "gold" ? SQLISH[1] : t.key === "silver" ? SQLISH[0] : t.name));
    const response = await post(
      {
        name: "tiers",
        route: { name: "tiers", path: "/app/tiers", id: "routes/app.tiers" },
        json: true,
        body: () => JSON.stringify({ intent: "save", program }),
      },
      token(A),
    );
    expect(await response.json()).toMatchObject({ ok: true });
    const page = await (await get({ name: "tiers", path: "/app/tiers", id: "routes/app.tiers" }, token(A))).json();
    expect(page.form.tiers.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining([SQLISH[0], SQLISH[1]]),
    );
    expect(await prisma.order.count({ where: { shop: A } })).toBe(4);
  });

  it("a campaign named in SQL is saved as that text", async () => {
    const route = { name: "new", path: "/app/campaigns/new", id: "routes/app.campaigns.new" };
    const response = await post(
      { name: "new", route, body: () => campaignForm({ name: SQLISH[1], codePrefix: "SAFE-" }) },
      token(A),
    );
    expect(response.status).toBe(200);
    const { id } = await response.json();
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id } })).name).toBe(SQLISH[1]);
  });

  it("a campaign code prefix in SQL is refused (400) and nothing is saved", async () => {
    const route = { name: "new", path: "/app/campaigns/new", id: "routes/app.campaigns.new" };
    for (const codePrefix of SQLISH) {
      const before = await snapshot();
      const response = await post({ name: "new", route, body: () => campaignForm({ codePrefix }) }, token(A));
      expect(response.status, codePrefix).toBe(400);
      expect((await response.json()).issues.map((i: { path: string[] }) => i.path.join("."))).toEqual(["codePrefix"]);
      expect(await snapshot()).toEqual(before);
    }
  });

  it("tag prefixes with quotes or backslashes are refused and nothing is saved", async () => {
    const route = { name: "settings", path: "/app/settings", id: "routes/app.settings" };
    for (const rfmPrefix of [SQLISH[0], SQLISH[1], "\\"]) {
      const before = await snapshot();
      const body = form({
        intent: "sync",
        rfmTags: "on",
        rfmPrefix,
        tierTags: "on",
        tierPrefix: "tier:",
        metafields: "on",
        segmentNamePrefix: "Loyalty tier: ",
        codePrefix: "",
      });
      const result = await (await post({ name: "settings", route, body: () => body }, token(A))).json();
      expect(result, rfmPrefix).toMatchObject({
        ok: false,
        issues: [expect.objectContaining({ path: ["rfmPrefix"] })],
      });
      expect(await snapshot()).toEqual(before);
    }
  });

  it("a segment-name prefix in SQL, and % and _ tag prefixes, are saved as that text", async () => {
    const route = { name: "settings", path: "/app/settings", id: "routes/app.settings" };
    const body = form({
      intent: "sync",
      rfmTags: "on",
      rfmPrefix: "%rfm_",
      tierTags: "on",
      tierPrefix: "_tier%",
      metafields: "on",
      segmentNamePrefix: SQLISH[1],
      codePrefix: "",
    });
    expect(await (await post({ name: "settings", route, body: () => body }, token(A))).json()).toMatchObject({
      ok: true,
    });
    expect(await prisma.syncSettings.findUniqueOrThrow({ where: { shop: A } })).toMatchObject({
      rfmPrefix: "%rfm_",
      tierPrefix: "_tier%",
      segmentNamePrefix: SQLISH[1],
    });
    expect(await prisma.syncSettings.count({ where: { shop: B } })).toBe(0);
  });
});

// ---- webhooks -------------------------------------------------------------------------------------------------

describe("hostile ledger webhooks", () => {
  const orderBody = () => {
    const body = exampleBody("orders/create") as Record<string, any>;
    body.test = false;
    body.cancelled_at = null;
    return JSON.stringify(body);
  };
  const deliver = (options: Partial<Parameters<typeof postWebhook>[2]> & { body: string }) =>
    postWebhook(appUrl, "/webhooks/orders/create", { shop: A, topic: "orders/create", ...options });

  it("a forged signature on an order is refused (401) and changes nothing", async () => {
    const before = await snapshot();
    const body = orderBody();
    const response = await deliver({ body, hmac: sign(body, "guessed-secret") });
    expect(response.status).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  it("the benchmark's floor route is absent (404) unless WEBHOOK_FLOOR_ROUTE=on, even for a signed delivery", async () => {
    const before = await snapshot();
    const response = await postWebhook(appUrl, "/webhooks/floor", {
      shop: A,
      topic: "orders/create",
      body: orderBody(),
    });
    expect(response.status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it("a signed order for a shop that never installed the app is refused (404) and changes nothing", async () => {
    const before = await snapshot();
    const response = await deliver({ shop: "never-installed.myshopify.com", body: orderBody() });
    // Then a shop that never installed is refused, and nothing changes
    expect(response.status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it("an exact replay of a delivered order is a 200 no-op", async () => {
    // Given an order delivered once
    const body = orderBody();
    const webhookId = randomUUID();
    expect((await deliver({ body, webhookId })).status).toBe(200);
    const before = await snapshot();
    // When the identical request arrives again (same webhook id, same signature)
    const again = await deliver({ body, webhookId });
    // Then it is acknowledged and nothing changes
    expect(again.status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  const shapes: [string, string][] = [
    ["a JSON array", "[]"],
    ["JSON null", "null"],
    ["a JSON string", '"order"'],
    ["an empty body", ""],
    ["JSON nested 100,000 deep", "[".repeat(100_000) + "]".repeat(100_000)],
    ["an object nested 100,000 deep", '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000)],
  ];
  for (const [what, body] of shapes) {
    it(`a signed body that is ${what} is refused (400) and changes nothing`, async () => {
      const before = await snapshot();
      const response = await deliver({ body });
      expect(response.status).toBe(400);
      expect(await snapshot()).toEqual(before);
    });
  }

  it("a body with __proto__ keys is handled as data: no object gains the keys", async () => {
    const body = orderBody().replace(
      /^{/,
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},',
    );
    const response = await deliver({ body });
    expect([200, 400]).toContain(response.status);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("a body over 2 MiB on a ledger topic is refused (413) and changes nothing", async () => {
    const before = await snapshot();
    const body = JSON.stringify({ ...JSON.parse(orderBody()), note: "x".repeat(3 * 1024 * 1024) });
    const response = await deliver({ body });
    expect(response.status).toBe(413);
    expect(await snapshot()).toEqual(before);
  });

  const domains = [
    "ADA-GOODS.myshopify.com.evil.example",
    "ada-goods.myshopify.com.evil.example",
    "evil.example/ada-goods.myshopify.com",
    "ada-goods.myshopify.com:443",
    "ada goods.myshopify.com",
    "Ada-Goods.myshopify.com",
    "-ada.myshopify.com",
    "ada-goods.myshopify.com/../bangkok-tea.myshopify.com",
    "",
  ];
  for (const domain of domains) {
    it(`a shop domain header ${JSON.stringify(domain)} is refused with a 4xx and changes nothing`, async () => {
      const before = await snapshot();
      // A fetch that fails (no answer, a dead server) fails the test: only an HTTP answer from the app is a refusal
      const { status } = await deliver({ shop: domain, body: orderBody() });
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(await snapshot()).toEqual(before);
    });
  }
});
