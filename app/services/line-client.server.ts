// The LINE Messaging API client the senders use (docs/line-sending.md): push, multicast, the monthly quota and its
// consumption. One request per call, a timeout, and NO retries of its own: every outcome is returned typed, and the
// job queue decides what happens next (docs/decisions/0010-line-and-klaviyo-clients.md). Every send carries the
// caller's `X-Line-Retry-Key`, so the caller retries a failed send with the same key and LINE executes it once:
// - 2xx → `sent` with LINE's `x-line-request-id` (and push's `sentMessages`);
// - 409 with `X-Line-Accepted-Request-Id` → `accepted-before`: an earlier attempt with this key was accepted (its
//   answer was lost); counts as sent, with that earlier request id;
// - 429 "You have reached your monthly limit." → `monthly-limit` (nothing sent; waits for the quota);
// - any other 429 → `rate-limited` (with `Retry-After` in ms when LINE sends one);
// - 5xx, a timeout, a reset → `failed`: may or may not have been delivered; retry with the SAME key;
// - any other 4xx → `refused` with LINE's message and details: retrying the same request cannot succeed.
// The origin is LINE_API_ORIGIN (tests and the demo point it at the local LINE).
import { env } from "../env.server";
import { openConnection } from "./channels.server";

export const LINE_MULTICAST_MAX = 500;
export const LINE_MESSAGES_MAX = 5;
export const LINE_DEFAULT_TIMEOUT_MS = 10_000;
/** LINE's documented per-channel rate limits (requests per second) for the sends. */
export const LINE_RATE_LIMITS = { push: 2000, multicast: 200 } as const;
const MONTHLY_LIMIT_MESSAGE = "You have reached your monthly limit.";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type LineSendOutcome =
  | { kind: "sent"; requestId: string | null; sentMessages?: { id: string; quoteToken?: string }[] }
  | { kind: "accepted-before"; requestId: string | null; acceptedRequestId: string }
  | { kind: "rate-limited"; retryAfterMs: number | null; message: string }
  | { kind: "monthly-limit"; message: string }
  | { kind: "refused"; status: number; message: string; details: { message?: string; property?: string }[] }
  | { kind: "failed"; status: number | null; message: string };

export type LineQuota = { type: "none" } | { type: "limited"; value: number };

export type LineReadOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; status: number | null; message: string; retryAfterMs?: number | null };

export interface LineClientOptions {
  /** LINE_API_ORIGIN, e.g. https://api.line.me or the local LINE's URL. */
  origin: string;
  /** The channel access token (from the shop's opened `line-messaging` connection). */
  accessToken: string;
  timeoutMs?: number;
}

/** `Retry-After` in ms: delta-seconds or an HTTP date (relative to `now`); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? `: ${cause.message}` : "";
    return e.name === "TimeoutError" ? "timed out" : `${e.message}${causeText}`;
  }
  return String(e);
}

function checkKey(retryKey: string) {
  if (!UUID.test(retryKey)) throw new Error(`LINE retry key must be a UUID: ${retryKey}`);
}

export function createLineClient(options: LineClientOptions) {
  const timeoutMs = options.timeoutMs ?? LINE_DEFAULT_TIMEOUT_MS;
  const url = (path: string) => new URL(path, options.origin).toString();
  const auth = { authorization: `Bearer ${options.accessToken}` };

  async function send(path: string, body: unknown, retryKey: string): Promise<LineSendOutcome> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url(path), {
        method: "POST",
        headers: { ...auth, "content-type": "application/json", "x-line-retry-key": retryKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      // A timeout or a dropped connection: LINE may have accepted it. The caller retries with the same key.
      return { kind: "failed", status: null, message: errorMessage(e) };
    }
    let json: Record<string, unknown> | null = null;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {
      json = null;
    }
    const message = typeof json?.message === "string" ? json.message : `HTTP ${res.status}`;
    const requestId = res.headers.get("x-line-request-id");
    if (res.ok) {
      const sentMessages = Array.isArray(json?.sentMessages)
        ? (json.sentMessages as { id: string; quoteToken?: string }[])
        : undefined;
      return sentMessages ? { kind: "sent", requestId, sentMessages } : { kind: "sent", requestId };
    }
    if (res.status === 409) {
      const accepted = res.headers.get("x-line-accepted-request-id");
      if (accepted) return { kind: "accepted-before", requestId, acceptedRequestId: accepted };
      return { kind: "refused", status: 409, message, details: [] };
    }
    if (res.status === 429) {
      if (message === MONTHLY_LIMIT_MESSAGE) return { kind: "monthly-limit", message };
      return { kind: "rate-limited", retryAfterMs: parseRetryAfter(res.headers.get("retry-after")), message };
    }
    if (res.status >= 500) return { kind: "failed", status: res.status, message };
    const details = Array.isArray(json?.details) ? (json.details as { message?: string; property?: string }[]) : [];
    return { kind: "refused", status: res.status, message, details };
  }

  async function read<T>(path: string): Promise<LineReadOutcome<T>> {
    try {
      const res = await fetch(url(path), { headers: auth, signal: AbortSignal.timeout(timeoutMs) });
      const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
      if (res.ok && json) return { ok: true, value: json as T };
      return {
        ok: false,
        status: res.status,
        message: typeof json?.message === "string" ? json.message : `HTTP ${res.status}`,
        retryAfterMs: res.status === 429 ? parseRetryAfter(res.headers.get("retry-after")) : undefined,
      };
    } catch (e) {
      return { ok: false, status: null, message: errorMessage(e) };
    }
  }

  return {
    /** POST /v2/bot/message/push: one recipient, 1–5 messages. */
    push(to: string, messages: object[], retryKey: string): Promise<LineSendOutcome> {
      checkKey(retryKey);
      if (messages.length < 1 || messages.length > LINE_MESSAGES_MAX)
        throw new Error(`LINE push takes 1–${LINE_MESSAGES_MAX} messages, got ${messages.length}`);
      return send("/v2/bot/message/push", { to, messages }, retryKey);
    },
    /** POST /v2/bot/message/multicast: 1–500 recipients, the same 1–5 messages to each. */
    multicast(to: string[], messages: object[], retryKey: string): Promise<LineSendOutcome> {
      checkKey(retryKey);
      if (to.length < 1 || to.length > LINE_MULTICAST_MAX)
        throw new Error(`LINE multicast takes 1–${LINE_MULTICAST_MAX} recipients, got ${to.length}`);
      if (messages.length < 1 || messages.length > LINE_MESSAGES_MAX)
        throw new Error(`LINE multicast takes 1–${LINE_MESSAGES_MAX} messages, got ${messages.length}`);
      return send("/v2/bot/message/multicast", { to, messages }, retryKey);
    },
    /** GET /v2/bot/message/quota: the month's target limit (or none). */
    quota(): Promise<LineReadOutcome<LineQuota>> {
      return read<LineQuota>("/v2/bot/message/quota");
    },
    /** GET /v2/bot/message/quota/consumption: messages counted against the quota this month. */
    consumption(): Promise<LineReadOutcome<{ totalUsage: number }>> {
      return read<{ totalUsage: number }>("/v2/bot/message/quota/consumption");
    },
  };
}

export type LineClient = ReturnType<typeof createLineClient>;

/**
 * The client for a shop's connected LINE Messaging API channel (its sealed access token opened), or null when the
 * shop has not connected one. Throws SecretKeyMissingError / SecretOpenError when the token cannot be opened.
 */
export async function lineClientForShop(
  shop: string,
  options: { timeoutMs?: number } = {},
): Promise<(LineClient & { channelId: string }) | null> {
  const opened = await openConnection(shop, "line-messaging");
  if (!opened?.secrets.accessToken) return null;
  const client = createLineClient({
    origin: env.LINE_API_ORIGIN,
    accessToken: opened.secrets.accessToken,
    timeoutMs: options.timeoutMs,
  });
  return { ...client, channelId: opened.publicId ?? "" };
}
