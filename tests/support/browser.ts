// Real Chromium driven by playwright-core: the build npm installs inside @sparticuz/chromium (scripts/chromium.mjs;
// CHROMIUM_PATH overrides it). Only loopback is reachable: anything else is aborted and recorded, so a test can prove
// the page needs nothing from the internet.
import { afterAll } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM_ARGS, ensureChromium } from "../../scripts/chromium.mjs";

// Headless Chromium says "HeadlessChrome", which Shopify's library treats as a bot: browse as desktop Chrome.
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

let browser: Browser | undefined;

export async function launchBrowser(): Promise<Browser> {
  if (!browser) {
    const { executablePath, env } = ensureChromium();
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, env: { ...process.env, ...env } });
  }
  afterAll(async () => {
    await browser?.close();
    browser = undefined;
  });
  return browser;
}

export interface TrackedPage {
  page: Page;
  /** Requests to anything but 127.0.0.1, which were aborted. */
  offline: string[];
  /** Uncaught page errors and console errors (a 5xx answer included). */
  errors: string[];
  /** Requests the app answered with a 4xx — refused input; the browser logs each as a console error. */
  refused: number[];
}

export async function newPage(locale = "en-US"): Promise<TrackedPage> {
  const context = await (
    await launchBrowser()
  ).newContext({
    userAgent: USER_AGENT,
    locale,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const offline: string[] = [];
  const errors: string[] = [];
  const refused: number[] = [];
  await page.route(
    (url) => url.hostname !== "127.0.0.1",
    (route) => {
      offline.push(route.request().url());
      return route.abort("internetdisconnected");
    },
  );
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // Aborted off-machine requests are recorded in `offline` (tests assert on that list), not as page errors.
    if (message.type() !== "error" || message.text().includes("ERR_INTERNET_DISCONNECTED")) return;
    const status = /^Failed to load resource: the server responded with a status of (4\d\d)\b/.exec(message.text());
    if (status) refused.push(Number(status[1]));
    else errors.push(`console: ${message.text()}`);
  });
  return { page, offline, errors, refused };
}
