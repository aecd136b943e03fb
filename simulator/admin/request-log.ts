// Every request the simulator answered, so tests and benchmarks can count calls and points.
export interface RequestLogEntry {
  at: string; // simulator clock, ISO-8601
  shop: string;
  endpoint: "graphql" | "token";
  document: string | null;
  operationName: string | null;
  variables: Record<string, unknown> | null;
  status: number; // HTTP status; -1 when the connection was reset
  requestedCost: number | null;
  actualCost: number | null;
  throttled: boolean;
  fault: string | null;
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  record(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  forShop(shop: string): RequestLogEntry[] {
    return this.entries.filter((e) => e.shop === shop.toLowerCase());
  }

  /** Sum of actual cost of executed GraphQL requests. */
  totalActualCost(shop?: string): number {
    return (shop ? this.forShop(shop) : this.entries).reduce((sum, e) => sum + (e.actualCost ?? 0), 0);
  }

  clear(): void {
    this.entries.length = 0;
  }
}
