// Referrals on the storefront (docs/referrals.md), as Liquid the app proxy answers: the member's code and link on the
// loyalty page, and the friend's page behind the link (the offer and an email form, or the friend's code). Like the
// loyalty page: semantic HTML, no JavaScript, the loyalty page's stylesheet and classes (no CSS of its own, so the
// storefront budget holds), strings from app/i18n/pages/referrals.*.json (key referrals.storefront) in the shop's
// language, every typed or stored text escaped (liquid-text.ts).
import type { TFunction } from "i18next";
import { createI18n } from "../i18n";
import { formTokenNonce } from "../domain/form-token";
import type { PerkLocale } from "../domain/perks";
import type { LandingView, MemberReferralView } from "../domain/referrals";
import { money, text } from "./liquid-text";
import { card, formatterFor, say } from "./page-markup";
import { PAGE_CSS } from "./page-style";

const translators = new Map<PerkLocale, TFunction>();
function translator(locale: string): TFunction {
  const l: PerkLocale = locale === "th" ? "th" : "en";
  let t = translators.get(l);
  if (!t) {
    t = createI18n(l).getFixedT(l, undefined, "referrals.storefront");
    translators.set(l, t);
  }
  return t;
}

function offerText(t: TFunction, offer: MemberReferralView["offer"], currency: string): string {
  const what =
    offer.kind === "percentage"
      ? say(t, "offerPercent", { percent: offer.value })
      : say(t, "offerAmount", { amount: money(offer.value, currency) });
  return offer.minimumSubtotalMinor === null
    ? what
    : `${what} ${say(t, "offerMinimum", { amount: money(offer.minimumSubtotalMinor, currency) })}`;
}

/** The link's path on the storefront: the proxy's path and `/r/<code>` (the code is [2-9A-Z] only). */
export const referralPath = (pagePath: string, code: string) => `${pagePath}/r/${code}`;

/**
 * The member's section of the loyalty page: their code, and their link as text and as a link (absolute, on the shop's
 * own domain through Liquid's `shop.url`, so it can be copied and shared).
 */
export function memberReferralSection(
  locale: string,
  currency: string,
  referral: MemberReferralView,
  pagePath: string,
): string {
  const t = translator(locale);
  const url = `{{ shop.url }}${text(referralPath(pagePath, referral.code))}`;
  return card(
    "lp-referral",
    say(t, "memberHeading"),
    `<p>${say(t, "memberIntro", { points: referral.rewardPoints })}</p>` +
      `<p>${say(t, "memberOffer")} ${offerText(t, referral.offer, currency)}</p>` +
      `<p>${say(t, "memberCode")} <code>${text(referral.code)}</code></p>` +
      `<p>${say(t, "memberLink")} <a href="${url}">${url}</a></p>` +
      `<p class="lp_muted">${say(t, "memberRules")}</p>`,
  );
}

/** The friend's page: not available, the offer with the email form (and why a send was refused), or the code. */
export function renderReferralLanding(view: LandingView, action: string): string {
  const t = translator(view.locale);
  const open = `<style>${PAGE_CSS}</style><div class="loyalty-page lp" lang="${view.locale}">`;
  if (view.kind === "unavailable")
    return `${open}<h1>${say(t, "unavailableTitle")}</h1><p>${say(t, "unavailableText")}</p></div>`;
  if (view.kind === "issued") {
    const date = formatterFor(view.locale === "th" ? "th" : "en", view.timeZone, { dateStyle: "long" }).format(
      new Date(view.expiresAt),
    );
    return (
      `${open}<h1>${say(t, "issuedTitle")}</h1>` +
      `<div class="lp_banner lp_banner--ok" role="status"><p>${say(t, "issuedText")} <code>${text(view.friendCode)}</code></p></div>` +
      `<p>${offerText(t, view.offer, view.currency)}</p>` +
      `<p>${say(t, "issuedExpires", { date: text(date) })}</p>` +
      `<p>${say(t, "firstOrderOnly")}</p>` +
      `<p><a class="lp_signin" href="{{ routes.root_url }}">${say(t, "shop")}</a></p></div>`
    );
  }
  const refused = view.refused
    ? `<div class="lp_banner lp_banner--refused" role="alert"><p>${say(t, `refused.${view.refused}`)}</p></div>`
    : "";
  const nonce = formTokenNonce(view.token);
  return (
    `${open}<h1>${say(t, "offerTitle")}</h1>${refused}` +
    `<p>${say(t, "offerIntro")} ${offerText(t, view.offer, view.currency)}</p>` +
    `<p>${say(t, "offerValidity", { count: view.validityDays })}</p>` +
    `<p>${say(t, "firstOrderOnly")}</p>` +
    `<form method="post" action="${text(`${action}?f=${nonce}`)}">` +
    `<input type="hidden" name="token" value="${text(view.token)}">` +
    `<p><label for="rf-email">${say(t, "email")}</label> <input id="rf-email" name="email" type="email" required maxlength="254" autocomplete="email"></p>` +
    `<p><button type="submit" class="lp_button">${say(t, "getCode")}</button></p></form></div>`
  );
}
