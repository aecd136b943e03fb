// The shop's points rules, versioned like the tier programme (tier-program.server.ts): saving writes the next version.
// Each row also carries the programme start; the newest row's holds. A shop without a row runs on version 0 (the
// defaults) from its install time (docs/rules.md#points-rules).
import { prisma } from "../db.server";
import { DEFAULT_POINTS_RULES, withRuleDefaults, type PointsRules, type PointsRulesVersion } from "../domain/points";

export interface StoredPointsRules {
  /** Saved versions, oldest first. */
  versions: PointsRulesVersion[];
  /** The newest version's programme start; null when nothing is saved. */
  startsAt: Date | null;
  /** The newest version's rules, or the defaults. */
  active: { version: number; rules: PointsRules };
}

export async function getPointsRules(shop: string): Promise<StoredPointsRules> {
  const rows = await prisma.pointsRulesVersion.findMany({ where: { shop }, orderBy: { version: "asc" } });
  const versions = rows.map((r) => ({
    version: r.version,
    effectiveFrom: r.effectiveFrom.getTime(),
    // Rules saved before a field existed read with its default (bonuses off, tiers ×1)
    rules: withRuleDefaults(JSON.parse(r.rules) as Partial<PointsRules>),
  }));
  const newest = rows.at(-1);
  return {
    versions,
    startsAt: newest?.startsAt ?? null,
    active: newest ? versions.at(-1)! : { version: 0, rules: withRuleDefaults(DEFAULT_POINTS_RULES) },
  };
}

/**
 * Saves `rules` (already validated with validatePointsRules) as the shop's next version; returns its number. Two
 * concurrent saves cannot take the same number: the (shop, version) key refuses the second, which retries. With
 * `onlyIfNone`, saves only when the shop has no version yet (and returns null otherwise).
 */
export async function savePointsRulesVersion(
  shop: string,
  { rules, effectiveFrom, startsAt }: { rules: PointsRules; effectiveFrom: Date; startsAt: Date },
  { onlyIfNone = false }: { onlyIfNone?: boolean } = {},
): Promise<number | null> {
  for (let attempt = 0; ; attempt++) {
    const latest = await prisma.pointsRulesVersion.findFirst({
      where: { shop },
      orderBy: { version: "desc" },
      select: { version: true },
    });
    if (latest && onlyIfNone) return null;
    const version = (latest?.version ?? 0) + 1;
    try {
      await prisma.pointsRulesVersion.create({
        data: { shop, version, rules: JSON.stringify(rules), effectiveFrom, startsAt },
      });
      return version;
    } catch (error) {
      if (attempt < 3 && (error as { code?: string }).code === "P2002") continue;
      throw error;
    }
  }
}
