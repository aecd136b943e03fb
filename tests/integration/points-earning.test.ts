// Earning rules and bonuses (docs/rules.md#points-earning-rules) on a real database, through the local Shopify and the
// app's own job handlers: the Points programme screen's service saves a new rules version (a multiplier per tier and
// the three bonuses) and queues the journal's pass and the birthdays job; a customer's sign-up, first-order (taken back
// with its cancellation) and tier-multiplied points; birth dates read from the customer metafield through the Admin
// API (set, ignored when not a date, cleared, a shopper's own kept) and the birthday bonus they lead to; the preview;
// the retroactive grant (an earlier programme start, previewed then applied); and one shop's work never touching
// another's. SQLite and PostgreSQL (TEST_DATABASE=postgresql).
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { balancesAt, journalAppends, targetEntries, type PointsKind } from "../../app/domain/points";
import { DAY_MS, localDateAt, localDayStart } from "../../app/domain/time";
import { pointsBirthdaysJob } from "../../app/jobs/birthdays.server";
import {
  CUSTOMER_CHANGED,
  POINTS_BIRTHDAYS,
  POINTS_CUSTOMER,
  POINTS_SHOP,
  RECOMPUTE_SHOP,
} from "../../app/jobs/contracts";
import { pointsCustomerJob, pointsShopJob } from "../../app/jobs/points.server";
import { customerChangedJob, recomputeShopJob } from "../../app/jobs/recompute.server";
import { setBirthday } from "../../app/models/birthdays.server";
import { journalsOf, pointsLedgers } from "../../app/models/points.server";
import { readBirthdayMetafields } from "../../app/services/birthday-metafield.server";
import {
  pointsProgramPage,
  previewPointsStart,
  submitPointsProgram,
  type PointsRulesForm,
} from "../../app/services/points-preview.server";
import { pointsProgramme, setPointsStart } from "../../app/services/points.server";
import { createFakeClock } from "../../simulator/admin/index";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { jobRows, testQueue } from "../support/queue";

const SHOP = "points-earning.myshopify.com";
const OTHER = "points-earning-other.myshopify.com";
const ZONE = "Asia/Bangkok";
const clock = createFakeClock(Date.now());
const now = () => new Date(clock.now());
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

async function journal(shop: string) {
  const rows = await prisma.pointsEntry.findMany({ where: { shop }, orderBy: { id: "asc" } });
  return rows.map((r) => ({ ...r, points: Number(r.points), kind: r.kind as PointsKind }));
}
async function mine(customerId: string, at = clock.now()) {
  const entries = (await journal(SHOP)).filter((e) => e.customerId === customerId);
  return balancesAt(
    entries.map((e) => ({ ...e, effectiveAt: e.effectiveAt.getTime(), availableAt: e.availableAt.getTime() })),
    at,
  );
}
const keysOf = async (customerId: string) =>
  (await journal(SHOP)).filter((e) => e.customerId === customerId).map((e) => [e.sourceKey, e.kind, e.points]);

/** The app's handlers for what a webhook or a save queues, birthdays included, on the simulator's clock. */
async function runJobs() {
  const queue = testQueue({ now });
  const worker = queue.work(
    {
      [CUSTOMER_CHANGED]: customerChangedJob({ queue, now }),
      [RECOMPUTE_SHOP]: recomputeShopJob({ queue, now }),
      [POINTS_CUSTOMER]: pointsCustomerJob({ now }),
      [POINTS_SHOP]: pointsShopJob({ queue, now }),
      [POINTS_BIRTHDAYS]: pointsBirthdaysJob({ clientFor: env.clientFor, now }),
    },
    { pollMs: 20 },
  );
  await worker.idle();
  await worker.stop();
}

let metafieldId = 900_000;
/** What the merchant does in Shopify admin: a customer's birth date metafield set (or removed with null). */
function birthDateMetafield(
  shop: string,
  customerId: string,
  value: string | null,
  namespace = "facts",
  key = "birth_date",
) {
  const state = env.shopify.admin.shops.getShop(shop)!;
  if (value === null) {
    state.deleteMetafield(customerId, namespace, key);
    return;
  }
  const at = new Date(clock.now()).toISOString();
  state.putMetafield({
    __typename: "Metafield",
    id: `gid://shopify/Metafield/${metafieldId++}`,
    ownerId: customerId,
    ownerType: "CUSTOMER",
    namespace,
    key,
    type: "date",
    value,
    createdAt: at,
    updatedAt: at,
  });
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp({ clock });
  for (const shop of [SHOP, OTHER]) {
    env.shopify.admin.shops.addShop(testShopRecord(shop, { ianaTimezone: ZONE }));
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    await prisma.shop.update({ where: { shop }, data: { timezone: ZONE } });
  }
  clock.advance(5 * 60_000);
});

describe("earning rules and bonuses through the programme screen's service", () => {
  it("saves a new version, and customers earn the bonuses and the tier multiplier; the birthday from the metafield", async () => {
    const sim = env.shopify.admin;
    await setPointsStart(SHOP, new Date(clock.now() - DAY_MS), { now });

    // Bad input: every field refused on its own path, nothing saved
    const page = (await pointsProgramPage(SHOP))!;
    expect(page.tiers.map((t) => t.key)).toEqual(["member", "silver", "gold", "platinum"]);
    expect(page.form).toMatchObject({ rate: "1", multiplier: "1", expiryMonths: "12", birthdayPoints: "0" });
    const versions = await prisma.pointsRulesVersion.count({ where: { shop: SHOP } });
    const bad: PointsRulesForm = {
      ...page.form,
      rate: "lots",
      tierMultipliers: { ...page.form.tierMultipliers, silver: "200" },
      signUpPoints: "-5",
      birthdayMetafield: "birthday",
    };
    const queue = testQueue({ now });
    const refused = await submitPointsProgram(SHOP, { intent: "save", rules: bad }, { now, queue });
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.issues.map((i) => i.path.join("."))).toEqual([
        "ratePerMille",
        "signUpPoints",
        "tierMultipliers.silver",
        "birthdayMetafield",
      ]);
    expect(await prisma.pointsRulesVersion.count({ where: { shop: SHOP } })).toBe(versions);

    // Saved: the next version, the shop pass and the birthdays job queued
    const form: PointsRulesForm = {
      ...page.form,
      rate: "1",
      tierMultipliers: { ...page.form.tierMultipliers, silver: "2" },
      signUpPoints: "50",
      firstOrderPoints: "100",
      birthdayPoints: "200",
    };
    const saved = await submitPointsProgram(SHOP, { intent: "save", rules: form }, { now, queue });
    expect(saved).toEqual({ intent: "save", ok: true, version: versions + 1 });
    const row = await prisma.pointsRulesVersion.findFirstOrThrow({ where: { shop: SHOP, version: versions + 1 } });
    expect(JSON.parse(row.rules)).toMatchObject({
      ratePerMille: 1000,
      tierMultipliers: { silver: 2000 },
      signUpPoints: 50,
      firstOrderPoints: 100,
      birthdayPoints: 200,
      birthdayMetafield: "facts.birth_date",
    });
    expect(await jobRows(SHOP, { kind: POINTS_SHOP, state: "queued" })).toHaveLength(1);
    expect(await jobRows(SHOP, { kind: POINTS_BIRTHDAYS, state: "queued" })).toHaveLength(1);
    await runJobs();

    clock.advance(60_000);
    const ada = sim.createCustomer(SHOP, { firstName: "Ada", email: "ada@earning.example" });
    const bo = sim.createCustomer(SHOP, { firstName: "Bo", email: "bo@earning.example" });
    const step = async (ms: number, act: () => void) => {
      clock.advance(ms);
      act();
      await env.shopify.webhooks.drain();
      await runJobs();
    };
    let first!: { id: string };
    await step(60_000, () => {
      first = sim.placeOrder(SHOP, { customerId: ada.id, total: "300.00" });
    });
    // Sign-up (available at once), the order's 300 and the first-order bonus (both pending 30 days)
    expect(await keysOf(ada.id)).toEqual([
      ["bonus:signup", "bonus", 50],
      [`order:${first.id}:v${versions + 1}`, "order", 300],
      ["bonus:first-order", "bonus", 100],
    ]);
    expect(await mine(ada.id)).toMatchObject({ earned: 450, pending: 400, available: 50 });

    // A second order: Ada holds Silver since the first (300.00 ≥ 250.00): 80.00 × 2 = 160, no second first-order bonus
    let second!: { id: string };
    await step(DAY_MS, () => {
      second = sim.placeOrder(SHOP, { customerId: ada.id, total: "80.00" });
    });
    expect((await keysOf(ada.id)).slice(3)).toEqual([[`order:${second.id}:v${versions + 1}`, "order", 160]]);

    // Bo's first order, cancelled the next day: its points and its first-order bonus come back from pending
    let bos!: { id: string };
    await step(60_000, () => {
      bos = sim.placeOrder(SHOP, { customerId: bo.id, total: "45.99" });
    });
    await step(DAY_MS, () => sim.cancelOrder(SHOP, bos.id));
    expect(await keysOf(bo.id)).toEqual([
      ["bonus:signup", "bonus", 50],
      [`order:${bos.id}:v${versions + 1}`, "order", 45],
      ["bonus:first-order", "bonus", 100],
      [`cancel:${bos.id}`, "cancellation", -45],
      ["bonus:first-order:clawback", "cancellation", -100],
    ]);
    expect(await mine(bo.id)).toMatchObject({ earned: 195, clawedBack: 145, pending: 0, available: 50 });

    // Birth dates in Shopify: Ada's next month (a date), Bo's not a date; read by the job through the Admin API
    const today = localDateAt(clock.now(), ZONE);
    const nextMonth = (today.month % 12) + 1;
    const mm = String(nextMonth).padStart(2, "0");
    birthDateMetafield(SHOP, ada.id, `1990-${mm}-15`);
    birthDateMetafield(SHOP, bo.id, "soon");
    const read = await readBirthdayMetafields(SHOP, { clientFor: env.clientFor, now });
    expect(read).toEqual({ read: 2, set: 1, cleared: 0, appended: 0 });
    expect(
      await prisma.customerBirthday.findMany({
        where: { shop: SHOP },
        select: { customerId: true, month: true, day: true, year: true, source: true },
      }),
    ).toEqual([{ customerId: ada.id, month: nextMonth, day: 15, year: 1990, source: "metafield" }]);
    // Read again: nothing changes
    expect(await readBirthdayMetafields(SHOP, { clientFor: env.clientFor, now })).toMatchObject({ set: 0, cleared: 0 });

    // The first day of her birthday month in Bangkok: the daily pass gives the bonus, dated at 00:00 local
    const year = nextMonth === 1 ? today.year + 1 : today.year;
    const birthday = localDayStart({ year, month: nextMonth, day: 1 }, ZONE);
    clock.advance(birthday - clock.now() + DAY_MS);
    await queue.enqueue(SHOP, POINTS_SHOP, { reason: "daily" });
    await runJobs();
    const bonus = (await journal(SHOP)).find((e) => e.sourceKey === `bonus:birthday:${year}`)!;
    expect(bonus).toMatchObject({ customerId: ada.id, kind: "bonus", points: 200 });
    expect(bonus.effectiveAt.getTime()).toBe(birthday);
    // The daily pass queued the birthdays job, which ran
    expect((await jobRows(SHOP, { kind: POINTS_BIRTHDAYS, state: "done" })).length).toBeGreaterThanOrEqual(2);

    // The merchant removes Ada's date: the metafield date is cleared and this year's bonus reversed; a shopper's own
    // date (Bo gives his on the loyalty page) is not the metafield's to clear
    birthDateMetafield(SHOP, ada.id, null);
    expect(await setBirthday(SHOP, bo.id, { month: 2, day: 3, year: null }, "shopper")).toBe(true);
    expect(await readBirthdayMetafields(SHOP, { clientFor: env.clientFor, now })).toMatchObject({
      read: 2,
      set: 0,
      cleared: 1,
    });
    expect(
      (await prisma.customerBirthday.findMany({ where: { shop: SHOP } })).map((b) => [b.customerId, b.source]),
    ).toEqual([[bo.id, "shopper"]]);
    expect((await keysOf(ada.id)).filter(([key]) => String(key).startsWith("bonus:birthday"))).toEqual([
      [`bonus:birthday:${year}`, "bonus", 200],
      [`bonus:birthday:${year}~1`, "bonus", -200],
    ]);

    // The other shop: nothing of this one's
    expect(await prisma.customerBirthday.count({ where: { shop: OTHER } })).toBe(0);
    expect(await prisma.pointsEntry.count({ where: { shop: OTHER } })).toBe(0);
  }, 120_000);

  it("previews the rules on the shop's history, writing nothing", async () => {
    const page = (await pointsProgramPage(SHOP))!;
    const before = await journal(SHOP);
    const result = await submitPointsProgram(
      SHOP,
      { intent: "preview", rules: { ...page.form, rate: "2", signUpPoints: "0" } },
      { now },
    );
    expect(result.ok && result.intent === "preview").toBe(true);
    if (!(result.ok && result.intent === "preview")) return;
    const { preview } = result;
    // Ada earned 300 + 160 on orders, Bo 45 (cancelled): at twice the rate the orders earn twice; sign-ups (2 × 50) go
    expect(preview.customers).toBe(2);
    expect(preview.affected).toBe(2);
    expect(preview.after.earned - preview.before.earned).toBe(460 + 46 - 100); // Bo: 45.99 × 2 = 91
    expect(preview.examples.map((e) => e.name)).toEqual(["Ada", "Bo"]);
    expect(preview.examples[0].after.earned - preview.examples[0].before.earned).toBe(460 - 50);
    expect(await journal(SHOP)).toEqual(before);
    // The other shop's preview has nobody
    const other = (await pointsProgramPage(OTHER))!;
    const empty = await submitPointsProgram(OTHER, { intent: "preview", rules: other.form }, { now });
    expect(empty).toMatchObject({ ok: true, preview: { customers: 0, affected: 0 } });
  });

  it("grants points retroactively: an earlier start, previewed, then applied", async () => {
    const sim = env.shopify.admin;
    // Cy's order of 120.00 placed 10 days before the programme start of the other shop
    const cy = sim.createCustomer(OTHER, { firstName: "Cy", email: "cy@earning.example" });
    const placedAt = clock.now() - 10 * DAY_MS;
    const order = sim.placeOrder(OTHER, {
      customerId: cy.id,
      total: "120.00",
      processedAt: new Date(placedAt).toISOString(),
    });
    await env.shopify.webhooks.drain();
    await setPointsStart(OTHER, new Date(clock.now() - DAY_MS), { now });
    expect(await prisma.pointsEntry.count({ where: { shop: OTHER } })).toBe(0);

    const d = localDateAt(placedAt - DAY_MS, ZONE);
    const startsOn = `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
    // Bad dates refused on the field
    expect(await submitPointsProgram(OTHER, { intent: "previewStart", startsOn: "2026-02-30" }, { now })).toMatchObject(
      {
        ok: false,
        issues: [{ path: ["startsAt"], key: "points.startsAt.invalid" }],
      },
    );
    const tomorrow = localDateAt(clock.now() + 2 * DAY_MS, ZONE);
    const future = `${tomorrow.year}-${String(tomorrow.month).padStart(2, "0")}-${String(tomorrow.day).padStart(2, "0")}`;
    expect(await submitPointsProgram(OTHER, { intent: "applyStart", startsOn: future }, { now })).toMatchObject({
      ok: false,
      issues: [{ key: "points.startsAt.future" }],
    });

    const previewed = await submitPointsProgram(OTHER, { intent: "previewStart", startsOn }, { now });
    expect(previewed).toMatchObject({
      ok: true,
      preview: { customers: 1, affected: 1, before: { earned: 0 }, after: { earned: 120 } },
    });
    expect(await prisma.pointsEntry.count({ where: { shop: OTHER } })).toBe(0); // a preview writes nothing
    const direct = await previewPointsStart(OTHER, new Date(localDayStart(d, ZONE)), { now });
    expect(direct?.after.earned).toBe(120);

    const queue = testQueue({ now });
    const firstShop = await journal(SHOP);
    const applied = await submitPointsProgram(OTHER, { intent: "applyStart", startsOn }, { now, queue });
    expect(applied).toEqual({
      intent: "applyStart",
      ok: true,
      startsAt: new Date(localDayStart(d, ZONE)).toISOString(),
      appended: 1,
    });
    expect((await journal(OTHER)).map((e) => [e.customerId, e.sourceKey, e.points])).toEqual([
      [cy.id, expect.stringMatching(new RegExp(`^order:${order.id}:v`)), 120],
    ]);
    expect((await pointsProgramPage(OTHER))!.startsOn).toBe(startsOn);
    // The first shop's journal is untouched by the other's start
    expect(await journal(SHOP)).toEqual(firstShop);
  });

  it("an order from before the programme start counts for the tier a later order was placed in", async () => {
    const sim = env.shopify.admin;
    const programme = (await pointsProgramme(SHOP))!;
    const di = sim.createCustomer(SHOP, { firstName: "Di", email: "di@earning.example" });
    // 260.00 two days before the start (Silver from 250.00), then 50.00 now: 50 × 2 (Silver ×2) = 100
    sim.placeOrder(SHOP, {
      customerId: di.id,
      total: "260.00",
      processedAt: new Date(programme.startsAt - 2 * DAY_MS).toISOString(),
    });
    clock.advance(60_000);
    const later = sim.placeOrder(SHOP, { customerId: di.id, total: "50.00" });
    await env.shopify.webhooks.drain();
    await runJobs();
    const version = programme.versions.at(-1)!.version;
    expect(await keysOf(di.id)).toEqual([
      ["bonus:signup", "bonus", 50],
      [`order:${later.id}:v${version}`, "order", 100],
      ["bonus:first-order", "bonus", 100],
    ]);
    // A caller that passes the ledger's orders alone (no customer facts) reaches the same journal: nothing to append
    const ledger = (await pointsLedgers(SHOP, [di.id], new Date(programme.startsAt))).get(di.id)!;
    const held = (await journalsOf(SHOP, [di.id])).get(di.id)!;
    expect(journalAppends(held, targetEntries(ledger.orders, programme, clock.now(), { held }))).toEqual([]);
  });

  it("reads birth dates again when the birthday metafield changes, and not when a save keeps it", async () => {
    const queue = testQueue({ now });
    await runJobs();
    const page = (await pointsProgramPage(SHOP))!;
    expect(page.form.birthdayPoints).toBe("200");
    // Saved with the same metafield: only the shop pass is queued
    expect(await submitPointsProgram(SHOP, { intent: "save", rules: page.form }, { now, queue })).toMatchObject({
      ok: true,
    });
    expect(await jobRows(SHOP, { kind: POINTS_BIRTHDAYS, state: "queued" })).toHaveLength(0);
    await runJobs();
    // Another metafield: the birthdays job is queued, and reads that one
    const di = (await prisma.customer.findFirstOrThrow({ where: { shop: SHOP, firstName: "Di" } })).id;
    birthDateMetafield(SHOP, di, "1985-07-04", "custom", "birthday");
    const form = { ...page.form, birthdayMetafield: "custom.birthday" };
    expect(await submitPointsProgram(SHOP, { intent: "save", rules: form }, { now, queue })).toMatchObject({
      ok: true,
    });
    expect(await jobRows(SHOP, { kind: POINTS_BIRTHDAYS, state: "queued" })).toHaveLength(1);
    await runJobs();
    expect(
      await prisma.customerBirthday.findUnique({ where: { shop_customerId: { shop: SHOP, customerId: di } } }),
    ).toMatchObject({
      month: 7,
      day: 4,
      year: 1985,
      source: "metafield",
    });
  });
});
