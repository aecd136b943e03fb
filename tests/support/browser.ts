// Real Chromium (Debian's package) driven by playwright-core. Only loopback is reachable: anything else is
// aborted and recorded, so a test can prove the page needs nothing from the internet.
import { existsSync } from "node:fs";
import { afterAll } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
// Headless Chromium says "HeadlessChrome", which Shopify's library treats as a bot: browse as desktop Chrome.
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

let browser: Browser | undefined;

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
  }
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
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
  const context = await (await launchBrowser()).newContext({
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
