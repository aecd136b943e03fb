// Channel connections (docs/channels.md): save a shop's LINE / Klaviyo credentials sealed at rest, list them without
// their secrets, and "test connection" with one cheap authenticated call to the vendor:
// - LINE Messaging API: GET /v2/bot/info with the channel access token (the bot's name is shown on success);
// - Klaviyo: GET /api/accounts with the private key and the pinned revision;
// - LINE Login: there is no call that checks a Login channel's id and secret without a user's authorisation code,
//   so it is saved checked for form only, and its test says so.
import { env } from "../env.server";
import {
  isChannel,
  outcomeOfStatus,
  parseConnection,
  type Channel,
  type FieldError,
  type TestOutcome,
} from "../domain/channels";
import {
  deleteConnection,
  deleteLineConnection,
  getSealedConnection,
  LINE_CHANNELS,
  lineLinkCount,
  listConnections,
  recordTest,
  upsertConnection,
  upsertLineConnection,
  type ConnectionSummary,
} from "../models/channel-connections.server";
import { keyringFromEnv, open, seal, SecretKeyMissingError, SecretOpenError, type Keyring } from "./secret-box.server";

/** The Klaviyo API revision the app is written against (the vendored description's; docs/channels.md). */
export const KLAVIYO_REVISION = "2026-07-15";
const TEST_TIMEOUT_MS = 10_000;

const associated = (shop: string, channel: Channel) => `channel-connection:${shop}:${channel}`;

/** Why waiting LINE messages were skipped when the shop's LINE links ended (docs/channels.md). */
export const LINE_CHANNEL_CHANGED = "LINE channel changed: the shopper's link belonged to the previous channel";
export const LINE_DISCONNECTED = "LINE disconnected: the shopper's link ended with it";

const isLineChannel = (channel: Channel): channel is (typeof LINE_CHANNELS)[number] =>
  (LINE_CHANNELS as readonly string[]).includes(channel);

/** A LINE change that would unlink shoppers, not confirmed: nothing was changed; `linked` shoppers would be unlinked. */
export interface ConfirmUnlink {
  ok: false;
  confirmUnlink: { linked: number };
}

export type SaveResult =
  | { ok: true; unlinked?: number }
  | { ok: false; errors: Partial<Record<string, FieldError>> }
  | { ok: false; keyMissing: true }
  | ConfirmUnlink;

/** Options of a change to a LINE channel: `confirmUnlink` — the merchant confirmed ending the shop's LINE links. */
export interface ChangeOptions {
  confirmUnlink?: boolean;
}

export async function saveConnection(
  shop: string,
  channel: Channel,
  input: Record<string, unknown>,
  keyring: Keyring = keyringFromEnv(),
  now: Date = new Date(),
  { confirmUnlink = false }: ChangeOptions = {},
): Promise<SaveResult> {
  const parsed = parseConnection(channel, input);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  if (!keyring.current) return { ok: false, keyMissing: true };
  const { sealed, keyId } = seal(JSON.stringify(parsed.secrets), associated(shop, channel), keyring);
  const row = { publicId: parsed.publicId, secrets: sealed, keyId };
  if (!isLineChannel(channel)) {
    await upsertConnection(shop, channel, row);
    return { ok: true };
  }
  // LINE user ids are per provider: another channel id ends the shop's links (same transaction), only once the
  // merchant confirmed it when there are any; the same id again (a new secret or token) keeps them.
  const ended = await upsertLineConnection(shop, channel, row, LINE_CHANNEL_CHANGED, now, confirmUnlink);
  if ("refused" in ended) return { ok: false, confirmUnlink: { linked: ended.linked } };
  return ended.unlinked > 0 ? { ok: true, unlinked: ended.unlinked } : { ok: true };
}

export function connectionsFor(shop: string): Promise<ConnectionSummary[]> {
  return listConnections(shop);
}

/**
 * Removes a connection; a LINE channel's takes the shop's LINE links with it (how many shoppers were unlinked) — only
 * once the merchant confirmed it when there are any, else nothing is removed.
 */
export async function disconnect(
  shop: string,
  channel: Channel,
  now: Date = new Date(),
  { confirmUnlink = false }: ChangeOptions = {},
): Promise<{ ok: true; deleted: number; unlinked: number } | ConfirmUnlink> {
  if (!isLineChannel(channel)) return { ok: true, deleted: await deleteConnection(shop, channel), unlinked: 0 };
  const ended = await deleteLineConnection(shop, channel, LINE_DISCONNECTED, now, confirmUnlink);
  if ("refused" in ended) return { ok: false, confirmUnlink: { linked: ended.linked } };
  return { ok: true, deleted: ended.deleted, unlinked: ended.unlinked };
}

/** How many shoppers have linked LINE (shown on the LINE cards: what disconnecting or another channel id ends). */
export function linkedShoppers(shop: string): Promise<number> {
  return lineLinkCount(shop);
}

/** The opened secrets of a connection (for the senders a later issue adds), or null when there is none. */
export async function openConnection(shop: string, channel: Channel, keyring: Keyring = keyringFromEnv()) {
  const row = await getSealedConnection(shop, channel);
  if (!row) return null;
  const secrets = JSON.parse(open(row.secrets, associated(shop, channel), keyring)) as Record<string, string>;
  return { publicId: row.publicId, secrets };
}

async function call(
  url: string,
  headers: Record<string, string>,
): Promise<{ outcome: TestOutcome; body: Record<string, unknown> | null }> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(TEST_TIMEOUT_MS) });
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (res.ok) return { outcome: outcomeOfStatus(res.status, null), body };
    const errors = body?.errors as { detail?: string }[] | undefined;
    const detail = typeof body?.message === "string" ? body.message : (errors?.[0]?.detail ?? null);
    return { outcome: outcomeOfStatus(res.status, detail), body };
  } catch (e) {
    return {
      outcome: { ok: false, reason: "unreachable", detail: e instanceof Error ? e.message : String(e) },
      body: null,
    };
  }
}

export async function testConnection(
  shop: string,
  channel: string,
  options: { keyring?: Keyring; now?: Date } = {},
): Promise<TestOutcome | null> {
  if (!isChannel(channel)) return null;
  let opened: Awaited<ReturnType<typeof openConnection>>;
  try {
    opened = await openConnection(shop, channel, options.keyring);
  } catch (e) {
    if (e instanceof SecretKeyMissingError) return { ok: false, reason: "key_missing", detail: null };
    if (e instanceof SecretOpenError) return { ok: false, reason: "undecryptable", detail: e.message };
    throw e;
  }
  if (!opened) return null;
  let outcome: TestOutcome;
  if (channel === "line-messaging") {
    const { outcome: o, body } = await call(new URL("/v2/bot/info", env.LINE_API_ORIGIN).toString(), {
      authorization: `Bearer ${opened.secrets.accessToken}`,
    });
    // On success, the bot's name and basic id, so the merchant sees which account answered.
    const named = [body?.displayName, body?.basicId].filter((x) => typeof x === "string").join(" ");
    outcome = o.ok ? { ok: true, detail: named || null } : o;
  } else if (channel === "klaviyo") {
    const { outcome: o, body } = await call(new URL("/api/accounts", env.KLAVIYO_API_ORIGIN).toString(), {
      authorization: `Klaviyo-API-Key ${opened.secrets.privateKey}`,
      revision: KLAVIYO_REVISION,
      accept: "application/vnd.api+json",
    });
    const account = (
      body?.data as { id?: string; attributes?: { contact_information?: { organization_name?: string } } }[] | undefined
    )?.[0];
    const named = [account?.attributes?.contact_information?.organization_name, account?.id].filter(Boolean).join(" ");
    outcome = o.ok ? { ok: true, detail: named || null } : o;
  } else {
    outcome = { ok: false, reason: "not_testable", detail: null };
  }
  if (!(outcome.ok === false && outcome.reason === "not_testable")) {
    await recordTest(shop, channel, {
      status: outcome.ok ? "connected" : "failed",
      lastError: outcome.ok ? null : `${outcome.reason}${outcome.detail ? `: ${outcome.detail}` : ""}`.slice(0, 500),
      at: options.now ?? new Date(),
    });
  }
  return outcome;
}
