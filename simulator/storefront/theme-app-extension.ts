// A theme app extension's blocks as the local storefront shows them: each block's Liquid with its `{% schema %}`
// settings at their defaults (as a merchant who added the block and changed nothing), its stylesheet, and the
// extension's own storefront translations (locales/<lang>.json; `<lang>.default.json` is the fallback), which the
// block's `t` filter reads instead of the theme's.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";

export interface ThemeAppBlock {
  /** The block's file name without .liquid. */
  name: string;
  liquid: string;
  /** The CSS of the schema's `stylesheet` asset, or null. */
  stylesheet: string | null;
  /** Each setting's default (settings without one are absent, as Liquid sees them: nil). */
  settings: Record<string, unknown>;
  /** Translations by language; `default` is the one the extension marks `.default`. */
  locales: Record<string, Record<string, unknown>>;
  defaultLocale: string;
}

/** The blocks of the theme app extension in `dir` (blocks/*.liquid); none when the folder does not exist. */
export function loadThemeAppBlocks(dir: string): ThemeAppBlock[] {
  const blocksDir = path.join(dir, "blocks");
  if (!existsSync(blocksDir)) return [];
  const locales: Record<string, Record<string, unknown>> = {};
  let defaultLocale = "en";
  const localesDir = path.join(dir, "locales");
  for (const file of existsSync(localesDir) ? readdirSync(localesDir) : []) {
    const m = /^([a-zA-Z-]+?)(\.default)?\.json$/.exec(file);
    if (!m || file.endsWith(".schema.json")) continue;
    locales[m[1]] = JSON.parse(readFileSync(path.join(localesDir, file), "utf8")) as Record<string, unknown>;
    if (m[2]) defaultLocale = m[1];
  }
  return readdirSync(blocksDir)
    .filter((f) => f.endsWith(".liquid"))
    .sort()
    .map((file) => {
      const liquid = readFileSync(path.join(blocksDir, file), "utf8");
      const schemaText = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/.exec(liquid)?.[1];
      if (!schemaText) throw new Error(`${file}: a theme app block needs a {% schema %}`);
      const schema = JSON.parse(schemaText) as {
        stylesheet?: string;
        settings?: { id?: string; default?: unknown }[];
      };
      const settings: Record<string, unknown> = {};
      for (const s of schema.settings ?? []) if (s.id && s.default !== undefined) settings[s.id] = s.default;
      const css = schema.stylesheet ? path.join(dir, "assets", schema.stylesheet) : null;
      if (css && !existsSync(css)) throw new Error(`${file}: stylesheet ${schema.stylesheet} is not in assets/`);
      return {
        name: file.replace(/\.liquid$/, ""),
        liquid,
        stylesheet: css ? readFileSync(css, "utf8") : null,
        settings,
        locales,
        defaultLocale,
      };
    });
}

/** The theme app extensions (shopify.extension.toml `type = "theme"`) under an extensions folder. */
export function themeExtensionDirs(extensionsDir: string): string[] {
  if (!existsSync(extensionsDir)) return [];
  return readdirSync(extensionsDir)
    .sort()
    .map((entry) => path.join(extensionsDir, entry))
    .filter((dir) => {
      const toml = path.join(dir, "shopify.extension.toml");
      return existsSync(toml) && (parseToml(readFileSync(toml, "utf8")) as { type?: unknown }).type === "theme";
    });
}
