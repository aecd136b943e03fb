// Metafields: HasMetafields fields on owners, metafieldsSet (≤25, atomic, owner checks), metafieldsDelete,
// metafieldDefinitionCreate.
import { createHash } from "node:crypto";
import { isoAt } from "../clock";
import type { ResolverContext, ResolverMap } from "../context";
import { connectionObject, paginate, byIdThen, type ConnectionArgs } from "../connection";
import { numericId, parseGid } from "../gid";
import type { MetafieldDefinitionRecord, MetafieldRecord } from "../records";
import { shopifyError } from "../shopify-error";
import {
  METAFIELD_TYPES,
  identifierError,
  metafieldUserError,
  resolveNamespace,
  valueErrors,
  type MetafieldUserError,
} from "../metafield-rules";

export { resolveNamespace };

export const METAFIELDS_SET_LIMIT = 25;

const OWNER_TYPES: Record<string, string> = { Customer: "CUSTOMER", Order: "ORDER", Shop: "SHOP" };

function ownerExists(ctx: ResolverContext, ownerId: string): string | null {
  const parsed = parseGid(ownerId);
  if (!parsed) return null;
  if (parsed.type === "Customer") return ctx.shop.customers.get(ownerId) ? "CUSTOMER" : null;
  if (parsed.type === "Order") return ctx.shop.orders.get(ownerId) ? "ORDER" : null;
  if (parsed.type === "Shop") return ownerId === ctx.shop.record.id ? "SHOP" : null;
  return null;
}

export function findOwner(ctx: ResolverContext, ownerId: string): unknown {
  const parsed = parseGid(ownerId);
  if (parsed?.type === "Customer") return ctx.shop.customers.get(ownerId) ?? null;
  if (parsed?.type === "Order") return ctx.shop.orders.get(ownerId) ?? null;
  if (parsed?.type === "Shop") return ctx.shop.record;
  return null;
}

/** HasMetafields fields for an owner type whose records carry their gid in `idOf(source)`. */
export function hasMetafieldsResolvers(typeName: string, idOf: (source: any) => string): ResolverMap {
  return {
    [`${typeName}.metafield`]: (source, args: { namespace?: string | null; key: string }, ctx) =>
      ctx.shop.getMetafield(idOf(source), resolveNamespace(args.namespace, ctx.core.appId), args.key) ?? null,
    [`${typeName}.metafields`]: (
      source,
      args: ConnectionArgs & { namespace?: string | null; keys?: string[] | null },
      ctx,
      info,
    ) => {
      let items = ctx.shop.metafieldsOf(idOf(source));
      if (args.namespace != null) {
        const ns = resolveNamespace(args.namespace, ctx.core.appId);
        items = items.filter((m) => m.namespace === ns);
      }
      if (args.keys) {
        // keys are "namespace.key"
        const wanted = new Set(
          args.keys.map((k) => {
            const dot = k.lastIndexOf(".");
            return `${resolveNamespace(k.slice(0, dot), ctx.core.appId)}.${k.slice(dot + 1)}`;
          }),
        );
        items = items.filter((m) => wanted.has(`${m.namespace}.${m.key}`));
      }
      items.sort(byIdThen((m: MetafieldRecord) => numericId(m.id)));
      return connectionObject(paginate(items, args, (m) => numericId(m.id), ctx, info));
    },
  };
}

function digest(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

function definitionFor(
  ctx: ResolverContext,
  m: { namespace: string; key: string; ownerType: string },
): MetafieldDefinitionRecord | undefined {
  for (const d of ctx.shop.metafieldDefinitions.values()) {
    if (d.namespace === m.namespace && d.key === m.key && d.ownerType === m.ownerType) return d;
  }
  return undefined;
}

interface SetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  type?: string | null;
  value: string;
  compareDigest?: string | null;
}

export const metafieldResolvers: ResolverMap = {
  "Metafield.owner": (m: MetafieldRecord, _a, ctx) => findOwner(ctx, m.ownerId),
  "Metafield.jsonValue": (m: MetafieldRecord) => {
    try {
      return JSON.parse(m.value);
    } catch {
      return m.value;
    }
  },
  "Metafield.compareDigest": (m: MetafieldRecord) => digest(m.value),
  "Metafield.legacyResourceId": (m: MetafieldRecord) => String(numericId(m.id)),
  "Metafield.definition": (m: MetafieldRecord, _a, ctx) => definitionFor(ctx, m) ?? null,
  "MetafieldDefinition.type": (d: MetafieldDefinitionRecord) => ({ name: d.type }),
  "MetafieldDefinition.metafieldsCount": (d: MetafieldDefinitionRecord, _a, ctx) => {
    let count = 0;
    for (const owned of ctx.shop.metafieldsByOwner.values()) {
      const m = owned.get(`${d.namespace}.${d.key}`);
      if (m && m.ownerType === d.ownerType) count++;
    }
    return count;
  },

  // Validation of every input before anything is written (simulator/admin/metafield-rules.ts); the 250-item input
  // limit is checked for the whole request (input-limits.ts), metafieldsSet's own 25 here: "Allows a maximum of 25
  // metafields to be set at a time" (https://shopify.dev/docs/api/admin-graphql/2026-04/mutations/metafieldsSet).
  "Mutation.metafieldsSet": (_s, args: { metafields: SetInput[] }, ctx) => {
    const inputs = args.metafields;
    if (inputs.length > METAFIELDS_SET_LIMIT) {
      return {
        metafields: [],
        userErrors: [
          metafieldUserError(
            ["metafields"],
            `Exceeded the maximum metafields input limit of ${METAFIELDS_SET_LIMIT}.`,
            "LESS_THAN_OR_EQUAL_TO",
          ),
        ],
      };
    }
    const errors: MetafieldUserError[] = [];
    const planned: MetafieldRecord[] = [];
    const now = isoAt(ctx.core.clock);
    const valueContext = {
      customerExists: (id: string) => !!ctx.shop.customers.get(id),
      productExists: (id: string) => !!ctx.shop.products.get(id),
    };
    inputs.forEach((input, index) => {
      const at = (part: string) => ["metafields", String(index), part];
      const identifier = identifierError(index, input.namespace, input.key, ctx.core.appId);
      if (identifier) {
        errors.push(identifier);
        return;
      }
      const namespace = resolveNamespace(input.namespace, ctx.core.appId);
      const ownerType = ownerExists(ctx, input.ownerId);
      if (!ownerType) {
        errors.push(metafieldUserError(at("ownerId"), "Owner does not exist.", "INVALID"));
        return;
      }
      const existing = ctx.shop.getMetafield(input.ownerId, namespace, input.key);
      const definition = definitionFor(ctx, { namespace, key: input.key, ownerType });
      // "Required when there's no corresponding definition" (MetafieldsSetInput.type): an existing value does not stand in.
      const type = input.type ?? definition?.type;
      if (!type) {
        errors.push(metafieldUserError(at("type"), "Type can't be blank", "BLANK"));
        return;
      }
      if (!METAFIELD_TYPES.has(type)) {
        errors.push(metafieldUserError(at("type"), `Type '${type}' is not a valid type.`, "INVALID_TYPE"));
        return;
      }
      // A definition (the app's own from shopify.app.toml included) fixes the type.
      if (definition && type !== definition.type) {
        errors.push(
          metafieldUserError(
            at("type"),
            `Type '${type}' must be consistent with the definition's type: '${definition.type}'.`,
            "INVALID_TYPE",
          ),
        );
        return;
      }
      const problems = valueErrors(index, type, input.value, valueContext);
      if (problems.length) {
        errors.push(...problems);
        return;
      }
      if (input.compareDigest !== undefined) {
        const current = existing ? digest(existing.value) : null;
        if (input.compareDigest !== current) {
          errors.push(
            metafieldUserError(
              ["metafields", String(index)],
              "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.",
              "STALE_OBJECT",
            ),
          );
          return;
        }
      }
      planned.push({
        __typename: "Metafield",
        id: existing?.id ?? ctx.shop.nextId("Metafield"),
        ownerId: input.ownerId,
        ownerType,
        namespace,
        key: input.key,
        type,
        value: input.value,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      });
    });
    // Atomic, as documented: one bad element and nothing is written.
    if (errors.length) return { metafields: [], userErrors: errors };
    planned.forEach((m) => ctx.shop.putMetafield(m));
    return { metafields: planned, userErrors: [] };
  },

  // Documented: deletes by owner, namespace and key; a metafield that does not exist is not an error, its entry in
  // deletedMetafields is null. At least one identifier is required.
  "Mutation.metafieldsDelete": (
    _s,
    args: { metafields: { ownerId: string; namespace: string; key: string }[] },
    ctx,
  ) => {
    if (args.metafields.length === 0) {
      return {
        deletedMetafields: [],
        userErrors: [{ field: ["metafields"], message: "At least one metafield must be specified." }],
      };
    }
    const deletedMetafields = args.metafields.map((input) => {
      const namespace = resolveNamespace(input.namespace, ctx.core.appId);
      const removed = ctx.shop.deleteMetafield(input.ownerId, namespace, input.key);
      return removed ? { ownerId: input.ownerId, namespace: removed.namespace, key: removed.key } : null;
    });
    return { deletedMetafields, userErrors: [] };
  },

  "Mutation.metafieldDefinitionCreate": (_s, args: { definition: Record<string, any> }, ctx) => {
    const input = args.definition;
    const namespace = resolveNamespace(input.namespace, ctx.core.appId);
    const errors: { field: string[]; message: string; code: string }[] = [];
    if (!METAFIELD_TYPES.has(input.type))
      errors.push({
        field: ["definition", "type"],
        message: `Type '${input.type}' is not a valid type.`,
        code: "INCLUSION",
      });
    if (!input.name) errors.push({ field: ["definition", "name"], message: "Name can't be blank", code: "BLANK" });
    if (input.key.length < 2)
      errors.push({
        field: ["definition", "key"],
        message: "Key is too short (minimum is 2 characters)",
        code: "TOO_SHORT",
      });
    if (input.key.length > 64)
      errors.push({
        field: ["definition", "key"],
        message: "Key is too long (maximum is 64 characters)",
        code: "TOO_LONG",
      });
    if (!/^[A-Za-z0-9_-]*$/.test(input.key))
      errors.push({
        field: ["definition", "key"],
        message: "Key contains one or more invalid characters.",
        code: "INVALID_CHARACTER",
      });
    const typedNamespace =
      input.namespace == null || input.namespace === "$app" ? "" : String(input.namespace).replace(/^\$app:/, "");
    if (!/^[A-Za-z0-9_-]*$/.test(typedNamespace))
      errors.push({
        field: ["definition", "namespace"],
        message: "Namespace contains one or more invalid characters.",
        code: "INVALID_CHARACTER",
      });
    const taken = [...ctx.shop.metafieldDefinitions.values()].some(
      (d) => d.namespace === namespace && d.key === input.key && d.ownerType === input.ownerType,
    );
    if (taken)
      errors.push({
        field: ["definition", "key"],
        message: "Key is in use for this namespace, key and owner type.",
        code: "TAKEN",
      });
    if (errors.length) return { createdDefinition: null, userErrors: errors };
    const definition: MetafieldDefinitionRecord = {
      __typename: "MetafieldDefinition",
      id: ctx.shop.nextId("MetafieldDefinition"),
      name: input.name,
      namespace,
      key: input.key,
      ownerType: input.ownerType,
      type: input.type,
      description: input.description ?? null,
      access: {
        admin: input.access?.admin ?? (namespace.startsWith("app--") ? "MERCHANT_READ_WRITE" : "PUBLIC_READ_WRITE"),
        storefront: input.access?.storefront ?? "NONE",
        customerAccount: input.access?.customerAccount ?? "NONE",
      },
      createdAt: isoAt(ctx.core.clock),
    };
    ctx.shop.metafieldDefinitions.set(definition);
    return { createdDefinition: definition, userErrors: [] };
  },

  "QueryRoot.metafieldDefinitions": (
    _s,
    args: ConnectionArgs & { ownerType: string; namespace?: string | null; key?: string | null; query?: string | null },
    ctx,
    info,
  ) => {
    if (args.query)
      throw shopifyError("simulator does not implement metafieldDefinitions(query:)", {
        code: "SIMULATOR_NOT_IMPLEMENTED",
      });
    const ns = args.namespace != null ? resolveNamespace(args.namespace, ctx.core.appId) : null;
    const items = [...ctx.shop.metafieldDefinitions.values()]
      .filter(
        (d) =>
          d.ownerType === args.ownerType &&
          (ns === null || d.namespace === ns) &&
          (args.key == null || d.key === args.key),
      )
      .sort(byIdThen((d) => numericId(d.id)));
    return connectionObject(paginate(items, args, (d) => numericId(d.id), ctx, info));
  },
};

export { OWNER_TYPES };
