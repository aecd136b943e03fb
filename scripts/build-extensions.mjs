// Bundles each UI extension under extensions/ (type "ui_extension") the way Shopify CLI's `shopify app build` does,
// without the CLI or a Shopify account, and checks Shopify's bundle size limit: 64 KB compressed per extension,
// 128 KB for a customer account full page (customer-account.page.render). Sizes are measured as the CLI reports them
// (zlib deflate of the minified bundle). `npm run build:extensions`; `npm test` runs it as a step.
//
// Output: tmp/extensions/<handle>.js and <handle>.metafile.json (for esbuild's bundle analyzer). `shopify app build` and
// `shopify app deploy` still build the extensions themselves (into extensions/*/dist); this build is the check.
//
// esbuild is Vite's own (a dependency of vite), so nothing else is installed for it.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { parse } from "smol-toml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const EXTENSIONS = path.join(ROOT, "extensions");
const OUT = path.join(ROOT, "tmp", "extensions");
const KB = 1024;
/** Shopify's limits on the compressed bundle (API version 2025-10 and later), enforced at deploy. */
const LIMIT = 64 * KB;
const FULL_PAGE_LIMIT = 128 * KB;
const FULL_PAGE_TARGETS = new Set(["customer-account.page.render"]);

/** Vite's esbuild. */
function esbuild() {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve("vite/package.json"))("esbuild");
}

/** The UI extensions: folder, handle and targets (target → module) from each shopify.extension.toml. */
export function uiExtensions(dir = EXTENSIONS) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name, "shopify.extension.toml");
    if (!existsSync(file)) continue;
    const toml = parse(readFileSync(file, "utf8"));
    for (const extension of toml.extensions ?? []) {
      if (extension.type !== "ui_extension") continue;
      out.push({ dir: path.join(dir, name), handle: extension.handle, targeting: extension.targeting ?? [] });
    }
  }
  return out;
}

/** One extension's bundle: the CLI's entry (each target's module registered with shopify.extend) and options. */
async function bundle({ dir, handle, targeting }) {
  const contents = targeting
    .map(
      (t, i) =>
        `import Target_${i} from ${JSON.stringify(t.module)};` +
        `shopify.extend(${JSON.stringify(t.target)}, (...args) => Target_${i}(...args));`,
    )
    .join("\n");
  const outfile = path.join(OUT, `${handle}.js`);
  const result = await esbuild().build({
    stdin: { contents, resolveDir: dir, loader: "tsx", sourcefile: "index.tsx" },
    outfile,
    bundle: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    loader: { ".esnext": "ts", ".js": "jsx" },
    resolveExtensions: [".tsx", ".ts", ".js", ".json", ".esnext", ".mjs"],
    define: { "process.env.NODE_ENV": '"production"' },
    legalComments: "none",
    minify: true,
    target: "es6",
    metafile: true,
    logLevel: "silent",
  });
  writeFileSync(path.join(OUT, `${handle}.metafile.json`), JSON.stringify(result.metafile));
  const code = readFileSync(outfile);
  const limit = targeting.every((t) => FULL_PAGE_TARGETS.has(t.target)) ? FULL_PAGE_LIMIT : LIMIT;
  return { handle, raw: code.byteLength, compressed: deflateSync(code).byteLength, limit, warnings: result.warnings };
}

const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  mkdirSync(OUT, { recursive: true });
  const extensions = uiExtensions();
  let failed = extensions.length === 0;
  if (failed) console.log("no UI extensions found under extensions/");
  for (const extension of extensions) {
    try {
      const r = await bundle(extension);
      const over = r.compressed > r.limit;
      if (over) failed = true;
      console.log(
        `${over ? "✗" : "✓"} ${r.handle}: ${kb(r.raw)} original, ${kb(r.compressed)} compressed ` +
          `(limit ${kb(r.limit)})${r.warnings.length ? `, ${r.warnings.length} warning(s)` : ""}`,
      );
      for (const w of r.warnings) console.log(`  warning: ${w.text}`);
    } catch (error) {
      failed = true;
      console.log(`✗ ${extension.handle}: ${error instanceof Error ? error.message : error}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
