// One HTTP delivery attempt: POST the exact bytes, and report the status, or that no answer came in time.
import http from "node:http";
import https from "node:https";

export interface AttemptRequest {
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
  /** Shopify gives an app 5 s to answer; the whole exchange must finish within this. */
  timeoutMs: number;
}

export type AttemptResult =
  | { kind: "response"; status: number; latencyMs: number }
  | { kind: "timeout"; latencyMs: number }
  | { kind: "error"; message: string; latencyMs: number };

export function attemptDelivery(request: AttemptRequest): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
  const transport = request.url.protocol === "https:" ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = transport.request(
      request.url,
      // A fresh connection per attempt, as a separate delivery would be; no keep-alive socket outlives it.
      { method: "POST", headers: { ...request.headers, "Content-Length": String(request.body.length) }, agent: false },
      (res) => {
        // Drain the answer: the attempt ends when the app has finished responding.
        res.resume();
        res.on("end", () => settle({ kind: "response", status: res.statusCode ?? 0, latencyMs: elapsed() }));
        res.on("error", (error) => settle({ kind: "error", message: error.message, latencyMs: elapsed() }));
      },
    );
    const timer = setTimeout(() => {
      settle({ kind: "timeout", latencyMs: elapsed() });
      req.destroy();
    }, request.timeoutMs);
    req.on("error", (error) => settle({ kind: "error", message: error.message, latencyMs: elapsed() }));
    req.end(request.body);
  });
}
