// `npm run demo`: a simulated Shopify with a generated shop, the built app against it, the app installed, and the
// URL to open. Everything on 127.0.0.1; no Shopify account. Ctrl-C stops both.
// The local LINE (Messaging API + LINE Login) and the local Klaviyo run too, and the demo shop's channels are connected
// through the app's own Channels action (credentials sealed with CHANNEL_SECRETS_KEY, or a key the demo generates), so
// a shopper can link LINE from the loyalty page (docs/line-link.md) and messages can be sent — with no LINE or
// Klaviyo account.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import path from "node:path";
import { parseArgs } from "node:util";
import { createLocalShopify } from "./local-shopify";
import { createLocalLine } from "./line/index";
import { createLocalKlaviyo } from "./klaviyo/index";
import { writeShopFile } from "./generator/index";
import { adminHostParam } from "./app-bridge/session-token";
import type { ShopState } from "./admin/store";
import type { CustomerRecord } from "./shop-file/types";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3000" },
    "simulator-port": { type: "string", default: "4100" },
    // The local LINE and Klaviyo (0: any free port).
    "line-port": { type: "string", default: "0" },
    "klaviyo-port": { type: "string", default: "0" },
    "shop-file": { type: "string" },
    preset: { type: "string", default: "demo" },
    seed: { type: "string", default: "42" },
    "no-build": { type: "boolean", default: false },
    "exit-after-start": { type: "boolean", default: false },
  },
});

const DIR = path.resolve("tmp/demo");
const API_KEY = "demo-api-key";
const API_SECRET = "demo-api-secret";
const BROWSER = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" };
/** Bumped whenever the generator's output gains something (2: a product catalogue and line items). */
const GENERATED_FORMAT = 2;
const step = (text: string) => console.log(`\x1b[36m▶\x1b[0m ${text}`);

async function main() {
  const started = Date.now();
  mkdirSync(DIR, { recursive: true });

  // 1. The shop: a file given on the command line (e.g. a real shop's export), or a generated one ending today.
  let shopFile = values["shop-file"];
  if (!shopFile) {
    const today = new Date().toISOString().slice(0, 10);
    // The cached file's name carries the generator's format (2: products and line items), so an older file is not
    // reused after the generator learned more.
    shopFile = path.join(DIR, `${values.preset}-${values.seed}-${today}-f${GENERATED_FORMAT}.jsonl`);
    if (!existsSync(shopFile)) {
      step(`Generating the ${values.preset} shop (seed ${values.seed}) …`);
      await writeShopFile(
        { preset: values.preset as never, seed: Number(values.seed), endDate: `${today}T00:00:00.000Z` },
        shopFile,
        { truthFile: true },
      );
    }
  }

  // 2. The app: built, with a fresh database.
  if (!values["no-build"]) {
    step("Building the app …");
    run(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build", "--logLevel", "warn"]);
  }
  const dbFile = path.join(DIR, "demo.sqlite");
  rmSync(dbFile, { force: true });
  const databaseUrl = `file:${dbFile}`;
  run(process.execPath, ["scripts/setup.mjs"], { DATABASE_URL: databaseUrl }, true);

  // 3. The local Shopify with the shop loaded.
  // The demo app is approved (Partner Dashboard) for protected customer data with the name and email fields: what it
  // shows of customers. Without this approval Shopify would refuse customers and orders to it.
  const shopify = createLocalShopify({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    protectedCustomerData: { level: 2, fields: ["name", "email"] },
  });
  const shopState = await shopify.admin.shops.loadShopFile(shopFile);
  const shop = shopState.record.myshopifyDomain;
  const simulator = await shopify.listen(Number(values["simulator-port"]));
  step(`Local Shopify on ${simulator.url} with ${shop} (${shopState.record.name})`);

  // 3b. The local LINE and Klaviyo, with the demo shop's accounts (connected to the app after the install).
  const channels = await startChannelDoubles(shopify, shop);
  step(`Local LINE on ${channels.lineUrl}, local Klaviyo on ${channels.klaviyoUrl}`);

  // 4. The app server against it (its environment also written to tmp/demo/demo.env for the operator CLI).
  const appUrl = `http://127.0.0.1:${values.port}`;
  const appEnv = {
    NODE_ENV: "development" as const,
    PORT: values.port,
    // The demo stays on this machine (`npm start` listens on every interface by default).
    HOST: "127.0.0.1",
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: appUrl,
    DATABASE_URL: databaseUrl,
    SHOPIFY_ADMIN_API_ORIGIN: simulator.url,
    APP_BRIDGE_URL: shopify.appBridgeUrl,
    LINE_API_ORIGIN: channels.lineUrl,
    LINE_ACCESS_ORIGIN: channels.lineUrl,
    KLAVIYO_API_ORIGIN: channels.klaviyoUrl,
    // The channels' credentials are sealed with this key: the operator's, or one made for this demo.
    CHANNEL_SECRETS_KEY: process.env.CHANNEL_SECRETS_KEY || randomBytes(32).toString("base64"),
  };
  const envFile = path.join(DIR, "demo.env");
  writeFileSync(
    envFile,
    Object.entries(appEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n") + "\n",
  );
  const app = spawn(process.execPath, ["server.mjs"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, ...appEnv },
  });
  const stop = async (code = 0) => {
    if (app.exitCode === null) {
      const exited = new Promise((resolve) => app.once("exit", resolve));
      app.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    await simulator.close();
    await channels.close();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  app.on("exit", (code) => {
    if (code !== null && code !== 0) {
      console.error(`The app exited with code ${code}.`);
      void stop(1);
    }
  });
  await waitForHttp(appUrl, app);
  shopify.connectApp(appUrl);

  // 5. Install: Shopify-managed install, then the merchant's first visit exchanges a session token.
  shopify.install(shop);
  const params = new URLSearchParams({ embedded: "1", shop, host: adminHostParam(shop) });
  const first = await fetch(`${appUrl}/app?${params}&id_token=${shopify.admin.tokens.sessionToken(shop)}`, {
    headers: BROWSER,
  });
  if (first.status !== 200) throw new Error(`Installing into ${shop} failed: the app answered ${first.status}`);
  step(`Installed into ${shop} in ${((Date.now() - started) / 1000).toFixed(1)} s; backfilling its history …`);
  const backfill = await waitForBackfill(dbFile, shop);
  step(
    `Backfill ${backfill.status}: ${backfill.customersRead} customers, ${backfill.ordersRead} orders ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s since start`,
  );
  const sync = await waitForSync(dbFile, shop);
  step(
    sync
      ? `Sync ${sync.status}: ${sync.synced} customers tagged and given their tier metafields, tier segments made, ` +
          `in ${sync.requests} requests (${sync.costPoints} cost points)`
      : "Sync not finished yet: it goes on in the background (npm run loyalty -- status shows it)",
  );
  const connected = await connectChannels(appUrl, () => shopify.admin.tokens.sessionToken(shop), channels.credentials);
  step(`Channels connected through the app: ${connected.join(", ")}`);
  const points = await setUpPoints(appUrl, shop, () => shopify.admin.tokens.sessionToken(shop));
  // The sync the grant queued writes the shoppers' points metafields.
  const pointsSync = await waitForSync(dbFile, shop, { since: points.appliedAt });
  step(
    `Points programme started a year back (a retroactive grant: ${points.appended} journal entries) ` +
      `with ${points.rewards} rewards to redeem on the loyalty page` +
      (pointsSync ? `; points synced to ${pointsSync.synced} customers` : ""),
  );
  console.log(
    `\nOperator CLI against this demo: npm run loyalty -- status --shop ${shop} --env ${path.relative(process.cwd(), envFile)}`,
  );

  console.log(`\nOpen the app, embedded as in Shopify admin:\n\n  \x1b[1m${appUrl}/app?${params}\x1b[0m\n`);
  printStorefront(shopify, shopState);
  console.log(
    `LINE: "Link LINE" on the loyalty page opens the local LINE Login's consent page, signed in as ` +
      `${channels.lineUser.displayName}; LINE's follow/unfollow webhooks go to ${appUrl}/webhooks/line/${shop}\n`,
  );
  console.log("Stop with Ctrl-C.");
  if (values["exit-after-start"]) await stop(0);
}

/**
 * The shoppers' side: the loyalty page the app serves through its app proxy on the shop's storefront, and how to be a
 * signed-in customer there (sign in by email, no password; or a one-time link for the customer with the most orders).
 */
function printStorefront(shopify: ReturnType<typeof createLocalShopify>, shopState: ShopState) {
  const shop = shopState.record.myshopifyDomain;
  if (!shopify.storefront.proxyPrefix) return;
  let regular: CustomerRecord | undefined;
  let most = -1;
  for (const customer of shopState.customers.values()) {
    const orders = shopState.ordersByCustomer.get(customer.id)?.size ?? 0;
    if (customer.email && orders > most) [regular, most] = [customer, orders];
  }
  console.log(`Storefront loyalty page (the app proxy ${shopify.storefront.proxyPrefix}):\n`);
  console.log(`  \x1b[1m${shopify.storefront.proxyUrl(shop)}\x1b[0m\n`);
  console.log(`Sign in as one of the shop's customers by email (simulated: no password) at`);
  console.log(`  ${shopify.storefront.url(shop, "/account/login")}`);
  if (regular) {
    console.log(`e.g. ${regular.email} (${most} orders), or open this one-time link within ten minutes:`);
    console.log(`  ${shopify.storefront.signInUrl(shop, regular.id, shopify.storefront.proxyPrefix)}`);
  }
  console.log("");
}

/**
 * The local LINE (a Messaging API channel, and a LINE Login channel linked to it whose callback is the demo shop's
 * storefront) and the local Klaviyo (one account), each with fresh random credentials; the LINE Login consents on a
 * page a browser clicks through, as a demo LINE user.
 */
async function startChannelDoubles(shopify: ReturnType<typeof createLocalShopify>, shop: string) {
  const line = createLocalLine();
  const klaviyo = createLocalKlaviyo();
  const digits = () => String(1_000_000_000 + Math.floor(Math.random() * 8_999_999_999));
  const messaging = {
    channelId: digits(),
    channelSecret: randomBytes(16).toString("hex"),
    accessToken: randomBytes(60).toString("base64"),
  };
  const login = { channelId: digits(), channelSecret: randomBytes(16).toString("hex") };
  const klaviyoKey = `pk_${randomBytes(17).toString("hex")}`;
  line.addChannel({ ...messaging, displayName: "Demo Loyalty OA", monthlyQuota: 5000 });
  line.login.addChannel({
    ...login,
    callbackUrls: shopify.storefront.proxyPrefix ? [shopify.storefront.proxyUrl(shop, "/line/callback")] : [],
    linkedBotChannelId: messaging.channelId,
  });
  const lineUser = { userId: `U${randomBytes(16).toString("hex")}`, displayName: "Demo Shopper (LINE)" };
  line.login.signIn(lineUser);
  line.login.setConsent({ mode: "page", addFriend: true });
  klaviyo.addAccount({ privateKey: klaviyoKey, name: "Demo Loyalty" });
  const [lineServer, klaviyoServer] = await Promise.all([
    line.listen(Number(values["line-port"])),
    klaviyo.listen(Number(values["klaviyo-port"])),
  ]);
  return {
    lineUrl: lineServer.url,
    klaviyoUrl: klaviyoServer.url,
    lineUser,
    credentials: {
      "line-messaging": messaging,
      "line-login": login,
      klaviyo: { privateKey: klaviyoKey },
    } as Record<string, Record<string, string>>,
    close: () => Promise.all([lineServer.close(), klaviyoServer.close()]),
  };
}

/** Connects each channel as the merchant would on the Channels page (the app's own action seals the secrets). */
async function connectChannels(
  appUrl: string,
  token: () => string,
  credentials: Record<string, Record<string, string>>,
) {
  const done: string[] = [];
  for (const [channel, fields] of Object.entries(credentials)) {
    const url = new URL("/app/channels", appUrl);
    url.searchParams.set("_data", "routes/app.channels");
    const response = await fetch(url, {
      method: "POST",
      headers: { ...BROWSER, Authorization: `Bearer ${token()}` },
      body: new URLSearchParams({ intent: "save", channel, ...fields }),
    });
    const answer = (await response.json()) as { ok?: boolean };
    if (!response.ok || !answer.ok) throw new Error(`Connecting ${channel} failed: ${JSON.stringify(answer)}`);
    done.push(channel);
  }
  return done;
}

/**
 * The demo merchant's points programme, set up as a merchant would in the admin (the app's own actions, through HTTP
 * with a session token): a rewards catalogue, and the programme start a year back so the history's orders earn.
 */
async function setUpPoints(appUrl: string, shop: string, token: () => string) {
  // As the admin's own forms send them (Remix's data requests: `_data` names the route whose action answers).
  const post = async (route: string, routeId: string, body: unknown) => {
    const url = new URL(route, appUrl);
    url.searchParams.set("_data", routeId);
    const response = await fetch(url, {
      method: "POST",
      headers: { ...BROWSER, Authorization: `Bearer ${token()}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { ok?: boolean; appended?: number };
    if (!response.ok || !answer.ok) throw new Error(`${route} refused the demo set-up: ${JSON.stringify(answer)}`);
    return answer;
  };
  const rewards = [
    { title: "Free shipping", kind: "free_shipping", pointsPrice: "300", value: "", expiryDays: "30" },
    { title: "5 off", kind: "amount_off", pointsPrice: "500", value: "5", expiryDays: "30" },
    { title: "10 store credit", kind: "store_credit", pointsPrice: "1000", value: "10", expiryDays: "365" },
    { title: "25 gift card", kind: "gift_card", pointsPrice: "2500", value: "25", expiryDays: "" },
  ];
  for (const form of rewards)
    await post("/app/rewards", "routes/app.rewards", {
      intent: "save",
      form: { limitCount: "", limitPeriodDays: "", limitTotal: "", ...form },
    });
  const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
  const started = await post("/app/points?index", "routes/app.points._index", {
    intent: "applyStart",
    startsOn: yearAgo,
  });
  return { rewards: rewards.length, appended: started.appended ?? 0, appliedAt: Date.now() };
}

function run(cmd: string, args: string[], env: Record<string, string> = {}, quiet = false) {
  const result = spawnSync(cmd, args, { stdio: quiet ? "pipe" : "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(result.stderr ?? "");
    throw new Error(`${path.basename(args[0] ?? cmd)} failed`);
  }
}

/** Follows the app's backfill in its database (read-only) until it ends. */
async function waitForBackfill(dbFile: string, shop: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    for (;;) {
      const run = db
        .prepare(
          `SELECT status, customersRead, ordersRead FROM "BackfillRun" WHERE shop = ? ORDER BY startedAt DESC LIMIT 1`,
        )
        .get(shop) as { status: string; customersRead: number; ordersRead: number } | undefined;
      if (run && (run.status === "done" || run.status === "failed")) return run;
      if (Date.now() > deadline) return run ?? { status: "not started", customersRead: 0, ordersRead: 0 };
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    db.close();
  }
}

/** Follows the first sync back to the shop (queued by the recompute after backfill) until it ends, or gives up. */
/** The newest finished sync run of the shop, once there is one that started at or after `since` (epoch ms). */
async function waitForSync(dbFile: string, shop: string, { timeoutMs = 60_000, since = 0 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    while (Date.now() < deadline) {
      const run = db
        .prepare(
          `SELECT status, synced, requests, costPoints, startedAt FROM "SyncRun" WHERE shop = ? AND status <> 'running' ORDER BY startedAt DESC LIMIT 1`,
        )
        .get(shop) as
        | { status: string; synced: number; requests: number; costPoints: number; startedAt: number | string }
        | undefined;
      if (run && new Date(run.startedAt).getTime() >= since) return run;
      await new Promise((r) => setTimeout(r, 250));
    }
    return null;
  } finally {
    db.close();
  }
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error("the app did not start");
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`the app did not answer on ${url} within ${timeoutMs / 1000} s`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
