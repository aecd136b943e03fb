// The Klaviyo REST client the Klaviyo sync uses (docs/klaviyo.md): profile bulk import jobs (create, read), events
// and profile deletion requests. Every request carries `Authorization: Klaviyo-API-Key <private key>`, the pinned
// `revision` (KLAVIYO_REVISION) and a JSON:API body. One request per call, a timeout, NO retries of its own
// (docs/decisions/0010-line-and-klaviyo-clients.md): every outcome comes back typed and the caller (the job) decides:
// - 2xx → `ok` (with the body when there is one);
// - 429 → `rate-limited` with Klaviyo's `Retry-After` (ms);
// - 5xx, a timeout, a reset → `failed` (retry later; an event carries its unique_id, so a retry is counted once);
// - any other 4xx → `refused` with Klaviyo's `errors[]`: the same request cannot succeed.
// Pacing: the client never sends faster than the operation's documented limits (burst per second and steady per
// minute, KLAVIYO_RATE_LIMITS): each request waits, if need be, until it fits both sliding windows of its account and
// operation, at KLAVIYO_PACE_FRACTION of each limit: Klaviyo counts a request when it arrives, in fixed windows, so a
// request sent at the end of one second can land in the next; the margin absorbs that jitter (a 429 that still comes
// is returned like any other).
import { createHash } from "node:crypto";
import { KLAVIYO_REVISION } from "./channels.server";

export const KLAVIYO_DEFAULT_TIMEOUT_MS = 10_000;
/** Profiles one bulk import job may carry (Klaviyo's documented maximum). */
export const KLAVIYO_IMPORT_MAX_PROFILES = 10_000;
/** Events one Bulk Create Events request may carry (Klaviyo's documented maximum). */
export const KLAVIYO_BULK_EVENTS_MAX = 1_000;

/** Klaviyo's documented limits (revision 2026-07-15) of the operations the app calls: burst per second, steady per minute. */
export const KLAVIYO_RATE_LIMITS = {
  bulk_import_profiles: { burst: 10, steady: 150 },
  get_bulk_import_profiles_job: { burst: 10, steady: 150 },
  get_errors_for_bulk_import_profiles_job: { burst: 10, steady: 150 },
  create_event: { burst: 350, steady: 3500 },
  bulk_create_events: { burst: 10, steady: 150 },
  request_profile_deletion: { burst: 3, steady: 60 },
} as const;
export type KlaviyoOperation = keyof typeof KLAVIYO_RATE_LIMITS;
/** The share of each documented limit the client uses (the rest is margin for network jitter). */
export const KLAVIYO_PACE_FRACTION = 0.9;

export interface KlaviyoError {
  status?: number | string;
  code?: string;
  title?: string;
  detail?: string;
  source?: { pointer?: string; parameter?: string };
}

export type KlaviyoOutcome<T> =
  | { kind: "ok"; status: number; value: T }
  | { kind: "rate-limited"; retryAfterMs: number | null; message: string }
  | { kind: "refused"; status: number; errors: KlaviyoError[]; message: string }
  | { kind: "failed"; status: number | null; message: string };

export interface ImportJobStatus {
  id: string;
  status: "queued" | "processing" | "complete" | "cancelled";
  total: number;
  completed: number;
  failed: number;
}

export interface KlaviyoProfileInput {
  email: string | null;
  externalId: string;
  properties: Record<string, unknown>;
  /** Properties to remove from the profile (`meta.patch_properties.unset`); sent instead of `properties`. */
  unset?: readonly string[];
}

/** One profile Klaviyo could not import (Get Errors for Bulk Import Profiles Job). */
export interface KlaviyoImportError {
  detail: string;
  /** The profile resource as it was sent (Klaviyo's `original_payload`), null when Klaviyo leaves it out. */
  originalPayload: unknown;
  pointer: string | null;
}

/** Import errors read per request (Klaviyo's maximum page size). */
const IMPORT_ERRORS_PAGE = 100;

export interface KlaviyoEventInput {
  metric: string;
  profile: { email: string | null; externalId: string };
  properties: Record<string, unknown>;
  /** When it happened (Klaviyo truncates to the second). */
  time: Date;
  /** Klaviyo records the first event with this id per profile and metric: the ChannelMessage row's retry key. */
  uniqueId: string;
  value?: number;
  valueCurrency?: string;
}

export interface KlaviyoClientOptions {
  /** KLAVIYO_API_ORIGIN, e.g. https://a.klaviyo.com or the local Klaviyo's URL. */
  origin: string;
  privateKey: string;
  timeoutMs?: number;
  /** For tests: the clock and the wait the pacer uses. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function klaviyoRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

// ---- pacing: per account (key digest) and operation, process-wide ------------------------------------------------

const sent = new Map<string, number[]>();

/** How long to wait before a request fits both windows (0: now); records the request when it returns 0. */
export function paceDelay(key: string, op: KlaviyoOperation, at: number): number {
  const burst = Math.max(1, Math.floor(KLAVIYO_RATE_LIMITS[op].burst * KLAVIYO_PACE_FRACTION));
  const steady = Math.max(1, Math.floor(KLAVIYO_RATE_LIMITS[op].steady * KLAVIYO_PACE_FRACTION));
  const stamps = (sent.get(`${key} ${op}`) ?? []).filter((t) => t > at - 60_000);
  sent.set(`${key} ${op}`, stamps);
  let wait = 0;
  if (stamps.length >= steady) wait = Math.max(wait, stamps[stamps.length - steady] + 60_000 - at);
  const lastSecond = stamps.filter((t) => t > at - 1000);
  if (lastSecond.length >= burst) wait = Math.max(wait, lastSecond[lastSecond.length - burst] + 1000 - at);
  if (wait > 0) return wait;
  stamps.push(at);
  return 0;
}

/** Forgets the pacer's history (tests that start a fresh double). */
export function resetKlaviyoPacing() {
  sent.clear();
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError") return "timed out";
    const cause = (e as { cause?: unknown }).cause;
    return `${e.message}${cause instanceof Error ? `: ${cause.message}` : ""}`;
  }
  return String(e);
}

export function createKlaviyoClient(options: KlaviyoClientOptions) {
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const account = createHash("sha256").update(options.privateKey).digest("hex").slice(0, 16);
  const timeoutMs = options.timeoutMs ?? KLAVIYO_DEFAULT_TIMEOUT_MS;

  async function request<T>(
    op: KlaviyoOperation,
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<KlaviyoOutcome<T>> {
    for (let wait = paceDelay(account, op, now()); wait > 0; wait = paceDelay(account, op, now())) await sleep(wait);
    let res: Response;
    try {
      res = await fetch(new URL(path, options.origin), {
        method,
        headers: {
          authorization: `Klaviyo-API-Key ${options.privateKey}`,
          revision: KLAVIYO_REVISION,
          accept: "application/vnd.api+json",
          ...(body === undefined ? {} : { "content-type": "application/vnd.api+json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      return { kind: "failed", status: null, message: errorMessage(e) };
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      return { kind: "failed", status: res.status, message: errorMessage(e) };
    }
    let parsed: unknown = null;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (res.ok) return { kind: "ok", status: res.status, value: parsed as T };
    const errors = ((parsed as { errors?: KlaviyoError[] } | null)?.errors ?? []).filter(
      (e) => e && typeof e === "object",
    );
    const message = errors.map((e) => e.detail ?? e.title ?? e.code).join("; ") || `HTTP ${res.status}`;
    if (res.status === 429)
      return { kind: "rate-limited", retryAfterMs: klaviyoRetryAfter(res.headers.get("retry-after"), now()), message };
    if (res.status >= 500) return { kind: "failed", status: res.status, message };
    return { kind: "refused", status: res.status, errors, message };
  }

  const jobStatus = (data: {
    id: string;
    attributes: {
      status: ImportJobStatus["status"];
      total_count: number;
      completed_count?: number | null;
      failed_count?: number | null;
    };
  }): ImportJobStatus => ({
    id: data.id,
    status: data.attributes.status,
    total: data.attributes.total_count,
    completed: data.attributes.completed_count ?? 0,
    failed: data.attributes.failed_count ?? 0,
  });

  return {
    /** Creates a profile bulk import job (1–10,000 profiles, each with its external id and, when known, email). */
    async createImportJob(profiles: readonly KlaviyoProfileInput[]): Promise<KlaviyoOutcome<ImportJobStatus>> {
      if (profiles.length === 0 || profiles.length > KLAVIYO_IMPORT_MAX_PROFILES)
        throw new RangeError(
          `an import job carries 1 to ${KLAVIYO_IMPORT_MAX_PROFILES} profiles, not ${profiles.length}`,
        );
      const out = await request<{ data: Parameters<typeof jobStatus>[0] }>(
        "bulk_import_profiles",
        "POST",
        "/api/profile-bulk-import-jobs",
        {
          data: {
            type: "profile-bulk-import-job",
            attributes: {
              profiles: {
                data: profiles.map((p) => ({
                  type: "profile",
                  attributes: {
                    ...(p.email ? { email: p.email } : {}),
                    external_id: p.externalId,
                    ...(p.unset ? {} : { properties: p.properties }),
                  },
                  ...(p.unset ? { meta: { patch_properties: { unset: [...p.unset] } } } : {}),
                })),
              },
            },
          },
        },
      );
      return out.kind === "ok" ? { ...out, value: jobStatus(out.value.data) } : out;
    },

    async importJob(jobId: string): Promise<KlaviyoOutcome<ImportJobStatus>> {
      const out = await request<{ data: Parameters<typeof jobStatus>[0] }>(
        "get_bulk_import_profiles_job",
        "GET",
        `/api/profile-bulk-import-jobs/${encodeURIComponent(jobId)}`,
      );
      return out.kind === "ok" ? { ...out, value: jobStatus(out.value.data) } : out;
    },

    /**
     * Every import error of a finished job (Get Errors for Bulk Import Profiles Job), page after page (100 each,
     * following `links.next`). A failed page ends the read with its outcome: the caller cannot tell the profiles apart.
     */
    async importErrors(jobId: string): Promise<KlaviyoOutcome<KlaviyoImportError[]>> {
      const all: KlaviyoImportError[] = [];
      let path: string | null =
        `/api/profile-bulk-import-jobs/${encodeURIComponent(jobId)}/import-errors?page%5Bsize%5D=${IMPORT_ERRORS_PAGE}`;
      let status = 200;
      for (let pages = 0; path !== null; pages++) {
        if (pages > KLAVIYO_IMPORT_MAX_PROFILES / IMPORT_ERRORS_PAGE)
          return { kind: "failed", status: null, message: `import errors of job ${jobId}: more pages than profiles` };
        const out: KlaviyoOutcome<{
          data: {
            attributes: {
              detail?: string;
              title?: string;
              source?: { pointer?: string | null };
              original_payload?: unknown;
            };
          }[];
          links?: { next?: string | null };
        }> = await request("get_errors_for_bulk_import_profiles_job", "GET", path);
        if (out.kind !== "ok") return out;
        status = out.status;
        for (const e of out.value.data) {
          all.push({
            detail: e.attributes.detail ?? e.attributes.title ?? "import error",
            originalPayload: e.attributes.original_payload ?? null,
            pointer: e.attributes.source?.pointer ?? null,
          });
        }
        const next: string | null | undefined = out.value.links?.next;
        // Klaviyo's next link is absolute; only its path and query are followed (always against the same origin).
        path = next ? `${new URL(next).pathname}${new URL(next).search}` : null;
      }
      return { kind: "ok", status, value: all };
    },

    async createEvent(event: KlaviyoEventInput): Promise<KlaviyoOutcome<null>> {
      return request<null>("create_event", "POST", "/api/events", {
        data: {
          type: "event",
          attributes: {
            properties: event.properties,
            time: event.time.toISOString(),
            unique_id: event.uniqueId,
            ...(event.value === undefined ? {} : { value: event.value }),
            ...(event.valueCurrency === undefined ? {} : { value_currency: event.valueCurrency }),
            metric: { data: { type: "metric", attributes: { name: event.metric } } },
            profile: {
              data: {
                type: "profile",
                attributes: {
                  ...(event.profile.email ? { email: event.profile.email } : {}),
                  external_id: event.profile.externalId,
                },
              },
            },
          },
        },
      });
    },

    /**
     * Bulk Create Events: 1–1,000 events in one request, grouped by profile (external id). Accepted or refused whole;
     * each event keeps its unique_id, so a retried request is recorded once per event.
     */
    async createEvents(events: readonly KlaviyoEventInput[]): Promise<KlaviyoOutcome<null>> {
      if (events.length === 0 || events.length > KLAVIYO_BULK_EVENTS_MAX)
        throw new RangeError(`a bulk request carries 1 to ${KLAVIYO_BULK_EVENTS_MAX} events, not ${events.length}`);
      const byProfile = new Map<string, KlaviyoEventInput[]>();
      for (const e of events) byProfile.set(e.profile.externalId, [...(byProfile.get(e.profile.externalId) ?? []), e]);
      return request<null>("bulk_create_events", "POST", "/api/event-bulk-create-jobs", {
        data: {
          type: "event-bulk-create-job",
          attributes: {
            "events-bulk-create": {
              data: [...byProfile.values()].map((list) => ({
                type: "event-bulk-create",
                attributes: {
                  profile: {
                    data: {
                      type: "profile",
                      attributes: {
                        ...(list[0].profile.email ? { email: list[0].profile.email } : {}),
                        external_id: list[0].profile.externalId,
                      },
                    },
                  },
                  events: {
                    data: list.map((e) => ({
                      type: "event",
                      attributes: {
                        properties: e.properties,
                        time: e.time.toISOString(),
                        unique_id: e.uniqueId,
                        ...(e.value === undefined ? {} : { value: e.value }),
                        ...(e.valueCurrency === undefined ? {} : { value_currency: e.valueCurrency }),
                        metric: { data: { type: "metric", attributes: { name: e.metric } } },
                      },
                    })),
                  },
                },
              })),
            },
          },
        },
      });
    },

    /** Asks Klaviyo to delete every profile with this email (Request Profile Deletion; asynchronous on Klaviyo's side). */
    async requestProfileDeletion(email: string): Promise<KlaviyoOutcome<null>> {
      return request<null>("request_profile_deletion", "POST", "/api/data-privacy-deletion-jobs", {
        data: {
          type: "data-privacy-deletion-job",
          attributes: { profile: { data: { type: "profile", attributes: { email } } } },
        },
      });
    },
  };
}

export type KlaviyoClient = ReturnType<typeof createKlaviyoClient>;
