// LINE message templates and the Flex renderer (docs/line-messages.md): every event × locale renders a push body the
// local LINE's validator (LINE's vendored OpenAPI description) accepts, placeholders are replaced, dates are in the
// shop's time zone (Thai in the Buddhist era), money is exact, LINE's limits hold, and bad templates are refused.
import { describe, expect, it } from "vitest";
import {
  LINE_EVENTS,
  LINE_LIMITS,
  LINE_LOCALES,
  PLACEHOLDERS,
  REQUIRED_PLACEHOLDERS,
  TIER_PALETTE,
  defaultTemplate,
  formatMoney,
  placeholdersIn,
  renderLineMessages,
  renderText,
  sampleFacts,
  shopDisplayName,
  textColourOn,
  tierColour,
  tierHeaderColour,
  validateTemplate,
  type EventFacts,
  type LineEvent,
  type ShopContext,
} from "../../app/domain/line-messages";
import { carriesWhiteText, contrastWithWhite } from "../../app/domain/colour";
import { lineMessagingSpec } from "../../simulator/line/index";

const shop: ShopContext = {
  shopName: "ร้านใบชา Bai Cha",
  shopUrl: "https://bai-cha.myshopify.com",
  loyaltyUrl: "https://bai-cha.myshopify.com/apps/loyalty",
  currencyCode: "THB",
  timeZone: "Asia/Bangkok",
  tierColour: "#B8860B",
};
// 2026-12-31 18:30 UTC is 1 January 2027 01:30 in Bangkok: the date must be the shop's, not UTC's.
const late = new Date(Date.UTC(2026, 11, 31, 18, 30));

const FACTS: Record<LineEvent, EventFacts> = {
  "campaign-offer": {
    event: "campaign-offer",
    code: "THANKS-7QX2KD9MZP",
    expiresAt: late,
    offer: { kind: "amount", amountMinor: 12_550n },
  },
  "tier-reached": { event: "tier-reached", tierName: "Gold ทอง", tierKey: "gold" },
  "tier-expiring": { event: "tier-expiring", tierName: "Gold ทอง", tierKey: "gold", expiresAt: late },
  "points-earned": { event: "points-earned", points: 1250n, balance: 12_345_678n },
  "points-expiring": { event: "points-expiring", points: 300n, expiresAt: late },
  "reward-redeemed": { event: "reward-redeemed", rewardName: "฿100 off", code: "RW-ABC123", expiresAt: late },
};

function validPush(messages: object[]): string[] {
  return lineMessagingSpec().validateComponent("PushMessageRequest", {
    to: `U${"a".repeat(32)}`,
    messages,
  } as never);
}

describe("renderLineMessages", () => {
  for (const event of LINE_EVENTS) {
    for (const locale of LINE_LOCALES) {
      it(`${event} / ${locale}: one Flex bubble LINE accepts, every placeholder replaced, within LINE's limits`, () => {
        const template = defaultTemplate(event, locale);
        expect(validateTemplate(event, template)).toEqual([]);
        const messages = renderLineMessages(FACTS[event], template, locale, shop);
        expect(messages).toHaveLength(1);
        expect(validPush(messages)).toEqual([]);
        const json = JSON.stringify(messages[0]);
        expect(json).not.toMatch(/\{(shop|offer|code|expires|tier|points|balance|reward)\}/);
        expect(Buffer.byteLength(JSON.stringify((messages[0] as { contents: object }).contents))).toBeLessThan(
          LINE_LIMITS.bubbleBytes,
        );
        const m = messages[0] as {
          type: string;
          altText: string;
          contents: {
            header: { backgroundColor: string; contents: { text: string }[] };
            footer: { contents: { action: { label: string; uri: string } }[] };
          };
        };
        expect(m.type).toBe("flex");
        expect(m.altText.length).toBeLessThanOrEqual(LINE_LIMITS.altText);
        expect(m.contents.header.contents[0].text).toBe(shop.shopName);
        expect(m.contents.header.backgroundColor).toBe("#B8860B");
        const action = m.contents.footer.contents[0].action;
        expect(
          [...new Intl.Segmenter("th", { granularity: "grapheme" }).segment(action.label)].length,
        ).toBeLessThanOrEqual(LINE_LIMITS.actionLabel);
        expect(action.uri).toMatch(/^https:\/\//);
        if (locale === "th") expect(m.altText).toMatch(/[\u0E00-\u0E7F]/);
      });
    }
  }

  it("fills the campaign offer in English: exact money, the code, the shop-time-zone date, a link that applies the code", () => {
    const r = renderText(FACTS["campaign-offer"], defaultTemplate("campaign-offer", "en"), "en", shop);
    expect(r.title).toBe("A gift for you: ฿125.50 off");
    expect(r.body).toContain("Use code THANKS-7QX2KD9MZP at checkout for ฿125.50 off.");
    expect(r.body).toContain("Valid until January 1, 2027.");
    expect(r.uri).toBe("https://bai-cha.myshopify.com/discount/THANKS-7QX2KD9MZP");
  });

  it("fills it in Thai: Thai month, Buddhist-era year, baht sign, Thai text intact", () => {
    const template = defaultTemplate("campaign-offer", "th");
    const r = renderText(FACTS["campaign-offer"], template, "th", shop);
    expect(r.title).toBe("ของขวัญสำหรับคุณ: ส่วนลด ฿125.50");
    expect(r.body).toContain("ใช้ได้ถึง 1 มกราคม 2570 ค่ะ");
    expect(r.body).toContain("ร้านใบชา Bai Cha");
    expect(r.body.normalize("NFC")).toBe(r.body);
  });

  it("numbers and points are grouped per locale; a percentage and free shipping read naturally", () => {
    const r = renderText(FACTS["points-earned"], defaultTemplate("points-earned", "en"), "en", shop);
    expect(r.body).toContain("Your balance is now 12,345,678 points.");
    const pct: EventFacts = {
      event: "campaign-offer",
      code: "X1",
      expiresAt: null,
      offer: { kind: "percentage", percent: 15 },
    };
    expect(renderText(pct, defaultTemplate("campaign-offer", "th"), "th", shop).title).toBe(
      "ของขวัญสำหรับคุณ: ส่วนลด 15%",
    );
    const ship: EventFacts = { event: "campaign-offer", code: "X1", expiresAt: null, offer: { kind: "free-shipping" } };
    expect(renderText(ship, defaultTemplate("campaign-offer", "en"), "en", shop).title).toBe(
      "A gift for you: free shipping",
    );
  });

  it("multicast (no code): the code reads as the loyalty page's, the button opens the loyalty page", () => {
    const facts: EventFacts = {
      event: "campaign-offer",
      code: null,
      expiresAt: null,
      offer: { kind: "percentage", percent: 10 },
    };
    const r = renderText(facts, defaultTemplate("campaign-offer", "en"), "en", shop);
    expect(r.body).toContain("Use code (see your loyalty page) at checkout for 10% off.");
    expect(r.body).toContain("Valid until the date on your loyalty page.");
    expect(r.uri).toBe(shop.loyaltyUrl);
    expect(validPush(renderLineMessages(facts, defaultTemplate("campaign-offer", "th"), "th", shop))).toEqual([]);
  });

  it("money is exact beyond float precision and follows the currency's decimals", () => {
    expect(formatMoney(900_719_925_474_099_312n, "THB", "en")).toBe("฿9,007,199,254,740,993.12");
    expect(formatMoney(1200n, "JPY", "en")).toBe("¥1,200");
    expect(formatMoney(1250n, "USD", "th")).toBe("$12.50");
  });

  it("clips long shop data to LINE's limits without splitting a Thai character", () => {
    const longShop = { ...shop, shopName: "ร้านค้า".repeat(100), tierColour: null };
    const facts: EventFacts = { event: "tier-reached", tierName: "ทองคำ".repeat(200), tierKey: "gold" };
    const template = { title: "{tier}", body: "{tier} {tier} {tier}", button: "ดู{tier}" };
    const messages = renderLineMessages(facts, template, "th", longShop);
    expect(validPush(messages)).toEqual([]);
    const m = messages[0] as {
      altText: string;
      contents: { header: { backgroundColor: string }; footer: { contents: { action: { label: string } }[] } };
    };
    expect(m.altText.length).toBeLessThanOrEqual(LINE_LIMITS.altText);
    expect(m.altText.endsWith("…")).toBe(true);
    expect(m.contents.header.backgroundColor).toBe("#04853A");
    const label = m.contents.footer.contents[0].action.label;
    expect([...new Intl.Segmenter("th", { granularity: "grapheme" }).segment(label)]).toHaveLength(
      LINE_LIMITS.actionLabel,
    );
    // the character before "…" is a whole grapheme (not a dangling vowel/tone mark)
    expect(
      /[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]…$/.test(m.altText)
        ? /.[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]+…$/u.test(m.altText)
        : true,
    ).toBe(true);
  });

  it("a malformed colour falls back to the default; header text is black or white by contrast", () => {
    const r = renderText(FACTS["tier-reached"], defaultTemplate("tier-reached", "en"), "en", {
      ...shop,
      tierColour: "red",
    });
    expect(r.headerColour).toBe("#04853A");
    expect(textColourOn("#FFFF00")).toBe("#111111");
    expect(textColourOn("#2F3A4A")).toBe("#FFFFFF");
    // every palette colour (and the default) carries white text at WCAG AA: the rule a tier's own colour meets too
    for (const colour of [...TIER_PALETTE, "#04853A"]) {
      expect(carriesWhiteText(colour)).toBe(true);
      expect(textColourOn(colour)).toBe("#FFFFFF");
    }
    // the rule's figures: white on white 1:1, on black 21:1; WCAG's own example #767676 is the lightest grey at 4.5
    expect(contrastWithWhite("#FFFFFF")).toBeCloseTo(1, 5);
    expect(contrastWithWhite("#000000")).toBeCloseTo(21, 5);
    expect(carriesWhiteText("#767676")).toBe(true);
    expect(carriesWhiteText("#777777")).toBe(false);
  });
});

describe("tierColour", () => {
  it("spreads the palette over the programme: first bronze, last platinum", () => {
    expect(tierColour(0, 4)).toBe(TIER_PALETTE[0]);
    expect(tierColour(3, 4)).toBe(TIER_PALETTE[3]);
    expect([0, 1, 2].map((i) => tierColour(i, 3))).toEqual([TIER_PALETTE[0], TIER_PALETTE[2], TIER_PALETTE[3]]);
    expect(tierColour(0, 1)).toBe(TIER_PALETTE[3]);
    expect(tierColour(4, 4)).toBeNull();
    expect(tierColour(-1, 4)).toBeNull();
  });

  it("the preview's sample tier news names the tier it is given (Gold without one)", () => {
    const at = new Date(Date.UTC(2026, 11, 6));
    expect(sampleFacts("tier-reached", at)).toMatchObject({ tierName: "Gold", tierKey: "gold" });
    expect(sampleFacts("tier-expiring", at, { key: "vip", name: "VIP" })).toMatchObject({
      tierName: "VIP",
      tierKey: "vip",
    });
  });

  it("a tier's own colour wins over its palette colour; without one, the palette by place", () => {
    const tiers = [{ key: "member" }, { key: "silver", colour: "#7a1f5c" }, { key: "gold", colour: null }];
    expect(tierHeaderColour(tiers, "silver")).toBe("#7A1F5C");
    expect(tierHeaderColour(tiers, "member")).toBe(TIER_PALETTE[0]);
    expect(tierHeaderColour(tiers, "gold")).toBe(TIER_PALETTE[3]);
    expect(tierHeaderColour(tiers, "gone")).toBeNull();
    expect(tierHeaderColour(tiers, null)).toBeNull();
    // a stored colour that breaks the rule (never saved through validation) is not sent: the palette instead
    expect(
      tierHeaderColour(
        [
          { key: "a", colour: "#FFFF00" },
          { key: "b", colour: "pink" },
        ],
        "a",
      ),
    ).toBe(TIER_PALETTE[0]);
    expect(
      tierHeaderColour(
        [
          { key: "a", colour: "#FFFF00" },
          { key: "b", colour: "pink" },
        ],
        "b",
      ),
    ).toBe(TIER_PALETTE[3]);
  });
});

describe("validateTemplate", () => {
  it("the defaults use only their event's placeholders, and every required one", () => {
    for (const event of LINE_EVENTS)
      for (const locale of LINE_LOCALES) {
        const t = defaultTemplate(event, locale);
        for (const p of placeholdersIn(`${t.title}${t.body}${t.button}`)) expect(PLACEHOLDERS[event]).toContain(p);
        for (const p of REQUIRED_PLACEHOLDERS[event]) expect(`${t.title}${t.body}`).toContain(`{${p}}`);
      }
  });

  it("refuses unknown placeholders, stray braces, empty and too-long fields, missing required placeholders", () => {
    expect(
      validateTemplate("tier-reached", { title: "Hi {name}", body: "You reached {tier} {points", button: "" }),
    ).toEqual([
      { field: "title", kind: "unknown-placeholder", placeholder: "name" },
      { field: "body", kind: "unbalanced-brace" },
      { field: "button", kind: "empty" },
    ]);
    expect(validateTemplate("campaign-offer", { title: "x".repeat(81), body: "Use {code}", button: "Go" })).toEqual([
      { field: "title", kind: "too-long", max: 80 },
      { field: "body", kind: "missing-placeholder", placeholder: "offer" },
    ]);
    // a placeholder another event offers is unknown here
    expect(validateTemplate("points-earned", { title: "{points}", body: "{code}", button: "Go" })).toEqual([
      { field: "body", kind: "unknown-placeholder", placeholder: "code" },
    ]);
    expect(validateTemplate("points-earned", { title: "   ", body: "{points}", button: "Go" })).toEqual([
      { field: "title", kind: "empty" },
    ]);
  });
});

describe("shopDisplayName", () => {
  it("is the store handle, as the sender shows it", () => {
    expect(shopDisplayName("bai-cha.myshopify.com")).toBe("bai-cha");
  });
});
