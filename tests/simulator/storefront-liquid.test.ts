// The storefront's Liquid (simulator/storefront/liquid.ts, money-format.ts) against Shopify's documented examples:
// money placeholders (help.shopify.com "Currency formatting"), money filters and date formats (shopify.dev Liquid
// reference), and only Shopify's tags and filters — an unknown one is an error, not silence.
import { describe, expect, it } from "vitest";
import { createStorefrontLiquid, liquidErrorText } from "../../simulator/storefront/liquid";
import {
  MONEY_PLACEHOLDERS,
  defaultMoneyFormats,
  formatMoney,
  shopMoneyFormats,
} from "../../simulator/storefront/money-format";
import { demoShopRecord } from "../../simulator/admin/demo-shop";

const render = (
  template: string,
  scope: object = {},
  options: Partial<Parameters<typeof createStorefrontLiquid>[0]> = {},
) => createStorefrontLiquid({ locale: "en", moneyFormat: "${{amount}}", ...options }).parseAndRender(template, scope);
const failure = async (template: string) => {
  try {
    await render(template);
  } catch (error) {
    return liquidErrorText(error);
  }
  throw new Error(`rendered without an error: ${template}`);
};

describe("money", () => {
  it("prints 1134.65 with every placeholder as Shopify's currency formatting table shows", () => {
    const table = {
      amount: "1,134.65",
      amount_no_decimals: "1,135",
      amount_with_comma_separator: "1.134,65",
      amount_no_decimals_with_comma_separator: "1.135",
      amount_with_apostrophe_separator: "1'134.65",
      amount_no_decimals_with_space_separator: "1 135",
      amount_with_space_separator: "1 134,65",
      amount_with_period_and_space_separator: "1 134.65",
    };
    expect(Object.keys(MONEY_PLACEHOLDERS).sort()).toEqual(Object.keys(table).sort());
    for (const [name, text] of Object.entries(table)) expect(formatMoney(113465, `{{${name}}}`), name).toBe(text);
    // Spaces inside the braces are allowed, as in Shopify's table; rounding is half up.
    expect(formatMoney(113450, "{{ amount_no_decimals }} kr")).toBe("1,135 kr");
    expect(formatMoney(113449, "{{ amount_no_decimals }} kr")).toBe("1,134 kr");
    expect(formatMoney(-250, "${{amount}}")).toBe("$-2.50");
    expect(formatMoney(12345678901, "${{amount}}")).toBe("$123,456,789.01");
  });

  it("has the money filters of Shopify's reference, in subunits ×100 whatever the currency", async () => {
    const out = await render(
      "{{ 1000 | money }}|{{ 1000 | money_with_currency }}|{{ 1000 | money_without_currency }}|" +
        "{{ 1000 | money_without_trailing_zeros }}|{{ 1050 | money_without_trailing_zeros }}|{{ 145 | money }}|{{ nil | money }}",
      {},
      { moneyWithCurrencyFormat: "${{amount}} CAD" },
    );
    // Examples: money_without_trailing_zeros "$10", money_without_currency "10.00", money_with_currency "$1.45 CAD".
    expect(out).toBe("$10.00|$10.00 CAD|10.00|$10|$10.50|$1.45|");
    const yen = await render("{{ 100000 | money }}", {}, { moneyFormat: "¥{{amount_no_decimals}}" });
    expect(yen).toBe("¥1,000");
  });

  it("gives THB shops ฿{{amount}}, USD shops ${{amount}}, JPY whole amounts, unless the shop record says otherwise", () => {
    expect(defaultMoneyFormats("THB", "th")).toEqual({
      moneyFormat: "฿{{amount}}",
      moneyWithCurrencyFormat: "฿{{amount}} THB",
    });
    expect(defaultMoneyFormats("USD", "en").moneyFormat).toBe("${{amount}}");
    expect(defaultMoneyFormats("JPY", "ja").moneyFormat).toBe("￥{{amount_no_decimals}}");
    const euro = {
      ...demoShopRecord("eu.myshopify.com"),
      currencyCode: "EUR",
      moneyFormat: "{{amount_with_comma_separator}} €",
    };
    expect(shopMoneyFormats(euro).moneyFormat).toBe("{{amount_with_comma_separator}} €");
    expect(() => shopMoneyFormats({ ...euro, moneyFormat: "{{amount_in_words}}" })).toThrow(/needs one of/);
  });
});

describe("date", () => {
  const at = "2022-04-14 16:56:02 -0400";
  it("takes strftime as Ruby does, in English, in the shop's time zone", async () => {
    expect(await render("{{ at | date: '%B %d, %Y' }}", { at }, { timezone: "America/New_York" })).toBe(
      "April 14, 2022",
    );
    expect(
      await render("{{ at | date: '%a, %b %d, %y' }}", { at }, { locale: "th", timezone: "America/New_York" }),
    ).toBe("Thu, Apr 14, 22");
  });

  it("has Shopify's named formats in English as its examples show them", async () => {
    const formats = {
      abbreviated_date: "Apr 14, 2022",
      basic: "04/14/2022",
      date: "April 14, 2022",
      date_at_time: "April 14, 2022 at 4:56 pm",
      default: "Thursday, April 14, 2022 at 4:56 pm -0400",
      on_date: "on Apr 14, 2022",
    };
    for (const [name, text] of Object.entries(formats)) {
      expect(await render(`{{ at | date: format: '${name}' }}`, { at }, { timezone: "America/New_York" }), name).toBe(
        text,
      );
    }
  });

  it("names dates in Thai for a Thai storefront, and takes custom formats from the theme's locale file", async () => {
    const th = { locale: "th", timezone: "Asia/Bangkok" };
    expect(await render("{{ d | date: format: 'date' }}", { d: "2027-03-01T00:00:00Z" }, th)).toBe("1 มีนาคม 2570");
    expect(
      await render(
        "{{ d | date: format: 'month_day' }}",
        { d: "2027-03-01T00:00:00Z" },
        {
          translations: { date_formats: { month_day: "%B %-d" } },
        },
      ),
    ).toBe("March 1");
    expect(await render("{{ d | date: format: 'nope' }}", { d: "2027-03-01" })).toBe(
      "translation missing: en.date_formats.nope",
    );
  });

  it("reads 'now' from the simulator's clock", async () => {
    const now = () => Date.parse("2030-01-02T03:04:05Z");
    expect(await render("{{ 'now' | date: '%Y-%m-%d %H:%M' }}", {}, { now })).toBe("2030-01-02 03:04");
  });
});

describe("Shopify's Liquid, not liquidjs's", () => {
  it("fails on an unknown filter or tag, and on liquidjs extras Shopify does not have", async () => {
    expect(await failure("{{ 'x' | nope }}")).toBe("Liquid error (line 1): undefined filter nope");
    expect(await failure("a\n{% nope %}")).toBe("Liquid syntax error (line 2): Unknown tag 'nope'");
    expect(await failure("{{ x | jsonify }}")).toBe("Liquid error (line 1): undefined filter jsonify");
    expect(await failure("{% block a %}{% endblock %}")).toBe("Liquid syntax error (line 1): Unknown tag 'block'");
  });

  it("reads no file of this machine: render and include find only the snippets given", async () => {
    expect(await failure("{% render 'package.json' %}")).toBe(
      "Liquid error (line 1): Could not find asset snippets/package.json.liquid",
    );
    expect(await failure("{% include '../../../etc/hostname' %}")).toMatch(/Could not find asset/);
    const engine = createStorefrontLiquid({
      locale: "en",
      moneyFormat: "${{amount}}",
      snippets: { price: "{{ p | money }}" },
    });
    expect(await engine.parseAndRender("{% render 'price', p: 250 %}")).toBe("$2.50");
  });

  it("has the standard filters a page uses, and Shopify's translation-missing text", async () => {
    const out = await render(
      "{{ nil | default: 'guest' }}|{{ '<b>' | escape }}|{{ 'Gold Tier' | handleize }}|{{ 2 | pluralize: 'point', 'points' }}|{{ 'a' | t }}",
    );
    expect(out).toBe("guest|&lt;b&gt;|gold-tier|points|translation missing: en.a");
  });
});
