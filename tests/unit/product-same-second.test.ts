// The ledger's rule for two versions of one product stamped with the same second: which ones need a re-read
// (docs/rules.md#ledger-lines, the product-refresh job).
import { describe, expect, it } from "vitest";
import { productSameSecondConflict, type HeldProduct, type LedgerProduct } from "../../app/domain/ledger-types";

const at = new Date("2026-06-01T12:00:00.000Z");
const incoming: LedgerProduct = {
  id: "gid://shopify/Product/1",
  title: "House roast",
  handle: "house-roast",
  productType: "Coffee",
  vendor: "Northwind Roasters",
  status: "ACTIVE",
  sourceUpdatedAt: at,
};
const held = (over: Partial<HeldProduct> = {}): HeldProduct => ({
  title: "House roast",
  handle: "house-roast",
  productType: "Coffee",
  vendor: "Northwind Roasters",
  status: "ACTIVE",
  sameSecond: true,
  deleted: false,
  ...over,
});

describe("productSameSecondConflict", () => {
  it("is a conflict when a version of the held second differs in any field the ledger keeps", () => {
    expect(productSameSecondConflict(held({ status: "DRAFT" }), incoming)).toBe(true);
    expect(productSameSecondConflict(held({ title: "Old roast" }), incoming)).toBe(true);
    expect(productSameSecondConflict(held({ handle: "old-roast" }), incoming)).toBe(true);
    expect(productSameSecondConflict(held({ productType: null }), incoming)).toBe(true);
    expect(productSameSecondConflict(held({ vendor: "Southwind" }), incoming)).toBe(true);
    expect(productSameSecondConflict(held({ title: null }), { ...incoming, title: "x" })).toBe(true);
  });

  it("is none for an equal version, another second, a deleted product or one not held", () => {
    expect(productSameSecondConflict(held(), incoming)).toBe(false);
    expect(productSameSecondConflict(held({ status: "DRAFT", sameSecond: false }), incoming)).toBe(false);
    expect(productSameSecondConflict(held({ status: "DRAFT", deleted: true }), incoming)).toBe(false);
    expect(productSameSecondConflict(undefined, incoming)).toBe(false);
  });
});
