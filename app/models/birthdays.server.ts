// Customers' birth dates for the birthday bonus (CustomerBirthday): one row per shop and customer, from the
// merchant's metafield or the shopper (app/domain/birthdays.ts decides which may replace which).
import { prisma } from "../db.server";
import { mayReplaceBirthday, type BirthDate, type BirthdaySource } from "../domain/birthdays";

export interface HeldBirthday extends BirthDate {
  customerId: string;
  source: BirthdaySource;
  updatedAt: Date;
}

const held = (row: {
  customerId: string;
  month: number;
  day: number;
  year: number | null;
  source: string;
  updatedAt: Date;
}): HeldBirthday => ({ ...row, source: row.source as BirthdaySource });

export async function getBirthday(shop: string, customerId: string): Promise<HeldBirthday | null> {
  const row = await prisma.customerBirthday.findUnique({ where: { shop_customerId: { shop, customerId } } });
  return row && held(row);
}

/** The held birth dates of these customers (those without one are absent). */
export async function birthdaysOf(shop: string, customerIds: readonly string[]): Promise<Map<string, HeldBirthday>> {
  const out = new Map<string, HeldBirthday>();
  for (let i = 0; i < customerIds.length; i += 500) {
    const rows = await prisma.customerBirthday.findMany({
      where: { shop, customerId: { in: customerIds.slice(i, i + 500) } },
    });
    for (const row of rows) out.set(row.customerId, held(row));
  }
  return out;
}

/**
 * Records a birth date from `source` when the rules allow it (mayReplaceBirthday); returns whether it was written.
 * Writing the same date again changes nothing and reports true. Serialised per customer by the row's key: a
 * shopper's concurrent first submissions create one row, the second is refused.
 */
export async function setBirthday(
  shop: string,
  customerId: string,
  date: BirthDate,
  source: BirthdaySource,
): Promise<boolean> {
  const current = await getBirthday(shop, customerId);
  const same = current && current.month === date.month && current.day === date.day && current.year === date.year;
  if (same && (current.source === source || source === "shopper")) return true;
  if (!mayReplaceBirthday(current, source)) return false;
  const data = { month: date.month, day: date.day, year: date.year, source };
  if (current === null) {
    try {
      await prisma.customerBirthday.create({ data: { shop, customerId, ...data } });
      return true;
    } catch (error) {
      // Someone else created it first: decide again against what they wrote.
      if ((error as { code?: string }).code !== "P2002") throw error;
      return setBirthday(shop, customerId, date, source);
    }
  }
  await prisma.customerBirthday.update({ where: { shop_customerId: { shop, customerId } }, data });
  return true;
}

/** Forgets a metafield-sourced date the merchant cleared (a shopper's stays). */
export async function clearMetafieldBirthday(shop: string, customerId: string): Promise<void> {
  await prisma.customerBirthday.deleteMany({ where: { shop, customerId, source: "metafield" } });
}
