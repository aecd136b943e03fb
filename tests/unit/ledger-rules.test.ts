// The ledger's rule for two versions of one customer stamped with the same second: which ones need a re-read.
import { describe, expect, it } from "vitest";
import { sameSecondConflict, type HeldCustomer, type LedgerCustomer } from "../../app/domain/ledger-types";

const at = new Date("2026-06-01T12:00:00.000Z");
const incoming: LedgerCustomer = {
  id: "gid://shopify/Customer/1",
  email: "ada@example.com",
  firstName: "Ada",
  lastName: "King",
  locale: "th",
  sourceCreatedAt: at,
  sourceUpdatedAt: at,
};
const held = (over: Partial<HeldCustomer> = {}): HeldCustomer => ({
  email: "ada@example.com",
  firstName: "Ada",
  lastName: "King",
  locale: "th",
  sameSecond: true,
  deleted: false,
  ...over,
});

describe("sameSecondConflict", () => {
  it("asks for a re-read only when the held version has the same second and differs", () => {
    expect(sameSecondConflict(held({ lastName: "Lovelace" }), incoming)).toBe(true);
    expect(sameSecondConflict(held({ email: null }), incoming)).toBe(true);
    expect(sameSecondConflict(held({ firstName: "Augusta" }), incoming)).toBe(true);
    expect(sameSecondConflict(held({ locale: "en" }), incoming)).toBe(true);
  });

  it("not for the same content, another second, a deleted customer or one not held", () => {
    expect(sameSecondConflict(held(), incoming)).toBe(false);
    expect(sameSecondConflict(held({ lastName: "Lovelace", sameSecond: false }), incoming)).toBe(false);
    expect(sameSecondConflict(held({ lastName: "Lovelace", deleted: true }), incoming)).toBe(false);
    expect(sameSecondConflict(undefined, incoming)).toBe(false);
  });

  it("an incoming version without a locale keeps the held one (the upsert does), so it is no difference", () => {
    expect(sameSecondConflict(held({ locale: "en" }), { ...incoming, locale: null })).toBe(false);
  });
});
