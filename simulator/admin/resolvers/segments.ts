// Customer segments: segmentCreate/Update/Delete, segments, customerSegmentMembers.
import type { CustomerRecord } from "../../shop-file/types";
import { isoAt } from "../clock";
import type { ResolverContext, ResolverMap } from "../context";
import { byIdThen, connectionObject, paginate, type ConnectionArgs } from "../connection";
import { gid, numericId } from "../gid";
import type { SegmentRecord } from "../records";
import { compileSegmentQuery, SegmentQueryError, type SegmentFacts } from "../segment-query";
import { notImplemented, shopifyError } from "../shopify-error";
import { amountSpent, displayName, lastOrder } from "./customers";
import { hasMetafieldsResolvers } from "./metafields";

interface Member {
  __typename: "CustomerSegmentMember";
  id: string;
  customer: CustomerRecord;
}

function facts(ctx: ResolverContext): SegmentFacts {
  return {
    numberOfOrders: (c) => ctx.shop.ordersOf(c.id).filter((o) => !o.test && !o.cancelledAt).length,
    amountSpent: (c) => Number(amountSpent(ctx.shop, c.id).amount),
  };
}

export function segmentMembers(ctx: ResolverContext, query: string): CustomerRecord[] {
  const predicate = compileSegmentQuery(query);
  const f = facts(ctx);
  const sorted = ctx.shop.customers.view("sort:ID", (all) => all.sort(byIdThen((c) => numericId(c.id))));
  return sorted.filter((c) => predicate(c, f));
}

function queryError(error: unknown) {
  if (error instanceof SegmentQueryError) return [{ field: ["query"], message: error.message }];
  throw error;
}

const SEGMENT_SORT: Record<string, (s: SegmentRecord) => number> = {
  CREATION_DATE: (s) => Date.parse(s.creationDate),
  LAST_EDIT_DATE: (s) => Date.parse(s.lastEditDate),
  ID: (s) => numericId(s.id),
  RELEVANCE: (s) => numericId(s.id),
};

export const segmentResolvers: ResolverMap = {
  "QueryRoot.segment": (_s, args: { id: string }, ctx) => ctx.shop.segments.get(args.id) ?? null,
  "QueryRoot.segments": (_s, args: ConnectionArgs & { query?: string | null; sortKey: string }, ctx, info) => {
    if (args.query) throw notImplemented("segments(query:)");
    const value = SEGMENT_SORT[args.sortKey];
    const items = [...ctx.shop.segments.values()].sort(byIdThen(value));
    return connectionObject(paginate(items, args, value, ctx, info));
  },
  "QueryRoot.customerSegmentMembers": (
    _s,
    args: ConnectionArgs & {
      segmentId?: string | null;
      query?: string | null;
      queryId?: string | null;
      sortKey?: string | null;
    },
    ctx,
    info,
  ) => {
    if (args.queryId) throw notImplemented("customerSegmentMembers(queryId:)");
    if (args.sortKey) throw notImplemented("customerSegmentMembers(sortKey:)");
    let query = args.query ?? null;
    if (args.segmentId) {
      const segment = ctx.shop.segments.get(args.segmentId);
      if (!segment) throw shopifyError("Segment does not exist", { code: "NOT_FOUND" });
      query = segment.query;
    }
    if (query === null) throw shopifyError("One of segmentId, query or queryId is required.", { code: "BAD_REQUEST" });
    let customers: CustomerRecord[];
    try {
      customers = segmentMembers(ctx, query);
    } catch (error) {
      if (error instanceof SegmentQueryError) throw shopifyError(error.message, { code: "INVALID" });
      throw error;
    }
    const page = paginate(customers, args, (c) => numericId(c.id), ctx, info);
    const member = (c: CustomerRecord): Member => ({
      __typename: "CustomerSegmentMember",
      id: gid("CustomerSegmentMember", numericId(c.id)),
      customer: c,
    });
    return {
      edges: page.edges.map((e) => ({ cursor: e.cursor, node: member(e.node) })),
      pageInfo: page.pageInfo,
      totalCount: customers.length,
    };
  },

  "CustomerSegmentMember.firstName": (m: Member) => m.customer.firstName,
  "CustomerSegmentMember.lastName": (m: Member) => m.customer.lastName,
  "CustomerSegmentMember.displayName": (m: Member) => displayName(m.customer),
  "CustomerSegmentMember.defaultEmailAddress": (m: Member) =>
    m.customer.email ? { emailAddress: m.customer.email } : null,
  "CustomerSegmentMember.defaultAddress": (m: Member) => m.customer.defaultAddress,
  "CustomerSegmentMember.numberOfOrders": (m: Member, _a, ctx) => String(facts(ctx).numberOfOrders(m.customer)),
  "CustomerSegmentMember.amountSpent": (m: Member, _a, ctx) => amountSpent(ctx.shop, m.customer.id),
  "CustomerSegmentMember.lastOrderId": (m: Member, _a, ctx) => lastOrder(ctx.shop, m.customer.id)?.id ?? null,
  ...hasMetafieldsResolvers("CustomerSegmentMember", (m: Member) => m.customer.id),

  "Mutation.segmentCreate": (_s, args: { name: string; query: string }, ctx) => {
    if (!args.name.trim()) return { segment: null, userErrors: [{ field: ["name"], message: "Name can't be blank" }] };
    if ([...ctx.shop.segments.values()].some((s) => s.name === args.name)) {
      return { segment: null, userErrors: [{ field: ["name"], message: "Name has already been taken" }] };
    }
    try {
      compileSegmentQuery(args.query);
    } catch (error) {
      return { segment: null, userErrors: queryError(error) };
    }
    const now = isoAt(ctx.core.clock);
    const segment: SegmentRecord = {
      __typename: "Segment",
      id: ctx.shop.nextId("Segment"),
      name: args.name,
      query: args.query,
      creationDate: now,
      lastEditDate: now,
    };
    ctx.shop.segments.set(segment);
    return { segment, userErrors: [] };
  },
  "Mutation.segmentUpdate": (_s, args: { id: string; name?: string | null; query?: string | null }, ctx) => {
    const segment = ctx.shop.segments.get(args.id);
    if (!segment) return { segment: null, userErrors: [{ field: ["id"], message: "Segment does not exist" }] };
    if (args.name != null && [...ctx.shop.segments.values()].some((s) => s.name === args.name && s.id !== segment.id)) {
      return { segment: null, userErrors: [{ field: ["name"], message: "Name has already been taken" }] };
    }
    if (args.query != null) {
      try {
        compileSegmentQuery(args.query);
      } catch (error) {
        return { segment: null, userErrors: queryError(error) };
      }
    }
    if (args.name != null) segment.name = args.name;
    if (args.query != null) segment.query = args.query;
    segment.lastEditDate = isoAt(ctx.core.clock);
    ctx.shop.segments.touch();
    return { segment, userErrors: [] };
  },
  "Mutation.segmentDelete": (_s, args: { id: string }, ctx) => {
    if (!ctx.shop.segments.delete(args.id))
      return { deletedSegmentId: null, userErrors: [{ field: ["id"], message: "Segment does not exist" }] };
    return { deletedSegmentId: args.id, userErrors: [] };
  },
};
