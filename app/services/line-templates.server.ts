// The LINE message templates editor (docs/line-messages.md): what the page shows (each event's switch, both
// templates, whether they were changed, the shop's context for the live preview) and its save / restore actions.
// A template is checked before anything is written: one bad field and nothing of that event is saved.
import {
  isLineEvent,
  LINE_EVENTS,
  LINE_LOCALES,
  shopDisplayName,
  tierHeaderColour,
  validateTemplate,
  type LineEvent,
  type ShopContext,
  type Template,
  type TemplateIssue,
} from "../domain/line-messages";
import {
  customisedEvents,
  lineConnected,
  lineTemplates,
  resetLineTemplate,
  saveLineTemplate,
  type LineTemplateSetting,
} from "../models/channel-templates.server";
import { getShop } from "../models/shop.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getActiveTierProgram } from "../models/tier-program.server";

export interface TemplatesPageData {
  connected: boolean;
  shop: ShopContext;
  /** The tier the preview's member holds (its name in tier news; its colour is shop.tierColour). */
  previewTier: { key: string; name: string } | null;
  events: { event: LineEvent; custom: boolean; setting: LineTemplateSetting }[];
}

/**
 * The shop as messages show it (the same context the sender builds), for the preview, and the preview's member: one
 * of the programme's second-highest tier (Gold in the default programme), in that tier's colour — its own when the
 * programme sets one, else its palette colour — and named as the programme names it in tier news.
 */
export async function previewShopContext(
  shop: string,
): Promise<{ context: ShopContext; tier: { key: string; name: string } | null }> {
  const [row, currencyCode, { program }] = await Promise.all([
    getShop(shop),
    shopCurrency(shop),
    getActiveTierProgram(shop),
  ]);
  const previewTier = program.tiers[Math.max(0, program.tiers.length - 2)];
  return {
    context: {
      shopName: shopDisplayName(shop, row?.name),
      shopUrl: `https://${shop}`,
      loyaltyUrl: `https://${shop}/apps/loyalty`,
      currencyCode,
      timeZone: row?.timezone ?? "UTC",
      tierColour: tierHeaderColour(program.tiers, previewTier?.key),
    },
    tier: previewTier ? { key: previewTier.key, name: previewTier.name } : null,
  };
}

export async function templatesPage(shop: string): Promise<TemplatesPageData> {
  const [settings, custom, connected, preview] = await Promise.all([
    lineTemplates(shop),
    customisedEvents(shop),
    lineConnected(shop),
    previewShopContext(shop),
  ]);
  return {
    connected,
    shop: preview.context,
    previewTier: preview.tier,
    events: LINE_EVENTS.map((event) => ({ event, custom: custom.includes(event), setting: settings[event] })),
  };
}

export type TemplateFieldName = `${"en" | "th"}.${keyof Template}`;
export type SaveTemplateResult =
  | { ok: true }
  | { ok: false; reason: "unknown_event" }
  | { ok: false; errors: Partial<Record<TemplateFieldName, TemplateIssue[]>> };

const text = (v: unknown) => (typeof v === "string" ? v.replace(/\r\n/g, "\n") : "");

/** Saves one event's switch and its English and Thai templates, or answers every problem and saves nothing. */
export async function saveTemplateForm(shop: string, event: unknown, input: Record<string, unknown>) {
  if (!isLineEvent(event)) return { ok: false, reason: "unknown_event" } as SaveTemplateResult;
  const read = (locale: "en" | "th"): Template => ({
    title: text(input[`${locale}.title`]),
    body: text(input[`${locale}.body`]),
    button: text(input[`${locale}.button`]),
  });
  const setting: LineTemplateSetting = {
    enabled: input.enabled === "on" || input.enabled === "true",
    en: read("en"),
    th: read("th"),
  };
  const errors: Partial<Record<TemplateFieldName, TemplateIssue[]>> = {};
  for (const locale of LINE_LOCALES) {
    for (const issue of validateTemplate(event, setting[locale])) {
      (errors[`${locale}.${issue.field}`] ??= []).push(issue);
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors } as SaveTemplateResult;
  await saveLineTemplate(shop, event, setting);
  return { ok: true } as SaveTemplateResult;
}

/** Back to the built-in templates (and the default switch) for one event. */
export async function restoreDefaults(shop: string, event: unknown): Promise<SaveTemplateResult> {
  if (!isLineEvent(event)) return { ok: false, reason: "unknown_event" };
  await resetLineTemplate(shop, event);
  return { ok: true };
}
