// The local Klaviyo: a strict double of the Klaviyo REST API endpoints the app uses (accounts, profile bulk import
// jobs, events), for tests and the demo. Every request is checked against Klaviyo's own OpenAPI description
// (openapi/stable.json.gz, vendored from klaviyo/openapi), and refused with Klaviyo's JSON:API error shape
// ({ errors: [{ id, status, code, title, detail, source }] }) when the description refuses it. Beyond the schema,
// following Klaviyo's docs:
// - `Authorization: Klaviyo-API-Key <private key>` of a known account, else 401;
// - the `revision` header is required, and must be the revision of the vendored description (the double serves
//   that revision only, so a client pinned to another revision is refused, not silently answered);
// - rate limits per account and endpoint with two fixed windows, burst (1 s) and steady (1 min), read from each
//   operation's description in the vendored file; over either: 429 `throttled` with `Retry-After` (seconds);
// - profile bulk import: at most 10,000 profiles per job, each identified by email, phone_number or external_id;
//   jobs are `queued` when created and are processed by `runJobs()` (or on the next status read when
//   `autoRunJobs` is on), upserting profiles by identifier and merging their properties, then removing the keys
//   named in `meta.patch_properties.unset` (a key both set and unset in one profile is refused; `append` and
//   `unappend` are not implemented: 501); each profile that fails (no identifier, or chosen by `failProfiles`) is
//   counted in `failed_count` and listed by Get Errors for Bulk Import Profiles Job (`original_payload` = the
//   profile resource as sent, `source.pointer` = its place in the request), 100 per page at most, cursor-paged;
// - events: a metric name and an identified profile; the profile is upserted, the event recorded once per
//   unique_id, profile and metric (a repeated unique_id is accepted and not recorded again);
// - bulk create events: up to 1,000 events per request grouped by profile, each profile identified, else the whole
//   request is refused (400); accepted events are recorded as single ones are;
// - profile deletion requests: exactly one identifier (email, phone_number or id), else 400; the matching profiles
//   and their events are deleted.
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { OpenApiValidator, readGzippedJson } from "../openapi/validator";

const here = path.dirname(fileURLToPath(import.meta.url));
let spec: OpenApiValidator | null = null;
export function klaviyoSpec(): OpenApiValidator {
  return (spec ??= new OpenApiValidator(readGzippedJson(path.join(here, "openapi", "stable.json.gz"))));
}
/** The revision the vendored description documents (its `info.version`). */
export function klaviyoRevision(): string {
  return String((klaviyoSpec().doc.info as { version: string }).version);
}

export const MAX_PROFILES_PER_IMPORT = 10_000;
export const MAX_EVENTS_PER_BULK = 1_000;

/** Burst (per second) and steady (per minute) limits of an operation, from its description in the vendored file. */
export function klaviyoRateLimit(operation: Record<string, unknown>): { burst: number; steady: number } | null {
  const m = /Burst: `(\d+)\/s`<br>Steady: `(\d+)\/m`/.exec(String(operation.description ?? ""));
  return m ? { burst: Number(m[1]), steady: Number(m[2]) } : null;
}

export interface KlaviyoProfile {
  id: string;
  email: string | null;
  phone_number: string | null;
  external_id: string | null;
  attributes: Record<string, unknown>;
  properties: Record<string, unknown>;
}

export interface KlaviyoEvent {
  accountId: string;
  metric: string;
  profileId: string;
  properties: Record<string, unknown>;
  time: string | null;
  value: number | null;
  uniqueId: string | null;
}

interface Job {
  id: string;
  accountId: string;
  status: "queued" | "processing" | "complete" | "cancelled";
  createdAt: string;
  completedAt: string | null;
  profiles: Record<string, unknown>[];
  failed: number;
  completed: number;
  errors: { id: string; detail: string; index: number; payload: Record<string, unknown> }[];
}

interface Account {
  id: string;
  privateKey: string;
  name: string;
  profiles: KlaviyoProfile[];
  /** Lookups by identifier (a 100,000-profile account upserts in constant time per profile). */
  index: {
    external: Map<string, KlaviyoProfile>;
    email: Map<string, KlaviyoProfile>;
    phone: Map<string, KlaviyoProfile>;
  };
}

export type KlaviyoFault =
  | { kind: "http"; status: 429 | 500 | 502 | 503; retryAfter?: number }
  | { kind: "reset" }
  | { kind: "slow"; ms: number }
  /** A 400 in Klaviyo's shape, nothing recorded: what Klaviyo answers a request it finds invalid. */
  | { kind: "refuse"; detail?: string };

export interface LocalKlaviyoOptions {
  now?: () => number;
  /** Process a queued import job when its status is read (default true); false leaves it to runJobs(). */
  autoRunJobs?: boolean;
}

type ErrorEntry = { status: number; code: string; title: string; detail: string; pointer?: string; parameter?: string };

export function createLocalKlaviyo(options: LocalKlaviyoOptions = {}) {
  const now = options.now ?? (() => Date.now());
  const autoRunJobs = options.autoRunJobs ?? true;
  const accounts = new Map<string, Account>();
  const byKey = new Map<string, Account>();
  const jobs = new Map<string, Job>();
  const events: KlaviyoEvent[] = [];
  /** account, profile, metric and unique_id of every recorded event: a repeat is found in constant time. */
  const eventKeys = new Set<string>();
  const windows = new Map<string, { start: number; count: number }>();
  const faults: { fault: KlaviyoFault; remaining: number; operation: string | null }[] = [];
  const requestLog: { operationId: string | null; status: number; accountId: string | null }[] = [];
  const deletions: { accountId: string; field: string; value: string; profiles: number }[] = [];
  /** Profiles (by external_id) the next jobs fail, with the error detail and how many more times. */
  const failing = new Map<string, { detail: string; remaining: number }>();

  function addAccount(init: { privateKey: string; name?: string; id?: string }) {
    const account: Account = {
      id: init.id ?? randomUUID().replace(/-/g, "").slice(0, 6).toUpperCase(),
      privateKey: init.privateKey,
      name: init.name ?? "Local Klaviyo account",
      profiles: [],
      index: { external: new Map(), email: new Map(), phone: new Map() },
    };
    accounts.set(account.id, account);
    byKey.set(account.privateKey, account);
    return account;
  }

  function account(id: string): Account {
    const a = accounts.get(id);
    if (!a) throw new Error(`local Klaviyo: no account ${id}`);
    return a;
  }

  /** Seconds until the caller may try again, or 0 when within both windows. */
  function throttle(a: Account, operationId: string, limit: { burst: number; steady: number }): number {
    const t = now();
    let wait = 0;
    for (const [name, size, max] of [
      ["burst", 1000, limit.burst],
      ["steady", 60_000, limit.steady],
    ] as const) {
      const key = `${a.id} ${operationId} ${name}`;
      const start = Math.floor(t / size) * size;
      const w = windows.get(key);
      if (!w || w.start !== start) windows.set(key, { start, count: 0 });
      const cur = windows.get(key)!;
      if (cur.count >= max) wait = Math.max(wait, Math.ceil((start + size - t) / 1000));
    }
    if (wait > 0) return wait;
    for (const name of ["burst", "steady"]) windows.get(`${a.id} ${operationId} ${name}`)!.count++;
    return 0;
  }

  function upsertProfile(a: Account, attributes: Record<string, unknown>): KlaviyoProfile {
    const email = typeof attributes.email === "string" ? attributes.email.toLowerCase() : null;
    const phone = typeof attributes.phone_number === "string" ? attributes.phone_number : null;
    const external = typeof attributes.external_id === "string" ? attributes.external_id : null;
    let p =
      (external !== null ? a.index.external.get(external) : undefined) ??
      (email !== null ? a.index.email.get(email) : undefined) ??
      (phone !== null ? a.index.phone.get(phone) : undefined);
    if (!p) {
      p = {
        id: `01${randomUUID().replace(/-/g, "").toUpperCase().slice(0, 24)}`,
        email,
        phone_number: phone,
        external_id: external,
        attributes: {},
        properties: {},
      };
      a.profiles.push(p);
    }
    if (email !== null) p.email = email;
    if (phone !== null) p.phone_number = phone;
    if (external !== null) p.external_id = external;
    if (p.email !== null) a.index.email.set(p.email, p);
    if (p.phone_number !== null) a.index.phone.set(p.phone_number, p);
    if (p.external_id !== null) a.index.external.set(p.external_id, p);
    const { properties, email: _e, phone_number: _p, external_id: _x, ...rest } = attributes;
    Object.assign(p.attributes, rest);
    if (properties && typeof properties === "object") Object.assign(p.properties, properties);
    return p;
  }

  /** Records an event once per unique_id, profile and metric (Klaviyo keeps the first; a repeat is accepted, not kept). */
  function recordEvent(a: Account, profile: KlaviyoProfile, attrs: Record<string, unknown>) {
    const metricName = String(
      (attrs.metric as { data?: { attributes?: { name?: string } } })?.data?.attributes?.name ?? "",
    );
    const uniqueId = typeof attrs.unique_id === "string" ? attrs.unique_id : null;
    const key = uniqueId === null ? null : `${a.id} ${profile.id} ${metricName} ${uniqueId}`;
    if (key !== null && eventKeys.has(key)) return;
    if (key !== null) eventKeys.add(key);
    events.push({
      accountId: a.id,
      metric: metricName,
      profileId: profile.id,
      properties: (attrs.properties as Record<string, unknown>) ?? {},
      time: typeof attrs.time === "string" ? attrs.time : null,
      value: typeof attrs.value === "number" ? attrs.value : null,
      uniqueId,
    });
  }

  function identified(attributes: Record<string, unknown> | undefined): boolean {
    return Boolean(attributes && (attributes.email || attributes.phone_number || attributes.external_id));
  }

  function runJob(job: Job) {
    if (job.status !== "queued" && job.status !== "processing") return;
    const a = account(job.accountId);
    job.profiles.forEach((p, index) => {
      const attrs = (p as { attributes?: Record<string, unknown> }).attributes;
      const fail = (detail: string) => {
        job.failed++;
        job.errors.push({ id: randomUUID(), detail, index, payload: p });
      };
      const external = typeof attrs?.external_id === "string" ? attrs.external_id : null;
      const chosen = external === null ? undefined : failing.get(external);
      if (!identified(attrs)) return fail("A profile must have an email, phone_number or external_id.");
      if (chosen) {
        if (--chosen.remaining <= 0) failing.delete(external!);
        return fail(chosen.detail);
      }
      const profile = upsertProfile(a, attrs!);
      for (const key of unsetKeys(p)) delete profile.properties[key];
      job.completed++;
    });
    job.status = "complete";
    job.completedAt = new Date(now()).toISOString();
  }

  /** The keys a profile resource's `meta.patch_properties.unset` names (a string or an array of strings). */
  function unsetKeys(p: Record<string, unknown>): string[] {
    const unset = (p.meta as { patch_properties?: { unset?: unknown } } | null | undefined)?.patch_properties?.unset;
    if (unset === undefined || unset === null) return [];
    return typeof unset === "string" ? [unset] : (unset as string[]);
  }

  function jobResource(job: Job, origin: string) {
    return {
      type: "profile-bulk-import-job",
      id: job.id,
      attributes: {
        status: job.status,
        created_at: job.createdAt,
        total_count: job.profiles.length,
        completed_count: job.completed,
        failed_count: job.failed,
        completed_at: job.completedAt,
        expires_at: new Date(Date.parse(job.createdAt) + 7 * 86_400_000).toISOString(),
        started_at: job.status === "queued" ? null : job.createdAt,
      },
      links: { self: `${origin}/api/profile-bulk-import-jobs/${job.id}/` },
    };
  }

  const app = express();
  app.disable("x-powered-by");
  app.use(express.raw({ type: () => true, limit: "5mb" }));
  app.use((req, res) => {
    const url = new URL(req.originalUrl, "http://klaviyo.local");
    const origin = `http://${req.headers.host ?? "127.0.0.1"}`;
    const v = klaviyoSpec();
    let operationId: string | null = null;
    let acct: Account | null = null;
    const fail = (entries: ErrorEntry[], headers: Record<string, string> = {}) => {
      const status = entries[0].status;
      requestLog.push({ operationId, status, accountId: acct?.id ?? null });
      for (const [k, val] of Object.entries(headers)) res.setHeader(k, val);
      res
        .status(status)
        .type("application/vnd.api+json")
        .send(
          JSON.stringify({
            errors: entries.map((e) => ({
              id: randomUUID(),
              status: e.status,
              code: e.code,
              title: e.title,
              detail: e.detail,
              source: e.parameter ? { parameter: e.parameter } : { pointer: e.pointer ?? "/data/" },
              links: {},
              meta: {},
            })),
          }),
        );
    };
    const ok = (status: number, body: unknown | null) => {
      // The double's own answers must conform to Klaviyo's description.
      const drift = matched && matched !== "method" ? v.responseProblems(matched, status, (body ?? null) as never) : [];
      if (drift.length > 0 && body !== null) {
        return fail([{ status: 500, code: "error", title: "Local Klaviyo drift.", detail: drift.join("; ") }]);
      }
      requestLog.push({ operationId, status, accountId: acct?.id ?? null });
      res.status(status).type("application/vnd.api+json");
      if (body === null) res.end();
      else res.send(JSON.stringify(body));
    };

    const matched = v.match(req.method, url.pathname);
    if (matched === null) return fail([{ status: 404, code: "not_found", title: "Not found.", detail: "Not found." }]);
    if (matched === "method") {
      return fail([
        {
          status: 405,
          code: "method_not_allowed",
          title: "Method not allowed.",
          detail: `Method "${req.method}" not allowed.`,
        },
      ]);
    }
    operationId = matched.operationId;
    const headers: Record<string, string | undefined> = {};
    for (const [k, val] of Object.entries(req.headers)) headers[k] = Array.isArray(val) ? val.join(",") : val;

    const key = /^Klaviyo-API-Key (\S+)$/.exec(headers.authorization ?? "")?.[1];
    acct = key ? (byKey.get(key) ?? null) : null;
    if (!acct) {
      return fail([
        {
          status: 401,
          code: "not_authenticated",
          title: "Authentication credentials were not provided.",
          detail: "Missing or invalid private key.",
        },
      ]);
    }
    const a = acct;
    const revision = headers.revision;
    if (revision && revision !== klaviyoRevision()) {
      return fail([
        {
          status: 400,
          code: "invalid",
          title: "Invalid input.",
          detail: `Revision ${revision} is not served here; the local Klaviyo serves revision ${klaviyoRevision()}.`,
          parameter: "revision",
        },
      ]);
    }

    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let body: unknown = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return fail([{ status: 400, code: "parse_error", title: "Malformed request.", detail: "JSON parse error." }]);
      }
    }
    const problems = v.validate(matched, {
      headers,
      query: url.searchParams,
      contentType: headers["content-type"],
      body: body as never,
      rawBodyLength: raw.length,
    });
    if (problems.length > 0) {
      return fail(
        problems.map((p) =>
          p.in === "body"
            ? {
                status: 400,
                code: "invalid",
                title: "Invalid input.",
                detail: `'${p.property || "data"}' ${p.message}`,
                pointer: p.pointer || "/data",
              }
            : {
                status: 400,
                code: "invalid",
                title: "Invalid input.",
                detail: `'${p.property}' ${p.message}`,
                parameter: p.property,
              },
        ),
      );
    }

    const limit = klaviyoRateLimit(matched.operation);
    if (limit) {
      const wait = throttle(a, operationId, limit);
      if (wait > 0) {
        return fail(
          [
            {
              status: 429,
              code: "throttled",
              title: "Request was throttled.",
              detail: `Request was throttled. Expected available in ${wait} second${wait === 1 ? "" : "s"}.`,
            },
          ],
          { "Retry-After": String(wait) },
        );
      }
    }

    const found = faults.find((f) => f.operation === null || f.operation === operationId);
    if (found) {
      found.remaining--;
      if (found.remaining <= 0) faults.splice(faults.indexOf(found), 1);
      const fault = found.fault;
      if (fault.kind === "reset") {
        requestLog.push({ operationId, status: 0, accountId: a.id });
        req.socket.destroy();
        return;
      }
      if (fault.kind === "refuse") {
        return fail([
          {
            status: 400,
            code: "invalid",
            title: "Invalid input.",
            detail: fault.detail ?? "The request was refused.",
            pointer: "/data/attributes",
          },
        ]);
      }
      if (fault.kind === "http") {
        const headersOut: Record<string, string> =
          fault.status === 429 ? { "Retry-After": String(fault.retryAfter ?? 1) } : {};
        return fail(
          [
            fault.status === 429
              ? { status: 429, code: "throttled", title: "Request was throttled.", detail: "Request was throttled." }
              : {
                  status: fault.status,
                  code: "error",
                  title: "A server error occurred.",
                  detail: "A server error occurred.",
                },
          ],
          headersOut,
        );
      }
      if (fault.kind === "slow") {
        setTimeout(() => handle(), fault.ms);
        return;
      }
    }
    handle();

    function handle() {
      switch (operationId) {
        case "get_accounts":
          return ok(200, {
            data: [
              {
                type: "account",
                id: a.id,
                attributes: {
                  test_account: false,
                  contact_information: {
                    default_sender_name: a.name,
                    default_sender_email: `hello@${a.id.toLowerCase()}.example`,
                    website_url: null,
                    organization_name: a.name,
                    street_address: {
                      address1: null,
                      address2: null,
                      city: "Bangkok",
                      region: null,
                      country: "TH",
                      zip: null,
                    },
                  },
                  industry: null,
                  timezone: "Asia/Bangkok",
                  preferred_currency: "THB",
                  public_api_key: a.id,
                  locale: "en-US",
                },
                links: { self: `${origin}/api/accounts/${a.id}/` },
              },
            ],
            links: { self: `${origin}/api/accounts/` },
          });
        case "bulk_import_profiles": {
          const profiles = (body as { data: { attributes: { profiles: { data: Record<string, unknown>[] } } } }).data
            .attributes.profiles.data;
          if (profiles.length === 0 || profiles.length > MAX_PROFILES_PER_IMPORT) {
            return fail([
              {
                status: 400,
                code: "invalid",
                title: "Invalid input.",
                detail: `A job must contain between 1 and ${MAX_PROFILES_PER_IMPORT} profiles.`,
                pointer: "/data/attributes/profiles/data",
              },
            ]);
          }
          const unidentified = profiles.findIndex(
            (p) => !identified((p as { attributes?: Record<string, unknown> }).attributes),
          );
          if (unidentified >= 0) {
            return fail([
              {
                status: 400,
                code: "invalid",
                title: "Invalid input.",
                detail: "A profile must have an email, phone_number or external_id.",
                pointer: `/data/attributes/profiles/data/${unidentified}/attributes`,
              },
            ]);
          }
          for (const [index, p] of profiles.entries()) {
            const patch = (p.meta as { patch_properties?: Record<string, unknown> | null } | null | undefined)
              ?.patch_properties;
            const unsupported = Object.entries(patch ?? {}).find(([k, v]) => k !== "unset" && v !== null);
            if (unsupported) {
              return fail([
                {
                  status: 501,
                  code: "not_implemented",
                  title: "Not implemented.",
                  detail: `The local Klaviyo does not implement patch_properties.${unsupported[0]}.`,
                  pointer: `/data/attributes/profiles/data/${index}/meta/patch_properties`,
                },
              ]);
            }
            const props = (p.attributes as { properties?: Record<string, unknown> | null }).properties ?? {};
            const both = unsetKeys(p).find((k) => Object.hasOwn(props, k));
            if (both !== undefined) {
              return fail([
                {
                  status: 400,
                  code: "invalid",
                  title: "Invalid input.",
                  detail: `The property '${both}' cannot be both set and unset.`,
                  pointer: `/data/attributes/profiles/data/${index}/meta/patch_properties/unset`,
                },
              ]);
            }
          }
          const job: Job = {
            id: randomUUID().replace(/-/g, ""),
            accountId: a.id,
            status: "queued",
            createdAt: new Date(now()).toISOString(),
            completedAt: null,
            profiles,
            failed: 0,
            completed: 0,
            errors: [],
          };
          jobs.set(job.id, job);
          return ok(202, { data: jobResource(job, origin) });
        }
        case "get_bulk_import_profiles_job": {
          const job = jobs.get(matched !== "method" && matched ? matched.pathParams.job_id : "");
          if (!job || job.accountId !== a.id) {
            return fail([{ status: 404, code: "not_found", title: "Not found.", detail: "Not found." }]);
          }
          if (autoRunJobs) runJob(job);
          return ok(200, { data: jobResource(job, origin) });
        }
        case "get_errors_for_bulk_import_profiles_job": {
          const job = jobs.get(matched !== "method" && matched ? matched.pathParams.id : "");
          if (!job || job.accountId !== a.id) {
            return fail([{ status: 404, code: "not_found", title: "Not found.", detail: "Not found." }]);
          }
          const size = Number(url.searchParams.get("page[size]") ?? 20);
          const cursor = url.searchParams.get("page[cursor]");
          const start = cursor === null ? 0 : Number(Buffer.from(cursor, "base64url").toString("utf8"));
          if (!Number.isInteger(start) || start < 0 || start > job.errors.length) {
            return fail([
              {
                status: 400,
                code: "invalid",
                title: "Invalid input.",
                detail: "Invalid page cursor.",
                parameter: "page[cursor]",
              },
            ]);
          }
          const page = job.errors.slice(start, start + size);
          const self = `${origin}/api/profile-bulk-import-jobs/${job.id}/import-errors`;
          const link = (at: number) => {
            const u = new URL(self);
            u.searchParams.set("page[size]", String(size));
            u.searchParams.set("page[cursor]", Buffer.from(String(at)).toString("base64url"));
            return u.toString();
          };
          return ok(200, {
            data: page.map((e) => ({
              type: "import-error",
              id: e.id,
              attributes: {
                code: "invalid",
                title: "Invalid input.",
                detail: e.detail,
                source: { pointer: `/data/attributes/profiles/data/${e.index}` },
                original_payload: e.payload,
              },
            })),
            links: {
              self: url.search ? `${self}${url.search}` : self,
              ...(start + size < job.errors.length ? { next: link(start + size) } : {}),
              ...(start > 0 ? { prev: link(Math.max(0, start - size)) } : {}),
            },
          });
        }
        case "create_event": {
          const attrs = (body as { data: { attributes: Record<string, unknown> } }).data.attributes;
          const profileAttrs = (attrs.profile as { data?: { attributes?: Record<string, unknown> } })?.data?.attributes;
          if (!identified(profileAttrs)) {
            return fail([
              {
                status: 400,
                code: "invalid",
                title: "Invalid input.",
                detail: "The profile must have an email, phone_number or external_id.",
                pointer: "/data/attributes/profile/data/attributes",
              },
            ]);
          }
          const profile = upsertProfile(a, profileAttrs!);
          recordEvent(a, profile, attrs);
          return ok(202, null);
        }
        case "bulk_create_events": {
          // Klaviyo: up to 1,000 events per request, grouped by profile; each profile identified; every event recorded
          // once per unique_id, profile and metric, as for single events. Accepted (202) or refused whole (400).
          const entries = (
            body as {
              data: {
                attributes: {
                  "events-bulk-create": {
                    data: {
                      attributes: {
                        profile: { data: { attributes: Record<string, unknown> } };
                        events: { data: { attributes: Record<string, unknown> }[] };
                      };
                    }[];
                  };
                };
              };
            }
          ).data.attributes["events-bulk-create"].data;
          const total = entries.reduce((n, e) => n + e.attributes.events.data.length, 0);
          if (total === 0 || total > MAX_EVENTS_PER_BULK) {
            return fail([
              {
                status: 400,
                code: "invalid",
                title: "Invalid input.",
                detail: `A request must contain between 1 and ${MAX_EVENTS_PER_BULK} events.`,
                pointer: "/data/attributes/events-bulk-create/data",
              },
            ]);
          }
          const unidentified = entries.findIndex((e) => !identified(e.attributes.profile.data.attributes));
          if (unidentified >= 0) {
            return fail([
              {
                status: 400,
                code: "invalid",
                title: "Invalid input.",
                detail: "The profile must have an email, phone_number or external_id.",
                pointer: `/data/attributes/events-bulk-create/data/${unidentified}/attributes/profile/data/attributes`,
              },
            ]);
          }
          for (const e of entries) {
            const profile = upsertProfile(a, e.attributes.profile.data.attributes);
            for (const ev of e.attributes.events.data) recordEvent(a, profile, ev.attributes);
          }
          return ok(202, null);
        }
        case "request_profile_deletion": {
          // Klaviyo: exactly one identifier (email, phone_number or id); every matching profile is deleted, with its
          // events (asynchronous at Klaviyo; at once here).
          const data = (
            body as {
              data: { attributes: { profile: { data: { id?: string | null; attributes: Record<string, unknown> } } } };
            }
          ).data.attributes.profile.data;
          const given = [
            ["email", data.attributes.email],
            ["phone_number", data.attributes.phone_number],
            ["id", data.id],
          ].filter(([, v]) => typeof v === "string" && v !== "");
          if (given.length !== 1) {
            return fail([
              {
                status: 400,
                code: "invalid",
                title: "Invalid input.",
                detail: "Exactly one of email, phone_number or id must be provided.",
                pointer: "/data/attributes/profile/data",
              },
            ]);
          }
          const [field, value] = given[0] as [string, string];
          const doomed = a.profiles.filter((p) =>
            field === "email"
              ? p.email === value.toLowerCase()
              : field === "id"
                ? p.id === value
                : p.phone_number === value,
          );
          a.profiles = a.profiles.filter((p) => !doomed.includes(p));
          for (const p of doomed) {
            if (p.email !== null) a.index.email.delete(p.email);
            if (p.phone_number !== null) a.index.phone.delete(p.phone_number);
            if (p.external_id !== null) a.index.external.delete(p.external_id);
          }
          for (let i = events.length - 1; i >= 0; i--) {
            if (events[i].accountId === a.id && doomed.some((p) => p.id === events[i].profileId)) events.splice(i, 1);
          }
          deletions.push({ accountId: a.id, field, value, profiles: doomed.length });
          return ok(202, null);
        }
        default:
          return fail([
            {
              status: 501,
              code: "not_implemented",
              title: "Not implemented.",
              detail: `The local Klaviyo does not implement ${operationId}.`,
            },
          ]);
      }
    }
  });

  // Bodies over the limit (Klaviyo: 5 MB) and anything the parser refuses answer in Klaviyo's shape.
  app.use((err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = err.status === 413 ? 413 : 400;
    res
      .status(status)
      .type("application/vnd.api+json")
      .send(
        JSON.stringify({
          errors: [
            {
              id: randomUUID(),
              status,
              code: status === 413 ? "payload_too_large" : "parse_error",
              title: status === 413 ? "Payload too large." : "Malformed request.",
              detail: status === 413 ? "The request body is larger than 5 MB." : "The request body could not be read.",
              source: { pointer: "/data/" },
            },
          ],
        }),
      );
  });

  let server: Server | null = null;
  return {
    app,
    addAccount,
    profiles: (accountId: string) => account(accountId).profiles,
    events: (accountId?: string) => events.filter((e) => accountId === undefined || e.accountId === accountId),
    jobs: () =>
      [...jobs.values()].map((j) => ({ id: j.id, accountId: j.accountId, status: j.status, total: j.profiles.length })),
    runJobs() {
      for (const j of jobs.values()) runJob(j);
    },
    requests: () => [...requestLog],
    /** Profile deletion requests received (Request Profile Deletion). */
    deletions: (accountId?: string) => deletions.filter((d) => accountId === undefined || d.accountId === accountId),
    faults: {
      inject(fault: KlaviyoFault, opts: { times?: number; operation?: string } = {}) {
        faults.push({ fault, remaining: opts.times ?? 1, operation: opts.operation ?? null });
      },
      /**
       * The profiles with these external ids fail in the next `times` jobs that carry them (the job completes with
       * them counted in failed_count and listed by its import errors, with `detail`).
       */
      failProfiles(externalIds: readonly string[], opts: { detail?: string; times?: number } = {}) {
        for (const id of externalIds)
          failing.set(id, { detail: opts.detail ?? "Invalid profile.", remaining: opts.times ?? 1 });
      },
      clear() {
        faults.length = 0;
        failing.clear();
      },
    },
    async listen(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
      server = await new Promise<Server>((resolve) => {
        const s = app.listen(port, "127.0.0.1", () => resolve(s));
      });
      const s = server;
      const { port: bound } = s.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${bound}`,
        close: () =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      };
    },
  };
}

export type LocalKlaviyo = ReturnType<typeof createLocalKlaviyo>;
