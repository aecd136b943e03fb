// A campaign's LINE option and the quota arithmetic (docs/line-messages.md#campaigns).
import { describe, expect, it } from "vitest";
import { checkLineMode, MULTICAST_BATCH, quotaCheck } from "../../app/domain/campaign-line";

describe("checkLineMode", () => {
  it("refuses multicast for an A/B test (one announcement, two offers); push is fine", () => {
    expect(checkLineMode("multicast", { lineConnected: true, abTest: true })).toMatchObject({
      ok: false,
      issues: [{ path: ["lineMode"], key: "line_multicast_ab" }],
    });
    expect(checkLineMode("push", { lineConnected: true, abTest: true })).toEqual({ ok: true, mode: "push" });
  });
  it("absent leaves the mode as it is; off is always allowed; push and multicast need LINE", () => {
    expect(checkLineMode(null, { lineConnected: false })).toEqual({ ok: true, mode: null });
    expect(checkLineMode("off", { lineConnected: false })).toEqual({ ok: true, mode: "off" });
    expect(checkLineMode("push", { lineConnected: true })).toEqual({ ok: true, mode: "push" });
    expect(checkLineMode("multicast", { lineConnected: true })).toEqual({ ok: true, mode: "multicast" });
    expect(checkLineMode("push", { lineConnected: false })).toMatchObject({
      ok: false,
      issues: [{ path: ["lineMode"], key: "line_not_connected" }],
    });
    expect(checkLineMode("broadcast", { lineConnected: true })).toMatchObject({
      ok: false,
      issues: [{ path: ["lineMode"], key: "line_mode" }],
    });
    expect(checkLineMode("", { lineConnected: true })).toMatchObject({ ok: false });
  });
});

describe("quotaCheck", () => {
  it("counts one message per recipient in both modes; requests are pushes or batches of 500 per locale", () => {
    const byLocale = { th: 1001, en: 499 };
    const push = quotaCheck({ type: "limited", value: 5000 }, 3000, "push", byLocale);
    expect(push).toEqual({ remaining: 2000, limit: 5000, used: 3000, needed: 1500, requests: 1500, exceeds: false });
    const multicast = quotaCheck({ type: "limited", value: 5000 }, 3000, "multicast", byLocale);
    expect(multicast).toMatchObject({ needed: 1500, requests: 3 + 1, exceeds: false });
    expect(MULTICAST_BATCH).toBe(500);
  });

  it("exceeds when the recipients left are more than the messages left; never below zero left", () => {
    expect(quotaCheck({ type: "limited", value: 300 }, 299, "push", { th: 2 })).toMatchObject({
      remaining: 1,
      needed: 2,
      exceeds: true,
    });
    expect(quotaCheck({ type: "limited", value: 300 }, 300, "push", { th: 1 })).toMatchObject({
      remaining: 0,
      exceeds: true,
    });
    expect(quotaCheck({ type: "limited", value: 300 }, 320, "push", {})).toMatchObject({
      remaining: 0,
      needed: 0,
      exceeds: false,
    });
    expect(quotaCheck({ type: "limited", value: 300 }, 299, "push", { th: 1 })).toMatchObject({ exceeds: false });
  });

  it("a quota without a limit never warns", () => {
    expect(quotaCheck({ type: "none" }, 1_000_000, "multicast", { th: 100_000 })).toEqual({
      remaining: null,
      limit: null,
      used: 1_000_000,
      needed: 100_000,
      requests: 200,
      exceeds: false,
    });
  });
});
