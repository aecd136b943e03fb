// The LINE client against the local LINE: each of LINE's answers becomes its typed outcome, a retried send with the
// same key is delivered once (409 → accepted-before with the earlier request id), no hidden retries, a timeout.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLocalLine, LINE_RATE_LIMITS } from "../../simulator/line/index";
import { createLineClient, parseRetryAfter } from "../../app/services/line-client.server";

const CHANNEL = "2000000101";
const user = (n: number) => `U${n.toString(16).padStart(32, "0")}`;
let clock = Date.UTC(2026, 11, 6, 1, 0, 0);
const line = createLocalLine({ now: () => clock });
line.addChannel({ channelId: CHANNEL, channelSecret: "a".repeat(32), accessToken: "token-client-a", monthlyQuota: 50 });
let server: { url: string; close: () => Promise<void> };
let client: ReturnType<typeof createLineClient>;
const text = (t: string) => ({ type: "text", text: t });

beforeAll(async () => {
  server = await line.listen();
  client = createLineClient({ origin: server.url, accessToken: "token-client-a", timeoutMs: 1500 });
  for (let i = 1; i <= 20; i++) line.follow(CHANNEL, { userId: user(i), displayName: `F${i}` });
});
afterAll(() => server.close());
beforeEach(() => {
  clock += 60_000;
  line.faults.clear();
});

describe("LINE client", () => {
  it("push: sent with LINE's request id and sentMessages; the same key again is accepted-before, delivered once", async () => {
    const key = randomUUID();
    const before = line.deliveries(CHANNEL).length;
    const first = await client.push(user(1), [text("hello")], key);
    expect(first.kind).toBe("sent");
    if (first.kind !== "sent") throw new Error("unreachable");
    expect(first.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.sentMessages).toHaveLength(1);
    const again = await client.push(user(1), [text("hello")], key);
    expect(again).toMatchObject({ kind: "accepted-before", acceptedRequestId: first.requestId });
    expect(line.deliveries(CHANNEL).length - before).toBe(1);
  });

  it("timeout after LINE accepted: failed; the retry with the same key is accepted-before and nothing is delivered twice", async () => {
    const key = randomUUID();
    const before = line.deliveries(CHANNEL).length;
    line.faults.inject({ kind: "timeout-after-accept" });
    const first = await client.push(user(2), [text("once")], key);
    expect(first).toMatchObject({ kind: "failed", status: null });
    expect(line.deliveries(CHANNEL).length - before).toBe(1); // it was delivered before the connection dropped
    const retry = await client.push(user(2), [text("once")], key);
    expect(retry.kind).toBe("accepted-before");
    expect(line.deliveries(CHANNEL).length - before).toBe(1);
  });

  it("a slow answer past the timeout is failed (timed out), and the client does not retry by itself", async () => {
    line.faults.inject({ kind: "slow", ms: 2500 });
    const requests = line.requests().length;
    const r = await client.push(user(3), [text("slow")], randomUUID());
    expect(r).toEqual({ kind: "failed", status: null, message: "timed out" });
    await new Promise((res) => setTimeout(res, 1100));
    expect(line.requests().length - requests).toBe(1);
  });

  it("5xx and reset are failed (retry with the same key); 429 is rate-limited; one request each", async () => {
    line.faults.inject({ kind: "http", status: 503 });
    const key = randomUUID();
    expect(await client.push(user(4), [text("x")], key)).toMatchObject({ kind: "failed", status: 503 });
    line.faults.inject({ kind: "reset" });
    expect(await client.push(user(4), [text("x")], key)).toMatchObject({ kind: "failed", status: null });
    line.faults.inject({ kind: "http", status: 429 });
    expect(await client.push(user(4), [text("x")], key)).toMatchObject({
      kind: "rate-limited",
      message: "The API rate limit has been exceeded. Try again later.",
    });
    // The failures did not consume the key: the fourth attempt is sent.
    expect((await client.push(user(4), [text("x")], key)).kind).toBe("sent");
  });

  it("over the push rate limit in one second: rate-limited (the double's limit lowered to 3/s for the test)", async () => {
    const saved = LINE_RATE_LIMITS.pushMessage;
    LINE_RATE_LIMITS.pushMessage = 3;
    try {
      const kinds: string[] = [];
      for (let i = 0; i < 4; i++) kinds.push((await client.push(user(11), [text("r")], randomUUID())).kind);
      expect(kinds).toEqual(["sent", "sent", "sent", "rate-limited"]);
      clock += 1000; // the next one-second window
      expect((await client.push(user(11), [text("r")], randomUUID())).kind).toBe("sent");
    } finally {
      LINE_RATE_LIMITS.pushMessage = saved;
    }
  });

  it("refused: LINE's message and details for a body it refuses; nothing delivered", async () => {
    const before = line.deliveries(CHANNEL).length;
    const r = await client.push(user(5), [{ type: "text" }], randomUUID());
    expect(r).toMatchObject({ kind: "refused", status: 400, message: "The request body has 1 error(s)" });
    if (r.kind !== "refused") throw new Error("unreachable");
    expect(r.details[0]).toMatchObject({ property: "messages[0].text" });
    const bad = createLineClient({ origin: server.url, accessToken: "not-a-token" });
    expect(await bad.push(user(5), [text("x")], randomUUID())).toMatchObject({ kind: "refused", status: 401 });
    expect(line.deliveries(CHANNEL).length).toBe(before);
  });

  it("multicast: ≤ 500 recipients, each delivered once, the key shared by the batch; bounds refused before any call", async () => {
    const key = randomUUID();
    const to = [user(6), user(7), user(8)];
    const before = line.deliveries(CHANNEL).length;
    expect((await client.multicast(to, [text("all")], key)).kind).toBe("sent");
    expect((await client.multicast(to, [text("all")], key)).kind).toBe("accepted-before");
    const got = line.deliveries(CHANNEL).slice(before);
    expect(got.map((d) => d.to).sort()).toEqual(to);
    expect(() => client.multicast([], [text("x")], randomUUID())).toThrow(/1–500/);
    expect(() =>
      client.multicast(
        Array.from({ length: 501 }, (_, i) => user(i)),
        [text("x")],
        randomUUID(),
      ),
    ).toThrow(/1–500/);
    expect(() => client.push(user(1), [text("x")], "not-a-uuid")).toThrow(/UUID/);
  });

  it("quota and consumption; the monthly limit is its own outcome", async () => {
    const q = await client.quota();
    expect(q).toEqual({ ok: true, value: { type: "limited", value: 50 } });
    const c = await client.consumption();
    if (!c.ok) throw new Error(c.message);
    line.setMonthlyQuota(CHANNEL, c.value.totalUsage + 1);
    expect(await client.multicast([user(9), user(10)], [text("x")], randomUUID())).toEqual({
      kind: "monthly-limit",
      message: "You have reached your monthly limit.",
    });
    expect((await client.push(user(9), [text("x")], randomUUID())).kind).toBe("sent");
    expect((await client.consumption()).ok && (await client.consumption())).toMatchObject({
      value: { totalUsage: c.value.totalUsage + 1 },
    });
    line.setMonthlyQuota(CHANNEL, null);
    expect(await client.quota()).toEqual({ ok: true, value: { type: "none" } });
  });

  it("Retry-After: seconds or an HTTP date", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });
});
