// What a storefront surface adds to a shopper's page, measured on its markup as shipped (docs/storefront-weight.md):
// anything that runs JavaScript, and the bytes of CSS. Used by tests/integration/storefront-weight.test.ts (the
// budget) and bench/storefront-weight.ts (the Lighthouse comparison).
//
// JavaScript, found in markup or Liquid source: a <script> element (any type), an element that loads or runs code of
// its own (<iframe>, <object>, <embed>, <frame>), a <link> preloading a script or naming a .js file, an inline event
// handler (an on… attribute), a javascript:/vbscript: URL in any attribute, and Liquid that emits a script
// (`script_tag`, a .js asset through `asset_url`). CSS: every <style> element's text and every style="…" attribute's
// value, counted raw in UTF-8 bytes (and gzipped, for information: what a shopper's browser downloads).
import { gzipSync } from "node:zlib";

/** The budget: CSS bytes as shipped, raw (not gzipped). 2 kB read as 2,000 bytes, the stricter reading. */
export const CSS_BUDGET_BYTES = 2_000;

const SCRIPT_PATTERNS: [string, RegExp][] = [
  ["<script> element", /<script\b/gi],
  ["embedded document or plugin", /<(?:iframe|frame|object|embed|applet)\b/gi],
  ["script <link>", /<link\b[^>]*(?:\bas\s*=\s*["']?script\b|modulepreload|\.m?js(?:[?#"'\s>]|$))/gi],
  ["inline event handler", /<[a-z][^>]*?\son[a-z]+\s*=/gi],
  ["script URL", /(?:javascript|vbscript)\s*:/gi],
  ["Liquid script_tag", /\bscript_tag\b/gi],
  ["Liquid .js asset", /\.m?js["']\s*\|\s*asset_url/gi],
];

/** Every sign of JavaScript in the markup (or Liquid), with what was found; empty when there is none. */
export function scriptFindings(markup: string): string[] {
  const found: string[] = [];
  for (const [what, pattern] of SCRIPT_PATTERNS) {
    for (const match of markup.matchAll(pattern)) found.push(`${what}: ${match[0].slice(0, 80)}`);
  }
  return found;
}

/** The CSS the markup carries itself: each <style> element's text and each style attribute's value. */
export function inlineCss(markup: string): string[] {
  const parts: string[] = [];
  for (const m of markup.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi)) parts.push(m[1]);
  for (const m of markup.matchAll(/<[a-z][^>]*?\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) parts.push(m[1] ?? m[2]);
  return parts;
}

export interface CssWeight {
  /** UTF-8 bytes as shipped. */
  raw: number;
  /** The same bytes gzipped (level 9), as one stream. */
  gzip: number;
}

export function cssWeight(parts: readonly string[]): CssWeight {
  const all = Buffer.from(parts.join(""), "utf8");
  return { raw: all.length, gzip: parts.length === 0 ? 0 : gzipSync(all, { level: 9 }).length };
}
