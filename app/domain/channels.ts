// Channel connections (docs/channels.md): which channels a shop can connect, which fields each takes, and what a
// well-formed value of each field is. Pure: no I/O. The forms' errors are keys the admin page translates.

export const CHANNELS = ["line-messaging", "line-login", "klaviyo"] as const;
export type Channel = (typeof CHANNELS)[number];

export function isChannel(v: unknown): v is Channel {
  return typeof v === "string" && (CHANNELS as readonly string[]).includes(v);
}

/** The fields of a connection. `publicId` is stored in the clear; every other field is secret. */
export interface ChannelFields {
  "line-messaging": { channelId: string; channelSecret: string; accessToken: string };
  "line-login": { channelId: string; channelSecret: string };
  klaviyo: { privateKey: string };
}

export type FieldError = "required" | "channelId" | "channelSecret" | "accessToken" | "privateKey";

export const FIELDS: { [C in Channel]: (keyof ChannelFields[C] & string)[] } = {
  "line-messaging": ["channelId", "channelSecret", "accessToken"],
  "line-login": ["channelId", "channelSecret"],
  klaviyo: ["privateKey"],
};

// LINE channel ids are 10 digits; channel secrets 32 hex digits; long-lived channel access tokens are base64 text
// (about 172 characters; v2.1 tokens are JWT-like). Klaviyo private keys start with `pk_`.
const CHECKS: Record<string, (v: string) => boolean> = {
  channelId: (v) => /^\d{10}$/.test(v),
  channelSecret: (v) => /^[0-9a-f]{32}$/i.test(v),
  accessToken: (v) => /^[A-Za-z0-9+/=._-]{40,2048}$/.test(v),
  privateKey: (v) => /^pk_[A-Za-z0-9]{20,64}$/.test(v),
};

export type ParsedConnection<C extends Channel = Channel> =
  | { ok: true; channel: C; publicId: string | null; secrets: Record<string, string> }
  | { ok: false; errors: Partial<Record<string, FieldError>> };

/** Checks a form's fields for a channel: trimmed, each present and well-formed. */
export function parseConnection<C extends Channel>(channel: C, input: Record<string, unknown>): ParsedConnection<C> {
  const errors: Partial<Record<string, FieldError>> = {};
  const values: Record<string, string> = {};
  for (const field of FIELDS[channel]) {
    const raw = input[field];
    const v = typeof raw === "string" ? raw.trim() : "";
    if (v === "") errors[field] = "required";
    else if (!CHECKS[field](v)) errors[field] = field as FieldError;
    else values[field] = v;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const { channelId, ...secrets } = values;
  return { ok: true, channel, publicId: channelId ?? null, secrets };
}

/** What "test connection" found, in words the page shows (keys translated there). */
export type TestOutcome =
  | { ok: true; detail: string | null }
  | {
      ok: false;
      reason:
        | "unauthorized"
        | "rate_limited"
        | "unavailable"
        | "unreachable"
        | "not_testable"
        | "key_missing"
        | "undecryptable";
      detail: string | null;
    };

/** An HTTP answer of a vendor's API, as the outcome of a connection test. */
export function outcomeOfStatus(status: number, detail: string | null): TestOutcome {
  if (status >= 200 && status < 300) return { ok: true, detail };
  if (status === 401 || status === 403) return { ok: false, reason: "unauthorized", detail };
  if (status === 429) return { ok: false, reason: "rate_limited", detail };
  return { ok: false, reason: "unavailable", detail: detail ?? `HTTP ${status}` };
}
