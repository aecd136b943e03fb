// The admin's languages: English and Thai. The locale follows Shopify admin's `locale` parameter (the app's URL
// carries it on every load); strings live in en.json / th.json and are read through i18next (react-i18next in
// components: no string literals in components). Numbers, money and dates are formatted with Intl for the locale.
import i18next, { type i18n } from "i18next";
import { initReactI18next } from "react-i18next";
import enBase from "./en.json";
import thBase from "./th.json";
// Pages with many strings keep them in a file of their own (one top-level key each), so pages can grow apart.
import analyticsEn from "./pages/analytics.en.json";
import analyticsTh from "./pages/analytics.th.json";
import campaignsEn from "./pages/campaigns.en.json";
import campaignsTh from "./pages/campaigns.th.json";
// Sign-up audiences and the campaign report by segment and tier.
import campaignResponseEn from "./pages/campaign-response.en.json";
import campaignResponseTh from "./pages/campaign-response.th.json";
// A/B tests of campaign offers: variant B in the form, the test's report, ending a test.
import campaignAbEn from "./pages/campaign-ab.en.json";
import campaignAbTh from "./pages/campaign-ab.th.json";
// Insight segments (predicted value, likely lost, promotion-only, bought a product): campaigns, customers, settings.
import insightsEn from "./pages/insights.en.json";
import insightsTh from "./pages/insights.th.json";
// Our segments and predictions beside Shopify's own RFM groups and spend tiers: the segments and customer pages.
import insightCompareEn from "./pages/insight-compare.en.json";
import insightCompareTh from "./pages/insight-compare.th.json";
// The shoppers' loyalty page (app/storefront/loyalty-page.ts): in the storefront's language, not the admin's.
import loyaltyEn from "./pages/loyalty.en.json";
import loyaltyTh from "./pages/loyalty.th.json";
// Points: the programme and its rules, the report (liability, customers' journals), imports, the rewards catalogue.
// Predicted CLV and churn risk: the predictions page and the customer page's card.
import predictionsEn from "./pages/predictions.en.json";
import predictionsTh from "./pages/predictions.th.json";
import pointsProgramEn from "./pages/points-program.en.json";
import pointsProgramTh from "./pages/points-program.th.json";
import pointsReportEn from "./pages/points-report.en.json";
import pointsReportTh from "./pages/points-report.th.json";
import pointsImportEn from "./pages/points-import.en.json";
import pointsImportTh from "./pages/points-import.th.json";
// Products: associations (bought together, bought next), exclusions.
import productsEn from "./pages/products.en.json";
import productsTh from "./pages/products.th.json";
import rewardsEn from "./pages/rewards.en.json";
import rewardsTh from "./pages/rewards.th.json";
// Referrals: the admin page, and the member's and the friend's parts of the storefront (key referrals.storefront).
import referralsEn from "./pages/referrals.en.json";
import referralsTh from "./pages/referrals.th.json";
// Channels: connecting LINE and Klaviyo (docs/channels.md).
import channelsEn from "./pages/channels.en.json";
import channelsTh from "./pages/channels.th.json";
// LINE messages: the templates editor and the campaign's LINE option, quota warning and counts (docs/line-messages.md).
import lineMessagesEn from "./pages/line-messages.en.json";
import lineMessagesTh from "./pages/line-messages.th.json";
// The shopper's LINE link on the loyalty page (docs/line-link.md): in the storefront's language.
import lineLinkEn from "./pages/line-link.en.json";
import lineLinkTh from "./pages/line-link.th.json";
// The Klaviyo sync card on the Channels page (docs/klaviyo.md).
import klaviyoEn from "./pages/klaviyo.en.json";
import klaviyoTh from "./pages/klaviyo.th.json";

const en = {
  ...enBase,
  analytics: analyticsEn,
  campaigns: campaignsEn,
  campaignResponse: campaignResponseEn,
  campaignAb: campaignAbEn,
  insights: insightsEn,
  insightCompare: insightCompareEn,
  loyalty: loyaltyEn,
  predictions: predictionsEn,
  pointsProgram: pointsProgramEn,
  pointsReport: pointsReportEn,
  pointsImport: pointsImportEn,
  products: productsEn,
  rewards: rewardsEn,
  referrals: referralsEn,
  channels: channelsEn,
  lineMessages: lineMessagesEn,
  lineLink: lineLinkEn,
  klaviyo: klaviyoEn,
};
const th = {
  ...thBase,
  analytics: analyticsTh,
  campaigns: campaignsTh,
  campaignResponse: campaignResponseTh,
  campaignAb: campaignAbTh,
  insights: insightsTh,
  insightCompare: insightCompareTh,
  loyalty: loyaltyTh,
  predictions: predictionsTh,
  pointsProgram: pointsProgramTh,
  pointsReport: pointsReportTh,
  pointsImport: pointsImportTh,
  products: productsTh,
  rewards: rewardsTh,
  referrals: referralsTh,
  channels: channelsTh,
  lineMessages: lineMessagesTh,
  lineLink: lineLinkTh,
  klaviyo: klaviyoTh,
};

export const SUPPORTED_LOCALES = ["en", "th"] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

export const resources = { en: { translation: en }, th: { translation: th } } as const;

/** Shopify admin's locale ("th", "th-TH", "en-US", …) as one the app speaks; English otherwise. */
export function resolveLocale(requested: string | null | undefined): Locale {
  const base = (requested ?? "").toLowerCase().split(/[-_]/)[0];
  return (SUPPORTED_LOCALES as readonly string[]).includes(base) ? (base as Locale) : DEFAULT_LOCALE;
}

/** A ready i18next instance for one locale (synchronous: every string is bundled, nothing is fetched). */
export function createI18n(locale: Locale): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng: locale,
    fallbackLng: DEFAULT_LOCALE,
    resources,
    initAsync: false,
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  return instance;
}
