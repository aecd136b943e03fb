// The whole local Shopify in one place: the Admin API double, the webhook sender wired to its events, the App
// Bridge double and its session tokens, and each shop's storefront with the app's app proxy (storefront/index.ts),
// all on one loopback port. Used by `npm run demo`, integration and e2e tests.
import type { Server } from "node:http";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import express from "express";
import { parse as parseToml } from "smol-toml";
import {
  createAdminSimulator,
  type AdminSimulatorOptions,
  type ProtectedCustomerData,
  type SimulatorEvent,
} from "./admin/index";
import { AccessGrant, TOPIC_ACCESS } from "./admin/access";
import { createWebhookSender, type WebhookSenderOptions } from "./webhooks/index";
import { createStorefront } from "./storefront/index";
import { loadThemeAppBlocks, themeExtensionDirs } from "./storefront/theme-app-extension";
import type { CustomerRecord, OrderRecord, ShopRecord } from "./shop-file/types";
import type { MetafieldDefinitionRecord } from "./admin/records";

const here = path.dirname(fileURLToPath(import.meta.url));
const APP_BRIDGE_SCRIPT = path.join(here, "app-bridge", "app-bridge.js");

export interface LocalShopifyOptions extends Omit<AdminSimulatorOptions, "apiKey" | "apiSecret"> {
  apiKey: string;
  apiSecret: string;
  /** Where the app listens; webhooks go there. Can be set later with connectApp(). */
  appUrl?: string;
  /** The app's shopify.app.toml: which topics it subscribed to, at which paths. */
  appTomlPath?: string;
  /** The app's extensions folder: its Flow trigger extensions are what flowTriggerReceive accepts. */
  extensionsDir?: string;
  webhooks?: Partial<Omit<WebhookSenderOptions, "appUrl" | "apiSecret" | "subscriptions">>;
}

export function createLocalShopify(options: LocalShopifyOptions) {
  const toml = readFileSync(options.appTomlPath ?? "shopify.app.toml", "utf8");
  // What the app asks for in its toml is what a Shopify-managed install grants, unless a test says otherwise.
  const requestedScopes = requestedAccessScopes(toml);
  const admin = createAdminSimulator({
    flowTriggers: declaredFlowTriggers(options.extensionsDir ?? "extensions"),
    ...(requestedScopes ? { scopes: requestedScopes } : {}),
    ...options,
  });
  const installed = new Set<string>();
  let sender: ReturnType<typeof createWebhookSender> | null = null;
  let origin = "";
  let connectedAppUrl: string | null = null;

  function connectApp(appUrl: string) {
    connectedAppUrl = appUrl;
    sender = createWebhookSender({
      ...options.webhooks,
      appUrl,
      apiSecret: options.apiSecret,
      subscriptions: { toml },
      // Shopify sends nothing for a topic the app did not subscribe to.
      unsubscribed: "skip",
    });
  }
  if (options.appUrl) connectApp(options.appUrl);

  // Declarative custom data: `[customer.metafields.app.<key>]` tables of the toml become the app's definitions in
  // every shop it is installed in (as `shopify app deploy` does), so metafieldsSet checks types against them.
  const declared = declaredCustomerMetafields(toml);
  function defineDeclared(domain: string) {
    const state = admin.shops.getShop(domain)!;
    const namespace = `app--${options.appId ?? 1}`;
    for (const d of declared) {
      const exists = [...state.metafieldDefinitions.values()].some(
        (x) => x.namespace === namespace && x.key === d.key && x.ownerType === "CUSTOMER",
      );
      if (exists) continue;
      const record: MetafieldDefinitionRecord = {
        __typename: "MetafieldDefinition",
        id: state.nextId("MetafieldDefinition"),
        namespace,
        ownerType: "CUSTOMER",
        createdAt: new Date(admin.clock.now()).toISOString(),
        ...d,
      };
      state.metafieldDefinitions.set(record);
    }
  }

  const shopRecord = (domain: string): ShopRecord => {
    const state = admin.shops.getShop(domain);
    if (!state) throw new Error(`no simulated shop ${domain}`);
    return state.record;
  };

  /** A simulator event as the webhook sender takes it, stamped with the moment it happened. */
  function webhookEventOf(event: Exclude<SimulatorEvent, { topic: "bulk_operations/finish" }>) {
    const triggeredAt = new Date(admin.clock.now()).toISOString();
    return { shop: shopRecord(event.shop), topic: event.topic, resource: event.resource, triggeredAt } as Parameters<
      ReturnType<typeof createWebhookSender>["deliverBatch"]
    >[0][number];
  }

  // Shopify delivers a shop's events only while the app is installed in it, only for topics its installation may
  // subscribe to (the topic's scope; customer data approval for customer and order topics), with the fields it is not
  // approved for redacted (access.ts).
  const held = new Set<string>();
  admin.onEvent((event: SimulatorEvent) => {
    if (!sender || !installed.has(event.shop) || held.has(event.shop)) return;
    const shop = shopRecord(event.shop);
    const access = new AccessGrant(admin.access.get(event.shop));
    const needs = TOPIC_ACCESS[event.topic];
    if (needs && (!access.has(needs.scope) || (needs.customerData && !access.customerData))) return;
    const delivery =
      event.topic === "bulk_operations/finish"
        ? sender.send(shop, event.topic, event.payload)
        : sender.sendEvent(webhookEventOf(redactEvent(event, access)), {
            triggeredAt: new Date(admin.clock.now()).toISOString(),
          });
    delivery.catch((error: unknown) => {
      console.error(`local Shopify: could not build ${event.topic} for ${event.shop}:`, error);
    });
  });

  /** app/scopes_update, as Shopify sends it when an installation's granted scopes change. */
  async function announceScopes(shop: string, change: { previous: string[]; current: string[] }) {
    if (!sender || !installed.has(shop)) return [];
    const updatedAt = new Date(admin.clock.now()).toISOString();
    return sender.sendEvent(
      {
        shop: shopRecord(shop),
        topic: "app/scopes_update",
        resource: { previous: change.previous, current: change.current, updatedAt },
      },
      { triggeredAt: updatedAt },
    );
  }

  // Each shop's online store: customer sign-in, and the app proxy of the toml's [app_proxy] forwarded to the app.
  const storefront = createStorefront({
    toml,
    apiSecret: options.apiSecret,
    clock: admin.clock,
    getShop: (domain) => admin.shops.getShop(domain),
    isInstalled: (domain) => installed.has(domain),
    appUrl: () => connectedAppUrl,
    origin: () => origin,
    appId: options.appId ?? 1,
    themeBlocks: themeExtensionDirs(options.extensionsDir ?? "extensions").flatMap(loadThemeAppBlocks),
  });

  function router() {
    const app = express.Router();
    app.get("/app-bridge.js", (_req, res) => {
      res.type("application/javascript").set("Cache-Control", "no-store").send(readFileSync(APP_BRIDGE_SCRIPT, "utf8"));
    });
    // What App Bridge gets from Shopify admin: a fresh session token for the shop the app is open in.
    app.get("/app-bridge/session-token", (req, res) => {
      res.set("Access-Control-Allow-Origin", "*");
      const shop = String(req.query.shop ?? "");
      if (req.query.apiKey !== options.apiKey) return void res.status(403).json({ error: "unknown app" });
      if (!installed.has(shop)) return void res.status(403).json({ error: "app not installed in this shop" });
      const token = admin.tokens.sessionToken(shop);
      const exp = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).exp;
      res.json({ token, exp });
    });
    app.use(storefront.router());
    app.use(admin.router());
    app.use(storefront.refererRouter());
    return app;
  }

  return {
    admin,
    get url() {
      return origin;
    },
    get appBridgeUrl() {
      return `${origin}/app-bridge.js`;
    },
    /**
     * The shops' storefronts (/store/<shop>/…): url(shop, path), proxyUrl(shop, rest) for the app proxy,
     * signInCookie(shop, customerId) / signInUrl(shop, customerId) to be a signed-in shopper, fetch(shop, path, init).
     */
    storefront: storefront.helpers,
    connectApp,
    webhookEventOf,
    get webhooks() {
      if (!sender) throw new Error("connectApp(appUrl) first");
      return sender;
    },
    isInstalled: (shop: string) => installed.has(shop),
    /** For tests that choose the delivery order: the shop's events raised while `act` runs are not sent. */
    withoutDelivery<T>(shop: string, act: () => T): T {
      held.add(shop);
      try {
        return act();
      } finally {
        held.delete(shop);
      }
    },
    /**
     * Shopify-managed install: the app is installed and may exchange session tokens for this shop. The installation
     * grants the toml's scopes and the simulator's default protected customer data approval unless told otherwise
     * (`{ protectedCustomerData: { level: 0 } }`: installed without approval).
     */
    install(
      shop: string,
      grant: { scopes?: string | readonly string[]; protectedCustomerData?: ProtectedCustomerData } = {},
    ) {
      shopRecord(shop);
      admin.access.install(shop, grant);
      defineDeclared(shop);
      installed.add(shop);
    },
    /** The merchant approves more scopes (a new app version asks for them): Shopify sends app/scopes_update. */
    grantScopes(shop: string, scopes: string | readonly string[]) {
      return announceScopes(shop, admin.access.grant(shop, scopes));
    },
    /** Scopes are taken away (the app's toml drops them, or the merchant revokes optional ones): app/scopes_update. */
    revokeScopes(shop: string, scopes: string | readonly string[]) {
      return announceScopes(shop, admin.access.revoke(shop, scopes));
    },
    /** The merchant removes the app: Shopify sends app/uninstalled, then stops delivering. */
    async uninstall(shop: string) {
      const outcomes = sender ? await sender.sendEvent({ shop: shopRecord(shop), topic: "app/uninstalled" }) : [];
      installed.delete(shop);
      return outcomes;
    },
    async listen(port = 0) {
      const app = express();
      app.disable("x-powered-by");
      app.use(router());
      const server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(port, "127.0.0.1", () => resolve(s));
        s.on("error", reject);
      });
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return {
        url: origin,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      };
    },
  };
}

export type LocalShopify = ReturnType<typeof createLocalShopify>;

type DeclaredDefinition = Pick<MetafieldDefinitionRecord, "key" | "name" | "type" | "description" | "access">;

/** The scopes an app's toml asks for (`[access_scopes] scopes`), or null when it names none. */
export function requestedAccessScopes(toml: string): string | null {
  const config = parseToml(toml) as { access_scopes?: { scopes?: unknown } };
  return typeof config.access_scopes?.scopes === "string" ? config.access_scopes.scopes : null;
}

/** What a webhook carries of a customer or an order when the app is not approved for some protected fields. */
function redactEvent<E extends SimulatorEvent>(event: E, access: AccessGrant): E {
  const redactCustomer = (c: CustomerRecord): CustomerRecord => ({
    ...c,
    ...(access.field("name") ? {} : { firstName: null, lastName: null }),
    ...(access.field("email") ? {} : { email: null }),
    ...(access.field("phone") ? {} : { phone: null }),
    ...(access.field("address") ? {} : { defaultAddress: null }),
  });
  const redactOrder = (o: OrderRecord): OrderRecord => (access.field("email") ? o : { ...o, email: null });
  switch (event.topic) {
    case "customers/create":
    case "customers/update":
    case "customers/delete":
      return { ...event, resource: redactCustomer(event.resource) };
    case "orders/create":
    case "orders/updated":
    case "orders/paid":
    case "orders/cancelled":
    case "orders/delete":
      return { ...event, resource: redactOrder(event.resource) };
    case "refunds/create":
      return { ...event, resource: { ...event.resource, order: redactOrder(event.resource.order) } };
    default:
      return event;
  }
}

/** The customer metafield definitions an app's toml declares in its own namespace. */
export function declaredCustomerMetafields(toml: string): DeclaredDefinition[] {
  const config = parseToml(toml) as { customer?: { metafields?: { app?: Record<string, Record<string, unknown>> } } };
  return Object.entries(config.customer?.metafields?.app ?? {}).map(([key, d]) => {
    const access = (d.access ?? {}) as Record<string, string | undefined>;
    return {
      key,
      name: String(d.name ?? key),
      type: String(d.type),
      description: typeof d.description === "string" ? d.description : null,
      access: {
        admin: access.admin?.toUpperCase() ?? null,
        storefront: access.storefront?.toUpperCase() ?? null,
        customerAccount: access.customer_account?.toUpperCase() ?? null,
      },
    };
  });
}

/** Shopify's rule for a Flow trigger's field key (`shopify app build` refuses anything else): letters and spaces. */
export const FLOW_TRIGGER_KEY = /^[a-zA-Z\s]*$/;

/**
 * The Flow trigger extensions under an extensions folder: handle → declared fields. A field key Shopify would refuse
 * (anything but letters and spaces, e.g. `from_tier`) is an error here too, so the app cannot be tested against a
 * trigger that cannot be deployed.
 */
export function declaredFlowTriggers(dir: string): Record<string, { type: string; key?: string }[]> {
  const out: Record<string, { type: string; key?: string }[]> = {};
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry, "shopify.extension.toml");
    if (!existsSync(file)) continue;
    const config = parseToml(readFileSync(file, "utf8")) as {
      extensions?: { type?: string; handle?: string }[];
      settings?: { fields?: { type: string; key?: string }[] };
    };
    const extension = config.extensions?.[0];
    if (extension?.type !== "flow_trigger" || !extension.handle) continue;
    const fields = config.settings?.fields ?? [];
    for (const field of fields) {
      if (field.key !== undefined && !FLOW_TRIGGER_KEY.test(field.key))
        throw new Error(`${file}: Flow trigger field key '${field.key}' must contain only letters and spaces`);
    }
    out[extension.handle] = fields;
  }
  return out;
}
