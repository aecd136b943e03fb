// The final state of one shop, as text lines that two runs of the same scenario must agree on exactly: the ledger
// (customers, orders, refunds), the computed state (customer states and their history of changes), what the app
// last wrote per customer and per tier, and what is in the simulated Shopify (tags, the app's metafields, customer
// segments, discount codes; Flow triggers received against the changes the app marked sent).
//
// What legitimately differs between two runs is left out or turned into a relation that must hold:
// - times the simulator stamps from the wall clock during a run (a customer's updatedAt after the app tags it, an
//   order's updatedAt/cancelledAt, a refund's createdAt from the event burst): the ledger must hold exactly what
//   Shopify holds now, so the line says `=shopify` (or shows both values when they differ);
// - when the app computed something (CustomerState.computedAt, CustomerStateChange.at, sync times, run rows);
// - ids Shopify gives segments and discounts the app creates (a create retried after a lost answer is still one
//   segment: the line says whether the stored id exists in Shopify, and Shopify's segments are listed by name).
// Recency and tier windows depend on the clock too: the scenario pins every order time to one time of day far
// from the moment the runs happen (faults.ts), so whole days between an order and now are the same in every run.
import type pg from "pg";
import type { LocalShopify } from "../../simulator/local-shopify";

type Row = Record<string, unknown>;

const APP_NS = "app--1";

/** PostgreSQL's row_to_json writes TIMESTAMP(3) as "2024-04-29T23:57:11.148" (UTC, no zone). */
function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`).toISOString();
}

/** A time the ledger took from Shopify: literal when it predates the run, else whether it is what Shopify holds now. */
function relation(ledger: unknown, shopify: string | null | undefined, runStart: number): string | null {
  const mine = iso(ledger);
  const theirs = shopify ? new Date(shopify).toISOString() : null;
  if (mine === theirs) return mine === null || Date.parse(mine) < runStart ? mine : "=shopify";
  return `${mine}≠shopify:${theirs}`;
}

async function rows(db: pg.Client, sql: string, params: unknown[]): Promise<Row[]> {
  const result = await db.query<{ r: Row }>(sql, params);
  return result.rows.map((x) => x.r);
}

const sortedList = (json: unknown) => (typeof json === "string" ? (JSON.parse(json) as string[]).sort() : json);

const line = (table: string, values: Row) => `${table} ${JSON.stringify(values)}`;

export interface DigestInput {
  db: pg.Client;
  shopify: LocalShopify;
  shop: string;
  /** Wall-clock ms when this run began: earlier times come from the shop file and are compared literally. */
  runStart: number;
}

/** Every line of the final state, sorted within each table. */
export async function finalState({ db, shopify, shop, runStart }: DigestInput): Promise<string[]> {
  const sim = shopify.admin.shops.getShop(shop);
  if (!sim) throw new Error(`no simulated shop ${shop}`);
  const out: string[] = [];
  const sorted = (lines: string[]) => out.push(...lines.sort());

  // Ledger.
  const customers = await rows(db, `SELECT row_to_json(t) AS r FROM "Customer" t WHERE shop = $1`, [shop]);
  sorted(
    customers.map((c) => {
      const there = sim.customers.get(String(c.id));
      return line("Customer", {
        id: c.id,
        email: c.email,
        firstName: c.firstName,
        lastName: c.lastName,
        locale: c.locale,
        sourceCreatedAt: relation(c.sourceCreatedAt, there?.createdAt, runStart),
        sourceUpdatedAt: relation(c.sourceUpdatedAt, there?.updatedAt, runStart),
        deletedAt: c.deletedAt === null ? null : there ? "deleted-but-in-shopify" : "deleted",
      });
    }),
  );
  const orders = await rows(db, `SELECT row_to_json(t) AS r FROM "Order" t WHERE shop = $1`, [shop]);
  sorted(
    orders.map((o) => {
      const there = sim.orders.get(String(o.id));
      return line("Order", {
        id: o.id,
        customerId: o.customerId,
        name: o.name,
        processedAt: iso(o.processedAt),
        cancelledAt: relation(o.cancelledAt, there?.cancelledAt, runStart),
        test: o.test,
        currencyCode: o.currencyCode,
        currentTotalMinor: String(o.currentTotalMinor),
        valueMinor: String(o.valueMinor),
        discountCodes: o.discountCodes,
        discountMinor: String(o.discountMinor),
        sourceUpdatedAt: relation(o.sourceUpdatedAt, there?.updatedAt, runStart),
        deletedAt: o.deletedAt === null ? null : there ? "deleted-but-in-shopify" : "deleted",
      });
    }),
  );
  const refundTimes = new Map<string, string>();
  for (const list of sim.refundsByOrder.values()) for (const r of list) refundTimes.set(r.id, r.createdAt);
  const refunds = await rows(db, `SELECT row_to_json(t) AS r FROM "Refund" t WHERE shop = $1`, [shop]);
  sorted(
    refunds.map((r) =>
      line("Refund", {
        id: r.id,
        orderId: r.orderId,
        createdAt: relation(r.createdAt, refundTimes.get(String(r.id)), runStart),
        amountMinor: r.amountMinor === null ? null : String(r.amountMinor),
        currencyCode: r.currencyCode,
      }),
    ),
  );

  // Computed state (times of the computation left out; every other column, the row's digest included).
  const states = await rows(db, `SELECT row_to_json(t) AS r FROM "CustomerState" t WHERE shop = $1`, [shop]);
  sorted(
    states.map((s) => {
      const { shop: _shop, computedAt: _at, ...rest } = s;
      for (const key of ["lastOrderAt", "tierExpiresAt", "windowChangesAt", "baseLastOrderAt"])
        rest[key] = iso(rest[key]);
      return line("CustomerState", rest);
    }),
  );
  // History. Which intermediate states a customer passed through depends on when their jobs ran between webhooks
  // (an order then its refund: one job after both, or one after each), so each customer's history is reduced to
  // what holds in every run: where it started and ended, and that it is one chain (each change starts where the
  // previous ended, none from a value to itself: a job that wrote its change twice would break it).
  const changes = await rows(
    db,
    `SELECT json_build_object('customerId', "customerId", 'kind', kind, 'from', "from", 'to', "to", 'reason', reason, 'flowSent', "flowSentAt" IS NOT NULL) AS r
       FROM "CustomerStateChange" WHERE shop = $1 ORDER BY id`,
    [shop],
  );
  const chains = new Map<string, Row[]>();
  for (const c of changes) {
    const key = `${c.customerId} ${c.kind}`;
    chains.set(key, [...(chains.get(key) ?? []), c]);
  }
  sorted(
    [...chains.values()].map((chain) => {
      const broken = chain.filter((c, i) => c.from === c.to || (i > 0 && chain[i - 1].to !== c.from));
      return line("CustomerStateChange", {
        customerId: chain[0].customerId,
        kind: chain[0].kind,
        first: chain[0].from,
        firstReason: chain[0].reason,
        last: chain.at(-1)!.to,
        ...(broken.length ? { broken } : {}),
      });
    }),
  );
  // Flow triggers: Shopify received one per change the app marked sent, no more, no fewer.
  const tally = new Map<string, number>();
  const count = (key: string, n: number) => tally.set(key, (tally.get(key) ?? 0) + n);
  for (const c of changes) if (c.flowSent) count(`${String(c.customerId).split("/").pop()} ${c.kind}`, 1);
  for (const t of sim.flowTriggers) {
    const kind = t.handle.includes("tier") ? "tier" : t.handle.includes("segment") ? "segment" : t.handle;
    count(`${t.payload.customer_id} ${kind}`, -1);
  }
  const unmatched = [...tally.entries()]
    .filter(([, n]) => n !== 0)
    .map(([key, n]) => `${key}: ${n > 0 ? `${n} sent, not received` : `${-n} received, not marked sent`}`);
  out.push(line("FlowTriggers", { unmatched: unmatched.sort() }));

  // What the app last wrote, per customer and per tier.
  const syncs = await rows(db, `SELECT row_to_json(t) AS r FROM "CustomerSync" t WHERE shop = $1`, [shop]);
  sorted(
    syncs.map((s) =>
      // Tags are a set: their order in the row is the order they happened to be written in.
      line("CustomerSync", {
        customerId: s.customerId,
        tags: sortedList(s.tags),
        foreignTags: sortedList(s.foreignTags),
        metafields: s.metafields,
        failureCode: s.failureCode,
      }),
    ),
  );
  const tiers = await rows(db, `SELECT row_to_json(t) AS r FROM "TierSegment" t WHERE shop = $1`, [shop]);
  sorted(
    tiers.map((t) =>
      line("TierSegment", {
        tierKey: t.tierKey,
        segmentName: t.segmentName,
        segmentQuery: t.segmentQuery,
        segmentInShopify: t.segmentId === null ? null : sim.segments.get(String(t.segmentId)) !== undefined,
        discountCode: t.discountCode,
        discountTitle: t.discountTitle,
        discountPercent: t.discountPercent,
        discountActive: t.discountActive,
        discountInShopify: t.discountId === null ? null : sim.discounts.get(String(t.discountId)) !== undefined,
        discountOnItsSegment: t.discountSegmentId === t.segmentId,
        failure: t.failure,
      }),
    ),
  );

  // The simulated Shopify.
  sorted(
    [...sim.customers.values()].map((c) =>
      line("shopify.customer", {
        id: c.id,
        tags: [...c.tags].sort(),
        tier: sim.getMetafield(c.id, APP_NS, "tier")?.value ?? null,
        status: sim.getMetafield(c.id, APP_NS, "status")?.value ?? null,
      }),
    ),
  );
  const segmentNames = new Map([...sim.segments.values()].map((s) => [s.id, s.name]));
  sorted([...sim.segments.values()].map((s) => line("shopify.segment", { name: s.name, query: s.query })));
  sorted(
    [...sim.discounts.values()].map((d) =>
      line("shopify.discount", {
        title: d.title,
        codes: d.codes.map((c) => c.code).sort(),
        value: d.value,
        endsAt: d.endsAt,
        usageLimit: d.usageLimit,
        buyers:
          d.buyers.kind === "segments"
            ? { segments: d.buyers.ids.map((id) => segmentNames.get(id) ?? `missing:${id}`).sort() }
            : d.buyers,
      }),
    ),
  );
  return out;
}

/** Lines only in `a` and only in `b` (multisets), for a report. */
export function difference(a: readonly string[], b: readonly string[]): { onlyA: string[]; onlyB: string[] } {
  const count = new Map<string, number>();
  for (const x of a) count.set(x, (count.get(x) ?? 0) + 1);
  const onlyB: string[] = [];
  for (const x of b) {
    const n = count.get(x) ?? 0;
    if (n > 0) count.set(x, n - 1);
    else onlyB.push(x);
  }
  const onlyA = [...count.entries()].flatMap(([x, n]) => Array.from({ length: n }, () => x));
  return { onlyA: onlyA.sort(), onlyB: onlyB.sort() };
}
