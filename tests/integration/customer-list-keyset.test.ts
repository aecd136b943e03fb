// The customer list's keyset pagination (app/models/customer-list.server.ts, docs/customer-list.md): walking the
// pages forwards by `after` and backwards by `before` visits every matching customer exactly once, in the list's
// order, under every sort — with many ties on the sort value and customers without one — filtered and searched, and
// never a row of another shop. Rows are written straight into the tables: the order is all that is tested.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { Prisma } from "../../app/generated/prisma/client";
import {
  CUSTOMER_PAGE_SIZE,
  CUSTOMER_SORTS,
  listCustomers,
  type CustomerSort,
} from "../../app/models/customer-list.server";
import { customerListQuery, customerPage, decodeCursor, encodeCursor } from "../../app/services/customers.server";

const A = "keyset-a.myshopify.com";
const B = "keyset-b.myshopify.com";
const PER_SHOP = 237; // 4 full pages and a part
const T0 = Date.parse("2026-10-01T00:00:00.000Z");

interface Planted {
  id: string;
  segment: string;
  lastOrderAt: Date | null;
  frequency: number | null;
  monetaryMinor: bigint | null;
  email: string;
}
const planted: Record<string, Planted[]> = { [A]: [], [B]: [] };

beforeAll(async () => {
  for (const shop of [A, B]) {
    for (let i = 0; i < PER_SHOP; i++) {
      // Ids of one length (every collation orders them alike); values from a handful, so most rows tie.
      const id = `gid://shopify/Customer/${shop === A ? 1000 + ((i * 7) % PER_SHOP) : 5000 + i}`;
      const none = i % 9 === 0; // no qualifying order: no value under any sort
      const row: Planted = {
        id,
        segment: i % 3 === 0 ? "champions" : "loyal",
        lastOrderAt: none ? null : new Date(T0 - (i % 5) * 86_400_000 - (i % 2) * 1_234),
        frequency: none ? null : 1 + (i % 4),
        monetaryMinor: none ? null : BigInt(1_000 * (i % 6)) + 99n,
        email: `${i % 2 ? "ada" : "bob"}.${i}@${shop}`,
      };
      planted[shop].push(row);
    }
    await prisma.customer.createMany({
      data: planted[shop].map((r) => ({ shop, id: r.id, email: r.email, firstName: "Kim", lastName: null })),
    });
    await prisma.customerState.createMany({
      data: planted[shop].map((r) => ({
        shop,
        customerId: r.id,
        segment: r.segment,
        lastOrderAt: r.lastOrderAt,
        frequency: r.frequency,
        monetaryMinor: r.monetaryMinor,
        computedAt: new Date(T0),
      })),
    });
  }
});

const DEEP = "keyset-deep.myshopify.com";
const DEEP_SIZE = 50_100;
const lastOrder = new Map<string, Date>();
let deepReady: Promise<string> | null = null;

/** The deep shop, written once for the three sorts: 50,100 states, ~10 % without a value. */
function deepShop(): Promise<string> {
  deepReady ??= (async () => {
    const rows = [];
    for (let i = 0; i < DEEP_SIZE; i++) {
      const id = `gid://shopify/Customer/${String(100_000 + ((i * 7_919) % DEEP_SIZE)).padStart(7, "0")}`;
      const none = i % 10 === 3;
      const at = none ? null : new Date(T0 - (i % 400) * 3_600_000);
      if (at) lastOrder.set(id, at);
      rows.push({
        shop: DEEP,
        customerId: id,
        segment: "loyal",
        lastOrderAt: at,
        frequency: none ? null : 1 + (i % 37),
        monetaryMinor: none ? null : BigInt(100 * (i % 251)),
        computedAt: new Date(T0),
      });
    }
    // Multi-row INSERTs (much faster than createMany here): 1,000 rows, 7,000 parameters each
    for (let i = 0; i < rows.length; i += 1_000) {
      const values = rows
        .slice(i, i + 1_000)
        .map(
          (r) =>
            Prisma.sql`(${r.shop}, ${r.customerId}, ${r.segment}, ${r.lastOrderAt}, ${r.frequency}, ${r.monetaryMinor}, ${r.computedAt})`,
        );
      await prisma.$executeRaw(Prisma.sql`INSERT INTO "CustomerState"
        ("shop", "customerId", "segment", "lastOrderAt", "frequency", "monetaryMinor", "computedAt")
        VALUES ${Prisma.join(values)}`);
    }
    return DEEP;
  })();
  return deepReady;
}

/** The list's order written out: nulls last, value descending, ties by customer id ascending. */
function expected(shop: string, sort: CustomerSort, keep: (r: Planted) => boolean = () => true): string[] {
  const value = (r: Planted) =>
    sort === "recency" ? r.lastOrderAt?.getTime() : sort === "frequency" ? r.frequency : r.monetaryMinor;
  return planted[shop]
    .filter(keep)
    .sort((x, y) => {
      const a = value(x);
      const b = value(y);
      if ((a === null || a === undefined) !== (b === null || b === undefined)) return a == null ? 1 : -1;
      if (a != null && b != null && a !== b) return a > b ? -1 : 1;
      return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
    })
    .map((r) => r.id);
}

/** Every page forwards from the first through the URL's `after`, then backwards from the last through `before`. */
async function walk(shop: string, params: Record<string, string>) {
  const forwards: string[][] = [];
  let query = customerListQuery(new URLSearchParams(params));
  for (;;) {
    const page = await listCustomers(shop, query);
    forwards.push(page.rows.map((r) => r.customerId));
    expect(page.previous === null).toBe(forwards.length === 1);
    if (!page.next) break;
    expect(page.rows.length).toBe(CUSTOMER_PAGE_SIZE);
    query = customerListQuery(new URLSearchParams({ ...params, after: encodeCursor(page.next) }));
    expect(forwards.length).toBeLessThan(50);
  }
  const backwards: string[][] = [];
  let before = await listCustomers(shop, query);
  backwards.unshift(before.rows.map((r) => r.customerId));
  while (before.previous) {
    query = customerListQuery(new URLSearchParams({ ...params, before: encodeCursor(before.previous) }));
    before = await listCustomers(shop, query);
    expect(before.next).not.toBeNull();
    backwards.unshift(before.rows.map((r) => r.customerId));
  }
  return { forwards, backwards, total: before.total };
}

describe("keyset pagination of the customer list", () => {
  it.each(CUSTOMER_SORTS)("visits every customer once, in order, forwards and backwards: sort %s", async (sort) => {
    for (const shop of [A, B]) {
      const { forwards, backwards, total } = await walk(shop, { sort });
      expect(total).toBe(PER_SHOP);
      expect(forwards.flat()).toEqual(expected(shop, sort));
      // Backwards gives the same pages (page boundaries included), each in the list's order
      expect(backwards).toEqual(forwards);
      expect(forwards.length).toBe(Math.ceil(PER_SHOP / CUSTOMER_PAGE_SIZE));
      // The same order as the old offset pages (a bookmarked ?page= still answers)
      for (let p = 1; p <= forwards.length; p++) {
        const byOffset = await listCustomers(shop, { sort, page: p });
        expect(byOffset.rows.map((r) => r.customerId)).toEqual(forwards[p - 1]);
      }
    }
  });

  it.each(CUSTOMER_SORTS)("filtered and searched, still exactly the matching customers: sort %s", async (sort) => {
    const champions = await walk(A, { sort, segment: "champions" });
    expect(champions.forwards.flat()).toEqual(expected(A, sort, (r) => r.segment === "champions"));
    expect(champions.backwards).toEqual(champions.forwards);
    // The search path joins names first: "ada" is in half of the emails
    const ada = await walk(A, { sort, search: "ada" });
    expect(ada.total).toBe(planted[A].filter((r) => r.email.startsWith("ada")).length);
    expect(ada.forwards.flat()).toEqual(expected(A, sort, (r) => r.email.startsWith("ada")));
    expect(ada.backwards).toEqual(ada.forwards);
  });

  it.each(CUSTOMER_SORTS)("page 1,000 by cursor is the page OFFSET 49,950 gives: sort %s", async (sort) => {
    // A shop of 50,100 states (a tenth without a value, values from a few hundred, so ties everywhere): the cursor of
    // the last row of offset page 999 gives exactly offset page 1,000, and the first row of offset page 1,001 read
    // backwards gives it too. The pages by offset read the whole list up to them; by cursor, a range of the sort's index.
    const deep = await deepShop();
    const byOffset = async (page: number) => (await listCustomers(deep, { sort, page })).rows;
    const [p999, p1000, p1001] = [await byOffset(999), await byOffset(1000), await byOffset(1001)];
    expect(p1000.length).toBe(CUSTOMER_PAGE_SIZE);
    const cursorOf = (r: (typeof p999)[number]) => ({
      value:
        sort === "recency"
          ? r.recencyDays === null
            ? null
            : lastOrder.get(r.customerId)!.toISOString()
          : sort === "frequency"
            ? r.frequency === null
              ? null
              : String(r.frequency)
            : r.monetaryMinor === null
              ? null
              : String(r.monetaryMinor),
      customerId: r.customerId,
    });
    const after = await listCustomers(deep, { sort, page: 1000, after: cursorOf(p999[p999.length - 1]) });
    expect(after.rows.map((r) => r.customerId)).toEqual(p1000.map((r) => r.customerId));
    const before = await listCustomers(deep, { sort, page: 1000, before: cursorOf(p1001[0]) });
    expect(before.rows.map((r) => r.customerId)).toEqual(p1000.map((r) => r.customerId));
    // And its cursors are the neighbours' edges
    expect(after.next).toEqual(cursorOf(p1000[p1000.length - 1]));
    expect(after.previous).toEqual(cursorOf(p1000[0]));
  });

  it("never shows another shop's customers, whatever the cursor names", async () => {
    const idsOfB = new Set(planted[B].map((r) => r.id));
    for (const sort of CUSTOMER_SORTS) {
      const { forwards } = await walk(A, { sort });
      expect(forwards.flat().filter((id) => idsOfB.has(id))).toEqual([]);
    }
    // A cursor made of B's row, given to A: A's rows after that position, none of B's
    const ofB = planted[B][1];
    const page = await listCustomers(A, {
      sort: "frequency",
      page: 2,
      after: { value: String(ofB.frequency), customerId: ofB.id },
    });
    expect(page.rows.length).toBeGreaterThan(0);
    expect(page.rows.every((r) => !idsOfB.has(r.customerId))).toBe(true);
  });

  it("a tampered, foreign-sort or stale cursor answers the first page", async () => {
    const first = (await listCustomers(A, { sort: "monetary", page: 1 })).rows.map((r) => r.customerId);
    for (const after of [
      "not-base64!",
      Buffer.from("{}").toString("base64url"),
      Buffer.from(JSON.stringify({ v: "2026-10-01T00:00:00.000Z", id: "x" })).toString("base64url"), // a date, not spend
      Buffer.from(JSON.stringify({ v: "1 OR 1=1", id: "x" })).toString("base64url"),
    ]) {
      const query = customerListQuery(new URLSearchParams({ sort: "monetary", after }));
      expect(query.after).toBeUndefined();
      expect((await listCustomers(A, query)).rows.map((r) => r.customerId)).toEqual(first);
    }
    expect(decodeCursor("recency", encodeCursor({ value: "2026-10-01T00:00:00.000Z", customerId: "a" }))).toEqual({
      value: "2026-10-01T00:00:00.000Z",
      customerId: "a",
    });
    // A well-formed cursor past the last row (rows left since): the first page, numbered 1
    const stale = await customerPage(A, {
      sort: "monetary",
      page: 7,
      after: { value: null, customerId: "gid://shopify/Customer/9999" }, // after the last customer without spend
    });
    expect(stale.rows.map((r) => r.customerId)).toEqual(first);
    expect(stale.page).toBe(1);
    expect(stale.previous).toBeNull();
  });
});
