// The points section of the shoppers' loyalty page as Liquid (docs/rules.md#loyalty-page-points): the result banner of
// the form just sent, the balance, pending points with the date each becomes available, points expiring soon, the
// rewards with a plain HTML form each (POST to the page itself through the app proxy: no JavaScript), the customer's
// redemptions with their code or credit, the newest points movements, and the birthday entry. Every text a merchant
// typed (reward titles) or the app chose (codes, tokens) is escaped.
import type { TFunction } from "i18next";
import { formTokenNonce } from "../domain/form-token";
import type { LoyaltyMemberView } from "../domain/loyalty-page";
import type { ShopperPointsSection, ShopperRedemptionView, ShopperRewardView } from "../domain/shopper-points";
import { money, text } from "./liquid-text";
import { card, codeMarkup, dateMarkup, INTL_LOCALE, say, strong, type Page } from "./page-markup";

/** Where the page's forms post: the proxy's path on the storefront (Shopify's signed path_prefix). */
export interface FormTarget {
  action: string;
}

const points = (page: Page, n: number) => new Intl.NumberFormat(INTL_LOCALE[page.locale]).format(n);

function rewardWhat(
  t: TFunction,
  page: Page,
  kind: ShopperRewardView["kind"],
  valueMinor: number | null,
  currency: string,
) {
  return kind === "free_shipping"
    ? say(t, "points.reward.free_shipping")
    : say(t, `points.reward.${kind}`, { amount: money(valueMinor ?? 0, currency) });
}

/**
 * A form's action: the page, with the form's nonce as a parameter of its own. Shopify signs every parameter, so two
 * forms sent in the same second (two tabs) carry different signatures and neither is taken for a replay of the other.
 */
function actionOf(target: FormTarget, token: string) {
  return text(`${target.action}?f=${formTokenNonce(token)}`);
}

function hidden(name: string, value: string) {
  return `<input type="hidden" name="${name}" value="${text(value)}">`;
}

function banner(t: TFunction, page: Page, section: ShopperPointsSection): string {
  const b = section.banner;
  if (!b) return "";
  let message: string;
  let tone: "ok" | "refused" = "ok";
  if (b.kind === "redemption") {
    const r = b.redemption;
    const title = r.title;
    if (r.state === "confirmed") message = `${say(t, "points.banner.redeemed", { title })} ${resultText(t, page, r)}`;
    else if (r.state === "reserved") message = say(t, "points.banner.pending", { title });
    else {
      message = say(t, "points.banner.released", { title });
      tone = "refused";
    }
  } else if (b.kind === "refused") {
    message = say(t, `points.banner.refused.${b.reason}`);
    tone = "refused";
  } else if (b.kind === "birthday_saved") message = say(t, "points.banner.birthdaySaved");
  else {
    message = say(t, `points.banner.birthday.${b.reason}`);
    tone = "refused";
  }
  // role=status: announced when the page loads after the redirect, without taking the focus.
  return `<div class="lp_banner lp_banner--${tone}" role="status">${message}</div>`;
}

/** What a confirmed redemption gave: the code to use, or the credit added. */
function resultText(t: TFunction, page: Page, r: ShopperRedemptionView): string {
  if (r.kind === "store_credit")
    return say(t, "points.result.storeCredit", { amount: money(r.valueMinor ?? 0, r.currencyCode) });
  if (r.kind === "gift_card") return say(t, "points.result.giftCard", { code: codeMarkup(r.code ?? "") });
  return `${say(t, "points.result.code", { code: codeMarkup(r.code ?? "") })} ${say(t, "points.result.codeUse")}`;
}

function balanceCard(t: TFunction, page: Page, section: ShopperPointsSection): string {
  const out: string[] = [banner(t, page, section)];
  out.push(
    `<p class="lp_points">${say(t, "points.available", { points: strong(points(page, section.available)) })}</p>`,
  );
  if (section.pendingBy.length > 0) {
    out.push(`<p>${say(t, "points.pendingIntro", { points: points(page, section.pending) })}</p>`);
    out.push(
      `<ul>${section.pendingBy
        .map(
          (p) =>
            `<li>${say(t, "points.pendingAt", { points: points(page, p.points), date: dateMarkup(page, p.at) })}</li>`,
        )
        .join("")}</ul>`,
    );
  }
  if (section.expiring)
    out.push(
      `<p class="lp_notice">${say(t, "points.expiring", {
        points: points(page, section.expiring.points),
        date: dateMarkup(page, section.expiring.at),
      })}</p>`,
    );
  if (section.available === 0 && section.pendingBy.length === 0 && section.history.length === 0)
    out.push(`<p>${say(t, "points.none")}</p>`);
  return card("lp-points", say(t, "points.heading"), out.join(""));
}

function rewardItem(t: TFunction, page: Page, section: ShopperPointsSection, r: ShopperRewardView, target: FormTarget) {
  const parts = [
    `<h3>${text(r.title)}</h3>`,
    `<p>${rewardWhat(t, page, r.kind, r.valueMinor, page.currency)}</p>`,
    `<p class="lp_price">${say(t, "points.price", { points: points(page, r.pointsPrice) })}</p>`,
  ];
  if (r.expiryDays !== null)
    parts.push(`<p class="lp_muted">${say(t, "points.validDays", { count: r.expiryDays })}</p>`);
  const token = section.tokens[r.id];
  if (r.refusal === null && token) {
    parts.push(
      `<form method="post" action="${actionOf(target, token)}">` +
        hidden("intent", "redeem") +
        hidden("reward", r.id) +
        hidden("token", token) +
        `<button type="submit" class="lp_button" aria-label="${say(t, "points.redeem", { title: r.title, points: points(page, r.pointsPrice) })}">${say(t, "points.redeemButton")}</button></form>`,
    );
  } else if (r.refusal?.reason === "not_enough_points") {
    parts.push(`<p class="lp_short">${say(t, "points.short", { points: points(page, r.pointsShort) })}</p>`);
  } else if (r.refusal?.reason === "customer_limit_reached") {
    parts.push(
      `<p class="lp_short">${say(t, "points.limitReached", { count: r.refusal.count, days: r.refusal.periodDays })}</p>`,
    );
  } else if (r.refusal?.reason === "total_limit_reached") {
    parts.push(`<p class="lp_short">${say(t, "points.soldOut")}</p>`);
  }
  return `<li class="lp_card">${parts.join("")}</li>`;
}

function rewardsSection(t: TFunction, page: Page, section: ShopperPointsSection, target: FormTarget): string {
  if (section.rewards.length === 0)
    return card("lp-rewards", say(t, "points.rewardsHeading"), `<p>${say(t, "points.noRewards")}</p>`);
  // Those they can redeem first, then by price (the list comes cheapest first).
  const ordered = [
    ...section.rewards.filter((r) => r.refusal === null),
    ...section.rewards.filter((r) => r.refusal !== null),
  ];
  return (
    `<section aria-labelledby="lp-rewards"><h2 id="lp-rewards">${say(t, "points.rewardsHeading")}</h2>` +
    `<ul class="lp_rewards">${ordered.map((r) => rewardItem(t, page, section, r, target)).join("")}</ul></section>`
  );
}

function redemptionsSection(t: TFunction, page: Page, section: ShopperPointsSection): string {
  if (section.redemptions.length === 0) return "";
  const items = section.redemptions.map((r) => {
    const parts = [
      `<h3>${text(r.title)}</h3>`,
      `<p>${rewardWhat(t, page, r.kind, r.valueMinor, r.currencyCode)}</p>`,
      `<p class="lp_muted">${say(t, "points.redeemedOn", { date: dateMarkup(page, r.at), points: points(page, r.points) })}</p>`,
    ];
    if (r.state === "confirmed") {
      parts.push(`<p>${resultText(t, page, r)}</p>`);
      if (r.expiresAt !== null)
        parts.push(`<p>${say(t, "points.result.expires", { date: dateMarkup(page, r.expiresAt) })}</p>`);
    } else if (r.state === "reserved") parts.push(`<p>${say(t, "points.result.pending")}</p>`);
    else parts.push(`<p>${say(t, "points.result.released", { points: points(page, r.points) })}</p>`);
    return `<li class="lp_card">${parts.join("")}</li>`;
  });
  return `<section aria-labelledby="lp-redemptions"><h2 id="lp-redemptions">${say(t, "points.redemptionsHeading")}</h2><ul class="lp_rewards">${items.join("")}</ul></section>`;
}

function historySection(t: TFunction, page: Page, section: ShopperPointsSection): string {
  if (section.history.length === 0) return "";
  const rows = section.history.map(
    (h) =>
      `<tr><td>${dateMarkup(page, h.at).html}</td><td>${say(t, `points.reason.${h.reason}`)}</td>` +
      `<td class="lp_number">${h.points > 0 ? "+" : "−"}${points(page, Math.abs(h.points))}</td></tr>`,
  );
  const older =
    section.historyOlder > 0
      ? `<p class="lp_muted">${say(t, "points.historyOlder", { count: section.historyOlder })}</p>`
      : "";
  return card(
    "lp-points-history",
    say(t, "points.historyHeading"),
    `<table><caption>${say(t, "points.historyCaption")}</caption><thead><tr>` +
      `<th scope="col">${say(t, "points.column.date")}</th><th scope="col">${say(t, "points.column.what")}</th>` +
      `<th scope="col" class="lp_number">${say(t, "points.column.points")}</th></tr></thead>` +
      `<tbody>${rows.join("")}</tbody></table>${older}`,
  );
}

function birthdaySection(t: TFunction, page: Page, section: ShopperPointsSection, target: FormTarget): string {
  const birthday = section.birthday;
  if (!birthday) return "";
  if (birthday.held) {
    const { day, month, year } = birthday.held;
    const format = new Intl.DateTimeFormat(INTL_LOCALE[page.locale], {
      day: "numeric",
      month: "long",
      ...(year !== null ? { year: "numeric" } : {}),
      timeZone: "UTC",
    });
    const date = format.format(new Date(Date.UTC(year ?? 2000, month - 1, day)));
    return card("lp-birthday", say(t, "points.birthdayHeading"), `<p>${say(t, "points.birthdayHeld", { date })}</p>`);
  }
  if (!section.birthdayToken) return "";
  const monthName = new Intl.DateTimeFormat(INTL_LOCALE[page.locale], { month: "long", timeZone: "UTC" });
  const months = Array.from(
    { length: 12 },
    (_, i) => `<option value="${i + 1}">${text(monthName.format(new Date(Date.UTC(2000, i, 1))))}</option>`,
  ).join("");
  const days = Array.from({ length: 31 }, (_, i) => `<option value="${i + 1}">${i + 1}</option>`).join("");
  const form =
    `<form method="post" action="${actionOf(target, section.birthdayToken)}" class="lp_birthday">` +
    hidden("intent", "birthday") +
    hidden("token", section.birthdayToken) +
    `<p><label for="lp-bday-day">${say(t, "points.day")}</label> <select id="lp-bday-day" name="day" required>${days}</select></p>` +
    `<p><label for="lp-bday-month">${say(t, "points.month")}</label> <select id="lp-bday-month" name="month" required><option value="">${say(t, "points.chooseMonth")}</option>${months}</select></p>` +
    `<p><label for="lp-bday-year">${say(t, "points.year")}</label> <input id="lp-bday-year" name="year" type="text" inputmode="numeric" pattern="[0-9]{4}" maxlength="4" size="6" autocomplete="bday-year"></p>` +
    `<p><button type="submit" class="lp_button">${say(t, "points.birthdaySave")}</button></p></form>`;
  return card("lp-birthday", say(t, "points.birthdayHeading"), `<p>${say(t, "points.birthdayIntro")}</p>${form}`);
}

/**
 * The member's points parts (nothing when the section is not shown): `top` (balance, rewards, their redemptions) goes
 * under the tier status, `bottom` (points history, birthday) after the tier history.
 */
export function pointsParts(
  t: TFunction,
  page: Page,
  member: LoyaltyMemberView,
  target: FormTarget,
): { top: string[]; bottom: string[] } {
  const section = member.points;
  if (!section) return { top: [], bottom: [] };
  const some = (parts: string[]) => parts.filter((p) => p !== "");
  return {
    top: some([
      balanceCard(t, page, section),
      rewardsSection(t, page, section, target),
      redemptionsSection(t, page, section),
    ]),
    bottom: some([historySection(t, page, section), birthdaySection(t, page, section, target)]),
  };
}
