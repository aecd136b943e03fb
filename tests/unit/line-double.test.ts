// The local LINE refuses what LINE refuses (per LINE's vendored OpenAPI description and docs), delivers a retried
// send once, answers 429 past the rate limit and the monthly quota, and signs the webhooks it sends like LINE.
import { createHmac, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLocalLine, LINE_RATE_LIMITS, lineMessagingSpec, signLineWebhook } from "../../simulator/line/index";

const TOKEN = "channel-token-a";
const user = (n: number) => `U${n.toString(16).padStart(32, "0")}`;

let clock = Date.UTC(2026, 11, 6, 1, 0, 0);
const line = createLocalLine({ now: () => clock });
line.addChannel({ channelId: "2000000001", channelSecret: "secret-a", accessToken: TOKEN, monthlyQuota: 1000 });
line.addChannel({ channelId: "2000000002", channelSecret: "secret-b", accessToken: "channel-token-b" });
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  server = await line.listen();
  for (let i = 1; i <= 5; i++)
    line.follow("2000000001", { userId: user(i), displayName: `Friend ${i}`, language: "th" });
});
afterAll(() => server.close());
beforeEach(() => {
  clock += 60_000; // fresh rate-limit windows
  line.faults.clear();
});

async function call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const text = (t: string) => ({ type: "text", text: t });

describe("local LINE: strictness against the vendored description", () => {
  it("accepts a valid push and records the delivery per recipient", async () => {
    const before = line.deliveries("2000000001").length;
    const r = await call("/v2/bot/message/push", { body: { to: user(1), messages: [text("สวัสดี")] } });
    expect(r.status).toBe(200);
    expect((r.body.sentMessages as unknown[]).length).toBe(1);
    expect(r.headers.get("x-line-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const d = line.deliveries("2000000001").slice(before);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ to: user(1), operation: "pushMessage", messages: [text("สวัสดี")] });
  });

  it("refuses bodies the schema refuses, with LINE's error shape, and delivers nothing", async () => {
    const before = line.deliveries().length;
    const cases: [unknown, string][] = [
      [{ to: user(1), messages: [{ type: "text" }] }, "messages[0].text"],
      [{ to: user(1), messages: [{ type: "fax", text: "x" }] }, "messages[0].type"],
      [{ to: user(1), messages: [] }, "messages"],
      [{ to: user(1), messages: Array.from({ length: 6 }, () => text("x")) }, "messages"],
      [{ messages: [text("x")] }, "to"],
      [
        {
          to: user(1),
          messages: [
            {
              type: "flex",
              altText: "x",
              contents: { type: "bubble", body: { type: "box", layout: "vertical", contents: [{ type: "txt" }] } },
            },
          ],
        },
        "messages[0].contents.body.contents[0].type",
      ],
    ];
    for (const [body, property] of cases) {
      const r = await call("/v2/bot/message/push", { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toMatch(/^The request body has \d+ error\(s\)$/);
      expect((r.body.details as { property: string }[]).map((d) => d.property)).toContain(property);
    }
    expect(line.deliveries().length).toBe(before);
  });

  it("accepts a Flex Message that follows the schema", async () => {
    const flex = {
      type: "flex",
      altText: "Gold tier",
      contents: {
        type: "bubble",
        body: { type: "box", layout: "vertical", contents: [{ type: "text", text: "Gold", color: "#B8860B" }] },
        footer: {
          type: "box",
          layout: "vertical",
          contents: [{ type: "button", action: { type: "uri", label: "Shop", uri: "https://example.com" } }],
        },
      },
    };
    expect((await call("/v2/bot/message/push", { body: { to: user(2), messages: [flex] } })).status).toBe(200);
  });

  it("refuses a missing or unknown token (401), bad JSON, a wrong content type, unknown paths and methods", async () => {
    const noAuth = await fetch(`${server.url}/v2/bot/info`);
    expect(noAuth.status).toBe(401);
    expect(((await noAuth.json()) as { message: string }).message).toMatch(/Authentication failed/);
    expect((await call("/v2/bot/info", { headers: { authorization: "Bearer nope" } })).status).toBe(401);
    expect((await call("/v2/bot/message/push", { body: "{not json" })).status).toBe(400);
    const wrongType = await call("/v2/bot/message/push", {
      body: { to: user(1), messages: [text("x")] },
      headers: { "content-type": "text/plain" },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toMatch(/Content-Type/);
    const huge = await call("/v2/bot/message/push", {
      body: { to: user(1), messages: [text("x".repeat(2 * 1024 * 1024))] },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.message).toMatch(/max size/);
    expect((await call("/v2/bot/nothing")).status).toBe(404);
    expect((await call("/v2/bot/info", { method: "DELETE" })).status).toBe(405);
  });

  it("refuses a retry key that is not a UUID, and a retry key on an API that does not take one", async () => {
    const bad = await call("/v2/bot/message/push", {
      body: { to: user(1), messages: [text("x")] },
      headers: { "x-line-retry-key": "not-a-uuid" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/X-Line-Retry-Key/);
    expect((await call("/v2/bot/info", { headers: { "x-line-retry-key": randomUUID() } })).status).toBe(400);
  });

  it("answers quota, consumption, bot info and profiles; a stranger's profile is 404", async () => {
    const used = line.usage("2000000001");
    expect((await call("/v2/bot/message/quota")).body).toEqual({ type: "limited", value: 1000 });
    expect((await call("/v2/bot/message/quota/consumption")).body).toEqual({ totalUsage: used });
    const info = await call("/v2/bot/info");
    expect(info.body).toMatchObject({ displayName: "Local LINE OA", chatMode: "bot" });
    expect((await call(`/v2/bot/profile/${user(3)}`)).body).toMatchObject({
      userId: user(3),
      displayName: "Friend 3",
      language: "th",
    });
    expect((await call(`/v2/bot/profile/${user(99)}`)).status).toBe(404);
  });
});

describe("local LINE: retry key, faults, rate limit, quota", () => {
  it("a repeated retry key answers 409 with the accepted request id and delivers once", async () => {
    const key = randomUUID();
    const body = { to: user(1), messages: [text("code WELCOME10")] };
    const before = line.deliveries().length;
    const first = await call("/v2/bot/message/push", { body, headers: { "x-line-retry-key": key } });
    expect(first.status).toBe(200);
    const again = await call("/v2/bot/message/push", { body, headers: { "x-line-retry-key": key } });
    expect(again.status).toBe(409);
    expect(again.headers.get("x-line-accepted-request-id")).toBe(first.headers.get("x-line-request-id"));
    expect(again.body.sentMessages).toEqual(first.body.sentMessages);
    expect(line.deliveries().length).toBe(before + 1);
    // After 24 hours the key may be used again.
    clock += 24 * 60 * 60 * 1000 + 1;
    expect((await call("/v2/bot/message/push", { body, headers: { "x-line-retry-key": key } })).status).toBe(200);
  });

  it("a send that timed out after LINE accepted it is not delivered twice when retried with its key", async () => {
    const key = randomUUID();
    const body = { to: [user(1), user(2), user(3)], messages: [text("Gold!")] };
    const before = line.deliveries().length;
    line.faults.inject({ kind: "timeout-after-accept" }, { operation: "multicast" });
    await expect(call("/v2/bot/message/multicast", { body, headers: { "x-line-retry-key": key } })).rejects.toThrow();
    expect(line.deliveries().length).toBe(before + 3);
    const retry = await call("/v2/bot/message/multicast", { body, headers: { "x-line-retry-key": key } });
    expect(retry.status).toBe(409);
    expect(line.deliveries().length).toBe(before + 3);
  });

  it("a 5xx does not consume the key: the retry is delivered", async () => {
    const key = randomUUID();
    const body = { to: user(4), messages: [text("x")] };
    const before = line.deliveries().length;
    line.faults.inject({ kind: "http", status: 500 });
    expect((await call("/v2/bot/message/push", { body, headers: { "x-line-retry-key": key } })).status).toBe(500);
    expect(line.deliveries().length).toBe(before);
    expect((await call("/v2/bot/message/push", { body, headers: { "x-line-retry-key": key } })).status).toBe(200);
    expect(line.deliveries().length).toBe(before + 1);
  });

  it("multicast past 200 requests in one second is 429 until the next second", async () => {
    const body = { to: [user(5)], messages: [text("x")] };
    line.setMonthlyQuota("2000000001", null);
    const statuses = await Promise.all(
      Array.from({ length: LINE_RATE_LIMITS.multicast + 5 }, () =>
        call("/v2/bot/message/multicast", { body }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(LINE_RATE_LIMITS.multicast);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    clock += 1000;
    expect((await call("/v2/bot/message/multicast", { body })).status).toBe(200);
    line.setMonthlyQuota("2000000001", 1000);
  });

  it("a send past the monthly quota is 429 and delivers nothing; blocked friends are not delivered", async () => {
    line.setMonthlyQuota("2000000001", line.usage("2000000001") + 2);
    const before = line.deliveries().length;
    const over = await call("/v2/bot/message/multicast", {
      body: { to: [user(1), user(2), user(3)], messages: [text("x")] },
    });
    expect(over.status).toBe(429);
    expect(over.body.message).toBe("You have reached your monthly limit.");
    expect(line.deliveries().length).toBe(before);
    line.block("2000000001", user(2));
    expect(
      (await call("/v2/bot/message/multicast", { body: { to: [user(1), user(2)], messages: [text("x")] } })).status,
    ).toBe(200);
    expect(
      line
        .deliveries()
        .slice(before)
        .map((d) => d.to),
    ).toEqual([user(1)]);
    line.follow("2000000001", { userId: user(2), displayName: "Friend 2" });
    line.setMonthlyQuota("2000000001", 1000);
  });

  it("channels are separate: B's token does not see A's friends or usage", async () => {
    const r = await call(`/v2/bot/profile/${user(1)}`, { headers: { authorization: "Bearer channel-token-b" } });
    expect(r.status).toBe(404);
    expect(
      (await call("/v2/bot/message/quota/consumption", { headers: { authorization: "Bearer channel-token-b" } })).body,
    ).toEqual({
      totalUsage: 0,
    });
  });
});

describe("local LINE: its own answers", () => {
  it("are checked against LINE's description (an answer missing required fields would be refused as drift)", () => {
    const info = lineMessagingSpec().match("GET", "/v2/bot/info");
    if (info === null || info === "method") throw new Error("no getBotInfo");
    expect(lineMessagingSpec().responseProblems(info, 200, { userId: "U1" } as never)).toEqual(
      expect.arrayContaining([expect.stringContaining("basicId")]),
    );
    expect(
      lineMessagingSpec().responseProblems(info, 200, {
        userId: "U1",
        basicId: "@a",
        displayName: "x",
        chatMode: "bot",
        markAsReadMode: "auto",
      } as never),
    ).toEqual([]);
  });
});

describe("local LINE: webhooks", () => {
  it("sends follow/unfollow events that conform to LINE's webhook description, signed with the channel secret", async () => {
    const received: { body: string; signature: string | undefined }[] = [];
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({
          body: Buffer.concat(chunks).toString("utf8"),
          signature: req.headers["x-line-signature"] as string,
        });
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/line/webhook`;
    try {
      const follow = line.follow("2000000001", { userId: user(7), displayName: "New" });
      expect(await line.sendWebhook("2000000001", url, [follow])).toBe(200);
      expect(await line.sendWebhook("2000000001", url, [line.block("2000000001", user(7))], "forged")).toBe(200);
      const [good, forged] = received;
      const expected = createHmac("sha256", "secret-a").update(good.body).digest("base64");
      expect(good.signature).toBe(expected);
      expect(signLineWebhook(good.body, "secret-a")).toBe(expected);
      expect(JSON.parse(good.body).events[0]).toMatchObject({
        type: "follow",
        source: { type: "user", userId: user(7) },
      });
      expect(forged.signature).not.toBe(signLineWebhook(forged.body, "secret-a"));
    } finally {
      await new Promise<void>((r) => hook.close(() => r()));
    }
  });

  it("refuses to build a webhook event LINE would not send", () => {
    expect(() => line.webhookBody("2000000001", [{ type: "follow", timestamp: 1 }])).toThrow(/does not conform/);
  });
});
