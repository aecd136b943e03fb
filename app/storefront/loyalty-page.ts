// The shoppers' loyalty page as the Liquid text the app proxy answers (docs/rules.md#loyalty-page): Shopify renders it
// inside the shop's theme. Semantic HTML, no JavaScript, a small stylesheet scoped under .loyalty-page. Strings come
// from app/i18n/pages/loyalty.*.json in the shop's language; dates are formatted here in that language and the shop's
// time zone; money goes through Liquid's `money` filter (the shop's money format). Every text the merchant or a
// customer typed (tier names, perk texts, codes, campaign names, names) is escaped by liquid-text.ts's `text`.
import type { TFunction } from "i18next";
import type { LoyaltyMemberView, LoyaltyPageView, LoyaltyTierView } from "../domain/loyalty-page";
import { toMinorUnits } from "../domain/money";
import type { ShopperPerks } from "../domain/perks";
import type { TierWindow } from "../domain/tiers";
import { html, money, moneyAttribute, text } from "./liquid-text";
import { pointsParts, type FormTarget } from "./loyalty-points";
import { PAGE_CSS } from "./page-style";
import { memberReferralSection } from "./referral-page";
import { lineLinkSection } from "./line-link-section";
import { card, codeMarkup, dateMarkup, list, say, strong, translator, type Page, type Values } from "./page-markup";

const STYLE = `<style>${PAGE_CSS}</style>`;

function windowValues(window: TierWindow): Values {
  return window.kind === "rolling" ? { days: window.days } : {};
}

/** The list items of what a tier gives (codes only for the member's own tier). */
function perkItems(t: TFunction, perks: ShopperPerks, tier: LoyaltyTierView, currency: string): string[] {
  const items: string[] = [];
  const moneyOf = (decimal: string) => money(toMinorUnits(decimal, currency), currency);
  if (perks.discount_percent !== null) items.push(say(t, "perk.percent", { percent: perks.discount_percent }));
  if (perks.free_shipping)
    items.push(
      perks.free_shipping_max_price === null
        ? say(t, "perk.shipping")
        : say(t, "perk.shippingMax", { amount: moneyOf(perks.free_shipping_max_price) }),
    );
  const discounts = items.length > 0;
  if (discounts && perks.minimum_purchase !== null)
    items.push(say(t, "perk.minimum", { amount: moneyOf(perks.minimum_purchase) }));
  if (discounts) {
    if (perks.automatic) items.push(say(t, "perk.automatic"));
    else if (perks.codes.length > 0)
      items.push(say(t, "perk.codes", { codes: html(perks.codes.map((c) => codeMarkup(c).html).join(" ")) }));
    else if (tier.byCode) items.push(say(t, "perk.byCode"));
  }
  if (perks.text) items.push(text(perks.text));
  return items;
}

function statusSection(t: TFunction, page: Page, member: LoyaltyMemberView): string {
  const { currency } = page;
  const out: string[] = [];
  const lowest = page.program.tiers[0];
  if (!member.tier) {
    out.push(`<p class="lp_tier">${say(t, "noTier", { tier: strong(lowest?.name ?? "") })}</p>`);
    return card("lp-status", say(t, "statusHeading"), out.join(""));
  }
  const tier = member.tier;
  out.push(`<p class="lp_tier">${say(t, "yourTier", { tier: strong(tier.name) })}</p>`);
  out.push(
    `<p>${say(t, `spend.${page.program.window.kind}`, { ...windowValues(page.program.window), amount: money(member.spendInWindowMinor, currency) })}</p>`,
  );
  const next = member.nextTier;
  if (next && member.progressPercent !== null) {
    const label = say(t, "progressLabel", { tier: next.name });
    const valueText = say(t, "progressValue", {
      spent: html(moneyAttribute(member.spendInWindowMinor, currency)),
      target: html(moneyAttribute(next.thresholdMinor, currency)),
    });
    out.push(
      `<p id="lp-progress-label">${label}</p>` +
        `<div class="lp_track" role="progressbar" aria-labelledby="lp-progress-label" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${member.progressPercent}" aria-valuetext="${valueText}">` +
        `<div class="lp_bar" style="width: ${member.progressPercent}%"></div></div>` +
        `<p class="lp_muted">${say(t, "progressValue", { spent: money(member.spendInWindowMinor, currency), target: money(next.thresholdMinor, currency) })} (${member.progressPercent}%)</p>`,
    );
    if (member.amountToNextMinor !== null && member.amountToNextMinor > 0) {
      const values = { amount: money(member.amountToNextMinor, currency), tier: strong(next.name) };
      out.push(
        `<p>${
          member.windowChangesAt !== null
            ? say(t, "toNextBy", { ...values, date: dateMarkup(page, member.windowChangesAt) })
            : say(t, "toNext", values)
        }</p>`,
      );
    }
    if (member.ordersToNext !== null && member.ordersToNext > 0)
      out.push(`<p>${say(t, "ordersToNext", { count: member.ordersToNext, tier: strong(next.name) })}</p>`);
  } else if (!next) {
    out.push(`<p>${say(t, "topTier")}</p>`);
  }
  if (member.tierHeldUntil !== null) {
    const values = { tier: tier.name, date: dateMarkup(page, member.tierHeldUntil) };
    out.push(
      member.expiresSoon
        ? `<p class="lp_notice">${say(t, "expiresSoon", values)}</p>`
        : `<p>${say(t, "heldUntil", values)}</p>`,
    );
  }
  return card("lp-status", say(t, "statusHeading"), out.join(""));
}

function perksSection(t: TFunction, page: Page, member: LoyaltyMemberView): string {
  if (!member.tier) return "";
  const own = perkItems(t, member.tier.perks, member.tier, page.currency);
  let body = own.length ? list(own) : `<p>${say(t, "noPerks")}</p>`;
  const next = member.nextTier;
  if (next) {
    const items = perkItems(t, next.perks, next, page.currency);
    if (items.length) body += `<h3>${say(t, "nextPerksHeading", { tier: next.name })}</h3>${list(items)}`;
  }
  return card("lp-perks", say(t, "perksHeading"), body);
}

function offersSection(t: TFunction, page: Page, member: LoyaltyMemberView): string {
  if (member.offers.length === 0) return card("lp-offers", say(t, "offersHeading"), `<p>${say(t, "noOffers")}</p>`);
  const items = member.offers.map((o) => {
    const what =
      o.offer.kind === "percentage"
        ? say(t, "offer.percentage", { percent: o.offer.value })
        : say(t, "offer.fixed_amount", { amount: money(o.offer.value, page.currency) });
    const minimum =
      o.offer.minimumSubtotalMinor !== null
        ? `<p>${say(t, "offer.minimum", { amount: money(o.offer.minimumSubtotalMinor, page.currency) })}</p>`
        : "";
    return (
      `<li class="lp_card"><h3>${text(o.campaign)}</h3><p>${what}</p>${minimum}` +
      `<p>${say(t, "offer.code", { code: codeMarkup(o.code) })}</p>` +
      `<p class="lp_muted">${say(t, "offer.expires", { date: dateMarkup(page, o.expiresAt, true) })}</p></li>`
    );
  });
  return `<section aria-labelledby="lp-offers"><h2 id="lp-offers">${say(t, "offersHeading")}</h2><ul class="lp_offers">${items.join("")}</ul></section>`;
}

function historySection(t: TFunction, page: Page, member: LoyaltyMemberView): string {
  if (member.history.length === 0) return card("lp-history", say(t, "historyHeading"), `<p>${say(t, "noHistory")}</p>`);
  const items = member.history.map(
    (m) => `${dateMarkup(page, m.at).html}: ${say(t, `move.${m.direction}`, { from: m.from ?? "", to: m.to ?? "" })}`,
  );
  return card("lp-history", say(t, "historyHeading"), `<ol>${items.map((i) => `<li>${i}</li>`).join("")}</ol>`);
}

/** A product handle as a path segment inside a quoted Liquid string: percent-encoded, quotes and parentheses too. */
const handlePath = (handle: string) =>
  encodeURIComponent(handle).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * "Picked for you": the products recommended to the member that the shop sells now, each a link to its product page
 * on the storefront (the shop's root, so a shop in another language links in it); none: no section.
 */
function picksSection(t: TFunction, member: LoyaltyMemberView): string {
  if (member.picks.length === 0) return "";
  const items = member.picks.map((p) =>
    p.handle
      ? `<a href="{{ routes.root_url | append: '/products/${handlePath(p.handle)}' | replace: '//', '/' }}">${text(p.title)}</a>`
      : text(p.title),
  );
  return card("lp-picks", say(t, "picksHeading"), `<p>${say(t, "picksIntro")}</p>${list(items, "lp_picks")}`);
}

function programmeSection(t: TFunction, page: Page): string {
  const { program, currency } = page;
  const current = page.member?.tier?.key ?? null;
  const rows = program.tiers.map((tier) => {
    const threshold =
      tier.thresholdMinor === 0
        ? say(t, "firstOrder")
        : say(t, "thresholdFrom", { amount: money(tier.thresholdMinor, currency) });
    const orders = tier.minOrders ? ` ${say(t, "minOrders", { count: tier.minOrders })}` : "";
    const perks = perkItems(t, tier.perks, tier, currency);
    const mine = tier.key === current;
    return (
      `<tr${mine ? ' class="lp_current"' : ""}>` +
      `<th scope="row">${text(tier.name)}${mine ? ` <span class="lp_muted">${say(t, "yourTierMarker")}</span>` : ""}</th>` +
      `<td>${threshold}${orders}</td>` +
      `<td>${perks.length ? list(perks) : say(t, "perk.none")}</td></tr>`
    );
  });
  const rules = [say(t, `rule.${program.window.kind}`, windowValues(program.window))];
  if (program.retentionDays > 0) rules.push(say(t, "rule.retention", { days: program.retentionDays }));
  return (
    `<section aria-labelledby="lp-programme"><h2 id="lp-programme">${say(t, "programmeHeading")}</h2>` +
    rules.map((r) => `<p>${r}</p>`).join("") +
    `<table><caption>${say(t, "programmeCaption")}</caption><thead><tr>` +
    `<th scope="col">${say(t, "column.tier")}</th>` +
    `<th scope="col">${say(t, `column.threshold.${program.window.kind}`, windowValues(program.window))}</th>` +
    `<th scope="col">${say(t, "column.perks")}</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table></section>`
  );
}

/**
 * The page's Liquid: the member's view (or a guest's), or the "not available" page. `target.action`: where the page's
 * forms post (the proxy's path on the storefront).
 */
export function renderLoyaltyPage(view: LoyaltyPageView, target: FormTarget = { action: "/apps/loyalty" }): string {
  const t = translator(view.locale);
  const open = `${STYLE}<div class="loyalty-page lp" lang="${view.locale}">`;
  if (view.kind === "unavailable") {
    return `${open}<h1>${say(t, "unavailableTitle")}</h1><p>${say(t, "unavailableText")}</p></div>`;
  }
  const parts = [`<h1>${say(t, "title")}</h1>`];
  const member = view.member;
  if (member) {
    if (member.firstName) parts.push(`<p>${say(t, "greeting", { name: member.firstName })}</p>`);
    const points = pointsParts(t, view, member, target);
    parts.push(
      statusSection(t, view, member),
      ...points.top,
      perksSection(t, view, member),
      offersSection(t, view, member),
      historySection(t, view, member),
      picksSection(t, member),
      view.referral ? memberReferralSection(view.locale, view.currency, view.referral, target.action) : "",
      view.line ? lineLinkSection(view.locale, view.line, target.action) : "",
      ...points.bottom,
    );
  } else {
    parts.push(
      `<p>${say(t, "guestIntro")}</p>`,
      `<p><a class="lp_signin" href="{{ routes.account_login_url }}">${say(t, "signIn")}</a></p>`,
    );
  }
  parts.push(programmeSection(t, view));
  return `${open}${parts.join("")}</div>`;
}
