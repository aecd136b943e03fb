// Rewards (app/domain/rewards.ts, docs/rules.md#points-redemption): validation with its issue keys, the redemption
// decision (inactive, limits, available points, in that order), the journal entries a redemption writes (kinds and
// keys derive never touches), and the app-chosen codes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balancesAt, isDerivedSource } from "../../app/domain/points";
import {
  giftCardExpiresOn,
  periodStart,
  REDEMPTION_CODE_LENGTH,
  redemptionCode,
  redemptionRefusal,
  refusalMessage,
  releaseEntry,
  reservationEntry,
  rewardExpiresAt,
  validateReward,
} from "../../app/domain/rewards";
import { DAY_MS } from "../../app/domain/time";

const valid = {
  kind: "amount_off",
  title: "  5 USD off ",
  pointsPrice: 500,
  valueMinor: 500,
  expiryDays: 30,
  limits: { perCustomer: { count: 1, periodDays: 30 }, total: 100 },
};
const keys = (input: unknown) => {
  const v = validateReward(input);
  return v.ok ? [] : v.issues.map((i) => `${i.path.join(".")}:${i.key}`);
};

describe("validateReward", () => {
  it("accepts each kind, trims the title, defaults absent limits to none", () => {
    expect(validateReward(valid)).toEqual({ ok: true, reward: { ...valid, title: "5 USD off" } });
    expect(validateReward({ kind: "free_shipping", title: "Ship", pointsPrice: 1 })).toEqual({
      ok: true,
      reward: {
        kind: "free_shipping",
        title: "Ship",
        pointsPrice: 1,
        valueMinor: null,
        expiryDays: null,
        limits: { perCustomer: null, total: null },
      },
    });
    for (const kind of ["store_credit", "gift_card"]) expect(validateReward({ ...valid, kind }).ok).toBe(true);
  });

  it("reports every problem with its key", () => {
    expect(keys(null)).toEqual([":field.invalid_type"]);
    expect(
      keys({
        kind: "points_back",
        title: " ",
        pointsPrice: 0,
        valueMinor: 1.5,
        expiryDays: 0,
        limits: { perCustomer: { count: 0, periodDays: 4000 }, total: -1 },
        extra: 1,
      }),
    ).toEqual([
      "extra:field.unknown",
      "kind:rewards.kind.unknown",
      "title:rewards.title.required",
      "pointsPrice:rewards.pointsPrice.out_of_range",
      "expiryDays:rewards.expiryDays.out_of_range",
      "limits.perCustomer.count:rewards.limits.perCustomer.count.out_of_range",
      "limits.perCustomer.periodDays:rewards.limits.perCustomer.periodDays.out_of_range",
      "limits.total:rewards.limits.total.out_of_range",
    ]);
    expect(keys({ ...valid, valueMinor: null })).toEqual(["valueMinor:rewards.valueMinor.out_of_range"]);
    expect(keys({ ...valid, kind: "free_shipping" })).toEqual(["valueMinor:rewards.valueMinor.not_allowed"]);
    expect(keys({ ...valid, title: "x".repeat(81) })).toEqual(["title:rewards.title.too_long"]);
    expect(keys({ ...valid, limits: [] })).toEqual(["limits:field.invalid_type"]);
    expect(keys({ ...valid, pointsPrice: 2 ** 53 })).toEqual(["pointsPrice:rewards.pointsPrice.out_of_range"]);
  });

  it("never throws, whatever it is given", () => {
    fc.assert(fc.property(fc.anything(), (input) => typeof validateReward(input).ok === "boolean"));
  });
});

describe("redemptionRefusal", () => {
  const reward = { active: true, pointsPrice: 100, limits: { perCustomer: { count: 2, periodDays: 7 }, total: 10 } };
  const counts = { customerInPeriod: 0, total: 0 };

  it("allows exactly the available points, not one fewer", () => {
    expect(redemptionRefusal(reward, 100, counts)).toBeNull();
    expect(redemptionRefusal(reward, 99, counts)).toEqual({ reason: "not_enough_points", available: 99, price: 100 });
    expect(redemptionRefusal(reward, -5, counts)).toMatchObject({ reason: "not_enough_points" });
  });

  it("refuses an inactive reward, then the customer's limit, then the total, before looking at points", () => {
    expect(redemptionRefusal({ ...reward, active: false }, 0, { customerInPeriod: 9, total: 99 })).toEqual({
      reason: "reward_inactive",
    });
    expect(redemptionRefusal(reward, 0, { customerInPeriod: 2, total: 10 })).toEqual({
      reason: "customer_limit_reached",
      count: 2,
      periodDays: 7,
    });
    expect(redemptionRefusal(reward, 0, { customerInPeriod: 1, total: 10 })).toEqual({
      reason: "total_limit_reached",
      total: 10,
    });
    expect(
      redemptionRefusal({ ...reward, limits: { perCustomer: null, total: null } }, 100, {
        customerInPeriod: 50,
        total: 50,
      }),
    ).toBeNull();
  });

  it("says why in the shopper's words", () => {
    expect(refusalMessage({ reason: "not_enough_points", available: 40, price: 100 })).toBe(
      "This reward costs 100 points; you have 40 available.",
    );
    expect(refusalMessage({ reason: "customer_limit_reached", count: 1, periodDays: 30 })).toBe(
      "You can redeem this reward 1 time every 30 days, and you already have.",
    );
    expect(refusalMessage({ reason: "total_limit_reached", total: 5 })).toBe("This reward has been fully redeemed.");
    expect(refusalMessage({ reason: "reward_inactive" })).toBe("This reward is no longer available.");
  });

  it("counts the customer's period back from now", () => {
    expect(periodStart(10 * DAY_MS, 7)).toBe(3 * DAY_MS);
  });
});

describe("journal entries of a redemption", () => {
  const at = Date.parse("2026-06-01T12:00:00Z");

  it("reserve takes the price from the available balance at once; release gives it back; neither is derived", () => {
    const reserve = reservationEntry("r1", 300, at);
    const release = releaseEntry("r1", 300, at + 1000);
    expect(reserve).toMatchObject({
      sourceKey: "redeem:r1",
      kind: "redemption",
      points: -300,
      effectiveAt: at,
      availableAt: at,
    });
    expect(release).toMatchObject({ sourceKey: "release:r1", kind: "redemption", points: 300 });
    expect(isDerivedSource(reserve.sourceKey)).toBe(false);
    expect(isDerivedSource(release.sourceKey)).toBe(false);
    const grant = { kind: "adjustment" as const, points: 500, effectiveAt: at - 1, availableAt: at - 1 };
    expect(balancesAt([grant, reserve], at)).toMatchObject({ available: 200, redeemed: 300, earned: 500 });
    expect(balancesAt([grant, reserve, release], at + 1000)).toMatchObject({ available: 500, redeemed: 0 });
  });
});

describe("codes and dates", () => {
  it("a code is 16 letters and digits Shopify accepts for gift cards and discounts, without look-alikes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (bytes) => {
        let used = 0;
        const code = redemptionCode((n) => {
          const out = new Uint8Array(n);
          for (let i = 0; i < n; i++) out[i] = bytes[(used + i) % 64] % 248;
          used += n;
          return out;
        });
        return new RegExp(`^[A-HJKMNP-Z2-9]{${REDEMPTION_CODE_LENGTH}}$`).test(code);
      }),
    );
  });

  it("refuses to make a short code from too few usable bytes", () => {
    expect(() => redemptionCode((n) => new Uint8Array(n).fill(255))).toThrow(/not enough random bytes/);
  });

  it("expiry: days after the redemption, or never; a gift card's date in UTC", () => {
    const at = Date.parse("2026-06-01T23:30:00Z");
    expect(rewardExpiresAt(at, null)).toBeNull();
    expect(rewardExpiresAt(at, 30)).toBe(at + 30 * DAY_MS);
    expect(giftCardExpiresOn(rewardExpiresAt(at, 30))).toBe("2026-07-01");
    expect(giftCardExpiresOn(null)).toBeNull();
  });
});
