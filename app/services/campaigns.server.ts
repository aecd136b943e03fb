// Campaign use cases: the merchant's create / edit / pause / resume / archive, the run that finds each active
// campaign's new audience (holdout decided per customer, cooldown respected) and delivers the offers, and the report
// of what a campaign earned (app/domain/campaign-stats.ts) with its recipients as CSV.
import { randomBytes } from "node:crypto";
import type { AdminClient } from "../shopify/client";
import {
  CAMPAIGN_TEMPLATES,
  campaignCode,
  campaignFormValues,
  campaignTemplate,
  cooledDown,
  dueToday,
  inHoldout,
  isTierUp,
  offerExpiresAt,
  validateCampaign,
  type CampaignDefinition,
  type CampaignFormInput,
  type CampaignIssue,
  type CampaignStatus,
  type CampaignTemplate,
} from "../domain/campaigns";
import { campaignStats, type CampaignStats } from "../domain/campaign-stats";
import {
  activeCampaigns,
  addRecipients,
  campaignMembers,
  customersInSegments,
  firstOrderCustomersSince,
  getCampaign,
  lapsedCustomers,
  lastAssignments,
  listCampaigns,
  markCampaignRun,
  memberCounts,
  memberOrders,
  setCampaignStatus,
  tierMovesSince,
  updateCampaign,
  type Campaign,
  type NewRecipient,
} from "../models/campaigns.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getRfmSettings } from "../models/rfm-settings.server";
import { isShopActive } from "../models/shop.server";
import { enqueueCampaigns } from "../jobs/contracts";
import { getQueue } from "../jobs/runtime.server";
import { deliverCampaignOffers, type DeliveryResult } from "./campaign-delivery.server";
import { csvLines } from "./export.server";
import { applyCampaignLineMode, checkCampaignLineMode, releaseCampaignLine } from "./campaign-line.server";
import { insightCustomers, predictionContext, productChoices, productTypeChoices } from "../models/insights.server";
import { customerGroups, signupCustomers } from "../models/campaign-signups.server";
import { withdrawSpentFirstOrderCodes } from "./campaign-first-order.server";
import { consentingOnly } from "./campaign-signups.server";
import { campaignGroupReport, type CampaignGroupReport } from "./campaign-groups.server";
import {
  abTestReport,
  endCampaignTest,
  fixedOfferIssues,
  createCampaignWithTest,
  validateAbInput,
  variantAssigner,
  variantFormInput,
  type AbTestReport,
} from "./campaign-ab.server";
import type { VariantFormInput } from "../domain/campaign-variants";

const DAY_MS = 86_400_000;

export type { Campaign };

// ---- The merchant's edits --------------------------------------------------------------------------------------

export type CampaignSave = { ok: true; campaign: Campaign } | { ok: false; issues: CampaignIssue[] };

async function validate(shop: string, input: CampaignFormInput) {
  const [currency, { program }] = await Promise.all([shopCurrency(shop), getActiveTierProgram(shop)]);
  return validateCampaign(input, { currency, tierKeys: program.tiers.map((t) => t.key) });
}

export async function createCampaignFromForm(
  shop: string,
  input: CampaignFormInput & VariantFormInput,
  now = new Date(),
): Promise<CampaignSave> {
  const checked = await validate(shop, input);
  // A/B test: variant B's offer, checked like the main one (campaign-ab.server.ts); every error shown at once.
  const ab = await validateAbInput(shop, input, checked.ok ? checked.campaign.offer : null);
  if (!checked.ok || !ab.ok)
    return { ok: false, issues: [...(checked.ok ? [] : checked.issues), ...(ab.ok ? [] : ab.issues)] };
  return { ok: true, campaign: await createCampaignWithTest(shop, checked.campaign, ab.variantB, now) };
}

/** Null when the shop has no such campaign (the route answers 404). */
export async function updateCampaignFromForm(
  shop: string,
  id: string,
  input: CampaignFormInput,
): Promise<CampaignSave | null> {
  const existing = await getCampaign(shop, id);
  if (!existing) return null;
  const checked = await validate(shop, input);
  if (!checked.ok) return checked;
  // An A/B test's offers and window are fixed (campaign-ab.server.ts)
  const fixed = await fixedOfferIssues(shop, existing, checked.campaign.offer);
  if (fixed.length) return { ok: false, issues: fixed };
  const campaign = await updateCampaign(shop, id, checked.campaign);
  return campaign ? { ok: true, campaign } : null;
}

export async function changeCampaignStatus(shop: string, id: string, status: CampaignStatus): Promise<boolean> {
  return setCampaignStatus(shop, id, status);
}

/** A template's starting values in the shop's currency. */
export async function templateDefinition(shop: string, template: CampaignTemplate): Promise<CampaignDefinition> {
  const currency = await shopCurrency(shop);
  if (template === "custom") return { ...campaignTemplate("win_back", currency), name: "", template: "custom" };
  return campaignTemplate(template, currency);
}

export { getCampaign, listCampaigns, memberCounts };

// ---- The run ---------------------------------------------------------------------------------------------------

/** Who matches the campaign's audience now (before cooldown and holdout). */
async function audienceNow(shop: string, campaign: Campaign, now: Date, tierOrder: string[]): Promise<string[]> {
  const a = campaign.audience;
  switch (a.kind) {
    case "segment":
      return customersInSegments(shop, a.segments, {
        enteredSince: campaign.includeExisting ? null : campaign.startedAt,
      });
    case "tier_up": {
      const moves = await tierMovesSince(shop, campaign.startedAt);
      return [...new Set(moves.filter((m) => isTierUp(a, tierOrder, m.from, m.to)).map((m) => m.customerId))].sort();
    }
    case "first_order":
      return firstOrderCustomersSince(shop, campaign.startedAt);
    case "days_since_last_order": {
      const threshold = new Date(now.getTime() - a.days * DAY_MS);
      // Without existing customers: only those who crossed the threshold after the campaign began.
      const after = campaign.includeExisting ? null : new Date(campaign.startedAt.getTime() - a.days * DAY_MS);
      const lapsed = await lapsedCustomers(shop, { lastOrderBefore: threshold, lastOrderAfter: after });
      // Once per lapse: someone assigned after their last order must order again first.
      const last = await lastAssignments(shop, campaign.id);
      return lapsed
        .filter((c) => {
          const at = last.get(c.customerId);
          return !at || (c.lastOrderAt !== null && at < c.lastOrderAt);
        })
        .map((c) => c.customerId);
    }
    case "insight":
      // Everyone who matches now (a shop without predictions: nobody for the prediction-based ones).
      return insightCustomers(shop, a.insight, await predictionContext(shop), now);
    case "signup": {
      // Everyone already welcomed within the cooldown is skipped before their orders are read (with "include
      // existing", every run would otherwise look at every customer's orders).
      const last = await lastAssignments(shop, campaign.id);
      return signupCustomers(shop, campaign.includeExisting ? null : campaign.startedAt, {
        skip: (id) => !cooledDown(last.get(id) ?? null, campaign.cooldownDays, now),
      });
    }
  }
}

/** Assigns the campaign's new audience at `now`: holdout or a fresh code each. Returns the assignments made. */
export async function assignCampaign(
  shop: string,
  campaign: Campaign,
  now: Date,
  tierOrder: string[],
  { client }: { client?: AdminClient } = {},
): Promise<NewRecipient[]> {
  const matching = await audienceNow(shop, campaign, now, tierOrder);
  const last = await lastAssignments(shop, campaign.id);
  // A subscribers-only sign-up campaign asks Shopify for the consent of those it is about to choose.
  const fresh = await consentingOnly(
    campaign,
    matching.filter((id) => cooledDown(last.get(id) ?? null, campaign.cooldownDays, now)),
    client,
  );
  const expiresAt = offerExpiresAt(campaign.offer, now);
  // Who they are when chosen (the report's breakdown by segment and tier).
  const groups = await customerGroups(shop, fresh);
  const variantOf = await variantAssigner(shop, campaign);
  const recipients = fresh.map((customerId): NewRecipient => {
    const holdout = inHoldout(campaign.id, customerId, campaign.holdoutPercent);
    return {
      customerId,
      holdout,
      code: holdout ? null : campaignCode(campaign.codePrefix, randomBytes),
      expiresAt: holdout ? null : expiresAt,
      segment: groups.get(customerId)?.segment ?? null,
      tier: groups.get(customerId)?.tier ?? null,
      variant: holdout ? null : variantOf(customerId),
    };
  });
  await addRecipients(shop, campaign.id, now, recipients);
  return recipients;
}

export interface CampaignRunResult extends DeliveryResult {
  campaigns: number;
  assigned: number;
  heldOut: number;
  /** First-order-only codes withdrawn because the first order came without them. */
  withdrawn: number;
}

/** One run for the shop: every due active campaign assigns its new audience, then every waiting offer is delivered. */
export async function runCampaigns(
  shop: string,
  { client, now = () => new Date() }: { client: AdminClient; now?: () => Date },
): Promise<CampaignRunResult> {
  const campaigns = await activeCampaigns(shop);
  const { program } = await getActiveTierProgram(shop);
  const tierOrder = program.tiers.map((t) => t.key);
  let assigned = 0;
  let heldOut = 0;
  for (const campaign of campaigns) {
    const at = now();
    if (!dueToday(campaign.schedule, campaign.lastRunAt, at)) continue;
    const made = await assignCampaign(shop, campaign, at, tierOrder, { client });
    assigned += made.filter((r) => !r.holdout).length;
    heldOut += made.filter((r) => r.holdout).length;
    await markCampaignRun(shop, campaign.id, at);
  }
  const { withdrawn } = await withdrawSpentFirstOrderCodes(shop, { client, now });
  const delivery = await deliverCampaignOffers(shop, campaigns, { client, currency: await shopCurrency(shop), now });
  return { campaigns: campaigns.length, assigned, heldOut, withdrawn, ...delivery };
}

/** The `campaigns` job's work: a run of the shop's campaigns, none for a shop that left (null: no access any more). */
export async function runShopCampaigns(
  shop: string,
  { clientFor, now }: { clientFor(shop: string): Promise<AdminClient>; now?: () => Date },
): Promise<CampaignRunResult | null> {
  if (!(await isShopActive(shop))) return null;
  return runCampaigns(shop, { client: await clientFor(shop), now });
}

// ---- The report ------------------------------------------------------------------------------------------------

export interface CampaignReport {
  campaign: Campaign;
  currency: string;
  stats: CampaignStats;
  /** Who responds: the figures per segment and per tier (when chosen), and for sign-ups the first-order measure. */
  groups: CampaignGroupReport;
  /** The A/B test's report (null: no variants), docs/campaigns.md "A/B tests". */
  ab: AbTestReport | null;
  waiting: number;
  failed: number;
  /** Recipients with their codes and whether they redeemed, newest first (the page shows the first ones). */
  recipients: {
    customerId: string;
    holdout: boolean;
    assignedAt: Date;
    code: string | null;
    expiresAt: Date | null;
    issued: boolean;
    failure: string | null;
    redeemed: boolean;
    /** The A/B test variant (null: holdout or no test). */
    variant: string | null;
  }[];
}

export async function campaignReport(shop: string, id: string): Promise<CampaignReport | null> {
  const campaign = await getCampaign(shop, id);
  if (!campaign) return null;
  const [members, currency] = await Promise.all([campaignMembers(shop, id), shopCurrency(shop)]);
  // Observed members: holdout customers and recipients whose code Shopify confirmed.
  const observed = members.filter((m) => m.holdout || m.issuedAt !== null);
  const since = new Date(observed.reduce((min, m) => Math.min(min, m.assignedAt.getTime()), Date.now()));
  const orders = observed.length
    ? await memberOrders(
        shop,
        observed.map((m) => m.customerId),
        since,
      )
    : [];
  const codes = new Set(observed.flatMap((m) => (m.code ? [m.code] : [])));
  const parsed = orders.map((o) => ({
    customerId: o.customerId,
    processedAt: o.processedAt.getTime(),
    valueMinor: Number(o.valueMinor),
    discountMinor: Number(o.discountMinor),
    discountCodes: JSON.parse(o.discountCodes) as string[],
  }));
  const stats = campaignStats(
    observed.map((m) => ({
      customerId: m.customerId,
      holdout: m.holdout,
      assignedAt: m.assignedAt.getTime(),
      code: m.code,
    })),
    parsed,
    { windowDays: campaign.offer.expiryDays, codes },
  );
  const groups = await campaignGroupReport(shop, campaign, observed, parsed, codes);
  const ab = await abTestReport(
    shop,
    campaign,
    observed.map((m) => ({ ...m, assignedAt: m.assignedAt.getTime() })),
    parsed,
  );
  const redeemedCodes = new Set(parsed.flatMap((o) => o.discountCodes.map((c) => c.toLowerCase())));
  const recipients = members
    .map((m) => ({
      customerId: m.customerId,
      holdout: m.holdout,
      assignedAt: m.assignedAt,
      code: m.code,
      expiresAt: m.expiresAt,
      issued: m.issuedAt !== null,
      failure: m.issuedAt === null ? m.failure : null,
      redeemed: m.code !== null && m.issuedAt !== null && redeemedCodes.has(m.code.toLowerCase()),
      variant: m.variant,
    }))
    .reverse();
  return {
    campaign,
    currency,
    stats,
    groups,
    ab,
    waiting: members.filter((m) => !m.holdout && m.issuedAt === null && m.failure === null).length,
    failed: members.filter((m) => !m.holdout && m.issuedAt === null && m.failure !== null).length,
    recipients,
  };
}

// ---- The admin's pages -----------------------------------------------------------------------------------------

/** What the form needs besides the campaign: the shop's currency, segment names and tiers. */
async function formContext(shop: string) {
  const [currency, rfm, { program }] = await Promise.all([
    shopCurrency(shop),
    getRfmSettings(shop),
    getActiveTierProgram(shop),
  ]);
  const [products, productTypes, predictions] = await Promise.all([
    productChoices(shop),
    productTypeChoices(shop),
    predictionContext(shop),
  ]);
  return {
    currency,
    segmentNames: rfm.segmentNames,
    tiers: program.tiers.map((t) => ({ key: t.key, name: t.name })),
    /** What an insight audience can be about: the shop's products and product types, and whether predictions exist. */
    insightChoices: {
      products: products.map((p) => ({ id: p.id, title: p.title ?? p.id })),
      productTypes,
      predictions: { available: predictions.available, reason: predictions.reason },
    },
  };
}

function serialise(c: Campaign) {
  return {
    ...c,
    startedAt: c.startedAt.toISOString(),
    lastRunAt: c.lastRunAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** The campaigns list: every campaign (archived ones apart) with its counts. */
export async function campaignsPage(shop: string, { archived = false } = {}) {
  const [campaigns, counts, context] = await Promise.all([
    listCampaigns(shop, { archived }),
    memberCounts(shop),
    formContext(shop),
  ]);
  return {
    ...context,
    archived,
    campaigns: campaigns.map((c) => ({
      ...serialise(c),
      counts: counts.get(c.id) ?? { issued: 0, waiting: 0, holdout: 0 },
    })),
  };
}

/** A new campaign's form, from a template (custom when the template is unknown). */
export async function newCampaignPage(shop: string, templateParam: string | null) {
  const template = (CAMPAIGN_TEMPLATES as readonly string[]).includes(templateParam ?? "")
    ? (templateParam as CampaignTemplate)
    : "custom";
  const context = await formContext(shop);
  return { ...context, values: campaignFormValues(await templateDefinition(shop, template), context.currency) };
}

/** An existing campaign: its form values and its report. Null when the shop has no such campaign. */
export async function campaignPage(shop: string, id: string) {
  const report = await campaignReport(shop, id);
  if (!report) return null;
  const context = await formContext(shop);
  return {
    ...context,
    campaign: serialise(report.campaign),
    values: campaignFormValues(report.campaign, context.currency),
    stats: report.stats,
    groups: report.groups,
    ab: report.ab,
    waiting: report.waiting,
    failed: report.failed,
    recipientCount: report.recipients.length,
    recipients: report.recipients
      .slice(0, RECIPIENTS_SHOWN)
      .map((r) => ({ ...r, assignedAt: r.assignedAt.toISOString(), expiresAt: r.expiresAt?.toISOString() ?? null })),
  };
}
export const RECIPIENTS_SHOWN = 50;

export type CampaignFormResult =
  | { ok: true; intent: string; id: string }
  | { ok: false; intent: string; issues: CampaignIssue[] };

function formInput(form: FormData): CampaignFormInput {
  const get = (k: string) => form.get(k) ?? undefined;
  return {
    name: get("name"),
    template: get("template"),
    audienceKind: get("audienceKind"),
    segments: form.getAll("segments"),
    tiers: form.getAll("tiers"),
    days: get("days"),
    insight: get("insight"),
    insightProduct: get("insightProduct"),
    insightProductType: get("insightProductType"),
    signupMarketingOnly: get("signupMarketingOnly"),
    includeExisting: get("includeExisting"),
    schedule: get("schedule"),
    offerKind: get("offerKind"),
    offerValue: get("offerValue"),
    minimumSubtotal: get("minimumSubtotal"),
    expiryDays: get("expiryDays"),
    holdoutPercent: get("holdoutPercent"),
    cooldownDays: get("cooldownDays"),
    codePrefix: get("codePrefix"),
  };
}

/**
 * The form's actions: save (create when `id` is null), pause, resume, archive. Null when the shop has no such
 * campaign. A saved or resumed campaign queues a run so its audience is reached within seconds.
 */
export async function submitCampaign(
  shop: string,
  id: string | null,
  form: FormData,
  { queue = getQueue(), now = new Date() } = {},
): Promise<CampaignFormResult | null> {
  const intent = String(form.get("intent") ?? "save");
  if (intent === "save") {
    // The LINE option (campaign-line.server.ts) is checked first: when it is refused nothing is saved, and the
    // campaign's own errors are shown with it.
    const line = await checkCampaignLineMode(shop, form.get("lineMode"), {
      campaignId: id,
      variantB: form.get("variantB"),
    });
    if (!line.ok) {
      if (id !== null && !(await getCampaign(shop, id))) return null;
      const own = await validate(shop, formInput(form));
      return { ok: false, intent, issues: [...(own.ok ? [] : own.issues), ...line.issues] };
    }
    const saved =
      id === null
        ? await createCampaignFromForm(shop, { ...formInput(form), ...variantFormInput(form) }, now)
        : await updateCampaignFromForm(shop, id, formInput(form));
    if (saved === null) return null;
    if (!saved.ok) return { ok: false, intent, issues: saved.issues };
    await applyCampaignLineMode(shop, saved.campaign.id, line.mode);
    if (saved.campaign.status === "active") await enqueueCampaigns(queue, shop, "manual");
    return { ok: true, intent, id: saved.campaign.id };
  }
  if (intent === "end_test") return id === null ? null : endCampaignTest(shop, id, form.get("winner"), { queue, now });
  const status = ({ pause: "paused", resume: "active", archive: "archived" } as const)[
    intent as "pause" | "resume" | "archive"
  ];
  if (id === null || status === undefined)
    return { ok: false, intent, issues: [{ path: ["intent"], key: "unknown_action", message: "Unknown action." }] };
  if (!(await changeCampaignStatus(shop, id, status))) return null;
  if (status === "active") {
    await enqueueCampaigns(queue, shop, "manual");
    // LINE messages that waited while it was paused go now (docs/line-sending.md).
    await releaseCampaignLine(shop, id, queue, now);
  }
  return { ok: true, intent, id };
}

export const RECIPIENT_CSV_COLUMNS = [
  "customer_id",
  "group",
  // The A/B test variant whose offer the code carries (empty: holdout, or no test)
  "variant",
  "assigned_at",
  "code",
  "expires_at",
  "issued",
  "redeemed",
  "failure",
] as const;

/** Every member of the campaign as CSV (recipients with their codes, and the holdout), for the merchant's email tool. */
export async function recipientsCsv(shop: string, id: string): Promise<{ name: string; csv: string } | null> {
  const report = await campaignReport(shop, id);
  if (!report) return null;
  const rows = [...report.recipients]
    .reverse()
    .map((r) => [
      r.customerId,
      r.holdout ? "holdout" : "recipient",
      r.variant ?? "",
      r.assignedAt.toISOString(),
      r.code ?? "",
      r.expiresAt?.toISOString() ?? "",
      r.issued ? "yes" : "no",
      r.redeemed ? "yes" : "no",
      r.failure ?? "",
    ]);
  const slug =
    report.campaign.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "campaign";
  return {
    name: `campaign-${slug}-${shop.replace(".myshopify.com", "")}.csv`,
    csv: csvLines([[...RECIPIENT_CSV_COLUMNS], ...rows]),
  };
}
