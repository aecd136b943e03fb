// The loyalty page's stylesheet: app/storefront/loyalty-page.ts puts it in one <style> before the page's markup,
// which Shopify renders inside the shop's theme. Scoped under the page's root (class "loyalty-page lp") and its own
// lp_ classes (an underscore, so no class is spelt like the page's lp-… ids); the theme gives fonts and colours.
// Budget (docs/storefront-weight.md): at most 2,000 bytes of CSS as shipped, counted raw (not gzipped), and no
// JavaScript; tests/integration/storefront-weight.test.ts measures the page's answers through the built server. So
// rules are written once for what looks alike (the three card grids, the two buttons, the two notices), and the text
// below is compacted when the module loads: readable here, without the whitespace on the wire.

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
.lp { max-width: 48rem; margin: 0 auto; overflow-wrap: anywhere; }
.lp h1 { margin: 0 0 .5rem; }
.lp h2 { margin: 2rem 0 .75rem; }
.lp h3 { margin: 1rem 0 .25rem; font-size: 1.05rem; }
.lp :is(p, li) { margin: .3rem 0; }
.lp :is(ul, ol) { margin: .25rem 0 .75rem; padding-left: 1.25rem; }
.lp code { font: 600 .95em monospace; padding: 0 .3em; border: 1px dashed #1f5199; background: #f3f6fb; }
.lp_card { border: 1px solid #ccc; border-radius: 8px; padding: 1rem 1.25rem; margin: .75rem 0; }
.lp_card > :first-child { margin-top: 0; }
.lp_tier, .lp_points { font-size: 1.2rem; }
.lp_muted, .lp_short { color: #555; }
.lp_short { font-style: italic; }
.lp_track { height: .75rem; border-radius: 9px; background: #e4e8ef; overflow: hidden; }
.lp_bar { height: 100%; min-width: 2px; background: #1f5199; }
.lp_notice, .lp_banner { border-left: 4px solid #a15c00; background: #fff6e5; color: #4d2c00; padding: .5rem .75rem; }
.lp_banner { border-color: #1a7f37; background: #eaf6ec; color: #0f3d1c; }
.lp_banner--refused { border-color: #b3261e; background: #fdeceb; color: #5c1410; }
ul:is(.lp_offers, .lp_rewards, .lp_picks) { list-style: none; padding: 0; display: grid; gap: .75rem; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); }
:is(.lp_offers, .lp_rewards, .lp_picks) > li { margin: 0; }
.lp_picks > li { padding: .6rem; border: 1px solid #ccc; border-radius: 6px; }
.lp table { width: 100%; border-collapse: collapse; }
.lp caption { text-align: left; font-weight: 600; }
.lp :is(th, td) { text-align: left; vertical-align: top; padding: .5rem; border-bottom: 1px solid #ccc; }
.lp thead th { border-bottom: 2px solid #888; }
.lp_current { background: #eef3fb; }
.lp td ul { margin: 0; }
.lp_price { font-weight: 600; }
.lp .lp_number { text-align: right; white-space: nowrap; }
.lp_signin, .lp_button { display: inline-block; margin: .4rem 0; padding: .6rem 1rem; border: 0; border-radius: 6px; background: #1f5199; color: #fff; font: inherit; font-weight: 600; text-decoration: none; }
:is(.lp_signin, .lp_button):is(:hover, :focus) { background: #163b70; color: #fff; }
.lp_birthday label { display: inline-block; min-width: 9rem; }
.lp_birthday :is(select, input) { font: inherit; }
.lp_birthday input { width: 6rem; }
`;

/** The stylesheet as the page ships it. */
export const PAGE_CSS = compactCss(SOURCE);
