// The member's LINE section of the loyalty page (docs/line-link.md), as Liquid the app proxy answers: "Link LINE" (a
// plain HTML form that posts to <page>/line/link with the storefront's origin from Liquid's `shop.url`), or "Linked
// as <name>" with whether messages reach them and "Unlink LINE" (a form posting to <page>/line/unlink); the result of
// the last action as a banner. Like the rest of the page: no JavaScript, the page's own classes (no CSS of its own,
// so the storefront budget holds), strings from app/i18n/pages/line-link.*.json in the shop's language, names escaped.
import type { TFunction } from "i18next";
import type { LineLinkView } from "../domain/line-login";
import type { PerkLocale } from "../domain/perks";
import { createI18n } from "../i18n";
import { text } from "./liquid-text";
import { card, say, strong } from "./page-markup";

const translators = new Map<PerkLocale, TFunction>();
function translator(locale: PerkLocale): TFunction {
  let t = translators.get(locale);
  if (!t) {
    t = createI18n(locale).getFixedT(locale, undefined, "lineLink");
    translators.set(locale, t);
  }
  return t;
}

/** The proxy's path on the storefront (signed: `/apps/loyalty`), where the page is and its forms post. */
export function proxyPagePath(request: Request): string {
  const prefix = new URL(request.url).searchParams.get("path_prefix") ?? "";
  return /^\/[a-z]+\/[A-Za-z0-9_-]{1,30}$/.test(prefix) ? prefix : "/apps/loyalty";
}

const OK_RESULTS = new Set(["linked", "unlinked"]);

/** The section; `view.token`: its form's anti-forgery token (docs/storefront-forms.md), a hidden field. */
export function lineLinkSection(locale: PerkLocale, view: LineLinkView & { token: string }, pagePath: string): string {
  const t = translator(locale);
  const out: string[] = [];
  if (view.result) {
    const ok = OK_RESULTS.has(view.result);
    out.push(
      `<div class="lp_banner${ok ? "" : " lp_banner--refused"}" role="${ok ? "status" : "alert"}"><p>${say(t, `result.${view.result}`)}</p></div>`,
    );
  }
  const tokenField = `<input type="hidden" name="token" value="${text(view.token)}">`;
  const action = (what: "link" | "unlink") => text(`${pagePath}/line/${what}?f=${view.formKey}`);
  if (view.link) {
    out.push(
      `<p class="lp_points">${view.link.displayName ? say(t, "linkedAs", { name: strong(view.link.displayName) }) : say(t, "result.linked")}</p>`,
      `<p>${say(t, view.link.following ? "following" : "notFollowing")}</p>`,
      `<form method="post" action="${action("unlink")}">${tokenField}<button type="submit" class="lp_button">${say(t, "unlinkButton")}</button></form>`,
      `<p class="lp_muted">${say(t, "unlinkNote")}</p>`,
    );
  } else {
    out.push(
      `<p>${say(t, "intro")}</p>`,
      `<form method="post" action="${action("link")}">${tokenField}<input type="hidden" name="origin" value="{{ shop.url }}">` +
        `<button type="submit" class="lp_button">${say(t, "linkButton")}</button></form>`,
      `<p class="lp_muted">${say(t, "linkNote")}</p>`,
    );
  }
  return card("lp-line", say(t, "heading"), out.join(""));
}
