// What every resolver receives: the shop being served and the simulator services around it.
import type { GraphQLResolveInfo } from "graphql";
import type { Clock } from "./clock";
import type { EventBus } from "./events";
import type { FileStore } from "./files";
import type { ShopState, Store } from "./store";

export interface SimulatorCore {
  clock: Clock;
  events: EventBus;
  files: FileStore;
  store: Store;
  appId: number;
  apiKey: string;
  /** The app's Flow trigger extensions by handle: the fields each payload must carry. */
  flowTriggers: Record<string, FlowTriggerField[]>;
  /** Started by bulkOperationRunQuery / bulkOperationRunMutation resolvers. */
  bulk: {
    startQuery(ctx: ResolverContext, query: string, groupObjects: boolean): unknown;
    startMutation(
      ctx: ResolverContext,
      mutation: string,
      stagedUploadPath: string,
      clientIdentifier: string | null,
    ): unknown;
  };
  /** Bulk queries that met an access refusal while running, by operation id: they end FAILED with ACCESS_DENIED. */
  bulkAccess: Map<string, AccessProbe>;
}

/** Set when a bulk query reads something the app may not (resolvers/index.ts). */
export interface AccessProbe {
  denied: boolean;
}

export interface FlowTriggerField {
  type: string;
  /** Custom fields' payload key; reference fields (customer_reference …) are `customer_id` etc. */
  key?: string;
}

export interface BulkExecution {
  /** Which root objects this pass returns (bulk queries run the document in windows of root objects). */
  rootStart: number;
  rootSize: number;
  rootTotal?: number;
}

export interface ResolverContext {
  shop: ShopState;
  core: SimulatorCore;
  /** Base URL of the simulator as the client reached it, for URLs in responses (bulk results, staged uploads). */
  origin: string;
  bulk: BulkExecution | null;
  /** Inside a bulk query: where an access refusal is noted instead of thrown (the operation fails as a whole). */
  accessProbe?: AccessProbe;
}

export type Resolver = (source: any, args: any, ctx: ResolverContext, info: GraphQLResolveInfo) => unknown;
export type ResolverMap = Record<string, Resolver>;
