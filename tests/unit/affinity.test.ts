// Product affinity (app/domain/affinity.ts, docs/affinity.md): a small shop whose counts, support, confidence and lift
// are worked out by hand below; the recommendations' noisy-OR with recency by hand; and properties on generated
// shops — the counts equal a naive count straight from the definitions, do not depend on the order of the input,
// "together" lift is symmetric, and an excluded product is in no rule and changes the others as if its lines were
// never there.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AffinityCounter,
  associate,
  CustomerHistories,
  dayNumberAt,
  DEFAULT_AFFINITY_SETTINGS,
  Recommender,
  RULES_PER_PRODUCT,
  type AffinityOrder,
  type AffinitySettings,
  type AssociationRule,
} from "../../app/domain/affinity";

const EVERY: AffinitySettings = { ...DEFAULT_AFFINITY_SETTINGS, minPairCount: 1, minProductCount: 1 };
const order = (day: number, ...products: (string | [string, number])[]): AffinityOrder => ({
  day,
  lines: products.map((p) =>
    typeof p === "string" ? { productId: p, quantity: 1 } : { productId: p[0], quantity: p[1] },
  ),
});
const find = (rules: AssociationRule[], a: string, b: string) =>
  rules.find((r) => r.antecedent === a && r.consequent === b);

// C1: day 0 {A, B}, day 3 {C}     C2: day 0 {A, B, C}     C3: day 1 {A}, day 1 {B}, day 5 {B}     C4: day 2 {C}
// plus lines that do not count: a custom line (no product), a line refunded in full, a duplicate line of A.
const SHOP: AffinityOrder[][] = [
  [order(0, "A", "B", ["A", 2]), order(3, "C")],
  [order(0, "A", "B", "C")],
  [order(1, "A", ["Z", 0]), order(1, "B"), order(5, "B")],
  [order(2, "C"), { day: 2, lines: [{ productId: null, quantity: 3 }] }],
];

describe("bought together, by hand", () => {
  // Orders: 7 (the custom-line-only order does not count). Orders with A: 3, B: 4, C: 3. A∧B: 2, A∧C: 1, B∧C: 1.
  const rules = associate(SHOP, EVERY);

  it("counts orders, lines and customers", () => {
    expect(rules.totals).toEqual({ orders: 7, lines: 10, customers: 4, returningCustomers: 2 });
    expect(Object.fromEntries(rules.productOrders)).toEqual({ A: 3, B: 4, C: 3 });
  });

  it("support = count/orders, confidence = count/count(antecedent), lift = confidence / (count(consequent)/orders)", () => {
    expect(find(rules.together, "A", "B")).toMatchObject({ count: 2, support: 2 / 7 });
    expect(find(rules.together, "A", "B")!.confidence).toBeCloseTo(2 / 3, 12);
    expect(find(rules.together, "A", "B")!.lift).toBeCloseTo(7 / 6, 12); // (2/3) / (4/7)
    expect(find(rules.together, "B", "A")!.confidence).toBeCloseTo(1 / 2, 12);
    expect(find(rules.together, "B", "A")!.lift).toBeCloseTo(7 / 6, 12); // (1/2) / (3/7)
    expect(find(rules.together, "A", "C")!.lift).toBeCloseTo(7 / 9, 12); // (1/3) / (3/7)
    expect(find(rules.together, "C", "B")!.confidence).toBeCloseTo(1 / 3, 12);
    expect(find(rules.together, "B", "C")!.lift).toBeCloseTo(7 / 12, 12); // (1/4) / (3/7)
    expect(rules.together).toHaveLength(6);
    // Strongest first.
    expect(rules.together.slice(0, 2).map((r) => r.antecedent + r.consequent)).toEqual(["AB", "BA"]);
  });

  it("minimum counts: a pair needs minPairCount orders, each product minProductCount", () => {
    const two = associate(SHOP, { ...EVERY, minPairCount: 2 });
    expect(two.together.map((r) => r.antecedent + r.consequent)).toEqual(["AB", "BA"]);
    expect(associate(SHOP, { ...EVERY, minProductCount: 4 }).together).toEqual([]); // A has 3 orders
    expect(associate(SHOP, { ...EVERY, minPairCount: 3 }).together).toEqual([]);
  });

  it("an order with more distinct products than the cap makes no pairs but still counts its products", () => {
    const capped = associate(SHOP, { ...EVERY, maxProductsPerOrder: 2 });
    expect(capped.totals.orders).toBe(7);
    expect(Object.fromEntries(capped.productOrders)).toEqual({ A: 3, B: 4, C: 3 });
    // C2's order of three makes no pairs: A∧B is C1's order only; A∧C and B∧C are gone.
    expect(capped.together.map((r) => [r.antecedent + r.consequent, r.count])).toEqual([
      ["AB", 1],
      ["BA", 1],
    ]);
  });
});

describe("bought next, by hand", () => {
  // Returning customers (two purchase days or more): C1 (days 0, 3) and C3 (days 1, 5).
  // C1: A and B on day 0, C on day 3 → A then C, B then C. C3: A on day 1, B on days 1 and 5 → A then B (B on day 1
  // with A is not "next"; B then A is not either: A was never bought after B's first day).
  // Antecedent base (bought it, then ordered on a later day): A 2, B 2, C 0. Later buyers (bought it on a day after
  // their first purchase day): B 1 (C3), C 1 (C1), A 0.
  const rules = associate(SHOP, EVERY);

  it("counts each customer once per ordered pair, with confidence and lift against the later-purchase base rate", () => {
    const got = rules.next.map((r) => [r.antecedent + r.consequent, r.count, r.support, r.confidence, r.lift]);
    // confidence = customers(A then B) / customers(A then anything) = 1/2; B's base rate among returning customers
    // = 1/2, so lift = 1; support = 1 of 4 customers.
    expect(got).toEqual([
      ["AB", 1, 1 / 4, 1 / 2, 1],
      ["AC", 1, 1 / 4, 1 / 2, 1],
      ["BC", 1, 1 / 4, 1 / 2, 1],
    ]);
  });

  it("a repeat of one customer counts once", () => {
    const again = associate([[order(0, "A"), order(1, "B"), order(2, "A"), order(3, "B")], [order(0, "B")]], EVERY);
    // A then B once; B then A too (B on day 1, A on day 2).
    expect(again.next.map((r) => [r.antecedent + r.consequent, r.count, r.confidence])).toEqual([
      ["AB", 1, 1],
      ["BA", 1, 1],
    ]);
    expect(again.totals.returningCustomers).toBe(1);
  });

  it("a customer with more distinct products than the cap makes no next pairs", () => {
    expect(
      associate(SHOP, { ...EVERY, maxProductsPerCustomer: 2 }).next.map((r) => r.antecedent + r.consequent),
    ).toEqual(["AB"]);
  });
});

describe("recommendations, by hand", () => {
  const rule = (kind: "together" | "next", a: string, b: string, confidence: number, lift: number, count = 10) => ({
    kind,
    antecedent: a,
    consequent: b,
    count,
    support: 0.1,
    confidence,
    lift,
  });
  const rules = {
    together: [rule("together", "A", "C", 0.5, 2), rule("together", "B", "E", 0.9, 0.8)],
    next: [rule("next", "B", "C", 0.4, 1.5), rule("next", "A", "D", 0.6, 3), rule("next", "B", "A", 0.9, 4)],
  };
  const all = new Set(["A", "B", "C", "D", "E", "F"]);
  const settings = { ...DEFAULT_AFFINITY_SETTINGS, recencyHalfLifeDays: 180 };
  // Bought A on day 100, B on day 280; as of day 280: w(A) = 0.5, w(B) = 1.
  const history = [order(100, "A"), order(280, "B")];

  it("noisy-OR of recency-weighted confidences of rules with lift > 1, bought products left out", () => {
    const r = new Recommender(rules, { settings, asOfDay: 280, recommendable: all, excluded: new Set() });
    const got = r.forCustomer(history);
    // C: 1 − (1 − 0.5·0.5)(1 − 1·0.4) = 0.55; D: 0.5·0.6 = 0.3; E: lift 0.8, no; A: bought.
    expect(got.map((x) => x.productId)).toEqual(["C", "D"]);
    expect(got[0].score).toBeCloseTo(0.55, 12);
    expect(got[1].score).toBeCloseTo(0.3, 12);
  });

  it("as of a year later the weights halve again; top N cuts the list", () => {
    const r = new Recommender(rules, {
      settings: { ...settings, recommendations: 1 },
      asOfDay: 460,
      recommendable: all,
      excluded: new Set(),
    });
    // w(A) = 0.25, w(B) = 0.5: C = 1 − (1 − 0.125)(1 − 0.2) = 0.3 > D = 0.15.
    expect(r.forCustomer(history)).toEqual([{ productId: "C", score: expect.closeTo(0.3, 12) as number }]);
  });

  it("leaves out products not recommendable (archived, deleted) and excluded ones, as candidates and as evidence", () => {
    const notC = new Recommender(rules, {
      settings,
      asOfDay: 280,
      recommendable: new Set(["A", "B", "D", "E"]),
      excluded: new Set(),
    });
    expect(notC.forCustomer(history).map((x) => x.productId)).toEqual(["D"]);
    const noA = new Recommender(rules, { settings, asOfDay: 280, recommendable: all, excluded: new Set(["A"]) });
    // A's rules are gone: only B → C (0.4).
    expect(noA.forCustomer(history)).toEqual([{ productId: "C", score: expect.closeTo(0.4, 12) as number }]);
  });

  it("ties: the larger count, then the product id", () => {
    const tie = {
      together: [
        rule("together", "A", "Y", 0.5, 2, 7),
        rule("together", "A", "X", 0.5, 2, 7),
        rule("together", "A", "W", 0.5, 2, 9),
      ],
      next: [],
    };
    const r = new Recommender(tie, {
      settings,
      asOfDay: 0,
      recommendable: new Set(["W", "X", "Y"]),
      excluded: new Set(),
    });
    expect(r.forCustomer([order(0, "A")]).map((x) => x.productId)).toEqual(["W", "X", "Y"]);
  });

  it("a customer with nothing counted gets nothing", () => {
    const r = new Recommender(rules, { settings, asOfDay: 0, recommendable: all, excluded: new Set() });
    expect(r.forCustomer([])).toEqual([]);
    expect(r.forCustomer([order(0, ["A", 0])])).toEqual([]);
  });
});

describe("purchase days", () => {
  it("are days of the shop's calendar", () => {
    const t = Date.parse("2026-03-01T20:00:00Z"); // 2 March 03:00 in Bangkok
    expect(dayNumberAt(t)).toBe(Date.UTC(2026, 2, 1) / 86_400_000);
    expect(dayNumberAt(t, "Asia/Bangkok")).toBe(Date.UTC(2026, 2, 2) / 86_400_000);
    expect(dayNumberAt(Date.parse("2026-03-02T04:59:59.999Z"), "America/New_York")).toBe(
      Date.UTC(2026, 2, 1) / 86_400_000,
    );
    expect(dayNumberAt(Date.parse("2026-03-02T05:00:00Z"), "America/New_York")).toBe(Date.UTC(2026, 2, 2) / 86_400_000);
    expect(dayNumberAt(Date.parse("2026-03-01T18:15:00Z"), "Asia/Kathmandu")).toBe(Date.UTC(2026, 2, 2) / 86_400_000);
    expect(dayNumberAt(Date.parse("2026-03-01T18:14:59Z"), "Asia/Kathmandu")).toBe(Date.UTC(2026, 2, 1) / 86_400_000);
  });
});

// ---- Properties on generated shops ---------------------------------------------------------------------------

const PRODUCTS = ["P1", "P2", "P3", "P4", "P5"];
const orderArb = fc.record({
  day: fc.integer({ min: 0, max: 6 }),
  lines: fc.array(
    fc.record({ productId: fc.constantFrom(null, ...PRODUCTS), quantity: fc.integer({ min: -1, max: 2 }) }),
    { maxLength: 5 },
  ),
});
const shopArb = fc.array(fc.array(orderArb, { maxLength: 5 }), { maxLength: 25 });
const small: AffinitySettings = {
  ...DEFAULT_AFFINITY_SETTINGS,
  minPairCount: 2,
  minProductCount: 2,
  maxProductsPerOrder: 4,
};

/** The definitions, counted naively: every order and every customer scanned for every pair. */
function naive(shop: AffinityOrder[][], s: AffinitySettings, excluded: ReadonlySet<string>) {
  const bought = (o: AffinityOrder) =>
    new Set(
      o.lines.filter((l) => l.productId && l.quantity > 0 && !excluded.has(l.productId)).map((l) => l.productId!),
    );
  const orders = shop
    .flat()
    .map(bought)
    .filter((b) => b.size > 0);
  const together: [string, number][] = [];
  for (const a of PRODUCTS)
    for (const b of PRODUCTS) {
      if (a === b) continue;
      const na = orders.filter((o) => o.has(a)).length;
      const nb = orders.filter((o) => o.has(b)).length;
      const n = orders.filter((o) => o.has(a) && o.has(b) && o.size <= s.maxProductsPerOrder).length;
      if (n >= s.minPairCount && na >= s.minProductCount && nb >= s.minProductCount) together.push([a + b, n]);
    }
  const next: [string, number][] = [];
  const histories = shop.map((c) => c.map((o) => ({ day: o.day, products: bought(o) })).filter((o) => o.products.size));
  const returning = histories.filter((h) => new Set(h.map((o) => o.day)).size >= 2);
  for (const a of PRODUCTS)
    for (const b of PRODUCTS) {
      if (a === b) continue;
      const thenB = (h: (typeof returning)[number]) =>
        h.some((x) => x.products.has(a) && h.some((y) => y.products.has(b) && y.day > x.day));
      const small = (h: (typeof returning)[number]) =>
        new Set(h.flatMap((o) => [...o.products])).size <= s.maxProductsPerCustomer;
      const n = returning.filter((h) => small(h) && thenB(h)).length;
      const na = returning.filter((h) => h.some((x) => x.products.has(a) && h.some((y) => y.day > x.day))).length;
      const nb = returning.filter((h) => {
        const first = Math.min(...h.map((o) => o.day));
        return h.some((y) => y.products.has(b) && y.day > first);
      }).length;
      if (n >= s.minPairCount && na >= s.minProductCount && nb >= s.minProductCount) next.push([a + b, n]);
    }
  return { together: together.sort(), next: next.sort() };
}

const pairs = (rules: AssociationRule[]) =>
  rules.map((r): [string, number] => [r.antecedent + r.consequent, r.count]).sort();

describe("properties", () => {
  it("the counter's rules are exactly the naive count of the definitions", () => {
    fc.assert(
      fc.property(shopArb, fc.subarray(PRODUCTS, { maxLength: 2 }), (shop, ex) => {
        const excluded = new Set(ex);
        const got = associate(shop, small, excluded);
        const want = naive(shop, small, excluded);
        expect(pairs(got.together)).toEqual(want.together);
        expect(pairs(got.next)).toEqual(want.next);
      }),
      { numRuns: 300 },
    );
  });

  it("does not depend on the order of customers or of a customer's orders", () => {
    fc.assert(
      fc.property(shopArb, fc.integer(), (shop, seed) => {
        const shuffled = shuffle(
          shop.map((c) => shuffle(c, seed)),
          seed + 1,
        );
        expect(associate(shuffled, small)).toEqual(associate(shop, small));
      }),
      { numRuns: 200 },
    );
  });

  it("together: lift, count and support are symmetric; confidence(A→B)·count(A) = confidence(B→A)·count(B)", () => {
    fc.assert(
      fc.property(shopArb, (shop) => {
        const rules = associate(shop, small);
        for (const r of rules.together) {
          const back = find(rules.together, r.consequent, r.antecedent)!;
          expect(back).toBeDefined();
          expect(back.lift).toBeCloseTo(r.lift, 12);
          expect([back.count, back.support]).toEqual([r.count, r.support]);
          expect(r.confidence * rules.productOrders.get(r.antecedent)!).toBeCloseTo(
            back.confidence * rules.productOrders.get(back.antecedent)!,
            9,
          );
          expect(r.confidence).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("an exclusion removes every rule with the product and counts the rest as if its lines were never there", () => {
    fc.assert(
      fc.property(shopArb, fc.constantFrom(...PRODUCTS), (shop, x) => {
        const excluded = associate(shop, small, new Set([x]));
        for (const r of [...excluded.together, ...excluded.next]) {
          expect(r.antecedent).not.toBe(x);
          expect(r.consequent).not.toBe(x);
        }
        const stripped = shop.map((c) => c.map((o) => ({ ...o, lines: o.lines.filter((l) => l.productId !== x) })));
        expect(excluded).toEqual(associate(stripped, small));
      }),
      { numRuns: 200 },
    );
  });

  it("recommendations never hold a bought, excluded or unrecommendable product, are at most N and deterministic", () => {
    fc.assert(
      fc.property(shopArb, fc.subarray(PRODUCTS), fc.constantFrom("P1", "P2"), (shop, active, x) => {
        const rules = associate(shop, small);
        const settings = { ...small, recommendations: 2 };
        const r = new Recommender(rules, {
          settings,
          asOfDay: 6,
          recommendable: new Set(active),
          excluded: new Set([x]),
        });
        for (const c of shop) {
          const got = r.forCustomer(c).map((g) => g.productId);
          expect(got.length).toBeLessThanOrEqual(2);
          const bought = new Set(c.flatMap((o) => o.lines.map((l) => l.productId)));
          for (const p of got) {
            expect(bought.has(p)).toBe(false);
            expect(p).not.toBe(x);
            expect(active).toContain(p);
          }
          expect(r.forCustomer(shuffle(c, 7)).map((g) => g.productId)).toEqual(got);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("dense and sparse pair tables count the same (products beyond the dense table spill into the map)", () => {
    fc.assert(
      fc.property(shopArb, fc.integer({ min: 1, max: 6 }), (shop, dense) => {
        expect(associate(shop, small, new Set(), dense)).toEqual(associate(shop, small));
      }),
      { numRuns: 200 },
    );
  });

  it("recommendations from compact histories equal those from the orders", () => {
    fc.assert(
      fc.property(shopArb, fc.constantFrom("P1", "P3"), (shop, x) => {
        const excluded = new Set([x]);
        const rules = associate(shop, small, excluded);
        const r = new Recommender(rules, {
          settings: small,
          asOfDay: 6,
          recommendable: new Set(PRODUCTS),
          excluded,
        });
        const histories = new CustomerHistories(excluded);
        const counter = new AffinityCounter(small, excluded);
        // Half of them with the counter's summary, half computing their own: the same histories.
        shop.forEach((c, i) => histories.add(`C${i}`, c, i % 2 ? counter.addCustomer(c) : undefined));
        const fromHistories = new Map(
          [...histories.entries()].map(([id, last, bought]) => [id, r.forHistory(last, bought)]),
        );
        shop.forEach((c, i) => {
          const direct = r.forCustomer(c);
          expect(fromHistories.get(`C${i}`) ?? []).toEqual(direct);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("selectRules: the strongest `top` of each kind as rules() orders them, the counts of all, and the same recommendations", () => {
    fc.assert(
      fc.property(shopArb, fc.integer({ min: 1, max: 4 }), fc.subarray(PRODUCTS), (shop, top, active) => {
        const counter = new AffinityCounter(small);
        for (const c of shop) counter.addCustomer(c);
        const all = counter.rules();
        const recommendable = new Set(active);
        const picked = counter.selectRules({
          top,
          perAntecedent: RULES_PER_PRODUCT,
          usable: (r) => r.lift > 1 && recommendable.has(r.consequent),
        });
        expect(picked.found).toEqual({ together: all.together.length, next: all.next.length });
        expect(picked.together).toEqual(all.together.slice(0, top));
        expect(picked.next).toEqual(all.next.slice(0, top));
        const options = { settings: small, asOfDay: 6, recommendable, excluded: new Set<string>() };
        const full = new Recommender(all, options);
        const lean = new Recommender(picked.forRecommendations, options);
        for (const c of shop) expect(lean.forCustomer(c)).toEqual(full.forCustomer(c));
      }),
      { numRuns: 200 },
    );
  });

  it("selectRules keeps each product's most confident rules when it has more than twice as many (the buffer truncates)", () => {
    // Product A is bought with each of 150 others, each pair a different number of times: 150 rules from A.
    const customers: AffinityOrder[][] = [];
    for (let k = 0; k < 150; k++)
      for (let n = 0; n < 2 + (k % 7); n++) customers.push([order(0, "A", `Q${String(k).padStart(3, "0")}`)]);
    for (let k = 0; k < 150; k++) customers.push([order(0, `Q${String(k).padStart(3, "0")}`)]);
    const settings = { ...EVERY, minPairCount: 2, minProductCount: 2 };
    const counter = new AffinityCounter(settings);
    for (const c of customers) counter.addCustomer(c);
    const all = counter.rules();
    const recommendable = new Set(all.together.map((r) => r.consequent));
    const picked = counter.selectRules({ top: 10, perAntecedent: RULES_PER_PRODUCT, usable: () => true });
    expect(all.together.filter((r) => r.antecedent === "A").length).toBe(150);
    expect(picked.forRecommendations.together.filter((r) => r.antecedent === "A").length).toBe(RULES_PER_PRODUCT);
    const options = {
      settings: { ...settings, recommendations: 20 },
      asOfDay: 0,
      recommendable,
      excluded: new Set<string>(),
    };
    const fromAll = new Recommender(all, options).forCustomer([order(0, "A")]);
    expect(fromAll).toHaveLength(20);
    expect(new Recommender(picked.forRecommendations, options).forCustomer([order(0, "A")])).toEqual(fromAll);
  });

  it("memory: the counter holds counts, not orders", () => {
    // 200,000 orders of 3 products among 50: the pair maps are bounded by 50² whatever the number of orders.
    const counter = new AffinityCounter(DEFAULT_AFFINITY_SETTINGS);
    for (let c = 0; c < 50_000; c++) {
      const orders = [0, 1, 2, 3].map((k) =>
        order(k * 10, `P${(c + k) % 50}`, `P${(c * 7 + k) % 50}`, `P${(c * 13) % 50}`),
      );
      counter.addCustomer(orders);
    }
    const internal = counter as unknown as { togetherPairs: { sparse: number }; nextPairs: { sparse: number } };
    expect(internal.togetherPairs.sparse).toBeLessThanOrEqual((50 * 49) / 2);
    expect(internal.nextPairs.sparse).toBeLessThanOrEqual(50 * 49);
    expect(counter.rules().totals.orders).toBe(200_000);
  });
});

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
