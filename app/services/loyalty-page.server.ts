// The shoppers' loyalty page (docs/rules.md#loyalty-page, served through the app proxy by app/routes/proxy.tsx): reads
// everything the page shows for one shop and, when one is signed in, one customer — through the models, every read
// scoped to the verified shop — and builds the view (domain/loyalty-page.ts). A shop that is not installed gets the
// "unavailable" view and nothing else is read.
import {
  loyaltyPageView,
  HISTORY_SHOWN,
  PICKS_SHOWN,
  type LoyaltyPageView,
  type OfferInput,
} from "../domain/loyalty-page";
import { perkLocale } from "../domain/perks";
import { getCampaign, openOffers } from "../models/campaigns.server";
import { discountCodesUsedBy } from "../models/customer-order-codes.server";
import { getLedgerCustomer } from "../models/customer-detail.server";
import { loadState } from "../models/customer-state.server";
import { recommendedProductsOf } from "../models/recommended-products.server";
import { customerTierMoves } from "../models/customer-tier-moves.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getShop, shopLocale } from "../models/shop.server";
import { getSyncSettings } from "../models/sync.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { shopperPoints } from "./shopper-points.server";
import { memberReferral } from "./referrals.server";
import { issueFormToken } from "./form-tokens.server";
import { lineLinkSection } from "./line-link.server";

const DAY_MS = 86_400_000;

/** What the page needs of one signed-in customer (null fields and empty lists for a customer the ledger lacks). */
async function customerData(shop: string, customerId: string, now: Date, query: URLSearchParams) {
  const [customer, state, moves, issued, recommended] = await Promise.all([
    getLedgerCustomer(shop, customerId),
    loadState(shop, customerId),
    customerTierMoves(shop, customerId, HISTORY_SHOWN),
    openOffers(shop, [customerId], now),
    recommendedProductsOf(shop, [customerId], PICKS_SHOWN),
  ]);
  // A customer Shopify deleted (a tombstone in the ledger) is shown nothing of theirs.
  if (customer?.deletedAt)
    return { firstName: null, state: null, offers: [], usedCodes: [], moves: [], points: null, picks: [] };
  const points = await shopperPoints(shop, customerId, query, now);
  const offers: OfferInput[] = [];
  const campaigns = new Map<string, Awaited<ReturnType<typeof getCampaign>>>();
  for (const o of issued) {
    if (!o.code || !o.expiresAt) continue;
    if (!campaigns.has(o.campaignId)) campaigns.set(o.campaignId, await getCampaign(shop, o.campaignId));
    const campaign = campaigns.get(o.campaignId);
    if (campaign) offers.push({ campaign, code: o.code, expiresAt: o.expiresAt.getTime() });
  }
  // A code already on one of their orders is used (single use): not an open offer any more. Only orders since the
  // oldest offer was issued (its expiry less its campaign's validity, and a day) can carry one.
  const since = Math.min(...offers.map((o) => o.expiresAt - (o.campaign.offer.expiryDays + 1) * DAY_MS));
  const usedCodes = offers.length ? await discountCodesUsedBy(shop, customerId, new Date(since)) : [];
  return {
    firstName: customer?.firstName ?? null,
    state,
    offers,
    usedCodes,
    moves: moves.map((m) => ({ from: m.from, to: m.to, at: m.at.getTime() })),
    points,
    picks: recommended.get(customerId) ?? [],
  };
}

/**
 * The page for `shop` (the verified `shop` of the proxy request) as `customerId` (the verified signed-in customer's
 * gid, or null for a guest) sees it. `query`: the page's own query, which names the result of a form just sent.
 */
export async function loyaltyPage(
  shop: string,
  customerId: string | null,
  now: Date = new Date(),
  query: URLSearchParams = new URLSearchParams(),
): Promise<LoyaltyPageView> {
  const [row, locale] = await Promise.all([getShop(shop), shopLocale(shop)]);
  if (row?.status !== "installed") return { kind: "unavailable", locale: perkLocale(locale) };
  const [currency, { program }, settings, customer] = await Promise.all([
    shopCurrency(shop),
    getActiveTierProgram(shop),
    getSyncSettings(shop),
    customerId ? customerData(shop, customerId, now, query) : null,
  ]);
  const view = loyaltyPageView({
    locale,
    currency,
    timeZone: row.timezone,
    program,
    settings,
    now: now.getTime(),
    customer,
  });
  // The member's referral link and code (docs/referrals.md), while referrals are on (never a deleted customer's).
  if (view.kind === "page" && view.member && customerId) view.referral = await memberReferral(shop, customerId);
  // The member's LINE link (docs/line-link.md), while the shop has both LINE channels connected.
  // Its one form (link, or unlink when linked) carries a token for that purpose (docs/storefront-forms.md).
  if (view.kind === "page" && view.member && customerId) {
    const line = await lineLinkSection(shop, customerId, query);
    view.line = line && {
      ...line,
      token: issueFormToken(shop, customerId, line.link ? "line-unlink" : "line-link", now),
    };
  }
  return view;
}

/** The view for a path under the proxy that is not the page: "unavailable", in the shop's language. */
export async function loyaltyPageNotFound(shop: string): Promise<LoyaltyPageView> {
  return { kind: "unavailable", locale: perkLocale(await shopLocale(shop)) };
}
