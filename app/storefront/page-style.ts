// The loyalty page's stylesheet: app/storefront/loyalty-page.ts puts it in one <style> before the page's markup,
// which Shopify renders inside the shop's theme. Scoped under the page's root (class "loyalty-page lp") and its own
// lp_ classes (an underscore, so no class is spelt like the page's lp-… ids); the theme gives fonts and colours.
// Budget (docs/storefront-weight.md): at most 2,000 bytes of CSS as shipped, counted raw (not gzipped), and no
// JavaScript; tests/integration/storefront-weight.test.ts measures the page's answers through the built server. So
// rules are written once for what looks alike (the three card grids, the two buttons, the two notices), and the text
// below is compacted when the module loads: readable here, without the whitespace on the wire.
// Sizes are in em, not rem: themes such as Dawn set the root font size to 10 px (62.5 %), where rem shrinks the page.

/** CSS without comments and the whitespace it does not need (a descendant space before `:is(...)` is kept). */
export function compactCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\s+/g, " ")
    .replace(/\s*([{};,>])\s*/g, "$1")
    .replace(/:\s+/g, ":")
    .replace(/;}/g, "}")
    .trim();
}

const SOURCE = `
.lp { max-width: 48em; margin: 0 auto; overflow-wrap: anywhere; }
.lp h1 { margin: 0 0 .5em; }
.lp h2 { margin: 1.5em 0 .5em; }
.lp h3 { margin: 1em 0 .25em; font-size: 1.05em; }
.lp :is(p, li) { margin: .3em 0; }
.lp :is(ul, ol) { margin: .25em 0 .75em; padding-left: 1.25em; }
.lp code { font: 600 .95em monospace; padding: 0 .3em; border: 1px dashed #1f5199; background: #f3f6fb; }
.lp_card { border: 1px solid #ccc; border-radius: 8px; padding: 1em 1.25em; margin: .75em 0; }
.lp_card > :first-child { margin-top: 0; }
.lp_tier, .lp_points { font-size: 1.2em; }
.lp_muted, .lp_short { color: #555; }
.lp_short { font-style: italic; }
.lp_track { height: .75em; border-radius: 9px; background: #e4e8ef; overflow: hidden; }
.lp_bar { height: 100%; min-width: 2px; background: #1f5199; }
.lp_notice, .lp_banner { border-left: 4px solid #a15c00; background: #fff6e5; color: #4d2c00; padding: .5em .75em; }
.lp_banner { border-color: #1a7f37; background: #eaf6ec; color: #0f3d1c; }
.lp_banner--refused { border-color: #b3261e; background: #fdeceb; color: #5c1410; }
ul:is(.lp_offers, .lp_rewards, .lp_picks) { list-style: none; padding: 0; display: grid; gap: .75em; grid-template-columns: repeat(auto-fill, minmax(13em, 1fr)); }
:is(.lp_offers, .lp_rewards, .lp_picks) > li { margin: 0; }
.lp_picks > li { padding: .6em; border: 1px solid #ccc; border-radius: 6px; }
.lp table { width: 100%; border-collapse: collapse; }
.lp caption { text-align: left; font-weight: 600; }
.lp :is(th, td) { text-align: left; vertical-align: top; padding: .5em; border-bottom: 1px solid #ccc; }
.lp thead th { border-bottom: 2px solid #888; }
.lp_current { background: #eef3fb; }
.lp td ul { margin: 0; }
.lp_price { font-weight: 600; }
.lp .lp_number { text-align: right; white-space: nowrap; }
.lp_signin, .lp_button { display: inline-block; margin: .4em 0; padding: .6em 1em; border: 0; border-radius: 6px; background: #1f5199; color: #fff; font: inherit; font-weight: 600; text-decoration: none; }
:is(.lp_signin, .lp_button):is(:hover, :focus) { background: #163b70; color: #fff; }
.lp_birthday label { display: inline-block; min-width: 9em; }
.lp_birthday :is(select, input) { font: inherit; }
.lp_birthday input { width: 6em; }
`;

/** The stylesheet as the page ships it. */
export const PAGE_CSS = compactCss(SOURCE);
