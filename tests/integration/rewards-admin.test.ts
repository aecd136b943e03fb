// The rewards catalogue's service on the real database (SQLite, and PostgreSQL with TEST_DATABASE=postgresql): a
// reward created from the form in the shop currency (exact minor units), refused input changes nothing, edits and
// deactivation, redemption counts per reward, and shop B can neither see nor change shop A's rewards.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { SYNC } from "../../app/jobs/contracts";
import { jobRows } from "../support/queue";
import { EMPTY_REWARD_FORM } from "../../app/domain/rewards-form";
import { rewardsCatalogue, submitRewardsAdmin } from "../../app/services/rewards-admin.server";

const A = "rewards-admin-a.myshopify.com";
const B = "rewards-admin-b.myshopify.com";

beforeAll(async () => {
  await prisma.shop.create({ data: { shop: A, currencyCode: "THB" } });
  await prisma.shop.create({ data: { shop: B, currencyCode: "JPY" } });
});

const rows = (shop: string) => prisma.reward.findMany({ where: { shop }, orderBy: { createdAt: "asc" } });

describe("rewards catalogue", () => {
  it("creates, refuses, edits, deactivates; counts redemptions; another shop cannot touch it", async () => {
    const refused = await submitRewardsAdmin(A, {
      intent: "save",
      form: { ...EMPTY_REWARD_FORM, title: "฿50 off", pointsPrice: "500", value: "50.001" },
    });
    expect(refused).toMatchObject({ ok: false, issues: [{ field: "value", key: "rewards.form.not_amount" }] });
    expect(await rows(A)).toEqual([]);
    expect(await jobRows(A, { kind: SYNC })).toEqual([]);

    const created = await submitRewardsAdmin(A, {
      intent: "save",
      form: { ...EMPTY_REWARD_FORM, title: "฿50 off", pointsPrice: "500", value: "50.50", limitTotal: "100" },
    });
    expect(created).toMatchObject({ ok: true, created: true });
    // The shoppers' points metafield names the rewards they can redeem: a catalogue change queues the shop's sync
    expect((await jobRows(A, { kind: SYNC })).length).toBeGreaterThan(0);
    expect(await jobRows(B, { kind: SYNC })).toEqual([]);
    const id = (created as { id: string }).id;
    const [row] = await rows(A);
    expect({ ...row, valueMinor: Number(row.valueMinor) }).toMatchObject({
      id,
      kind: "amount_off",
      title: "฿50 off",
      pointsPrice: 500,
      valueMinor: 5050,
      limitTotal: 100,
      active: true,
    });

    await prisma.redemption.createMany({
      data: ["confirmed", "confirmed", "reserved", "released"].map((state, i) => ({
        shop: A,
        id: `r${i}`,
        customerId: `gid://shopify/Customer/${i + 1}`,
        rewardId: id,
        token: `t${i}`,
        points: 500,
        kind: "amount_off",
        valueMinor: 5050n,
        currencyCode: "THB",
        state,
      })),
    });
    const catalogue = await rewardsCatalogue(A);
    expect(catalogue.currency).toBe("THB");
    expect(catalogue.rewards).toEqual([
      expect.objectContaining({
        id,
        redemptions: { confirmed: 2, reserved: 1, released: 1 },
        form: expect.objectContaining({ value: "50.50", pointsPrice: "500", limitTotal: "100" }),
      }),
    ]);

    // Shop B: sees nothing of A's, and cannot edit or deactivate it
    expect((await rewardsCatalogue(B)).rewards).toEqual([]);
    const before = await rows(A);
    expect(
      await submitRewardsAdmin(B, { intent: "save", id, form: { ...catalogue.rewards[0].form, value: "50" } }),
    ).toMatchObject({ ok: false, issues: [{ key: "rewards.form.unknown_reward" }] });
    expect(await submitRewardsAdmin(B, { intent: "deactivate", id })).toMatchObject({ ok: false });
    expect(await rows(A)).toEqual(before);

    // A edits its reward (the redemptions keep what they were made at) and deactivates it
    expect(
      await submitRewardsAdmin(A, { intent: "save", id, form: { ...catalogue.rewards[0].form, pointsPrice: "600" } }),
    ).toMatchObject({ ok: true, created: false });
    expect(await submitRewardsAdmin(A, { intent: "deactivate", id })).toEqual({ ok: true, intent: "deactivate", id });
    const [edited] = await rows(A);
    expect({ pointsPrice: edited.pointsPrice, active: edited.active }).toEqual({ pointsPrice: 600, active: false });
    expect((await prisma.redemption.findMany({ where: { shop: A } })).map((r) => r.points)).toEqual([
      500, 500, 500, 500,
    ]);
    expect(await submitRewardsAdmin(A, { intent: "delete", id })).toMatchObject({ ok: false });
    expect(await rows(A)).toHaveLength(1);
    expect(await submitRewardsAdmin(A, "not json")).toMatchObject({ ok: false });
  });
});
