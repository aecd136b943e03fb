// flowTriggerReceive: the app starts Flow workflows with one of its own trigger extensions. The payload must carry
// exactly the fields the extension declares (a customer_reference as `customer_id`, an existing customer of the shop;
// custom fields by key, as text for text fields); anything else is a userError. Accepted triggers are recorded.
import { isoAt } from "../clock";
import type { ResolverMap } from "../context";

const REFERENCE_KEYS: Record<string, string> = {
  customer_reference: "customer_id",
  order_reference: "order_id",
  product_reference: "product_id",
};

export const flowResolvers: ResolverMap = {
  "Mutation.flowTriggerReceive": (
    _s,
    args: { handle?: string | null; payload?: unknown; body?: string | null },
    ctx,
  ) => {
    const errors: { field: string[]; message: string }[] = [];
    const fields = args.handle ? ctx.core.flowTriggers[args.handle] : undefined;
    if (!fields) return { userErrors: [{ field: ["handle"], message: `Invalid handle '${args.handle ?? ""}'.` }] };
    const payload = args.payload;
    if (typeof payload !== "object" || payload === null || Array.isArray(payload))
      return { userErrors: [{ field: ["payload"], message: "Payload must be an object." }] };
    const values = payload as Record<string, unknown>;
    const expected = new Set<string>();
    for (const field of fields) {
      const key = REFERENCE_KEYS[field.type] ?? field.key!;
      expected.add(key);
      const value = values[key];
      if (value === undefined) errors.push({ field: ["payload", key], message: `Missing required field '${key}'.` });
      else if (field.type === "customer_reference") {
        if (typeof value !== "number" || !ctx.shop.customers.get(`gid://shopify/Customer/${value}`)) {
          errors.push({ field: ["payload", key], message: `Customer '${String(value)}' does not exist.` });
        }
      } else if (field.type === "single_line_text_field" && typeof value !== "string") {
        errors.push({ field: ["payload", key], message: `Field '${key}' must be text.` });
      }
    }
    for (const key of Object.keys(values))
      if (!expected.has(key)) errors.push({ field: ["payload", key], message: `Unknown field '${key}'.` });
    if (errors.length) return { userErrors: errors };
    ctx.shop.flowTriggers.push({ handle: args.handle!, payload: values, receivedAt: isoAt(ctx.core.clock) });
    return { userErrors: [] };
  },
};
