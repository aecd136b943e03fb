// The admin's settings: what is written back to Shopify (tag prefixes, outputs, names), the RFM analysis window, the
// clean-up of everything the app wrote, and the last computation the CSV export reads. Bad input comes back as
// issues for the form, never a 500; a change that moves customers queues its recompute, a change of outputs a sync.
import { validateSyncSettings, type SyncSettingsIssue } from "../domain/sync";
import type { RfmSettingsIssue } from "../domain/recompute";
import { getQueue } from "../jobs/runtime.server";
import { enqueueSync, enqueueSyncCleanup } from "../jobs/contracts";
import { getShopComputation } from "../models/customer-state.server";
import { getRfmSettings } from "../models/rfm-settings.server";
import { getSyncSettings, saveSyncSettings } from "../models/sync.server";
import { saveRfmSettings } from "./rule-changes.server";
import { syncStatus } from "./status.server";

export async function settingsPage(shop: string) {
  const [sync, rfm, computation, status] = await Promise.all([
    getSyncSettings(shop),
    getRfmSettings(shop),
    getShopComputation(shop),
    syncStatus(shop),
  ]);
  return {
    sync,
    windowDays: rfm.windowDays,
    /** The moment the stored states describe: the CSV export of the admin reads them as of it. */
    computedAsOf: computation?.asOf.toISOString() ?? null,
    cleanup: {
      pending: status.pending + status.inFlight > 0,
      lastRun: status.lastRun?.reason === "cleanup" ? status.lastRun.status : null,
    },
  };
}

export type SettingsResult =
  | { intent: "sync" | "rfm"; ok: false; issues: (SyncSettingsIssue | RfmSettingsIssue)[] }
  | { intent: "sync"; ok: true }
  | { intent: "rfm"; ok: true; recompute: boolean }
  | { intent: "cleanup"; ok: true };

export async function submitSettings(shop: string, form: FormData): Promise<SettingsResult> {
  const intent = form.get("intent");
  if (intent === "cleanup") {
    await enqueueSyncCleanup(getQueue(), shop);
    return { intent: "cleanup", ok: true };
  }
  if (intent === "rfm") {
    const raw = String(form.get("windowDays") ?? "").trim();
    const windowDays = raw === "" || raw === "all" ? null : /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
    const { segmentNames } = await getRfmSettings(shop);
    const saved = await saveRfmSettings(shop, {
      windowDays: Number.isNaN(windowDays) ? raw : windowDays,
      segmentNames,
    });
    return saved.ok
      ? { intent: "rfm", ok: true, recompute: saved.recompute }
      : { intent: "rfm", ok: false, issues: saved.issues };
  }
  const on = (name: string) => form.get(name) === "on";
  // A tag type switched on needs its prefix (blank would mean off).
  const missing = (["rfm", "tier", "insight"] as const).filter(
    (k) => on(`${k}Tags`) && String(form.get(`${k}Prefix`) ?? "").trim() === "",
  );
  if (missing.length) {
    return {
      intent: "sync",
      ok: false,
      issues: missing.map((k) => ({
        path: [`${k}Prefix`],
        key: "sync.prefix.required",
        message: "Enter a prefix, or switch these tags off.",
      })),
    };
  }
  const validation = validateSyncSettings({
    rfmPrefix: on("rfmTags") ? String(form.get("rfmPrefix") ?? "") : "",
    tierPrefix: on("tierTags") ? String(form.get("tierPrefix") ?? "") : "",
    insightPrefix: on("insightTags") ? String(form.get("insightPrefix") ?? "") : "",
    metafields: on("metafields"),
    segments: on("segments"),
    codes: on("codes"),
    segmentNamePrefix: String(form.get("segmentNamePrefix") ?? ""),
    codePrefix: String(form.get("codePrefix") ?? ""),
  });
  if (!validation.ok) return { intent: "sync", ok: false, issues: validation.issues };
  await saveSyncSettings(shop, validation.settings);
  await enqueueSync(getQueue(), shop, "settings");
  return { intent: "sync", ok: true };
}
