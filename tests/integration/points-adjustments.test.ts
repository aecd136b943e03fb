// Points adjustments and Flow awards (docs/rules.md#adjustments-and-the-audit-trail) on the test's database (SQLite,
// or PostgreSQL with TEST_DATABASE=postgresql): the entry and its audit (who, when, why), a double submit making one
// entry, refusals writing nothing (bad input, a removal beyond the available balance, another shop's customer),
// processes removing points at once against one balance (one wins), and removals racing redemptions' reservations.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { adjustPoints, awardPointsFromFlow } from "../../app/services/points-adjustments.server";
import { staffActor } from "../../app/domain/points-adjustments";
import { createReward } from "../../app/models/rewards.server";

const A = "adjust-a.myshopify.com";
const B = "adjust-b.myshopify.com";
const NOW = Date.parse("2026-06-01T10:00:00.000Z");
const now = () => new Date(NOW);
let next = 100;

async function customer(shop: string, points = 0) {
  const id = `gid://shopify/Customer/${next++}`;
  await prisma.customer.create({ data: { shop, id, email: `c${next}@example.com` } });
  if (points)
    await prisma.pointsEntry.create({
      data: {
        shop,
        customerId: id,
        kind: "import",
        points: BigInt(points),
        sourceKey: "import:generic",
        ruleVersion: 0,
        effectiveAt: new Date(NOW - 86_400_000),
        availableAt: new Date(NOW - 86_400_000),
      },
    });
  return id;
}

const rows = (shop: string) =>
  prisma.pointsEntry.findMany({ where: { shop }, orderBy: { id: "asc" } }).then((r) =>
    r.map((e) => ({
      customerId: e.customerId,
      kind: e.kind,
      points: Number(e.points),
      sourceKey: e.sourceKey,
      note: e.note,
      actor: e.actor,
    })),
  );

beforeAll(async () => {
  for (const shop of [A, B]) await prisma.shop.create({ data: { shop } });
});

describe("a staff member's adjustment", () => {
  it("adds points with the reason and the staff member, once per form token", async () => {
    const c = await customer(A);
    const form = { points: "250", reason: "Parcel lost in transit", token: "tok-add-0001" };
    const first = await adjustPoints(A, c, form, staffActor("42"), { now });
    expect(first).toEqual({ ok: true, repeated: false, points: 250, available: 250 });
    const again = await adjustPoints(A, c, form, staffActor("42"), { now });
    expect(again).toMatchObject({ ok: true, repeated: true, points: 250 });
    const held = await prisma.pointsEntry.findMany({ where: { shop: A, customerId: c } });
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({
      kind: "adjustment",
      points: 250n,
      sourceKey: "adjust:tok-add-0001",
      note: "Parcel lost in transit",
      actor: "staff:42",
      ruleVersion: 0,
    });
    expect(held[0].effectiveAt.getTime()).toBe(NOW);
    expect(held[0].availableAt.getTime()).toBe(NOW);
  });

  it("labels a positive adjustment a bonus when asked, and refuses a negative bonus", async () => {
    const c = await customer(A);
    const ok = await adjustPoints(
      A,
      c,
      { points: "+30", reason: "Review", kind: "bonus", token: "tok-bonus-01" },
      staffActor("7"),
      { now },
    );
    expect(ok).toMatchObject({ ok: true, points: 30 });
    expect((await prisma.pointsEntry.findFirst({ where: { shop: A, customerId: c } }))?.kind).toBe("bonus");
    const bad = await adjustPoints(
      A,
      c,
      { points: "-5", reason: "x", kind: "bonus", token: "tok-bonus-02" },
      staffActor("7"),
      { now },
    );
    expect(bad).toMatchObject({ ok: false, status: 400, issues: [{ field: "kind", key: "bonusNegative" }] });
  });

  it("refuses bad input with a reason per field and writes nothing", async () => {
    const c = await customer(A, 100);
    const before = await rows(A);
    for (const [form, fields] of [
      [{ points: "0", reason: "x", token: "tok-bad-0001" }, ["points"]],
      [{ points: "1.5", reason: "x", token: "tok-bad-0002" }, ["points"]],
      [{ points: "abc", reason: "", token: "tok-bad-0003" }, ["points", "reason"]],
      [{ points: "2000000", reason: "x", token: "tok-bad-0004" }, ["points"]],
      [{ points: "5", reason: "   ", token: "tok-bad-0005" }, ["reason"]],
      [{ points: "5", reason: "x".repeat(501), token: "tok-bad-0006" }, ["reason"]],
      [{ points: "5", reason: "x", token: "short" }, ["token"]],
      [{ points: "5", reason: "x", token: "tok bad spaces" }, ["token"]],
    ] as const) {
      const result = await adjustPoints(A, c, form, staffActor("1"), { now });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.status).toBe(400);
        expect(result.issues.map((i) => i.field)).toEqual(fields);
      }
    }
    expect(await rows(A)).toEqual(before);
  });

  it("removes points down to 0 and refuses a removal beyond the available balance", async () => {
    const c = await customer(A, 100);
    const refused = await adjustPoints(
      A,
      c,
      { points: "-101", reason: "Fraud", token: "tok-rem-0001" },
      staffActor("1"),
      { now },
    );
    expect(refused).toMatchObject({ ok: false, status: 409, issues: [{ field: "points", key: "insufficient" }] });
    if (!refused.ok) expect(refused.issues[0].message).toContain("Only 100 points are available");
    const ok = await adjustPoints(A, c, { points: "-100", reason: "Fraud", token: "tok-rem-0002" }, staffActor("1"), {
      now,
    });
    expect(ok).toEqual({ ok: true, repeated: false, points: -100, available: 0 });
    // pending points do not count: an order's pending points cannot be removed before they are available
    await prisma.pointsEntry.create({
      data: {
        shop: A,
        customerId: c,
        kind: "order",
        points: 50n,
        sourceKey: "order:gid://shopify/Order/1:v1",
        ruleVersion: 1,
        effectiveAt: new Date(NOW - 1000),
        availableAt: new Date(NOW + 86_400_000),
      },
    });
    const pending = await adjustPoints(A, c, { points: "-1", reason: "x", token: "tok-rem-0003" }, staffActor("1"), {
      now,
    });
    expect(pending).toMatchObject({ ok: false, status: 409 });
  });

  it("tenancy: shop A's staff cannot adjust shop B's customer (nothing written in either shop)", async () => {
    const b = await customer(B, 100);
    const [beforeA, beforeB] = [await rows(A), await rows(B)];
    for (const points of ["10", "-10"]) {
      const result = await adjustPoints(A, b, { points, reason: "x", token: `tok-ten-${points}x` }, staffActor("1"), {
        now,
      });
      expect(result).toMatchObject({ ok: false, status: 404, issues: [{ field: "customer" }] });
    }
    expect(await rows(A)).toEqual(beforeA);
    expect(await rows(B)).toEqual(beforeB);
    // A deleted customer cannot be adjusted either
    const gone = await customer(A);
    await prisma.customer.update({ where: { shop_id: { shop: A, id: gone } }, data: { deletedAt: now() } });
    expect(
      await adjustPoints(A, gone, { points: "1", reason: "x", token: "tok-gone-01" }, staffActor("1"), { now }),
    ).toMatchObject({ ok: false, status: 404 });
  });
});

describe("racing removals", () => {
  const CHILD = path.resolve("tests/support/adjustment-child.ts");
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  });

  /** Starts one child per token (with the reward: a reservation), lets them go together, and collects the results. */
  async function race(c: string, tokens: string[], rewardFor: (i: number) => string | null = () => null) {
    const started = tokens.map((token, i) => {
      const reward = rewardFor(i);
      const child = fork(CHILD, [A, c, "-80", token, String(NOW), ...(reward ? [reward] : [])], {
        execArgv: ["--import", "tsx"],
        stdio: "inherit",
      });
      children.push(child);
      const ready = new Promise<void>((resolve) =>
        child.on("message", (m: { type?: string }) => m?.type === "ready" && resolve()),
      );
      const done = new Promise<{ ok: boolean; status?: number }>((resolve, reject) => {
        child.on(
          "message",
          (m: { type?: string; result?: { ok: boolean; status?: number } }) => m?.type === "done" && resolve(m.result!),
        );
        child.on("exit", (code) => code !== 0 && reject(new Error(`child exited ${code}`)));
      });
      return { child, ready, done };
    });
    await Promise.all(started.map((s) => s.ready));
    for (const s of started) s.child.send({ type: "go" });
    return Promise.all(started.map((s) => s.done));
  }

  it("three removals and three redemptions of 80 racing for 100 available points: one wins, never below 0", async () => {
    const c = await customer(A, 100);
    const reward = await createReward(A, {
      kind: "amount_off",
      title: "race",
      pointsPrice: 80,
      valueMinor: 100,
      expiryDays: null,
      limits: { perCustomer: null, total: null },
    });
    const results = await race(
      c,
      ["mix-0001-a", "mix-0002-b", "mix-0003-c", "mix-0004-d", "mix-0005-e", "mix-0006-f"],
      (i) => (i % 2 === 0 ? reward.id : null),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const held = await prisma.pointsEntry.findMany({ where: { shop: A, customerId: c } });
    expect(held.reduce((sum, e) => sum + Number(e.points), 0)).toBe(20);
  }, 60_000);

  it("six processes removing 80 of 100 available points at once: one removal, one refusal, never below 0", async () => {
    const c = await customer(A, 100);
    const results = await race(c, [
      "tok-race-0001",
      "tok-race-0002",
      "tok-race-0003",
      "tok-race-0004",
      "tok-race-0005",
      "tok-race-0006",
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => r.status)).toEqual([409, 409, 409, 409, 409]);
    const held = await prisma.pointsEntry.findMany({ where: { shop: A, customerId: c } });
    expect(held.reduce((sum, e) => sum + Number(e.points), 0)).toBe(20);
  }, 60_000);
});

describe("the Award points Flow action's work", () => {
  const body = (customerId: number | string, extra: Record<string, unknown> = {}) => ({
    shop_id: "1",
    shopify_domain: A,
    action_run_id: "run-0001-aaaa",
    action_definition_id: "Award points",
    handle: "award-points",
    properties: { customer_id: customerId, points: 40, reason: "Left a review", ...extra },
  });

  it("awards a bonus once per action run, from the flow actor", async () => {
    const c = await customer(A);
    const legacy = Number(c.split("/").pop());
    expect(await awardPointsFromFlow(A, body(legacy), { now })).toEqual({ status: 200, repeated: false });
    expect(await awardPointsFromFlow(A, body(String(legacy)), { now })).toEqual({ status: 200, repeated: true });
    expect(await awardPointsFromFlow(A, body(c), { now })).toEqual({ status: 200, repeated: true });
    const held = await prisma.pointsEntry.findMany({ where: { shop: A, customerId: c } });
    expect(held.map((e) => [e.kind, Number(e.points), e.sourceKey, e.actor, e.note])).toEqual([
      ["bonus", 40, "flow:run-0001-aaaa", "flow", "Left a review"],
    ]);
  });

  it("refuses a malformed body, points out of range and another shop's customer, writing nothing", async () => {
    const c = await customer(A);
    const legacy = Number(c.split("/").pop());
    const b = Number((await customer(B)).split("/").pop());
    const [beforeA, beforeB] = [await rows(A), await rows(B)];
    for (const bad of [
      null,
      [],
      "x",
      { ...body(legacy), action_run_id: undefined },
      { ...body(legacy), properties: undefined },
      body("abc"),
      body(legacy, { points: 0 }),
      body(legacy, { points: -5 }),
      body(legacy, { points: 1_000_001 }),
      body(legacy, { points: 2.5 }),
      body(legacy, { reason: "" }),
    ])
      expect((await awardPointsFromFlow(A, bad, { now })).status).toBe(400);
    expect(await awardPointsFromFlow(A, body(b), { now })).toMatchObject({ status: 404 });
    expect(await awardPointsFromFlow(A, body(999_999_999), { now })).toMatchObject({ status: 404 });
    expect(await rows(A)).toEqual(beforeA);
    expect(await rows(B)).toEqual(beforeB);
  });
});
