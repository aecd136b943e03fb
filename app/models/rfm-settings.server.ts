// The shop's RFM settings: analysis window (null: all history, the default) and segment display-name overrides.
import { prisma } from "../db.server";
import { DEFAULT_RFM_SETTINGS, type RfmSettingsValues } from "../domain/recompute";

export { DEFAULT_RFM_SETTINGS, type RfmSettingsValues };

export async function getRfmSettings(shop: string): Promise<RfmSettingsValues> {
  const row = await prisma.rfmSettings.findUnique({ where: { shop } });
  if (!row) return { ...DEFAULT_RFM_SETTINGS, segmentNames: {} };
  return { windowDays: row.windowDays, segmentNames: JSON.parse(row.segmentNames) as Record<string, string> };
}

/** Saves settings already checked with validateRfmSettings. */
export async function saveRfmSettings(shop: string, settings: RfmSettingsValues): Promise<void> {
  const data = { windowDays: settings.windowDays, segmentNames: JSON.stringify(settings.segmentNames) };
  await prisma.rfmSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
}
