// REST-shaped products/create, products/update and products/delete bodies.
import type { ProductFileRecord, ShopRecord } from "../../shop-file/types";
import { fromExample, restAmount, restId, restTimestamp } from "./shared";

export type ProductTopic = "products/create" | "products/update";

function variantFields(product: ProductFileRecord, shop: ShopRecord, index: number) {
  const variant = product.variants[index];
  const tz = shop.ianaTimezone;
  return {
    admin_graphql_api_id: variant.id,
    barcode: null,
    compare_at_price: null,
    created_at: restTimestamp(product.createdAt, tz),
    id: restId(variant.id),
    inventory_policy: "deny",
    position: index + 1,
    price: restAmount({ amount: variant.price, currencyCode: shop.currencyCode }),
    product_id: restId(product.id),
    sku: variant.sku,
    taxable: true,
    title: variant.title,
    updated_at: restTimestamp(product.updatedAt, tz),
    option1: variant.title,
    option2: null,
    option3: null,
    image_id: null,
    inventory_item_id: null,
    inventory_quantity: 0,
    old_inventory_quantity: 0,
  };
}

/** products/create and products/update: the whole product with its variants (REST's status is lower case). */
export function productPayload(
  topic: ProductTopic,
  product: ProductFileRecord,
  shop: ShopRecord,
): Record<string, unknown> {
  const tz = shop.ianaTimezone;
  const variants = product.variants.map((_, i) => variantFields(product, shop, i));
  return fromExample(topic, {
    admin_graphql_api_id: product.id,
    body_html: "",
    created_at: restTimestamp(product.createdAt, tz),
    handle: product.handle,
    id: restId(product.id),
    product_type: product.productType,
    published_at: product.status === "ACTIVE" ? restTimestamp(product.createdAt, tz) : null,
    template_suffix: null,
    title: product.title,
    updated_at: restTimestamp(product.updatedAt, tz),
    vendor: product.vendor,
    status: product.status.toLowerCase(),
    published_scope: "global",
    tags: "",
    variants,
    options: [],
    images: [],
    image: null,
    media: [],
    variant_gids: product.variants.map((v) => ({
      admin_graphql_api_id: v.id,
      updated_at: product.updatedAt,
    })),
    has_variants_that_requires_components: false,
    category: null,
  });
}

/** products/delete: Shopify sends only the id. */
export function productDeletePayload(product: Pick<ProductFileRecord, "id">): Record<string, unknown> {
  return fromExample("products/delete", { id: restId(product.id) });
}
