// The answer to a storefront form the app does not accept (docs/storefront-forms.md): sent without its token, with a
// token made for another customer, shop or form, tampered with, or older than the token's lifetime. Liquid inside the
// shop's theme like the loyalty page (its stylesheet and classes, no JavaScript), in the shop's language, with HTTP
// 403 (the route sets it): it says nothing was changed and links back to the loyalty page, where a fresh form is made.
import type { PerkLocale } from "../domain/perks";
import { text } from "./liquid-text";
import { say, translator } from "./page-markup";
import { PAGE_CSS } from "./page-style";

/** The refusal page; `pagePath`: the loyalty page's path on the storefront (the proxy's signed path_prefix). */
export function renderFormRefused(locale: PerkLocale, pagePath: string): string {
  const t = translator(locale);
  return (
    `<style>${PAGE_CSS}</style><div class="loyalty-page lp" lang="${locale}">` +
    `<h1>${say(t, "formRefused.title")}</h1>` +
    `<div class="lp_banner lp_banner--refused" role="alert"><p>${say(t, "formRefused.text")}</p></div>` +
    `<p>${say(t, "formRefused.again")}</p>` +
    `<p><a class="lp_signin" href="${text(pagePath)}">${say(t, "formRefused.back")}</a></p></div>`
  );
}
