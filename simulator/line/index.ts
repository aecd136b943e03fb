// The local LINE Platform: a strict double of the Messaging API endpoints the app uses (push, multicast, message
// quota and consumption, profile, bot info) and of LINE's webhooks, for tests and the demo. Every request is checked
// against LINE's own OpenAPI description (openapi/messaging-api.json.gz, vendored from line/line-openapi): unknown
// paths, missing or malformed headers (X-Line-Retry-Key must be a UUID), and bodies the schema refuses get LINE's
// error shape ({ message, details: [{ message, property }] }). What it does beyond the schema follows LINE's docs:
// - authentication: `Authorization: Bearer <channel access token>` of a known channel, else 401;
// - retry key: the first accepted request with a key is executed once; a repeat within 24 hours answers 409 with
//   `X-Line-Accepted-Request-Id` (and for push the original `sentMessages`) and delivers nothing; a request that
//   failed (4xx/5xx, injected fault) did not consume its key; a key on an endpoint that does not support it is 400;
// - rate limits per channel and endpoint (fixed one-second windows): push 2,000/s, multicast 200/s, others 2,000/s;
//   over the limit: 429 `The API rate limit has been exceeded. Try again later.`;
// - the monthly message quota: messages are counted per recipient; a send that would exceed the channel's target
//   limit is 429 `You have reached your monthly limit.` and delivers nothing;
// - webhooks it sends are validated against openapi/webhook.json.gz and signed like LINE signs them.
import { createHmac, randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { OpenApiValidator, readGzippedJson, type MatchedOperation } from "../openapi/validator";
import { createLocalLineLogin } from "./login";

const here = path.dirname(fileURLToPath(import.meta.url));

let messagingSpec: OpenApiValidator | null = null;
let webhookSpec: OpenApiValidator | null = null;
export function lineMessagingSpec(): OpenApiValidator {
  return (messagingSpec ??= new OpenApiValidator(readGzippedJson(path.join(here, "openapi", "messaging-api.json.gz"))));
}
export function lineWebhookSpec(): OpenApiValidator {
  return (webhookSpec ??= new OpenApiValidator(readGzippedJson(path.join(here, "openapi", "webhook.json.gz"))));
}

/** Per channel, per endpoint, requests per second (LINE's documented rate limits). */
export const LINE_RATE_LIMITS: Record<string, number> = {
  pushMessage: 2000,
  multicast: 200,
  default: 2000,
};
const RETRY_KEY_OPERATIONS = new Set(["pushMessage", "multicast", "narrowcast", "broadcast"]);
const RETRY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const USER_ID = /^U[0-9a-f]{32}$/;

export interface LineFriend {
  userId: string;
  displayName: string;
  language?: string;
  pictureUrl?: string;
  statusMessage?: string;
  /** A friend who blocked the account: sends to them are accepted and not delivered. */
  blocked?: boolean;
}

export interface LineChannelInit {
  channelId: string;
  channelSecret: string;
  accessToken: string;
  displayName?: string;
  /** Monthly target limit; `null` means no limit (`type: none`). Default 300 (a free plan). */
  monthlyQuota?: number | null;
}

export interface LineDelivery {
  channelId: string;
  requestId: string;
  operation: "pushMessage" | "multicast";
  to: string;
  messages: unknown[];
  retryKey: string | null;
  at: number;
}

export type LineFault =
  | { kind: "http"; status: 429 | 500 | 502 | 503 }
  /** The request is accepted and delivered, then the connection is dropped before the answer (a timeout). */
  | { kind: "timeout-after-accept" }
  /** The connection is dropped before anything happens. */
  | { kind: "reset" }
  | { kind: "slow"; ms: number };

interface Channel extends Required<Omit<LineChannelInit, "monthlyQuota">> {
  monthlyQuota: number | null;
  botUserId: string;
  basicId: string;
  friends: Map<string, LineFriend>;
  used: number;
}

interface Accepted {
  requestId: string;
  at: number;
  body: unknown;
}

export interface LocalLineOptions {
  /** The clock (ms); tests move it to cross rate-limit windows and retry-key lifetimes. */
  now?: () => number;
}

function hex(n: number): string {
  let s = "";
  while (s.length < n) s += randomUUID().replace(/-/g, "");
  return s.slice(0, n);
}

/** The `X-Line-Signature` LINE puts on a webhook: base64 HMAC-SHA256 of the body bytes, keyed with the channel secret. */
export function signLineWebhook(body: string | Uint8Array, channelSecret: string): string {
  return createHmac("sha256", channelSecret).update(body).digest("base64");
}

export function createLocalLine(options: LocalLineOptions = {}) {
  const now = options.now ?? (() => Date.now());
  const channels = new Map<string, Channel>();
  const byToken = new Map<string, Channel>();
  const deliveries: LineDelivery[] = [];
  const retryKeys = new Map<string, Accepted>(); // `${channelId} ${retryKey}`
  const windows = new Map<string, { second: number; count: number }>();
  const faults: { fault: LineFault; remaining: number; operation: string | null }[] = [];
  const requestLog: { operationId: string | null; status: number; channelId: string | null }[] = [];
  let messageSeq = 100000000000000;

  function addChannel(init: LineChannelInit) {
    const channel: Channel = {
      channelId: init.channelId,
      channelSecret: init.channelSecret,
      accessToken: init.accessToken,
      displayName: init.displayName ?? "Local LINE OA",
      monthlyQuota: init.monthlyQuota === undefined ? 300 : init.monthlyQuota,
      botUserId: `U${hex(32)}`,
      basicId: `@${hex(6)}`,
      friends: new Map(),
      used: 0,
    };
    channels.set(channel.channelId, channel);
    byToken.set(channel.accessToken, channel);
    return channel;
  }

  function channel(channelId: string): Channel {
    const c = channels.get(channelId);
    if (!c) throw new Error(`local LINE: no channel ${channelId}`);
    return c;
  }

  function takeFault(operationId: string): LineFault | null {
    const found = faults.find((f) => f.operation === null || f.operation === operationId);
    if (!found) return null;
    found.remaining--;
    if (found.remaining <= 0) faults.splice(faults.indexOf(found), 1);
    return found.fault;
  }

  function overRateLimit(c: Channel, operationId: string): boolean {
    const limit = LINE_RATE_LIMITS[operationId] ?? LINE_RATE_LIMITS.default;
    const second = Math.floor(now() / 1000);
    const key = `${c.channelId} ${operationId}`;
    const w = windows.get(key);
    if (!w || w.second !== second) {
      windows.set(key, { second, count: 1 });
      return false;
    }
    w.count++;
    return w.count > limit;
  }

  function deliver(
    c: Channel,
    operation: LineDelivery["operation"],
    to: string[],
    messages: unknown[],
    requestId: string,
    retryKey: string | null,
  ) {
    for (const userId of to) {
      const friend = c.friends.get(userId);
      if (!friend || friend.blocked) continue; // accepted, not delivered (LINE does not say which)
      deliveries.push({ channelId: c.channelId, requestId, operation, to: userId, messages, retryKey, at: now() });
    }
  }

  const login = createLocalLineLogin(now, {
    isFriend: (botChannelId, userId) => {
      const f = channels.get(botChannelId)?.friends.get(userId);
      return Boolean(f && !f.blocked);
    },
    addFriend: (botChannelId, user) => {
      const c = channels.get(botChannelId);
      if (c) c.friends.set(user.userId, { ...user, blocked: false });
    },
    botName: (botChannelId) => channels.get(botChannelId)?.displayName ?? "LINE Official Account",
  });
  const app = express();
  app.disable("x-powered-by");
  app.use(login.router);
  app.use(express.raw({ type: () => true, limit: "2mb" }));
  app.use((req, res) => {
    const requestId = randomUUID();
    res.setHeader("X-Line-Request-Id", requestId);
    let matchedOp: MatchedOperation | null = null;
    const send = (status: number, body: unknown, c: Channel | null = null, operationId: string | null = null) => {
      // The double's own successful answers must conform to LINE's description.
      const drift =
        matchedOp && status < 300 ? lineMessagingSpec().responseProblems(matchedOp, status, body as never) : [];
      if (drift.length > 0) {
        status = 500;
        body = { message: `local LINE answered outside LINE's description: ${drift.join("; ")}` };
      }
      requestLog.push({ operationId, status, channelId: c?.channelId ?? null });
      res.status(status).json(body);
    };
    const url = new URL(req.originalUrl, "http://line.local");
    const spec = lineMessagingSpec();
    const matched = spec.match(req.method, url.pathname);
    if (matched === null) return send(404, { message: "Not found" });
    if (matched === "method") return send(405, { message: "Method not allowed" });
    matchedOp = matched;
    const operationId = matched.operationId;

    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let body: unknown = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return send(400, { message: "The request body could not be parsed as JSON" }, null, operationId);
      }
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(",") : v;

    const token = /^Bearer (\S+)$/.exec(headers.authorization ?? "")?.[1];
    const c = token ? (byToken.get(token) ?? null) : null;
    if (!c) {
      return send(
        401,
        { message: "Authentication failed. Confirm that the access token in the authorization header is valid." },
        null,
        operationId,
      );
    }
    const retryKey = headers["x-line-retry-key"] ?? null;
    if (retryKey !== null && !RETRY_KEY_OPERATIONS.has(operationId)) {
      return send(400, { message: "The retry key cannot be used with this API" }, c, operationId);
    }
    const problems = spec.validate(matched, {
      headers,
      query: url.searchParams,
      contentType: headers["content-type"],
      body: body as never,
      rawBodyLength: raw.length,
    });
    if (problems.length > 0) {
      const bodyProblems = problems.filter((p) => p.in === "body");
      if (bodyProblems.length === problems.length) {
        return send(
          400,
          {
            message: `The request body has ${bodyProblems.length} error(s)`,
            details: bodyProblems.map((p) => ({ message: p.message, property: p.property })),
          },
          c,
          operationId,
        );
      }
      const first = problems.find((p) => p.in !== "body")!;
      return send(
        400,
        { message: `The value for the '${first.property}' ${first.in} ${first.message}` },
        c,
        operationId,
      );
    }

    if (overRateLimit(c, operationId)) {
      return send(429, { message: "The API rate limit has been exceeded. Try again later." }, c, operationId);
    }

    if (retryKey !== null) {
      const key = `${c.channelId} ${retryKey.toLowerCase()}`;
      const seen = retryKeys.get(key);
      if (seen && now() - seen.at < RETRY_KEY_TTL_MS) {
        res.setHeader("X-Line-Accepted-Request-Id", seen.requestId);
        const sent = (seen.body as { sentMessages?: unknown } | null)?.sentMessages;
        return send(
          409,
          sent
            ? { message: "The retry key is already accepted", sentMessages: sent }
            : { message: "The retry key is already accepted" },
          c,
          operationId,
        );
      }
    }

    const fault = takeFault(operationId);
    if (fault?.kind === "reset") {
      requestLog.push({ operationId, status: 0, channelId: c.channelId });
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "http") {
      const message =
        fault.status === 429
          ? "The API rate limit has been exceeded. Try again later."
          : "An error occurred in the LINE Platform.";
      return send(fault.status, { message }, c, operationId);
    }

    const answer = (status: number, payload: unknown) => {
      if (retryKey !== null && status >= 200 && status < 300) {
        retryKeys.set(`${c.channelId} ${retryKey.toLowerCase()}`, { requestId, at: now(), body: payload });
      }
      if (fault?.kind === "timeout-after-accept") {
        requestLog.push({ operationId, status: 0, channelId: c.channelId });
        req.socket.destroy();
        return;
      }
      if (fault?.kind === "slow") {
        setTimeout(() => send(status, payload, c, operationId), fault.ms);
        return;
      }
      send(status, payload, c, operationId);
    };

    const quotaAllows = (count: number) => c.monthlyQuota === null || c.used + count <= c.monthlyQuota;
    switch (operationId) {
      case "pushMessage": {
        const b = body as { to: string; messages: unknown[] };
        if (!USER_ID.test(b.to)) {
          return send(
            400,
            { message: "The property, 'to', in the request body is invalid (line: -, column: -)" },
            c,
            operationId,
          );
        }
        if (!quotaAllows(1)) return send(429, { message: "You have reached your monthly limit." }, c, operationId);
        c.used += 1;
        deliver(c, "pushMessage", [b.to], b.messages, requestId, retryKey);
        return answer(200, { sentMessages: b.messages.map(() => ({ id: String(messageSeq++), quoteToken: hex(40) })) });
      }
      case "multicast": {
        const b = body as { to: string[]; messages: unknown[] };
        const bad = b.to.findIndex((u) => !USER_ID.test(u));
        if (bad >= 0) {
          return send(
            400,
            {
              message: "The request body has 1 error(s)",
              details: [{ message: "invalid user ID", property: `to[${bad}]` }],
            },
            c,
            operationId,
          );
        }
        if (!quotaAllows(b.to.length))
          return send(429, { message: "You have reached your monthly limit." }, c, operationId);
        c.used += b.to.length;
        deliver(c, "multicast", b.to, b.messages, requestId, retryKey);
        return answer(200, {});
      }
      case "getMessageQuota":
        return answer(200, c.monthlyQuota === null ? { type: "none" } : { type: "limited", value: c.monthlyQuota });
      case "getMessageQuotaConsumption":
        return answer(200, { totalUsage: c.used });
      case "getBotInfo":
        return answer(200, {
          userId: c.botUserId,
          basicId: c.basicId,
          displayName: c.displayName,
          chatMode: "bot",
          markAsReadMode: "auto",
        });
      case "getProfile": {
        const f = c.friends.get(matched.pathParams.userId);
        if (!f || f.blocked) return send(404, { message: "Not found" }, c, operationId);
        const profile: Record<string, string> = { displayName: f.displayName, userId: f.userId };
        if (f.language) profile.language = f.language;
        if (f.pictureUrl) profile.pictureUrl = f.pictureUrl;
        if (f.statusMessage) profile.statusMessage = f.statusMessage;
        return answer(200, profile);
      }
      default:
        return send(501, { message: `The local LINE does not implement ${operationId}` }, c, operationId);
    }
  });

  // Bodies over the limit (LINE: 2 MB) and anything the parser refuses answer in LINE's shape, not Express's page.
  app.use(
    (
      err: { status?: number; type?: string },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      const status = err.status === 413 ? 413 : 400;
      res.setHeader("X-Line-Request-Id", randomUUID());
      res.status(status).json({
        message: status === 413 ? "Request exceeds the max size of 2MB" : "The request body could not be read",
      });
    },
  );

  /** A webhook body as LINE sends it, checked against LINE's webhook description; throws if it would not conform. */
  function webhookBody(channelId: string, events: Record<string, unknown>[]): string {
    const c = channel(channelId);
    const body = { destination: c.botUserId, events };
    const problems = lineWebhookSpec().validateComponent("CallbackRequest", body as never);
    if (problems.length > 0) throw new Error(`local LINE: webhook does not conform: ${problems.join("; ")}`);
    return JSON.stringify(body);
  }

  function eventBase(type: string, userId: string) {
    return {
      type,
      mode: "active",
      timestamp: now(),
      source: { type: "user", userId },
      webhookEventId: hex(26).toUpperCase(),
      deliveryContext: { isRedelivery: false },
    };
  }

  let server: Server | null = null;
  return {
    app,
    addChannel,
    /** LINE Login (simulator/line/login.ts): its channels, and who is signed in to LINE. */
    login: {
      addChannel: login.addChannel,
      signIn: login.signIn,
      setConsent: login.setConsent,
      onNextToken: login.onNextToken,
    },
    /** The shopper adds the account as a friend (or unblocks it); returns the follow event LINE would send. */
    follow(channelId: string, friend: Omit<LineFriend, "blocked">) {
      const c = channel(channelId);
      const wasBlocked = c.friends.get(friend.userId)?.blocked === true;
      c.friends.set(friend.userId, { ...friend, blocked: false });
      return { ...eventBase("follow", friend.userId), replyToken: hex(32), follow: { isUnblocked: wasBlocked } };
    },
    /** The shopper blocks the account; returns the unfollow event LINE would send. */
    block(channelId: string, userId: string) {
      const c = channel(channelId);
      const f = c.friends.get(userId);
      if (f) f.blocked = true;
      return eventBase("unfollow", userId);
    },
    webhookBody,
    /** Posts events to a webhook URL as LINE does (signed with the channel secret); returns the HTTP status. */
    async sendWebhook(
      channelId: string,
      url: string,
      events: Record<string, unknown>[],
      sign: "valid" | "forged" = "valid",
    ) {
      const body = webhookBody(channelId, events);
      const secret = sign === "valid" ? channel(channelId).channelSecret : "not-the-channel-secret";
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-line-signature": signLineWebhook(body, secret) },
        body,
      });
      return res.status;
    },
    deliveries: (channelId?: string) => deliveries.filter((d) => channelId === undefined || d.channelId === channelId),
    usage: (channelId: string) => channel(channelId).used,
    setMonthlyQuota(channelId: string, quota: number | null) {
      channel(channelId).monthlyQuota = quota;
    },
    requests: () => [...requestLog],
    faults: {
      inject(fault: LineFault, opts: { times?: number; operation?: string } = {}) {
        faults.push({ fault, remaining: opts.times ?? 1, operation: opts.operation ?? null });
      },
      clear() {
        faults.length = 0;
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

export type LocalLine = ReturnType<typeof createLocalLine>;
