// The Admin GraphQL API double: a strict local Shopify for the app's tests, benchmarks and local runs.
import express from "express";
import type { AddressInfo } from "node:net";
import type { ShopRecord } from "../shop-file/types";
import { BulkRunner } from "./bulk";
import { systemClock, type Clock } from "./clock";
import type { ResolverContext, SimulatorCore } from "./context";
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
export { ADMIN_API_VERSION, adminSchema } from "./schema";
export { signSessionToken, sessionTokenClaims } from "./token-exchange";

import type { FlowTriggerField } from "./context";

export interface AdminSimulatorOptions {
  apiKey: string;
  apiSecret: string;
  clock?: Clock;
  plans?: Partial<Record<PlanName, PlanLimits>>;
  /** Scopes granted to every token; default covers what the app asks for. */
  scopes?: string;
  /** Numeric id of the app, used for `$app` metafield namespaces (`app--{appId}`). */
  appId?: number;
  /** The app's Flow trigger extensions (handle → declared fields); flowTriggerReceive refuses anything else. */
  flowTriggers?: Record<string, FlowTriggerField[]>;
}

export function createAdminSimulator(options: AdminSimulatorOptions) {
  const clock = options.clock ?? systemClock;
  const plans = { ...DEFAULT_PLANS, ...options.plans };
  const store = new Store();
  const events = new EventBus();
  const files = new FileStore();
  const faults = new FaultController();
  const requests = new RequestLog();
  const tokens = new TokenStore(clock, {
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    scopes: options.scopes ?? "read_customers,write_customers,read_orders,read_all_orders,write_discounts,read_discounts",
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
      issue: (shop: string, opts?: { online?: boolean; userId?: number; expiresInSeconds?: number }) => tokens.issue(shop, opts).token,
      /** A valid App Bridge session token for `shop`, signed with the app secret (override claims to make bad ones). */
      sessionToken: (shop: string, overrides: Record<string, unknown> = {}, secret = options.apiSecret) =>
        signSessionToken({ ...sessionTokenClaims({ shop, apiKey: options.apiKey, nowSeconds: Math.floor(clock.now() / 1000) }), ...overrides }, secret),
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
