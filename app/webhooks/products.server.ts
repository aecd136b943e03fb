// products/create and products/update carry the whole product: the catalogue keeps its newest version (its type and
// vendor are what the ledger's line items lack); products/delete marks it deleted (the lines that name it keep their
// product id and title). They need the read_products scope: a shop without it receives none, and its catalogue waits
// for the products import (docs/rules.md#line-items-and-products).
import { productBody, productDeleteBody, productFromBody } from "./ledger-payloads";
import type { LedgerHandler } from "./receive.server";

function productVersionHandler(topic: string): LedgerHandler<typeof productBody> {
  return {
    topic,
    payload: productBody,
    change: ({ payload }) => ({ kind: "products", products: [productFromBody(payload)] }),
  };
}

export const productsCreate = productVersionHandler("products/create");
export const productsUpdate = productVersionHandler("products/update");

export const productsDelete: LedgerHandler<typeof productDeleteBody> = {
  topic: "products/delete",
  payload: productDeleteBody,
  change: ({ payload, triggeredAt }) => ({
    kind: "deleteProduct",
    productId: `gid://shopify/Product/${payload.id}`,
    at: triggeredAt,
  }),
};
