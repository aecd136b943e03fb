// The browser of the browser tests: the Chromium build that npm installs inside the `@sparticuz/chromium` dev
// dependency (brotli-packed in the package, unpacked here once into tmp/chromium-<version>/), with Noto Sans Thai from
// `@expo-google-fonts/noto-sans-thai` so Thai pages render as text. Nothing is downloaded and no system package is
// needed. CHROMIUM_PATH overrides it with a browser of your own (e.g. Debian's /usr/bin/chromium).
//
// `ensureChromium()` returns the executable and the environment to launch it with (its own fontconfig). It is
// synchronous, safe to call from several processes at once (each unpacks into a folder of its own, then one rename
// wins), and fast once unpacked. `node scripts/chromium.mjs` prints the path.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** Launch flags for headless use here; the packaged build also needs its own (SwiftShader instead of a GPU). */
export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--no-zygote",
  "--disable-gpu",
  "--use-gl=angle",
  "--use-angle=swiftshader",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--font-render-hinting=none",
];

/** A package's folder (its package.json is not always exported, so walk up from its entry point). */
function packageDir(name) {
  let dir = path.dirname(require.resolve(name));
  while (
    !existsSync(path.join(dir, "package.json")) ||
    JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).name !== name
  ) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`${name} has no package.json`);
    dir = up;
  }
  return dir;
}

function fontsConf(target) {
  const thai = path.join(packageDir("@expo-google-fonts/noto-sans-thai"), "400Regular");
  const thaiBold = path.join(packageDir("@expo-google-fonts/noto-sans-thai"), "700Bold");
  const dirs = [path.join(target, "fonts"), thai, thaiBold, "/usr/share/fonts", "/usr/local/share/fonts"];
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
${dirs.map((d) => `  <dir>${d}</dir>`).join("\n")}
  <cachedir>${path.join(target, "fonts-cache")}</cachedir>
</fontconfig>
`;
}

/** Unpacks the packaged Chromium (once) and returns how to launch it. */
export function ensureChromium() {
  if (process.env.CHROMIUM_PATH) {
    if (!existsSync(process.env.CHROMIUM_PATH))
      throw new Error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist`);
    return { executablePath: process.env.CHROMIUM_PATH, env: {} };
  }
  let dir;
  try {
    dir = packageDir("@sparticuz/chromium");
  } catch {
    throw new Error("the browser tests need the @sparticuz/chromium dev dependency: run `npm install`");
  }
  const version = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).version;
  const target = path.join(ROOT, "tmp", `chromium-${version}`);
  const executablePath = path.join(target, "chromium");
  if (!existsSync(executablePath)) {
    // The package unpacks into the system temporary folder (os.tmpdir()): point that at a staging folder of this
    // process's own, so concurrent callers and other projects never see a half-written binary.
    const staging = `${target}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const unpack = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import c from "@sparticuz/chromium"; process.stdout.write(await c.executablePath());`,
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, TMPDIR: staging, TMP: staging, TEMP: staging } },
    );
    if (unpack.status !== 0 || unpack.stdout !== path.join(staging, "chromium")) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(`could not unpack @sparticuz/chromium: ${unpack.stderr || unpack.stdout}`);
    }
    try {
      renameSync(staging, target);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process got there first
    }
  }
  const fontconfig = path.join(target, "fontconfig");
  if (!existsSync(path.join(fontconfig, "fonts.conf"))) {
    mkdirSync(fontconfig, { recursive: true });
    writeFileSync(path.join(fontconfig, `fonts.conf.${process.pid}`), fontsConf(target));
    renameSync(path.join(fontconfig, `fonts.conf.${process.pid}`), path.join(fontconfig, "fonts.conf"));
  }
  return { executablePath, env: { FONTCONFIG_PATH: fontconfig, FONTCONFIG_FILE: path.join(fontconfig, "fonts.conf") } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(ensureChromium().executablePath);
  } catch (error) {
    console.error(String(error instanceof Error ? error.message : error));
    process.exit(1);
  }
}
