// What the app's LINE messages say and look like (docs/line-messages.md): per event a merchant-editable template
// (title, body, button label, each with {placeholders}) in English and Thai, rendered into one Flex Message bubble
// with the shop's name on the member's tier colour, the text, and a button to the shop or the loyalty page.
// Pure: no I/O, no clock; dates are formatted in the shop's time zone (Thai dates in the Buddhist era, as Thai
// readers expect), money in minor units with the shop's currency.
import { contrastWithBlack, contrastWithWhite, isHexColour, carriesWhiteText } from "./colour";
import { fromMinorUnits, isKnownCurrency } from "./money";

export const LINE_EVENTS = [
  "campaign-offer",
  "tier-reached",
  "tier-expiring",
  "points-earned",
  "points-expiring",
  "reward-redeemed",
] as const;
export type LineEvent = (typeof LINE_EVENTS)[number];
export type Locale = "en" | "th";
export const LINE_LOCALES: readonly Locale[] = ["en", "th"];

export const isLineEvent = (value: unknown): value is LineEvent =>
  typeof value === "string" && (LINE_EVENTS as readonly string[]).includes(value);

/** What a message is about; ENGINE reads these facts from the ledger. Money in minor units (bigint), dates as Date. */
export type EventFacts =
  | {
      event: "campaign-offer";
      code: string | null;
      expiresAt: Date | null;
      offer:
        | { kind: "percentage"; percent: number }
        | { kind: "amount"; amountMinor: bigint }
        | { kind: "free-shipping" };
    }
  | { event: "tier-reached"; tierName: string; tierKey: string }
  | { event: "tier-expiring"; tierName: string; tierKey: string; expiresAt: Date }
  | { event: "points-earned"; points: bigint; balance: bigint }
  | { event: "points-expiring"; points: bigint; expiresAt: Date }
  | { event: "reward-redeemed"; rewardName: string; code: string | null; expiresAt: Date | null };

export interface ShopContext {
  shopName: string;
  shopUrl: string;
  loyaltyUrl: string;
  currencyCode: string;
  timeZone: string;
  tierColour: string | null;
}

/** A template: each field may hold {placeholders} from PLACEHOLDERS[event]. */
export interface Template {
  title: string;
  body: string;
  button: string;
}

/** The placeholders each event offers (any field may use them). */
export const PLACEHOLDERS: Record<LineEvent, readonly string[]> = {
  "campaign-offer": ["shop", "offer", "code", "expires"],
  "tier-reached": ["shop", "tier"],
  "tier-expiring": ["shop", "tier", "expires"],
  "points-earned": ["shop", "points", "balance"],
  "points-expiring": ["shop", "points", "expires"],
  "reward-redeemed": ["shop", "reward", "code", "expires"],
};

/** The placeholders a template must use (in its title or body): without them the message loses its point. */
export const REQUIRED_PLACEHOLDERS: Record<LineEvent, readonly string[]> = {
  "campaign-offer": ["offer", "code"],
  "tier-reached": ["tier"],
  "tier-expiring": ["tier", "expires"],
  "points-earned": ["points"],
  "points-expiring": ["points", "expires"],
  "reward-redeemed": ["reward"],
};

/**
 * Lengths, in characters as LINE counts them (UTF-16 code units for text, grapheme clusters for action labels).
 * Template limits are checked when the merchant saves; rendered values are clipped to LINE's own limits at render.
 */
export const TEMPLATE_LIMITS = { title: 80, body: 600, button: 20 } as const;
export const LINE_LIMITS = {
  /** Flex Message altText. LINE allows 1,500; kept to 400 so that notifications and chat lists show it whole. */
  altText: 400,
  /** Action label, in grapheme clusters (how LINE counts labels): 20, the action object's documented maximum. */
  actionLabel: 20,
  /** URI action. */
  uri: 1000,
  /** JSON of one bubble, bytes. */
  bubbleBytes: 30_000,
} as const;

/** Header and button colour when the member has no tier: a darker LINE green, so that white text on it reads at a
 *  contrast of 4.5:1 or more (WCAG AA; LINE draws a primary button's label in white). */
export const DEFAULT_HEADER_COLOUR = "#04853A";

/**
 * Tier colours by the tier's place in the programme (lowest first): bronze, silver, gold, platinum — each dark enough
 * for white text at 4.5:1 or more (carriesWhiteText, ./colour.ts). A programme with n tiers spreads them over the
 * palette so that its top tier is always platinum and its first always bronze. A tier with a colour of its own in the
 * programme (Tier.colour) uses that instead: see tierHeaderColour.
 */
export const TIER_PALETTE = ["#A0522D", "#5F6B73", "#86650A", "#2F3A4A"] as const;
export function tierColour(index: number, tierCount: number): string | null {
  if (!Number.isInteger(index) || !Number.isInteger(tierCount) || index < 0 || index >= tierCount) return null;
  if (tierCount === 1) return TIER_PALETTE[TIER_PALETTE.length - 1];
  const at = Math.round((index * (TIER_PALETTE.length - 1)) / (tierCount - 1));
  return TIER_PALETTE[at];
}

/**
 * The header colour of a member of tier `key`: the tier's own colour when the programme sets one (validated on save
 * to carry white text; a stored colour that does not is ignored rather than sent), else the palette colour of its
 * place. Null when the key is not in the programme (the default header colour then applies).
 */
export function tierHeaderColour(
  tiers: readonly { key: string; colour?: string | null }[],
  key: string | null | undefined,
): string | null {
  if (!key) return null;
  const index = tiers.findIndex((t) => t.key === key);
  if (index < 0) return null;
  const own = tiers[index].colour;
  if (isHexColour(own) && carriesWhiteText(own)) return own.toUpperCase();
  return tierColour(index, tiers.length);
}

// --- defaults -------------------------------------------------------------------------------------------------

const DEFAULTS: Record<LineEvent, Record<Locale, Template>> = {
  "campaign-offer": {
    en: {
      title: "A gift for you: {offer}",
      body: "Thank you for shopping with {shop}. Use code {code} at checkout for {offer}. Valid until {expires}.",
      button: "Shop now",
    },
    th: {
      title: "ของขวัญสำหรับคุณ: {offer}",
      body: "ขอบคุณที่อุดหนุน {shop} นะคะ ใช้โค้ด {code} ตอนชำระเงินเพื่อรับ{offer} ใช้ได้ถึง {expires} ค่ะ",
      button: "ช้อปเลย",
    },
  },
  "tier-reached": {
    en: {
      title: "Welcome to {tier}!",
      body: "Congratulations! You are now a {tier} member of {shop}. Your new benefits are waiting for you.",
      button: "See my benefits",
    },
    th: {
      title: "ยินดีต้อนรับสู่ระดับ {tier}",
      body: "ยินดีด้วยค่ะ ตอนนี้คุณเป็นสมาชิกระดับ {tier} ของ {shop} แล้ว สิทธิพิเศษใหม่รอคุณอยู่นะคะ",
      button: "ดูสิทธิพิเศษ",
    },
  },
  "tier-expiring": {
    en: {
      title: "Keep your {tier} status",
      body: "Your {tier} status with {shop} ends on {expires}. Shop before then to keep your benefits.",
      button: "Check my status",
    },
    th: {
      title: "รักษาระดับ {tier} ของคุณไว้",
      body: "สถานะสมาชิกระดับ {tier} ของคุณที่ {shop} จะสิ้นสุดในวันที่ {expires} ช้อปก่อนวันนั้นเพื่อรักษาสิทธิพิเศษไว้นะคะ",
      button: "ดูสถานะของฉัน",
    },
  },
  "points-earned": {
    en: {
      title: "You earned {points} points",
      body: "Thank you for your order at {shop}! {points} points have been added. Your balance is now {balance} points.",
      button: "See my points",
    },
    th: {
      title: "คุณได้รับ {points} คะแนน",
      body: "ขอบคุณสำหรับคำสั่งซื้อที่ {shop} ค่ะ เราได้เพิ่ม {points} คะแนนให้คุณแล้ว ตอนนี้คุณมีคะแนนสะสม {balance} คะแนน",
      button: "ดูคะแนนของฉัน",
    },
  },
  "points-expiring": {
    en: {
      title: "{points} points expire soon",
      body: "{points} of your points with {shop} expire on {expires}. Use them for a reward before they are gone.",
      button: "Use my points",
    },
    th: {
      title: "{points} คะแนนใกล้หมดอายุแล้ว",
      body: "คะแนนสะสม {points} คะแนนของคุณที่ {shop} จะหมดอายุในวันที่ {expires} อย่าลืมแลกเป็นของรางวัลก่อนนะคะ",
      button: "ใช้คะแนนของฉัน",
    },
  },
  "reward-redeemed": {
    en: {
      title: "Your reward: {reward}",
      body: "You redeemed {reward} at {shop}. Your code is {code}, valid until {expires}.",
      button: "Use my reward",
    },
    th: {
      title: "ของรางวัลของคุณ: {reward}",
      body: "คุณได้แลก {reward} ที่ {shop} เรียบร้อยแล้วค่ะ โค้ดของคุณคือ {code} ใช้ได้ถึง {expires}",
      button: "ใช้ของรางวัล",
    },
  },
};

export function defaultTemplate(event: LineEvent, locale: Locale): Template {
  return { ...DEFAULTS[event][locale] };
}

// --- validation (on save) --------------------------------------------------------------------------------------

export type TemplateField = keyof Template;
export type TemplateIssue =
  | { field: TemplateField; kind: "empty" }
  | { field: TemplateField; kind: "too-long"; max: number }
  | { field: TemplateField; kind: "unknown-placeholder"; placeholder: string }
  | { field: TemplateField; kind: "unbalanced-brace" }
  | { field: "body"; kind: "missing-placeholder"; placeholder: string };

const TOKEN = /\{([^{}]*)\}/g;

/** The placeholders a text uses, in order, with duplicates. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(TOKEN)].map((m) => m[1]);
}

/**
 * What is wrong with a template for an event (empty when it may be saved): empty or too-long fields, placeholders the
 * event does not offer, stray braces, and required placeholders used in neither the title nor the body.
 */
export function validateTemplate(event: LineEvent, template: Template): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const allowed = PLACEHOLDERS[event];
  for (const field of ["title", "body", "button"] as const) {
    const text = template[field];
    if (text.trim() === "") {
      issues.push({ field, kind: "empty" });
      continue;
    }
    if (text.length > TEMPLATE_LIMITS[field]) issues.push({ field, kind: "too-long", max: TEMPLATE_LIMITS[field] });
    if (/[{}]/.test(text.replace(TOKEN, ""))) issues.push({ field, kind: "unbalanced-brace" });
    const unknown = new Set(placeholdersIn(text).filter((p) => !allowed.includes(p)));
    for (const placeholder of unknown) issues.push({ field, kind: "unknown-placeholder", placeholder });
  }
  const used = new Set([...placeholdersIn(template.title), ...placeholdersIn(template.body)]);
  for (const placeholder of REQUIRED_PLACEHOLDERS[event]) {
    if (!used.has(placeholder)) issues.push({ field: "body", kind: "missing-placeholder", placeholder });
  }
  return issues;
}

// --- formatting -------------------------------------------------------------------------------------------------

const INTL_LOCALE: Record<Locale, string> = { en: "en-US", th: "th-TH" };

/**
 * A date in the shop's time zone: "December 6, 2026" in English; "6 ธันวาคม 2569" in Thai (th-TH's default
 * calendar is the Buddhist one, year + 543, which is what Thai shoppers read on receipts and coupons).
 */
export function formatDate(date: Date, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    timeZone,
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(date);
}

/** Exact money from minor units: "฿1,250.00", "$12.50", "¥1,200"; the decimal string is never a float. */
export function formatMoney(minor: bigint, currencyCode: string, locale: Locale): string {
  if (!isKnownCurrency(currencyCode)) return `${fromMinorUnits(minor, "USD")} ${currencyCode}`;
  const decimal = fromMinorUnits(minor, currencyCode);
  const format = new Intl.NumberFormat(INTL_LOCALE[locale], {
    style: "currency",
    currency: currencyCode,
    currencyDisplay: "narrowSymbol",
  });
  // Intl formats a decimal string exactly (no binary float in between).
  return format.format(decimal as unknown as number);
}

export function formatCount(n: bigint, locale: Locale): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale]).format(n);
}

const WORDS: Record<
  Locale,
  { percentOff: string; amountOff: string; freeShipping: string; noCode: string; noExpiry: string }
> = {
  en: {
    percentOff: "{n}% off",
    amountOff: "{amount} off",
    freeShipping: "free shipping",
    noCode: "(see your loyalty page)",
    noExpiry: "the date on your loyalty page",
  },
  th: {
    percentOff: "ส่วนลด {n}%",
    amountOff: "ส่วนลด {amount}",
    freeShipping: "ส่งฟรี",
    noCode: "(ดูได้ในหน้าสมาชิก)",
    noExpiry: "วันที่แสดงในหน้าสมาชิก",
  },
};

function offerText(offer: Extract<EventFacts, { event: "campaign-offer" }>["offer"], locale: Locale, currency: string) {
  const w = WORDS[locale];
  if (offer.kind === "percentage") return w.percentOff.replace("{n}", String(offer.percent));
  if (offer.kind === "amount") return w.amountOff.replace("{amount}", formatMoney(offer.amountMinor, currency, locale));
  return w.freeShipping;
}

/** The value of each placeholder for these facts. */
export function placeholderValues(facts: EventFacts, locale: Locale, shop: ShopContext): Record<string, string> {
  const w = WORDS[locale];
  const date = (d: Date | null) => (d ? formatDate(d, locale, shop.timeZone) : w.noExpiry);
  const values: Record<string, string> = { shop: shop.shopName };
  switch (facts.event) {
    case "campaign-offer":
      values.offer = offerText(facts.offer, locale, shop.currencyCode);
      values.code = facts.code ?? w.noCode;
      values.expires = date(facts.expiresAt);
      break;
    case "tier-reached":
      values.tier = facts.tierName;
      break;
    case "tier-expiring":
      values.tier = facts.tierName;
      values.expires = date(facts.expiresAt);
      break;
    case "points-earned":
      values.points = formatCount(facts.points, locale);
      values.balance = formatCount(facts.balance, locale);
      break;
    case "points-expiring":
      values.points = formatCount(facts.points, locale);
      values.expires = date(facts.expiresAt);
      break;
    case "reward-redeemed":
      values.reward = facts.rewardName;
      values.code = facts.code ?? w.noCode;
      values.expires = date(facts.expiresAt);
      break;
  }
  return values;
}

/** Replaces {placeholders} by their values; a placeholder without a value stays as written (never at send time:
 *  validateTemplate refuses such templates on save). */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(TOKEN, (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : whole));
}

/** At most `max` UTF-16 code units, not splitting a grapheme cluster (Thai vowels and tone marks stay on their
 *  consonant), with "…" when clipped. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = "";
  for (const { segment } of new Intl.Segmenter("th", { granularity: "grapheme" }).segment(text)) {
    if (out.length + segment.length > max - 1) break;
    out += segment;
  }
  return `${out}…`;
}

/** At most `max` grapheme clusters (how LINE counts action labels). */
export function clipGraphemes(text: string, max: number): string {
  const segments = [...new Intl.Segmenter("th", { granularity: "grapheme" }).segment(text)].map((s) => s.segment);
  return segments.length <= max ? text : `${segments.slice(0, max - 1).join("")}…`;
}

/** Black or white text, whichever reads better on the background (WCAG relative luminance, ./colour.ts). */
export function textColourOn(background: string): string {
  return contrastWithWhite(background) >= contrastWithBlack(background) ? "#FFFFFF" : "#111111";
}

function buttonUri(facts: EventFacts, shop: ShopContext): string {
  // A code the shopper can use at once goes in Shopify's /discount/<code> link, which applies it to the cart; without
  // a code (a multicast announcement, a tier or points message) the button opens the loyalty page.
  const code = facts.event === "campaign-offer" || facts.event === "reward-redeemed" ? facts.code : null;
  if (code) {
    const uri = `${shop.shopUrl.replace(/\/+$/, "")}/discount/${encodeURIComponent(code)}`;
    if (uri.length <= LINE_LIMITS.uri) return uri;
  }
  return shop.loyaltyUrl;
}

/** The rendered texts of a message (what the preview shows and the bubble carries). */
export interface RenderedText {
  title: string;
  body: string;
  button: string;
  altText: string;
  uri: string;
  headerColour: string;
}

export function renderText(facts: EventFacts, template: Template, locale: Locale, shop: ShopContext): RenderedText {
  const values = placeholderValues(facts, locale, shop);
  const title = clipText(fillTemplate(template.title, values).trim(), 200);
  const body = clipText(fillTemplate(template.body, values).trim(), 2000);
  const button = clipGraphemes(fillTemplate(template.button, values).trim(), LINE_LIMITS.actionLabel);
  const altText = clipText(`${title}\n${body}`, LINE_LIMITS.altText);
  const headerColour = isHexColour(shop.tierColour) ? shop.tierColour.toUpperCase() : DEFAULT_HEADER_COLOUR;
  return { title, body, button, altText, uri: buttonUri(facts, shop), headerColour };
}

/** The LINE message objects (one Flex Message with altText) for one recipient, valid for the Messaging API. */
export function renderLineMessages(facts: EventFacts, template: Template, locale: Locale, shop: ShopContext): object[] {
  const r = renderText(facts, template, locale, shop);
  const onHeader = textColourOn(r.headerColour);
  const bubble = {
    type: "bubble",
    size: "mega",
    header: {
      type: "box",
      layout: "vertical",
      backgroundColor: r.headerColour,
      paddingAll: "16px",
      contents: [
        {
          type: "text",
          text: clipText(shop.shopName.trim() || "—", 100),
          color: onHeader,
          weight: "bold",
          size: "sm",
          wrap: true,
          maxLines: 2,
        },
      ],
    },
    body: {
      type: "box",
      layout: "vertical",
      spacing: "md",
      contents: [
        { type: "text", text: r.title, weight: "bold", size: "lg", wrap: true },
        { type: "text", text: r.body, size: "sm", color: "#333333", wrap: true },
      ],
    },
    footer: {
      type: "box",
      layout: "vertical",
      contents: [
        {
          type: "button",
          style: "primary",
          color: r.headerColour,
          action: { type: "uri", label: r.button, uri: r.uri },
        },
      ],
    },
  };
  return [{ type: "flex", altText: r.altText, contents: bubble }];
}

/**
 * Example facts for the template editor's preview (a date `at` is passed in: the domain has no clock); tier news is
 * about `tier` (the editor passes the shop's preview tier; Gold without one).
 */
export function sampleFacts(
  event: LineEvent,
  at: Date,
  tier: { key: string; name: string } = { key: "gold", name: "Gold" },
): EventFacts {
  const in30Days = new Date(at.getTime() + 30 * 86_400_000);
  switch (event) {
    case "campaign-offer":
      return { event, code: "THANKS-7QX2KD9MZP", expiresAt: in30Days, offer: { kind: "percentage", percent: 15 } };
    case "tier-reached":
      return { event, tierName: tier.name, tierKey: tier.key };
    case "tier-expiring":
      return { event, tierName: tier.name, tierKey: tier.key, expiresAt: in30Days };
    case "points-earned":
      return { event, points: 120n, balance: 1450n };
    case "points-expiring":
      return { event, points: 300n, expiresAt: in30Days };
    case "reward-redeemed":
      return { event, rewardName: "Free tote bag", code: "REWARD-4HG7PQ", expiresAt: in30Days };
  }
}

/**
 * The shop's name as messages show it: Shopify's shop name (Shop.name, read with the shop's settings), or, until it
 * has been read, the store handle of its myshopify.com domain ("bai-cha.myshopify.com" → "bai-cha").
 */
export function shopDisplayName(shopDomain: string, name?: string | null): string {
  const given = name?.trim();
  return given ? given : shopDomain.replace(/\.myshopify\.com$/, "");
}
