// Fault injection, switchable per test: HTTP errors, slow answers, connection resets, THROTTLED storms,
// and bulk operations that fail halfway.
export type Fault =
  | { kind: "http"; status: 429 | 500 | 502 | 503; retryAfter?: number }
  | { kind: "slow"; ms: number }
  | { kind: "reset" }
  | { kind: "throttled" }
  | { kind: "bulk-fail-halfway" };

export type FaultEndpoint = "graphql" | "token";

interface Armed {
  fault: Fault;
  remaining: number;
  shop: string | null;
  endpoint: FaultEndpoint;
}

export interface FaultOptions {
  /** How many requests (or bulk operations) it hits; default 1. Infinity keeps it on until cleared. */
  times?: number;
  /** Only this shop; default every shop. */
  shop?: string;
  /** Which endpoint; default "graphql". Ignored for bulk failures. */
  endpoint?: FaultEndpoint;
}

export class FaultController {
  private armed: Armed[] = [];

  inject(fault: Fault, options: FaultOptions = {}): void {
    this.armed.push({
      fault,
      remaining: options.times ?? 1,
      shop: options.shop?.toLowerCase() ?? null,
      endpoint: options.endpoint ?? "graphql",
    });
  }

  clear(): void {
    this.armed = [];
  }

  pending(): Fault[] {
    return this.armed.map((a) => a.fault);
  }

  private take(predicate: (a: Armed) => boolean): Fault | null {
    const found = this.armed.find(predicate);
    if (!found) return null;
    found.remaining--;
    if (found.remaining <= 0) this.armed = this.armed.filter((a) => a !== found);
    return found.fault;
  }

  /** The request fault to apply to this request, if any (bulk failures are taken separately). */
  takeRequestFault(shop: string, endpoint: FaultEndpoint): Fault | null {
    return this.take(
      (a) => a.fault.kind !== "bulk-fail-halfway" && a.endpoint === endpoint && (a.shop === null || a.shop === shop),
    );
  }

  takeBulkFailure(shop: string): boolean {
    return this.take((a) => a.fault.kind === "bulk-fail-halfway" && (a.shop === null || a.shop === shop)) !== null;
  }
}
