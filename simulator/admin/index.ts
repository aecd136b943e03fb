// The Admin GraphQL API double: a strict local Shopify for the app's tests, benchmarks and local runs.
import express from "express";
import type { AddressInfo } from "node:net";
import type { ShopRecord } from "../shop-file/types";
import {
  NO_PROTECTED_DATA,
  parseScopes,
  validateProtectedCustomerData,
  type Installation,
  type ProtectedCustomerData,
} from "./access";
import { BulkRunner } from "./bulk";
import { systemClock, type Clock } from "./clock";
import type { FlowTriggerField, ResolverContext, SimulatorCore } from "./context";
import { EventBus, type EventListener } from "./events";
import { runGraphql, type GraphqlOutcome, type GraphqlRequestBody } from "./execute";
import { FaultController } from "./faults";
import { FileStore } from "./files";
import { RequestLog } from "./request-log";
import { createRouter } from "./router";
import { adminSchema } from "./schema";
import { loadShopFile } from "./shop-file";
import { shopperActions } from "./shopper";
import { Store, type ShopState } from "./store";
import { DEFAULT_PLANS, LeakyBucket, type PlanLimits, type PlanName } from "./throttle";
import { sessionTokenClaims, signSessionToken, TokenStore } from "./token-exchange";

export { createFakeClock, type Clock, type FakeClock } from "./clock";
export type { SimulatorEvent, EventListener, BulkFinishPayload } from "./events";
export type { Fault, FaultOptions } from "./faults";
export type { RequestLogEntry } from "./request-log";
export type { PlanLimits, PlanName } from "./throttle";
export type { Installation, ProtectedCustomerData, ProtectedField } from "./access";
export { PROTECTED_FIELDS } from "./access";
export { ADMIN_API_VERSION, adminSchema } from "./schema";
export { signSessionToken, sessionTokenClaims } from "./token-exchange";

export interface AdminSimulatorOptions {
  apiKey: string;
  apiSecret: string;
  clock?: Clock;
  plans?: Partial<Record<PlanName, PlanLimits>>;
  /** Scopes a shop's installation grants until set otherwise (access.install/grant/revoke); default what the app asks for. */
  scopes?: string;
  /**
   * Protected customer data approval a shop's installation starts with; default none (level 0: no customers, orders
   * or their webhooks). Say what the app is approved for, e.g. { level: 2, fields: ["name", "email"] }.
   */
  protectedCustomerData?: ProtectedCustomerData;
  /**
   * How long (simulator clock, ms) a created or changed order or customer takes to reach the search index that answers
   * `orders(query:)` / `customers(query:)`; direct reads are immediate. Default DEFAULT_SEARCH_LAG_MS.
   */
  searchLagMs?: number;
  /** Numeric id of the app, used for `$app` metafield namespaces (`app--{appId}`). */
  appId?: number;
  /** The app's Flow trigger extensions (handle → declared fields); flowTriggerReceive refuses anything else. */
  flowTriggers?: Record<string, FlowTriggerField[]>;
}

/** A few seconds: long enough that code reading search right after a change sees the lag, short enough for real clocks. */
export const DEFAULT_SEARCH_LAG_MS = 5_000;
const DEFAULT_SCOPES = "read_customers,write_customers,read_orders,read_all_orders,write_discounts,read_discounts";

export function createAdminSimulator(options: AdminSimulatorOptions) {
  const clock = options.clock ?? systemClock;
  const plans = { ...DEFAULT_PLANS, ...options.plans };
  let searchLagMs = options.searchLagMs ?? DEFAULT_SEARCH_LAG_MS;
  const defaultInstallation: Installation = {
    scopes: parseScopes(options.scopes ?? DEFAULT_SCOPES),
    protectedCustomerData: validateProtectedCustomerData(options.protectedCustomerData ?? NO_PROTECTED_DATA),
  };
  const store = new Store({
    installation: defaultInstallation,
    searchLagMs: () => searchLagMs,
    now: () => clock.now(),
  });
  const events = new EventBus();
  const files = new FileStore();
  const faults = new FaultController();
  const requests = new RequestLog();
  const tokens = new TokenStore(clock, {
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    scopesFor: (shop) => (store.get(shop)?.installation.scopes ?? defaultInstallation.scopes).join(","),
  });
  const buckets = new Map<string, LeakyBucket>();
  const core: SimulatorCore = {
    clock,
    events,
    files,
    store,
    appId: options.appId ?? 1,
    apiKey: options.apiKey,
    flowTriggers: options.flowTriggers ?? {},
    bulk: undefined as never,
    bulkAccess: new Map(),
  };
  // A bulk query that met an access refusal while it ran ends FAILED with ACCESS_DENIED (resolvers/index.ts notes it;
  // bulk.ts finishes the walk): the operation and its bulk_operations/finish say so, and only partial data is left.
  const emit = events.emit.bind(events);
  events.emit = (event) => {
    if (event.topic === "bulk_operations/finish") {
      const id = event.payload.admin_graphql_api_id;
      const probe = core.bulkAccess.get(id);
      core.bulkAccess.delete(id);
      const op = probe?.denied ? store.get(event.shop)?.bulkOperations.get(id) : undefined;
      if (op) {
        op.status = "FAILED";
        op.errorCode = "ACCESS_DENIED";
        op.partialDataUrl = op.url ?? op.partialDataUrl;
        op.url = null;
        store.get(event.shop)!.bulkOperations.touch();
        event = { ...event, payload: { ...event.payload, status: "failed", error_code: "access_denied" } };
      }
    }
    emit(event);
  };
  const bulk = new BulkRunner(core, faults);
  core.bulk = bulk;

  const bucketFor = (domain: string): LeakyBucket => {
    const key = domain.toLowerCase();
    let bucket = buckets.get(key);
    if (!bucket) {
      const shop = store.require(key);
      bucket = new LeakyBucket(plans[shop.record.plan], clock);
      buckets.set(key, bucket);
    }
    return bucket;
  };

  adminSchema(); // build once up front so the first request is not the slow one

  const router = () => createRouter({ core, tokens, faults, requests, bucketFor });

  function changeScopes(shop: string, next: (current: string[]) => string[]) {
    const state = store.require(shop);
    const previous = [...state.installation.scopes];
    state.installation = { ...state.installation, scopes: parseScopes(next(previous)) };
    return { previous, current: [...state.installation.scopes] };
  }

  return {
    /** The simulator's clock: every timestamp it writes comes from it. */
    clock,
    shops: {
      addShop: (record: ShopRecord): ShopState => store.add(record),
      loadShopFile: (path: string): Promise<ShopState> => loadShopFile(store, path),
      getShop: (domain: string): ShopState | undefined => store.get(domain),
      removeShop: (domain: string): boolean => {
        tokens.revokeShop(domain);
        buckets.delete(domain.toLowerCase());
        return store.remove(domain);
      },
      domains: (): string[] => store.domains(),
    },
    tokens: {
      /** An access token without going through token exchange. */
      issue: (shop: string, opts?: { online?: boolean; userId?: number; expiresInSeconds?: number }) =>
        tokens.issue(shop, opts).token,
      /** A valid App Bridge session token for `shop`, signed with the app secret (override claims to make bad ones). */
      sessionToken: (shop: string, overrides: Record<string, unknown> = {}, secret = options.apiSecret) =>
        signSessionToken(
          {
            ...sessionTokenClaims({ shop, apiKey: options.apiKey, nowSeconds: Math.floor(clock.now() / 1000) }),
            ...overrides,
          },
          secret,
        ),
    },
    /**
     * The app's installation in each shop: the access scopes the merchant granted and the protected customer data the
     * app is approved for. Changing scopes here is the Shopify side only; local-shopify's grantScopes/revokeScopes also
     * send app/scopes_update.
     */
    access: {
      get: (shop: string): Installation => structuredClone(store.require(shop).installation),
      /** (Re)installs the app in `shop` with these scopes and approval; what is omitted keeps the simulator's defaults. */
      install: (
        shop: string,
        grant: { scopes?: string | readonly string[]; protectedCustomerData?: ProtectedCustomerData } = {},
      ): Installation => {
        const state = store.require(shop);
        state.installation = {
          scopes: grant.scopes === undefined ? [...defaultInstallation.scopes] : parseScopes(grant.scopes),
          protectedCustomerData: validateProtectedCustomerData(
            grant.protectedCustomerData ?? defaultInstallation.protectedCustomerData,
          ),
        };
        return structuredClone(state.installation);
      },
      /** Adds scopes to the installation; answers the scope lists before and after. */
      grant: (shop: string, scopes: string | readonly string[]) =>
        changeScopes(shop, (current) => [...current, ...parseScopes(scopes)]),
      /** Removes scopes from the installation; answers the scope lists before and after. */
      revoke: (shop: string, scopes: string | readonly string[]) => {
        const gone = new Set(parseScopes(scopes));
        return changeScopes(shop, (current) => current.filter((s) => !gone.has(s)));
      },
      /** What the Partner Dashboard approved: { level: 0 }, { level: 1 } or { level: 2, fields: [...] }. */
      approveProtectedCustomerData: (shop: string, approval: ProtectedCustomerData): Installation => {
        const state = store.require(shop);
        state.installation = { ...state.installation, protectedCustomerData: validateProtectedCustomerData(approval) };
        return structuredClone(state.installation);
      },
    },
    /** The search index behind orders(query:), customers(query:) and giftCards(query:), and its lag (search-index.ts). */
    search: {
      get lagMs() {
        return searchLagMs;
      },
      /** Changes made from now on reach the index after `ms` (0: at once). */
      setLag: (ms: number) => {
        if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`search lag is a number of ms >= 0, not ${ms}`);
        searchLagMs = ms;
      },
      /** Keeps an order or customer out of the index ("never") until release(): search matches what it last saw. */
      hold: (shop: string, id: string) => {
        const state = store.require(shop);
        const type = id.split("/")[3];
        if (type === "Order") state.orderIndex.hold(id, state.orders.get(id) ?? null, clock.now());
        else if (type === "Customer") state.customerIndex.hold(id, state.customers.get(id) ?? null, clock.now());
        else if (type === "GiftCard") state.giftCardIndex.hold(id, state.giftCards.get(id) ?? null, clock.now());
        else throw new Error(`only orders, customers and gift cards are searched, not ${id}`);
      },
      /** The index catches up now with one record, or with every record of the shop. */
      release: (shop: string, id?: string) => {
        const state = store.require(shop);
        state.orderIndex.release(id);
        state.customerIndex.release(id);
        state.giftCardIndex.release(id);
      },
    },
    requests,
    faults,
    throttle: {
      status: (shop: string) => bucketFor(shop).status(),
      drain: (shop: string) => bucketFor(shop).drain(),
    },
    bulk: {
      /** Waits for every running bulk operation to finish. */
      drain: () => bulk.drain(),
      /** Keeps bulk operations in CREATED until resume(). */
      pause: () => bulk.pause(),
      resume: () => bulk.resume(),
    },
    onEvent: (listener: EventListener): (() => void) => events.on(listener),
    ...shopperActions(store, events, clock),

    /** Answers a GraphQL request in-process, with the same validation, cost and throttle as over HTTP (no faults, no auth). */
    graphql: (shop: string, body: GraphqlRequestBody, origin = "http://127.0.0.1"): Promise<GraphqlOutcome> => {
      const ctx: ResolverContext = { shop: store.require(shop), core, origin, bulk: null };
      return runGraphql(ctx, bucketFor(shop), body);
    },

    router,

    /** Serves the simulator on 127.0.0.1 only. */
    listen: (port = 0): Promise<{ url: string; close: () => Promise<void> }> => {
      const app = express();
      app.disable("x-powered-by");
      app.use(router());
      return new Promise((resolve, reject) => {
        const server = app.listen(port, "127.0.0.1", () => {
          const { port: bound } = server.address() as AddressInfo;
          resolve({
            url: `http://127.0.0.1:${bound}`,
            close: () =>
              new Promise<void>((done) => {
                server.closeAllConnections?.();
                server.close(() => done());
              }),
          });
        });
        server.on("error", reject);
      });
    },

    /** Removes result files from disk. */
    dispose: async (): Promise<void> => {
      // A bulk operation still writing its result must finish before its directory goes.
      bulk.resume();
      await bulk.drain();
      files.dispose();
    },
  };
}

export type AdminSimulator = ReturnType<typeof createAdminSimulator>;
