// Figures about the gateway's calls to one shop, for the sync status page and for tests: how much was asked of
// Shopify, what it cost, and how much time went to waiting for the bucket and to retries.

export type RetryReason = "throttled" | "http429" | "http5xx" | "network";

export interface CallFigures {
  operationName: string | null;
  /** HTTP requests this call took (1 when nothing went wrong). */
  requests: number;
  requestedCost: number;
  actualCost: number;
  /** Time spent waiting before sending so the bucket would hold the points. */
  pacingWaitMs: number;
  /** THROTTLED answers received, and time waited after them. */
  throttled: number;
  throttledWaitMs: number;
  retries: number;
  retryWaitMs: number;
  outcome: "ok" | "failed";
}

export interface GatewayStats {
  calls: number;
  failedCalls: number;
  requests: number;
  requestedCost: number;
  actualCost: number;
  pacingWaits: number;
  pacingWaitMs: number;
  throttled: number;
  throttledWaitMs: number;
  retries: number;
  retryWaitMs: number;
  retriesByReason: Record<RetryReason, number>;
}

export function emptyStats(): GatewayStats {
  return {
    calls: 0,
    failedCalls: 0,
    requests: 0,
    requestedCost: 0,
    actualCost: 0,
    pacingWaits: 0,
    pacingWaitMs: 0,
    throttled: 0,
    throttledWaitMs: 0,
    retries: 0,
    retryWaitMs: 0,
    retriesByReason: { throttled: 0, http429: 0, http5xx: 0, network: 0 },
  };
}

export function addCall(stats: GatewayStats, call: CallFigures, reasons: RetryReason[]): void {
  stats.calls++;
  if (call.outcome === "failed") stats.failedCalls++;
  stats.requests += call.requests;
  stats.requestedCost += call.requestedCost;
  stats.actualCost += call.actualCost;
  if (call.pacingWaitMs > 0) stats.pacingWaits++;
  stats.pacingWaitMs += call.pacingWaitMs;
  stats.throttled += call.throttled;
  stats.throttledWaitMs += call.throttledWaitMs;
  stats.retries += call.retries;
  stats.retryWaitMs += call.retryWaitMs;
  for (const reason of reasons) stats.retriesByReason[reason]++;
}
