// What a storefront's Liquid sees of a customer's metafields and of the products they reference, as Shopify gives them
// (https://shopify.dev/docs/api/liquid/objects/metafield, /objects/product): `customer.metafields.<namespace>.<key>`
// with `.value` typed by the metafield's type and `.type`; the app's own reserved namespace is `app` in a theme app
// extension. An app-owned metafield is on the storefront only when its definition grants the storefront PUBLIC_READ
// access; a product reference is a product object (title, handle, url, featured_image…) of a product on the
// storefront (ACTIVE), and a reference to a product that is gone or not for sale is left out of a list (nil alone).
import type { ProductRecord } from "../admin/records";
import type { ShopState } from "../admin/store";
import { numericId } from "../admin/gid";

/** Liquid's image object (https://shopify.dev/docs/api/liquid/objects/image): `image_url` reads its src. */
export interface ImageDrop {
  src: string;
  alt: string;
  width: number;
  height: number;
}

/** Liquid's product object, the fields the simulator knows. */
export interface ProductDrop {
  id: number;
  title: string;
  handle: string;
  url: string;
  available: boolean;
  type: string;
  vendor: string;
  featured_image: ImageDrop | null;
}

export function productDrop(product: ProductRecord, root: string): ProductDrop {
  const image = product.featuredImage;
  return {
    id: numericId(product.id),
    title: product.title,
    handle: product.handle,
    url: `${root}/products/${encodeURIComponent(product.handle)}`,
    available: product.status === "ACTIVE",
    type: product.productType,
    vendor: product.vendor,
    featured_image: image
      ? { src: image.url, alt: image.altText ?? product.title, width: image.width, height: image.height }
      : null,
  };
}

/** A product as the storefront shows it: ACTIVE products only (a draft or archived one has no page). */
export function storefrontProduct(shop: ShopState, id: string): ProductRecord | undefined {
  const product = shop.products.get(id);
  return product && product.status === "ACTIVE" ? product : undefined;
}

/** A metafield's `.value` in Liquid for its type. Types the simulator does not model give the stored text. */
function liquidValue(shop: ShopState, type: string, value: string, root: string): unknown {
  const product = (id: unknown) => {
    const record = typeof id === "string" ? storefrontProduct(shop, id) : undefined;
    return record ? productDrop(record, root) : null;
  };
  switch (type) {
    case "json":
      return JSON.parse(value);
    case "boolean":
      return value === "true";
    case "number_integer":
    case "number_decimal":
      return Number(value);
    case "product_reference":
      return product(value);
    case "list.product_reference":
      return (JSON.parse(value) as unknown[]).map(product).filter((p) => p !== null);
    default:
      return type.startsWith("list.") && !type.endsWith("_reference") ? JSON.parse(value) : value;
  }
}

/**
 * `customer.metafields` of a customer: by namespace (the app's `app--{id}` as `app`), then key, each `{ value, type }`.
 * The app's metafields appear only with a definition granting the storefront PUBLIC_READ.
 */
export function customerMetafieldsDrop(
  shop: ShopState,
  customerId: string,
  appId: number,
  root: string,
): Record<string, Record<string, { value: unknown; type: string }>> {
  const own = `app--${appId}`;
  const readable = new Set(
    [...shop.metafieldDefinitions.values()]
      .filter((d) => d.ownerType === "CUSTOMER" && d.access.storefront === "PUBLIC_READ")
      .map((d) => `${d.namespace}.${d.key}`),
  );
  const out: Record<string, Record<string, { value: unknown; type: string }>> = {};
  for (const m of shop.metafieldsOf(customerId)) {
    const appOwned = m.namespace.startsWith("app--");
    if (appOwned && (m.namespace !== own || !readable.has(`${m.namespace}.${m.key}`))) continue;
    const namespace = m.namespace === own ? "app" : m.namespace;
    (out[namespace] ??= {})[m.key] = { value: liquidValue(shop, m.type, m.value, root), type: m.type };
  }
  return out;
}
