// The points import screen and the rewards catalogue in real Chromium, against a backfilled shop of the local Shopify:
// a Smile.io export uploaded as a file, its dry run (customers found, the lines not imported and why) writing nothing,
// then imported (one import entry per customer, by the staff member), the journal downloaded; a file over the limit
// refused with a clear message. Rewards: a bad value refused under its field, then a valid reward listed, deactivated.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "points-import-page.myshopify.com";
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];

beforeAll(async () => {
  ({ url } = await startScoredShop(SHOP, { seed: 47, customers: 30, asOf: new Date("2026-11-01T00:00:00.000Z") }));
});

const importEntries = () =>
  prisma.pointsEntry.findMany({ where: { shop: SHOP, sourceKey: { startsWith: "import:" } } });

describe("Points import screen", () => {
  it("uploads a Smile.io export, shows the dry run, imports it once, and exports the journal", async () => {
    const customers = await prisma.customer.findMany({
      where: { shop: SHOP, deletedAt: null, email: { not: null } },
      orderBy: { id: "asc" },
      take: 3,
    });
    expect(customers).toHaveLength(3);
    const smile = [
      "Customer Name,Email,Customer Status,Birth Date,Points Balance,VIP Tier Name,Referrals",
      `First,${customers[0].email!.toUpperCase()},member,,1250,Gold,2`,
      `Second,${customers[1].email},member,,300,,0`,
      `Third,${customers[2].email},member,,75,,0`,
      "Stranger,nobody-here@example.net,member,,40,,0",
      `Decimal,${customers[0].email},member,,12.5,,0`,
    ].join("\n");

    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/points/import"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Import points" }).count()).toBeGreaterThan(0);
    expect(await page.getByText("No file has been checked yet.").count()).toBe(1);

    await page.setInputFiles("#points-import-file", {
      name: "smile-export.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(smile),
    });
    await page.getByRole("button", { name: "Check the file" }).click();
    await expect.poll(() => page.getByText("Dry run of smile-export.csv").count()).toBe(1);
    const total = (label: string) =>
      page
        .getByRole("row", { name: new RegExp(`^${label}`) })
        .getByRole("cell")
        .last();
    // Line 6 names the first customer again (refused, with its decimal); so is line 2: two customers found
    expect(await total("Customers found in this shop").textContent()).toBe("2");
    expect(await total("Customers not found").textContent()).toBe("1");
    expect(await page.getByText(/Customer not found/).count()).toBe(1);
    expect(await page.getByText(/Invalid points “12\.5”/).count()).toBe(1);
    expect(await page.getByText(/Same customer twice/).count()).toBeGreaterThan(0);
    // The dry run wrote nothing to the journal
    expect(await importEntries()).toEqual([]);
    await page.screenshot({ path: "docs/screenshots/points-import-en.png", fullPage: true });

    await page.getByRole("button", { name: "Import", exact: true }).click();
    await expect.poll(() => page.getByText("2 customers got points (375 points).").count()).toBe(1);
    const entries = await importEntries();
    expect(entries.map((e) => [e.customerId, Number(e.points), e.kind, e.sourceKey]).sort()).toEqual(
      [
        [customers[1].id, 300, "import", "import:smile"],
        [customers[2].id, 75, "import", "import:smile"],
      ].sort(),
    );
    expect(entries.every((e) => e.actor?.startsWith("staff") && e.note?.includes("smile-export.csv"))).toBe(true);
    // The past imports list shows it as imported
    await expect.poll(() => page.getByRole("cell", { name: "Imported", exact: true }).count()).toBe(1);

    // The journal, downloaded as the merchant does (through App Bridge's authenticated fetch)
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Journal CSV" }).click();
    const file = await (await download).path();
    const journal = readFileSync(file!, "utf8");
    expect(journal.split("\n")[0]).toBe(
      "customer_id,kind,points,source_key,rule_version,effective_at,available_at,order_id,refund_id,note,actor,created_at,expires_at",
    );
    expect(journal).toContain(`${customers[1].id},import,300,import:smile,0,`);

    // The same file again: found, and nothing to add
    await page.setInputFiles("#points-import-file", {
      name: "smile-export.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(smile),
    });
    await page.getByRole("button", { name: "Check the file" }).click();
    await expect.poll(() => page.getByText(/Importing gives 2 customers .*: 0 points in all/).count()).toBe(1);

    // Over the size limit: refused with a clear message, nothing stored
    const imports = await prisma.pointsImport.count({ where: { shop: SHOP } });
    await page.setInputFiles("#points-import-file", {
      name: "huge.csv",
      mimeType: "text/csv",
      buffer: Buffer.alloc(6 * 1024 * 1024, "a"),
    });
    await page.getByRole("button", { name: "Check the file" }).click();
    await expect.poll(() => page.getByText(/The file is larger than 5 MB/).count()).toBe(1);
    expect(await prisma.pointsImport.count({ where: { shop: SHOP } })).toBe(imports);
    expect(refused).toEqual([413]);
    expect(errors).toEqual([]);
  });
});

describe("Rewards catalogue", () => {
  it("refuses a bad value under its field, then creates the reward, lists it and deactivates it", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/rewards"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Rewards", exact: true }).count()).toBeGreaterThan(0);
    expect(await page.getByText(/No rewards yet/).count()).toBe(1);

    await page.getByLabel("Title", { exact: true }).fill("$5 off your next order");
    await page.getByLabel("Points price").fill("500");
    await page.getByLabel("Value", { exact: true }).fill("5.005");
    await page.getByLabel("Redemptions per customer").fill("1");
    await page.getByRole("button", { name: "Create reward" }).click();
    await expect.poll(() => page.getByText("Enter an amount in USD, like 5.00.").count()).toBe(1);
    expect(
      await page.getByText("A limit per customer needs both a number of redemptions and a period in days.").count(),
    ).toBe(1);
    expect(await prisma.reward.count({ where: { shop: SHOP } })).toBe(0);

    await page.getByLabel("Value", { exact: true }).fill("5");
    await page.getByLabel("In any period of").fill("30");
    await page.getByRole("button", { name: "Create reward" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "$5 off your next order" }).count()).toBe(1);
    expect(await page.getByText("1 per customer every 30 days").count()).toBe(1);
    const [reward] = await prisma.reward.findMany({ where: { shop: SHOP } });
    expect({ ...reward, valueMinor: Number(reward.valueMinor) }).toMatchObject({
      kind: "amount_off",
      pointsPrice: 500,
      valueMinor: 500,
      limitPerCustomer: 1,
      limitPeriodDays: 30,
      active: true,
    });
    await page.screenshot({ path: "docs/screenshots/rewards-en.png", fullPage: true });

    await page.getByRole("button", { name: "Deactivate $5 off your next order" }).click();
    await expect
      .poll(() => page.getByRole("button", { name: "Activate $5 off your next order", exact: true }).count())
      .toBe(1);
    expect((await prisma.reward.findFirstOrThrow({ where: { shop: SHOP } })).active).toBe(false);
    expect(refused).toEqual([400]);
    expect(errors).toEqual([]);
  });
});

describe("in English and Thai", () => {
  const PAGES = [
    { name: "points-import", path: "/app/points/import", heading: { en: "Import points", th: "นำเข้าแต้ม" } },
    { name: "rewards", path: "/app/rewards", heading: { en: "Rewards", th: "ของรางวัล" } },
  ] as const;
  for (const locale of ["en", "th"] as const)
    for (const p of PAGES)
      it(`${p.name} (${locale}) renders and has no serious accessibility violation`, async () => {
        const { page, errors } = await newPage(locale === "th" ? "th-TH" : "en-US");
        await page.goto(url(p.path, { locale }), { waitUntil: "networkidle" });
        await expect.poll(() => page.getByText(p.heading[locale], { exact: true }).count()).toBeGreaterThan(0);
        await page.screenshot({ path: `tmp/screenshots/pages/${p.name}-${locale}.png`, fullPage: true });
        expect(await seriousViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      });
});
