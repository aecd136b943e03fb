// The customer page's points adjustment over real HTTP to the built app, as App Bridge submits it (a session token
// of the shop's staff member): it writes the entry with that staff member as actor, a double submit is one entry, and
// shop A's staff naming a customer only shop B has gets 404 with nothing written in either shop. Also on PostgreSQL.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { mintSessionToken } from "../../simulator/app-bridge/session-token";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } from "../support/test-env";

const A = "points-http-a.myshopify.com";
const B = "points-http-b.myshopify.com";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
const customers: Record<string, string[]> = {};
const legacy = (gid: string) => gid.split("/").pop()!;

function adjust(shop: string, customerLegacyId: string, fields: Record<string, string>, userId = "7001") {
  const token = mintSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, userId });
  return fetch(
    `${env.app.url}/app/customers/${customerLegacyId}?_data=${encodeURIComponent("routes/app.customers.$id")}`,
    {
      method: "POST",
      headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${token}` },
      body: new URLSearchParams(fields),
    },
  );
}

const rows = () =>
  prisma.pointsEntry
    .findMany({ orderBy: { id: "asc" } })
    .then((r) => r.map((e) => [e.shop, e.customerId, e.kind, Number(e.points), e.sourceKey, e.actor, e.note]));

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  // The simulator numbers each shop's customers from the same start: B has ids A does not.
  for (const shop of [A, B]) {
    customers[shop] = seedDemoShop(env.shopify.admin, {
      domain: shop,
      customers: shop === A ? 2 : 5,
      ordersEach: 0,
    }).customers.map((c) => c.id);
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    for (const id of customers[shop])
      await prisma.customer.upsert({ where: { shop_id: { shop, id } }, create: { shop, id }, update: {} });
  }
});

describe("POST /app/customers/:id (the Points card's form)", () => {
  it("adds points as the session's staff member, once per form token", async () => {
    const customer = customers[A][0];
    const form = { points: "75", reason: "Late delivery", kind: "adjustment", token: "0b7f3c1e-http-test-0001" };
    const first = await adjust(A, legacy(customer), form);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, repeated: false, points: 75 });
    const again = await adjust(A, legacy(customer), form);
    expect(await again.json()).toEqual({ ok: true, repeated: true, points: 75 });
    const held = await prisma.pointsEntry.findMany({ where: { shop: A, customerId: customer } });
    expect(held.map((e) => [e.kind, Number(e.points), e.sourceKey, e.actor, e.note])).toEqual([
      ["adjustment", 75, "adjust:0b7f3c1e-http-test-0001", "staff:7001", "Late delivery"],
    ]);
  });

  it("answers a missing reason 400 and a removal beyond the balance 409, writing nothing", async () => {
    const before = await rows();
    const noReason = await adjust(A, legacy(customers[A][1]), { points: "5", reason: "", token: "http-test-0002-abc" });
    expect(noReason.status).toBe(400);
    expect(((await noReason.json()) as { issues: { key: string }[] }).issues.map((i) => i.key)).toEqual([
      "reasonRequired",
    ]);
    const tooMuch = await adjust(A, legacy(customers[A][1]), {
      points: "-1",
      reason: "x",
      token: "http-test-0003-abc",
    });
    expect(tooMuch.status).toBe(409);
    expect(await rows()).toEqual(before);
  });

  it("tenancy: A's staff naming a customer only B has gets 404, and neither shop changes", async () => {
    const before = await rows();
    const onlyB = legacy(customers[B][4]);
    for (const points of ["10", "-10"]) {
      const response = await adjust(A, onlyB, { points, reason: "x", token: `http-tenancy-${points}-x` });
      expect(response.status).toBe(404);
    }
    expect(await rows()).toEqual(before);
  });
});
