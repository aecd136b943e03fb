// The rewards catalogue's form (domain/rewards-form.ts): money typed in major units becomes exact minor units (never
// rounded), whole numbers are digits only, a per-customer limit needs its count and its period, and every problem is
// reported under its own field; a saved reward shows back as the same form.
import { describe, expect, it } from "vitest";
import { EMPTY_REWARD_FORM, formOfReward, rewardFromForm } from "../../app/domain/rewards-form";

const form = (changes: Partial<typeof EMPTY_REWARD_FORM>) => ({ ...EMPTY_REWARD_FORM, ...changes });

describe("reward form", () => {
  it("reads a valid reward with its value in exact minor units", () => {
    const result = rewardFromForm(
      form({
        title: " $5 off ",
        pointsPrice: "500",
        value: "5.00",
        expiryDays: "30",
        limitCount: "1",
        limitPeriodDays: "30",
        limitTotal: "1,000",
      }),
      "USD",
    );
    expect(result).toEqual({
      ok: true,
      reward: {
        kind: "amount_off",
        title: "$5 off",
        pointsPrice: 500,
        valueMinor: 500,
        expiryDays: 30,
        limits: { perCustomer: { count: 1, periodDays: 30 }, total: 1000 },
      },
    });
    expect(rewardFromForm(form({ title: "x", pointsPrice: "1", value: "120" }), "JPY")).toMatchObject({
      ok: true,
      reward: { valueMinor: 120 },
    });
    expect(
      rewardFromForm(form({ title: "ship", kind: "free_shipping", pointsPrice: "200", value: "9" }), "USD"),
    ).toMatchObject({ ok: true, reward: { valueMinor: null } });
  });

  it("refuses bad input under each field, never rounding money", () => {
    const result = rewardFromForm(
      form({ title: "", pointsPrice: "12.5", value: "5.005", expiryDays: "-3", limitCount: "2", limitTotal: "0" }),
      "USD",
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.field, i.key])).toEqual([
      ["pointsPrice", "rewards.form.not_whole"],
      ["expiryDays", "rewards.form.not_whole"],
      ["value", "rewards.form.not_amount"],
      ["limitPeriodDays", "rewards.form.limit_pair"],
      ["title", "rewards.title.required"],
      ["limitTotal", "rewards.limits.total.out_of_range"],
    ]);
    const value = rewardFromForm(form({ title: "x", pointsPrice: "1", value: "2000000" }), "USD");
    expect(value.ok ? null : value.issues).toEqual([
      expect.objectContaining({
        field: "value",
        key: "rewards.valueMinor.out_of_range",
        params: { currency: "USD", min: "0.01", max: "1000000.00" },
      }),
    ]);
    const kind = rewardFromForm(form({ title: "x", kind: "cash", pointsPrice: "1" }), "USD");
    expect(kind.ok ? null : kind.issues.map((i) => [i.field, i.key])).toEqual([["kind", "rewards.kind.unknown"]]);
  });

  it("shows a saved reward back as the form it came from", () => {
    const typed = form({ title: "Card", kind: "gift_card", pointsPrice: "900", value: "10.50", limitTotal: "5" });
    const result = rewardFromForm(typed, "THB");
    expect(result.ok && formOfReward(result.reward, "THB")).toEqual(typed);
  });
});
