// One autocannon run against a server, rotating through prepared deliveries: every request takes the next one
// (body and headers together, so the HMAC is always that body's), and every answer is tallied by delivery.
import autocannon from "autocannon";
import type { Delivery } from "./order-deliveries";

/** Where the next request's delivery comes from. `reuse`: wrap around (a baseline that keeps no state). */
export class DeliveryCursor {
  next = 0;
  /** How many requests had to reuse a delivery already sent (only when `reuse` is off: the pool was too small). */
  repeats = 0;
  constructor(
    readonly deliveries: Delivery[],
    readonly reuse: boolean,
  ) {}

  take(): number {
    const index = this.next++;
    if (index >= this.deliveries.length && !this.reuse) this.repeats++;
    return index % this.deliveries.length;
  }
}

export interface LoadRun {
  label: string;
  durationS: number;
  /** 2xx answers per second of the run. */
  acceptedPerS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Pool indices of the deliveries answered 2xx. */
  accepted: number[];
  /** The first few refusals, to say why. */
  refusals: string[];
}

export async function runLoad(
  label: string,
  url: string,
  cursor: DeliveryCursor,
  { connections, durationS }: { connections: number; durationS: number },
): Promise<LoadRun> {
  const accepted: number[] = [];
  const refusals: string[] = [];
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    timeout: 10,
    method: "POST",
    requests: [
      {
        setupRequest(request, context) {
          const index = cursor.take();
          const delivery = cursor.deliveries[index];
          context.index = index;
          return { ...request, method: "POST", path: delivery.path, headers: delivery.headers, body: delivery.body };
        },
        onResponse(status, body, context) {
          if (status >= 200 && status < 300) accepted.push(context.index as number);
          else if (refusals.length < 5) refusals.push(`${status} ${body.slice(0, 200)}`);
        },
      },
    ],
  });
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, Number(count)]),
  );
  return {
    label,
    durationS: result.duration,
    acceptedPerS: result["2xx"] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    accepted,
    refusals,
  };
}
