// The shop's tier programme, versioned: saving writes the next version and the highest one is active. A shop that
// never saved one runs on defaultTierProgram(its currency, its language), reported as version 0.
import { defaultTierProgram } from "../domain/tier-rules";
import type { TierProgram } from "../domain/tiers";
import { prisma } from "../db.server";
import { shopCurrency } from "./shop-currency.server";
import { shopLocale } from "./shop.server";

export interface ActiveTierProgram {
  version: number;
  program: TierProgram;
  /** True for the built-in default (nothing saved yet). */
  isDefault: boolean;
}

export async function getActiveTierProgram(shop: string): Promise<ActiveTierProgram> {
  const row = await prisma.tierProgramVersion.findFirst({ where: { shop }, orderBy: { version: "desc" } });
  if (row) return { version: row.version, program: JSON.parse(row.program) as TierProgram, isDefault: false };
  const [currency, locale] = await Promise.all([shopCurrency(shop), shopLocale(shop)]);
  return { version: 0, program: defaultTierProgram(currency, locale), isDefault: true };
}

/**
 * Saves `program` (already validated with validateTierProgram) as the shop's next version and returns it. Two
 * concurrent saves cannot both take the same number: the (shop, version) key refuses the second, which retries.
 */
export async function saveTierProgramVersion(shop: string, program: TierProgram): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const latest = await prisma.tierProgramVersion.findFirst({
      where: { shop },
      orderBy: { version: "desc" },
      select: { version: true },
    });
    const version = (latest?.version ?? 0) + 1;
    try {
      await prisma.tierProgramVersion.create({ data: { shop, version, program: JSON.stringify(program) } });
      return version;
    } catch (error) {
      if (attempt < 3 && (error as { code?: string }).code === "P2002") continue;
      throw error;
    }
  }
}

export function listTierProgramVersions(shop: string) {
  return prisma.tierProgramVersion.findMany({
    where: { shop },
    orderBy: { version: "desc" },
    select: { version: true, createdAt: true },
  });
}
