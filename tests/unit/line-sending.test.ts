// The LINE producer and sender on the test database (SQLite, or PostgreSQL with TEST_DATABASE=postgresql) against
// the local LINE: rows only for linked, following shoppers and only once; consent checked again at send time; a
// racing sender and a sender killed between LINE's answer and the record deliver once; 429, 5xx, the monthly limit;
// multicast batches of ≤ 500; shop A's rows never go out with shop B's token.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalLine, type LineDelivery } from "../../simulator/line/index";
import type { JobQueue } from "../../app/jobs/queue";

const line = createLocalLine();
const server = await line.listen();
const SECRETS_KEY = randomBytes(32).toString("base64");
process.env.CHANNEL_SECRETS_KEY = SECRETS_KEY;
process.env.LINE_API_ORIGIN = server.url;

const { prisma } = await import("../../app/db.server");
const { saveConnection } = await import("../../app/services/channels.server");
const { produceLineMessages, multicastBatches } = await import("../../app/services/channel-events.server");
const { sendLineMessages, backoffMs, createPacer, MAX_ATTEMPTS } = await import("../../app/services/line-send.server");
const { campaignMessageCounts, UNCERTAIN_LAPSED_ERROR, CAMPAIGN_PAUSED_ERROR } = await import(
  "../../app/models/channel-messages.server"
);
const { lineSendJob } = await import("../../app/jobs/line-send.server");
const { submitCampaign } = await import("../../app/services/campaigns.server");
const { saveLineLink, deleteLineLink } = await import("../../app/models/line-links.server");

const SHOP_A = "line-send-a.myshopify.com";
const SHOP_B = "line-send-b.myshopify.com";
const CH_A = "2000000201";
const CH_B = "2000000202";
const TOKEN_A = `tokA${"a".repeat(60)}`;
const TOKEN_B = `tokB${"b".repeat(60)}`;
const userOf = (shop: string, n: number) => `U${shop === SHOP_A ? "a" : "b"}${n.toString(16).padStart(31, "0")}`;
const gid = (n: number) => `gid://shopify/Customer/${n}`;
const T0 = new Date();

afterAll(() => server.close());

beforeAll(async () => {
  line.addChannel({ channelId: CH_A, channelSecret: "a".repeat(32), accessToken: TOKEN_A, monthlyQuota: null });
  line.addChannel({ channelId: CH_B, channelSecret: "b".repeat(32), accessToken: TOKEN_B, monthlyQuota: null });
  for (const [shop, ch, token] of [
    [SHOP_A, CH_A, TOKEN_A],
    [SHOP_B, CH_B, TOKEN_B],
  ] as const) {
    await prisma.shop.create({
      data: { shop, currencyCode: "THB", timezone: "Asia/Bangkok", name: shop === SHOP_A ? "ร้านใบชา" : null },
    });
    const saved = await saveConnection(shop, "line-messaging", {
      channelId: ch,
      channelSecret: (shop === SHOP_A ? "a" : "b").repeat(32),
      accessToken: token,
    });
    expect(saved).toEqual({ ok: true });
  }
});

let nextCustomer = 1;
/** Customers linked (following unless told) to the shop's LINE account, in Thai unless told. */
async function linked(shop: string, count: number, { locale = "th", following = true } = {}) {
  const ch = shop === SHOP_A ? CH_A : CH_B;
  const ids: { customerId: string; userId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const n = nextCustomer++;
    const customerId = gid(n);
    const userId = userOf(shop, n);
    line.follow(ch, { userId, displayName: `Shopper ${n}` });
    const r = await saveLineLink({
      shop,
      customerId,
      lineUserId: userId,
      displayName: `Shopper ${n}`,
      locale,
      following,
      linkedAt: T0,
      followAt: T0,
    });
    expect(r).toEqual({ ok: true });
    ids.push({ customerId, userId });
  }
  return ids;
}

/** A campaign whose recipients were issued codes just now. */
async function campaign(shop: string, lineMode: string, customerIds: readonly string[]) {
  const c = await prisma.campaign.create({
    data: {
      shop,
      name: `LINE ${lineMode}`,
      template: "custom",
      audience: JSON.stringify({ segments: [] }),
      schedule: "entry",
      offerKind: "percentage",
      offerValue: 15,
      expiryDays: 14,
      holdoutPercent: 0,
      cooldownDays: 0,
      codePrefix: "LN",
      lineMode,
    },
  });
  const expiresAt = new Date(T0.getTime() + 14 * 86_400_000);
  const rows = customerIds.map((customerId) => ({
    shop,
    campaignId: c.id,
    customerId,
    holdout: false,
    assignedAt: T0,
    issuedAt: T0,
    code: `LN-${randomUUID().slice(0, 8).toUpperCase()}`,
    expiresAt,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await prisma.campaignRecipient.createMany({ data: rows.slice(i, i + 500) });
  return { id: c.id, codes: new Map(rows.map((r) => [r.customerId, r.code])), expiresAt };
}

const deliveredTo = (ch: string, userId: string) => line.deliveries(ch).filter((d) => d.to === userId);
const flexText = (d: LineDelivery) => JSON.stringify(d.messages);
const rowsOf = (shop: string, sourceKey: string) =>
  prisma.channelMessage.findMany({ where: { shop, sourceKey }, orderBy: { id: "asc" } });

describe("producer", () => {
  it("a push campaign: one row per linked, following recipient; reruns add nothing; lineMode off adds nothing", async () => {
    const [a, b] = await linked(SHOP_A, 2);
    const [c] = await linked(SHOP_A, 1, { following: false });
    const stranger = gid(9_000_001); // no link at all
    const camp = await campaign(SHOP_A, "push", [a.customerId, b.customerId, c.customerId, stranger]);
    const off = await campaign(SHOP_A, "off", [a.customerId]);
    const first = await produceLineMessages(SHOP_A);
    expect(first["campaign-offer"]).toBe(2);
    const rows = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(rows.map((r) => r.customerId).sort()).toEqual([a.customerId, b.customerId].sort());
    expect(rows.every((r) => r.state === "pending" && r.batchKey === null && /^[0-9a-f-]{36}$/.test(r.retryKey))).toBe(
      true,
    );
    expect(new Set(rows.map((r) => r.retryKey)).size).toBe(2);
    expect((await produceLineMessages(SHOP_A))["campaign-offer"]).toBe(0);
    expect(await rowsOf(SHOP_A, `campaign:${off.id}`)).toHaveLength(0);
    // clean up for the sender tests: send them
    await sendLineMessages(SHOP_A);
  });

  it("multicast batches: ≤ 500 recipients of one locale per batch, one retry key per batch", () => {
    const recipients = [
      ...Array.from({ length: 1100 }, (_, i) => ({ customerId: `th${i}`, locale: "th" })),
      ...Array.from({ length: 3 }, (_, i) => ({ customerId: `en${i}`, locale: "en" })),
    ];
    const rows = multicastBatches(recipients, "c1");
    const batches = new Map<string, string[]>();
    for (const r of rows) {
      expect(r.retryKey).toBe(r.batchKey);
      batches.set(r.batchKey!, [...(batches.get(r.batchKey!) ?? []), r.customerId]);
    }
    expect([...batches.values()].map((b) => b.length).sort((x, y) => x - y)).toEqual([3, 100, 500, 500]);
    for (const b of batches.values()) expect(new Set(b.map((id) => id.slice(0, 2))).size).toBe(1);
  });
});

describe("sender", () => {
  it("push: a Thai Flex message with the shopper's own code and expiry, delivered once, recorded sent", async () => {
    const [s] = await linked(SHOP_A, 1, { locale: "th" });
    const camp = await campaign(SHOP_A, "push", [s.customerId]);
    await produceLineMessages(SHOP_A);
    const result = await sendLineMessages(SHOP_A);
    expect(result).toMatchObject({ sent: 1, refused: 0, monthlyLimit: false, nextRunAt: null });
    const got = deliveredTo(CH_A, s.userId);
    expect(got).toHaveLength(1);
    const text = flexText(got[0]);
    expect(got[0].messages[0]).toMatchObject({ type: "flex" });
    expect(text).toContain(camp.codes.get(s.customerId)!);
    expect(text).toContain("ใช้โค้ด"); // the Thai default template
    expect(text).toContain("ร้านใบชา"); // signed with the shop's name
    // the expiry in the shop's zone, Thai (Buddhist era year)
    expect(text).toContain(String(camp.expiresAt.getUTCFullYear() + 543));
    const [row] = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(row).toMatchObject({ state: "sent", requestId: got[0].requestId, attempts: 1, claimToken: null });
    // a second pass sends nothing more
    expect((await sendLineMessages(SHOP_A)).requests).toBe(0);
    expect(deliveredTo(CH_A, s.userId)).toHaveLength(1);
  });

  it("unlink between produce and send: skipped at once, nothing delivered", async () => {
    const [s, t] = await linked(SHOP_A, 2);
    const camp = await campaign(SHOP_A, "push", [s.customerId, t.customerId]);
    await produceLineMessages(SHOP_A);
    await deleteLineLink(SHOP_A, s.customerId);
    await prisma.lineLink.update({
      where: { shop_customerId: { shop: SHOP_A, customerId: t.customerId } },
      data: { following: false },
    });
    const result = await sendLineMessages(SHOP_A);
    expect(result).toMatchObject({ sent: 0, skipped: 2, requests: 0 });
    expect(deliveredTo(CH_A, s.userId)).toHaveLength(0);
    expect(deliveredTo(CH_A, t.userId)).toHaveLength(0);
    const rows = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(rows.map((r) => r.state)).toEqual(["skipped", "skipped"]);
  });

  it("two senders racing: every row delivered once", async () => {
    const people = await linked(SHOP_A, 40);
    const camp = await campaign(
      SHOP_A,
      "push",
      people.map((p) => p.customerId),
    );
    await produceLineMessages(SHOP_A);
    const [r1, r2] = await Promise.all([sendLineMessages(SHOP_A), sendLineMessages(SHOP_A)]);
    expect(r1.sent + r2.sent).toBe(40);
    for (const p of people) expect(deliveredTo(CH_A, p.userId)).toHaveLength(1);
    const rows = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(rows.every((r) => r.state === "sent" && r.attempts === 1)).toBe(true);
  });

  it("a sender killed after LINE accepted and before the record: the rerun gets 409 and records it sent; delivered once", async () => {
    const [s] = await linked(SHOP_A, 1);
    const camp = await campaign(SHOP_A, "push", [s.customerId]);
    await produceLineMessages(SHOP_A);
    await expect(
      sendLineMessages(SHOP_A, {
        afterSend: () => {
          throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    expect(deliveredTo(CH_A, s.userId)).toHaveLength(1);
    let [row] = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(row.state).toBe("pending");
    expect(row.claimToken).not.toBeNull();
    // Within the lease nobody takes it; after the lease the next pass sends it again with the same key.
    expect((await sendLineMessages(SHOP_A)).requests).toBe(0);
    const later = new Date(Date.now() + 3 * 60_000);
    const result = await sendLineMessages(SHOP_A, { now: () => later });
    expect(result).toMatchObject({ sent: 1, requests: 1 });
    [row] = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(row).toMatchObject({ state: "sent", requestId: deliveredTo(CH_A, s.userId)[0].requestId, attempts: 2 });
    expect(deliveredTo(CH_A, s.userId)).toHaveLength(1);
    expect(line.requests().filter((r) => r.status === 409).length).toBeGreaterThan(0);
  });

  it("a sender killed holding a row, then the shopper unlinks: after the lease the row is skipped, not pending forever", async () => {
    const [s] = await linked(SHOP_A, 1);
    const camp = await campaign(SHOP_A, "push", [s.customerId]);
    await produceLineMessages(SHOP_A);
    await expect(
      sendLineMessages(SHOP_A, {
        afterSend: () => {
          throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    await deleteLineLink(SHOP_A, s.customerId);
    const later = new Date(Date.now() + 3 * 60_000);
    const result = await sendLineMessages(SHOP_A, { now: () => later });
    expect(result.requests).toBe(0);
    const [row] = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(row).toMatchObject({ state: "skipped", claimToken: null });
    // Nothing of this row is due any more: the job is not asked to run again at once, forever.
    expect(result.nextRunAt === null || result.nextRunAt.getTime() > later.getTime()).toBe(true);
    expect(deliveredTo(CH_A, s.userId)).toHaveLength(1);
  });

  it("timeout after accept, then 409 on the retry: delivered once; 429 waits (not counted) then succeeds", async () => {
    const [s, t] = await linked(SHOP_A, 2);
    const camp = await campaign(SHOP_A, "push", [s.customerId]);
    await produceLineMessages(SHOP_A);
    line.faults.inject({ kind: "timeout-after-accept" }, { operation: "pushMessage" });
    const first = await sendLineMessages(SHOP_A);
    expect(first).toMatchObject({ sent: 0, waiting: 1 });
    expect(first.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
    const retry = await sendLineMessages(SHOP_A, { now: () => new Date(Date.now() + 60_000) });
    expect(retry.sent).toBe(1);
    expect(deliveredTo(CH_A, s.userId)).toHaveLength(1);

    const camp2 = await campaign(SHOP_A, "push", [t.customerId]);
    await produceLineMessages(SHOP_A);
    line.faults.inject({ kind: "http", status: 429 }, { operation: "pushMessage" });
    const limited = await sendLineMessages(SHOP_A);
    expect(limited).toMatchObject({ sent: 0, waiting: 1 });
    let [row] = await rowsOf(SHOP_A, `campaign:${camp2.id}`);
    expect(row).toMatchObject({ state: "pending", attempts: 0 });
    expect(row.lastError).toMatch(/^rate-limited/);
    expect(row.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    const ok = await sendLineMessages(SHOP_A, { now: () => new Date(Date.now() + 60_000) });
    expect(ok.sent).toBe(1);
    [row] = await rowsOf(SHOP_A, `campaign:${camp2.id}`);
    expect(row.state).toBe("sent");
    expect(deliveredTo(CH_A, t.userId)).toHaveLength(1);
    expect(camp.id).not.toBe(camp2.id);
  });

  it("an attempt that may have been delivered, retried only after LINE's retry key lapsed (24 h): refused, not sent twice; a row only rate-limited is still sent", async () => {
    const [s, t, k] = await linked(SHOP_A, 3);
    const camp = await campaign(SHOP_A, "push", [s.customerId]);
    await produceLineMessages(SHOP_A);
    line.faults.inject({ kind: "timeout-after-accept" }, { operation: "pushMessage" });
    expect(await sendLineMessages(SHOP_A)).toMatchObject({ sent: 0, waiting: 1 });
    let [row] = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(row.uncertainSince).not.toBeNull();
    const dayLater = new Date(Date.now() + 25 * 3_600_000);
    const late = await sendLineMessages(SHOP_A, { now: () => dayLater });
    expect(late.requests).toBe(0);
    [row] = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(row).toMatchObject({ state: "refused", claimToken: null, lastError: UNCERTAIN_LAPSED_ERROR });
    expect(deliveredTo(CH_A, s.userId)).toHaveLength(1);

    // A sender that died holding the claim (after LINE accepted) is as uncertain as a timeout.
    const camp2 = await campaign(SHOP_A, "push", [t.customerId]);
    await produceLineMessages(SHOP_A);
    await expect(
      sendLineMessages(SHOP_A, {
        afterSend: () => {
          throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    expect(await sendLineMessages(SHOP_A, { now: () => dayLater })).toMatchObject({ requests: 0 });
    [row] = await rowsOf(SHOP_A, `campaign:${camp2.id}`);
    expect(row).toMatchObject({ state: "refused", lastError: UNCERTAIN_LAPSED_ERROR });
    expect(deliveredTo(CH_A, t.userId)).toHaveLength(1);

    // A 429 is certain (LINE executed nothing): the same row a day later goes out.
    const camp3 = await campaign(SHOP_A, "push", [k.customerId]);
    await produceLineMessages(SHOP_A);
    line.faults.inject({ kind: "http", status: 429 }, { operation: "pushMessage" });
    expect(await sendLineMessages(SHOP_A)).toMatchObject({ sent: 0, waiting: 1 });
    [row] = await rowsOf(SHOP_A, `campaign:${camp3.id}`);
    expect(row.uncertainSince).toBeNull();
    expect(await sendLineMessages(SHOP_A, { now: () => dayLater })).toMatchObject({ sent: 1 });
    expect(deliveredTo(CH_A, k.userId)).toHaveLength(1);
  });

  it("5xx on every attempt: retried with the same key, refused after MAX_ATTEMPTS", async () => {
    const [s] = await linked(SHOP_A, 1);
    const camp = await campaign(SHOP_A, "push", [s.customerId]);
    await produceLineMessages(SHOP_A);
    line.faults.inject({ kind: "http", status: 503 }, { operation: "pushMessage", times: MAX_ATTEMPTS });
    let clock = Date.now();
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      clock += 60 * 60_000;
      await sendLineMessages(SHOP_A, { now: () => new Date(clock) });
    }
    const [row] = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(row).toMatchObject({ state: "refused", attempts: MAX_ATTEMPTS });
    expect(row.lastError).toMatch(/failed 8 times; last: An error occurred in the LINE Platform/);
    expect(deliveredTo(CH_A, s.userId)).toHaveLength(0);
    line.faults.clear();
  });

  it("the monthly limit: nothing sent, every due row waits an hour, the campaign counts say so", async () => {
    const people = await linked(SHOP_A, 3);
    const camp = await campaign(
      SHOP_A,
      "push",
      people.map((p) => p.customerId),
    );
    await produceLineMessages(SHOP_A);
    line.setMonthlyQuota(CH_A, line.usage(CH_A)); // exhausted
    const result = await sendLineMessages(SHOP_A);
    expect(result).toMatchObject({ sent: 0, monthlyLimit: true });
    expect(result.requests).toBeLessThanOrEqual(3);
    expect(result.nextRunAt!.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    const dueNow = await prisma.channelMessage.count({
      where: { shop: SHOP_A, state: "pending", OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: new Date() } }] },
    });
    expect(dueNow).toBe(0);
    const counts = await campaignMessageCounts(SHOP_A, camp.id);
    expect(counts).toMatchObject({ pending: 3, sent: 0, waitingForQuota: 3 });
    for (const p of people) expect(deliveredTo(CH_A, p.userId)).toHaveLength(0);
    // the quota raised: the next hourly pass sends them
    line.setMonthlyQuota(CH_A, null);
    const later = await sendLineMessages(SHOP_A, { now: () => new Date(Date.now() + 61 * 60_000) });
    expect(later.sent).toBe(3);
    for (const p of people) expect(deliveredTo(CH_A, p.userId)).toHaveLength(1);
  });

  it("multicast: a 1,200-recipient campaign goes in 3 requests, each recipient once, one announcement per batch", async () => {
    const people = await linked(SHOP_A, 1200);
    const camp = await campaign(
      SHOP_A,
      "multicast",
      people.map((p) => p.customerId),
    );
    const before = line.requests().filter((r) => r.operationId === "multicast" && r.status === 200).length;
    await produceLineMessages(SHOP_A);
    // A pass, then (when a request failed on the way, e.g. a keep-alive socket the server had closed) the passes
    // that retry it with the batch's same key, until nothing is pending.
    let sent = 0;
    let clock = Date.now();
    for (let pass = 0; pass < 5; pass++) {
      const r = await sendLineMessages(SHOP_A, { now: () => new Date(clock) });
      sent += r.sent;
      if (r.nextRunAt === null) break;
      clock += 60 * 60_000;
    }
    expect(sent).toBe(1200);
    const accepted = line.requests().filter((r) => r.operationId === "multicast" && r.status === 200);
    expect(accepted.length - before).toBe(3);
    const multicasts = line.deliveries(CH_A).filter((d) => d.operation === "multicast");
    for (const p of people) expect(multicasts.filter((d) => d.to === p.userId)).toHaveLength(1);
    // the announcement carries no one's code (each shopper sees their own on the loyalty page)
    const sample = multicasts.find((d) => d.to === people[0].userId)!;
    expect(flexText(sample)).not.toContain(camp.codes.get(people[0].customerId)!);
    expect(flexText(sample)).toContain("/apps/loyalty");
    const rows = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(3);
  });

  it("multicast: a recipient whose code was retired or expired before the send is skipped, not announced to", async () => {
    const [keep, retired, expired] = await linked(SHOP_A, 3);
    const camp = await campaign(SHOP_A, "multicast", [keep.customerId, retired.customerId, expired.customerId]);
    await produceLineMessages(SHOP_A);
    await prisma.campaignRecipient.updateMany({
      where: { shop: SHOP_A, campaignId: camp.id, customerId: retired.customerId },
      data: { retiredAt: new Date() },
    });
    await prisma.campaignRecipient.updateMany({
      where: { shop: SHOP_A, campaignId: camp.id, customerId: expired.customerId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const result = await sendLineMessages(SHOP_A);
    expect(result).toMatchObject({ sent: 1, skipped: 2, requests: 1 });
    expect(deliveredTo(CH_A, keep.userId)).toHaveLength(1);
    expect(deliveredTo(CH_A, retired.userId)).toHaveLength(0);
    expect(deliveredTo(CH_A, expired.userId)).toHaveLength(0);
    const rows = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    const state = new Map(rows.map((r) => [r.customerId, r.state]));
    expect(state.get(keep.customerId)).toBe("sent");
    expect(state.get(retired.customerId)).toBe("skipped");
    expect(state.get(expired.customerId)).toBe("skipped");
  });

  it("multicast: a sender whose lease ran out mid-batch loses the batch whole; each recipient is delivered once and recorded as LINE delivered", async () => {
    // Sender X claims a batch of three and stalls right before sending, past its 2-minute lease. Meanwhile one
    // recipient's code is retired, and sender Y (3 minutes later) re-claims the batch, leaves that recipient out and
    // gets ready to send the other two. X then goes on first; Y after it.
    const [a, b, c] = await linked(SHOP_A, 3);
    const camp = await campaign(SHOP_A, "multicast", [a.customerId, b.customerId, c.customerId]);
    await produceLineMessages(SHOP_A);
    const batchKey = (await rowsOf(SHOP_A, `campaign:${camp.id}`))[0].batchKey!;
    const before = line.deliveries(CH_A).length;
    let yReady!: () => void;
    const yIsReady = new Promise<void>((r) => (yReady = r));
    let releaseY!: () => void;
    const yMayGo = new Promise<void>((r) => (releaseY = r));
    let senderY: Promise<Awaited<ReturnType<typeof sendLineMessages>>> | null = null;
    const later = new Date(Date.now() + 3 * 60_000);
    const x = await sendLineMessages(SHOP_A, {
      beforeSend: async () => {
        if (senderY) return;
        await prisma.campaignRecipient.updateMany({
          where: { shop: SHOP_A, campaignId: camp.id, customerId: c.customerId },
          data: { retiredAt: new Date() },
        });
        senderY = sendLineMessages(SHOP_A, {
          now: () => later,
          beforeSend: async () => {
            yReady();
            await yMayGo;
          },
        });
        // Y waits ready to send, or (when X still holds the batch) ends without sending.
        await Promise.race([yIsReady, senderY]);
      },
    });
    releaseY();
    const y = await senderY!;
    const multicasts = line.deliveries(CH_A).slice(before);
    for (const p of [a, b]) expect(multicasts.filter((d) => d.to === p.userId)).toHaveLength(1);
    const rows = await prisma.channelMessage.findMany({ where: { shop: SHOP_A, batchKey } });
    // Recorded truthfully: a row is sent exactly when LINE delivered it to that recipient, with that request's id.
    for (const row of rows) {
      const userId = [a, b, c].find((p) => p.customerId === row.customerId)!.userId;
      const got = multicasts.filter((d) => d.to === userId);
      expect(got.length).toBeLessThanOrEqual(1);
      if (got.length) expect(row).toMatchObject({ state: "sent", requestId: got[0].requestId });
      else expect(row.state).not.toBe("sent");
    }
    expect(rows.find((r) => r.customerId === c.customerId)!.state).toBe("skipped");
    expect(multicasts.filter((d) => d.to === c.userId)).toHaveLength(0);
    expect(x.sent + y.sent).toBe(2);
  });

  it("push: a sender whose lease ran out before its pushes went does not send a row another pass took over and skipped", async () => {
    const [s] = await linked(SHOP_A, 1);
    const camp = await campaign(SHOP_A, "push", [s.customerId]);
    await produceLineMessages(SHOP_A);
    let y: Awaited<ReturnType<typeof sendLineMessages>> | null = null;
    const x = await sendLineMessages(SHOP_A, {
      beforeSend: async () => {
        if (y) return;
        // X stalls past its lease; the shopper unlinks; a pass 3 minutes later finds the row and skips it.
        await deleteLineLink(SHOP_A, s.customerId);
        y = await sendLineMessages(SHOP_A, { now: () => new Date(Date.now() + 3 * 60_000) });
      },
    });
    expect(y).toMatchObject({ skipped: 1, requests: 0 });
    expect(x).toMatchObject({ sent: 0, requests: 0 });
    expect(deliveredTo(CH_A, s.userId)).toHaveLength(0);
    const [row] = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(row).toMatchObject({ state: "skipped", lastError: "no consent: not linked or not following" });
  });

  it("the campaign's LINE mode set to off after the rows were made: pending push and multicast rows are skipped", async () => {
    const [p, m] = await linked(SHOP_A, 2);
    const push = await campaign(SHOP_A, "push", [p.customerId]);
    const multi = await campaign(SHOP_A, "multicast", [m.customerId]);
    await produceLineMessages(SHOP_A);
    expect(await rowsOf(SHOP_A, `campaign:${push.id}`)).toHaveLength(1);
    await prisma.campaign.updateMany({
      where: { shop: SHOP_A, id: { in: [push.id, multi.id] } },
      data: { lineMode: "off" },
    });
    const result = await sendLineMessages(SHOP_A);
    expect(result).toMatchObject({ sent: 0, skipped: 2, requests: 0 });
    expect(deliveredTo(CH_A, p.userId)).toHaveLength(0);
    expect(deliveredTo(CH_A, m.userId)).toHaveLength(0);
    for (const c of [push, multi]) {
      const [row] = await rowsOf(SHOP_A, `campaign:${c.id}`);
      expect(row.state).toBe("skipped");
    }
  });

  it("a paused campaign's messages wait (the job is not re-run at once) and go when it is resumed; an archived campaign's are skipped", async () => {
    const [p, m, a] = await linked(SHOP_A, 3);
    const push = await campaign(SHOP_A, "push", [p.customerId]);
    const multi = await campaign(SHOP_A, "multicast", [m.customerId]);
    const archived = await campaign(SHOP_A, "push", [a.customerId]);
    await produceLineMessages(SHOP_A);
    await prisma.campaign.updateMany({
      where: { shop: SHOP_A, id: { in: [push.id, multi.id] } },
      data: { status: "paused" },
    });
    await prisma.campaign.updateMany({ where: { shop: SHOP_A, id: archived.id }, data: { status: "archived" } });
    // The line-send job's own pass, with a queue that records when it asks to run again.
    const runs: { kind: string; runAt?: Date }[] = [];
    const queue = {
      enqueue: async (_shop: string, kind: string, _payload: unknown, options: { runAt?: Date } = {}) => {
        runs.push({ kind, runAt: options.runAt });
        return null;
      },
    } as unknown as JobQueue;
    const before = Date.now();
    await lineSendJob({ queue })({ shop: SHOP_A } as Parameters<ReturnType<typeof lineSendJob>>[0]);
    expect(deliveredTo(CH_A, p.userId)).toHaveLength(0);
    expect(deliveredTo(CH_A, m.userId)).toHaveLength(0);
    expect(deliveredTo(CH_A, a.userId)).toHaveLength(0);
    const [archivedRow] = await rowsOf(SHOP_A, `campaign:${archived.id}`);
    expect(archivedRow).toMatchObject({ state: "skipped", lastError: "campaign archived" });
    for (const c of [push, multi]) {
      const [row] = await rowsOf(SHOP_A, `campaign:${c.id}`);
      expect(row).toMatchObject({ state: "pending", attempts: 0, claimToken: null, lastError: CAMPAIGN_PAUSED_ERROR });
      expect(row.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before + 6 * 3_600_000 - 1000);
    }
    // Not again in 100 ms (the job spinning): the next pass is when the paused rows are looked at again.
    expect(runs).toHaveLength(1);
    expect(runs[0].runAt!.getTime()).toBeGreaterThanOrEqual(before + 6 * 3_600_000 - 1000);
    // A pass meanwhile finds nothing due.
    expect(await sendLineMessages(SHOP_A)).toMatchObject({ sent: 0, skipped: 0, waiting: 0, requests: 0 });

    // Six hours later, still paused: they wait again, untried.
    const later = new Date(before + 6 * 3_600_000 + 60_000);
    expect(await sendLineMessages(SHOP_A, { now: () => later })).toMatchObject({ requests: 0, waiting: 2 });

    // Resumed through the campaign page's action: released and the sender queued; the pass sends both.
    runs.length = 0;
    for (const c of [push, multi]) {
      const form = new FormData();
      form.set("intent", "resume");
      expect(await submitCampaign(SHOP_A, c.id, form, { queue })).toMatchObject({ ok: true });
    }
    expect(runs.filter((r) => r.kind === "line-send")).toHaveLength(2);
    const result = await sendLineMessages(SHOP_A);
    expect(result).toMatchObject({ sent: 2, requests: 2 });
    expect(deliveredTo(CH_A, p.userId)).toHaveLength(1);
    expect(flexText(deliveredTo(CH_A, p.userId)[0])).toContain(push.codes.get(p.customerId)!);
    expect(deliveredTo(CH_A, m.userId)).toHaveLength(1);
    for (const c of [push, multi]) {
      const [row] = await rowsOf(SHOP_A, `campaign:${c.id}`);
      expect(row).toMatchObject({ state: "sent", attempts: 1 });
    }
    // Restoring the archived campaign does not bring its skipped message back.
    const restore = new FormData();
    restore.set("intent", "resume");
    await submitCampaign(SHOP_A, archived.id, restore, { queue });
    expect((await sendLineMessages(SHOP_A)).requests).toBe(0);
    expect(deliveredTo(CH_A, a.userId)).toHaveLength(0);
  });

  it("a campaign resumed while a pass is setting its messages aside: they go at once, not six hours later", async () => {
    const [p] = await linked(SHOP_A, 1);
    const push = await campaign(SHOP_A, "push", [p.customerId]);
    await produceLineMessages(SHOP_A);
    await prisma.campaign.update({ where: { id: push.id }, data: { status: "paused" } });
    const queue = { enqueue: async () => null } as unknown as JobQueue;
    // The merchant presses Resume after this pass read the campaign as paused and before it set the row aside: the
    // resume finds nothing waiting yet to release.
    let resumed: unknown = null;
    await sendLineMessages(SHOP_A, {
      beforePausedDefer: async () => {
        const form = new FormData();
        form.set("intent", "resume");
        resumed = await submitCampaign(SHOP_A, push.id, form, { queue });
      },
    });
    expect(resumed).toMatchObject({ ok: true });
    const [row] = await rowsOf(SHOP_A, `campaign:${push.id}`);
    expect(row.state).toBe("pending");
    expect(row.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await sendLineMessages(SHOP_A)).toMatchObject({ sent: 1, requests: 1 });
    expect(deliveredTo(CH_A, p.userId)).toHaveLength(1);
  });

  it("a paused campaign resumed after its code expired: the waiting message is skipped, not sent", async () => {
    const [p] = await linked(SHOP_A, 1);
    const push = await campaign(SHOP_A, "push", [p.customerId]);
    await produceLineMessages(SHOP_A);
    await prisma.campaign.update({ where: { id: push.id }, data: { status: "paused" } });
    expect(await sendLineMessages(SHOP_A)).toMatchObject({ requests: 0, waiting: 1 });
    await prisma.campaignRecipient.updateMany({
      where: { shop: SHOP_A, campaignId: push.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const form = new FormData();
    form.set("intent", "resume");
    const queue = { enqueue: async () => null } as unknown as JobQueue;
    await submitCampaign(SHOP_A, push.id, form, { queue });
    expect(await sendLineMessages(SHOP_A)).toMatchObject({ requests: 0, skipped: 1 });
    const [row] = await rowsOf(SHOP_A, `campaign:${push.id}`);
    expect(row).toMatchObject({ state: "skipped", lastError: "code expired" });
    expect(deliveredTo(CH_A, p.userId)).toHaveLength(0);
  });

  it("tenancy: a pass of shop B sends only B's rows, with B's token; A's rows stay as they are", async () => {
    const [a] = await linked(SHOP_A, 1);
    const [b] = await linked(SHOP_B, 1);
    const campA = await campaign(SHOP_A, "push", [a.customerId]);
    const campB = await campaign(SHOP_B, "push", [b.customerId]);
    await produceLineMessages(SHOP_A);
    await produceLineMessages(SHOP_B);
    const result = await sendLineMessages(SHOP_B);
    expect(result.sent).toBe(1);
    expect(deliveredTo(CH_B, b.userId)).toHaveLength(1);
    expect(line.deliveries(CH_B).every((d) => d.to.startsWith("Ub"))).toBe(true);
    expect(deliveredTo(CH_A, a.userId)).toHaveLength(0);
    expect((await rowsOf(SHOP_A, `campaign:${campA.id}`))[0].state).toBe("pending");
    expect((await rowsOf(SHOP_B, `campaign:${campB.id}`))[0].state).toBe("sent");
    // A shop's producer never reads another's campaign: B's campaign id under A yields nothing
    expect(await rowsOf(SHOP_A, `campaign:${campB.id}`)).toHaveLength(0);
    await sendLineMessages(SHOP_A);
    expect(line.deliveries(CH_A).every((d) => d.to.startsWith("Ua"))).toBe(true);
  });
});

describe("the other events", () => {
  it("tier reached (up or join, not the install's first scoring, not down), tier expiring, points earned and expiring, reward redeemed", async () => {
    const [up, join, down, backfill, expiring, later, earner, redeemer, fading, distant] = await linked(SHOP_A, 10);
    const now = new Date();
    const state = (customerId: string, tier: string, tierExpiresAt: Date | null = null) =>
      prisma.customerState.create({
        data: { shop: SHOP_A, customerId, segment: "champions", tier, tierExpiresAt, computedAt: now },
      });
    await state(up.customerId, "gold");
    await state(join.customerId, "silver");
    await state(down.customerId, "silver");
    await state(backfill.customerId, "silver");
    const inThreeDays = new Date(now.getTime() + 3 * 86_400_000);
    await state(expiring.customerId, "gold", inThreeDays);
    await state(later.customerId, "gold", new Date(now.getTime() + 10 * 86_400_000));
    const change = (customerId: string, from: string | null, to: string | null, reason: string) =>
      prisma.customerStateChange.create({
        data: { shop: SHOP_A, customerId, kind: "tier", from, to, at: now, reason },
      });
    const upChange = await change(up.customerId, "member", "gold", "order");
    await change(join.customerId, null, "silver", "order");
    await change(down.customerId, "gold", "silver", "daily");
    await change(backfill.customerId, null, "silver", "backfill");
    await prisma.pointsFlowTrigger.create({
      data: {
        shop: SHOP_A,
        customerId: earner.customerId,
        sourceKey: "order:77",
        topic: "points-earned",
        state: "sent",
        points: 120n,
      },
    });
    await prisma.reward.create({
      data: {
        shop: SHOP_A,
        id: "reward-1",
        kind: "amount_off",
        title: "฿100 off",
        pointsPrice: 500,
        valueMinor: 10000n,
      },
    });
    await prisma.redemption.create({
      data: {
        shop: SHOP_A,
        id: "redemption-1",
        customerId: redeemer.customerId,
        rewardId: "reward-1",
        token: "t1",
        points: 500,
        kind: "amount_off",
        valueMinor: 10000n,
        currencyCode: "THB",
        state: "confirmed",
        code: "RWD-XYZ-123",
        expiresAt: new Date(now.getTime() + 30 * 86_400_000),
        confirmedAt: now,
      },
    });
    // points the storefront shows as expiring (the points metafield the sync last wrote): in 5 days, and in 20
    const pointsText = (points: number, at: Date) =>
      JSON.stringify({
        available: 300,
        pending: 0,
        next_available: null,
        expiring: { points, at: at.toISOString() },
        rewards_affordable: 0,
        next_reward: null,
      });
    const inFiveDays = new Date(now.getTime() + 5 * 86_400_000);
    await prisma.customerSync.create({
      data: { shop: SHOP_A, customerId: fading.customerId, metafields: `gold\npoints\n${pointsText(150, inFiveDays)}` },
    });
    await prisma.customerSync.create({
      data: {
        shop: SHOP_A,
        customerId: distant.customerId,
        metafields: `gold\npoints\n${pointsText(90, new Date(now.getTime() + 20 * 86_400_000))}`,
      },
    });
    const counts = await produceLineMessages(SHOP_A, { now });
    expect(counts).toMatchObject({
      "tier-reached": 2,
      "tier-expiring": 1,
      "points-earned": 1,
      "points-expiring": 1,
      "reward-redeemed": 1,
    });
    expect(await produceLineMessages(SHOP_A, { now })).toMatchObject({
      "tier-reached": 0,
      "tier-expiring": 0,
      "points-earned": 0,
      "points-expiring": 0,
      "reward-redeemed": 0,
    });
    const keys = await prisma.channelMessage.findMany({
      where: { shop: SHOP_A, event: { not: "campaign-offer" } },
      select: { customerId: true, event: true, sourceKey: true },
    });
    expect(keys).toEqual(
      expect.arrayContaining([
        { customerId: up.customerId, event: "tier-reached", sourceKey: `change:${upChange.id}` },
        {
          customerId: expiring.customerId,
          event: "tier-expiring",
          sourceKey: `expiry:gold:${inThreeDays.toISOString()}`,
        },
        { customerId: earner.customerId, event: "points-earned", sourceKey: "points:order:77" },
        { customerId: redeemer.customerId, event: "reward-redeemed", sourceKey: "redemption:redemption-1" },
      ]),
    );
    expect(keys.some((k) => [down, backfill, later].some((c) => c.customerId === k.customerId))).toBe(false);

    // the sender: each message says what happened (Thai defaults), in the tier's colour for tier news
    const result = await sendLineMessages(SHOP_A, { now: () => now });
    expect(result.sent).toBe(6);
    const text = (u: { userId: string }) => JSON.stringify(deliveredTo(CH_A, u.userId).map((d) => d.messages));
    expect(deliveredTo(CH_A, fading.userId)).toHaveLength(1);
    expect(text(fading)).toContain("150");
    expect(deliveredTo(CH_A, distant.userId)).toHaveLength(0);
    expect(deliveredTo(CH_A, up.userId)).toHaveLength(1);
    expect(text(up)).toMatch(/Gold|โกลด์|ทอง/);
    expect(deliveredTo(CH_A, join.userId)).toHaveLength(1);
    expect(deliveredTo(CH_A, expiring.userId)).toHaveLength(1);
    expect(text(earner)).toContain("120");
    expect(text(redeemer)).toContain("RWD-XYZ-123");
    expect(text(redeemer)).toContain("฿100 off");
    for (const c of [down, backfill, later]) expect(deliveredTo(CH_A, c.userId)).toHaveLength(0);
  });

  it("an event switched off: no rows produced; rows already pending are skipped at send time", async () => {
    const [c] = await linked(SHOP_A, 1);
    const camp = await campaign(SHOP_A, "push", [c.customerId]);
    await produceLineMessages(SHOP_A);
    const { saveLineTemplate, lineTemplates } = await import("../../app/models/channel-templates.server");
    const current = (await lineTemplates(SHOP_A))["campaign-offer"];
    await saveLineTemplate(SHOP_A, "campaign-offer", { ...current, enabled: false });
    const [d] = await linked(SHOP_A, 1);
    await campaign(SHOP_A, "push", [d.customerId]);
    expect((await produceLineMessages(SHOP_A))["campaign-offer"]).toBeUndefined();
    const result = await sendLineMessages(SHOP_A);
    expect(result.requests).toBe(0);
    const [row] = await rowsOf(SHOP_A, `campaign:${camp.id}`);
    expect(row).toMatchObject({ state: "skipped", lastError: "event switched off" });
    expect(deliveredTo(CH_A, c.userId)).toHaveLength(0);
    await saveLineTemplate(SHOP_A, "campaign-offer", { ...current, enabled: true });
  });

  it("tier news in the tier's own colour when the saved programme sets one; a tier without one keeps its palette colour", async () => {
    const { defaultTierProgram, validateTierProgram } = await import("../../app/domain/tier-rules");
    const { TIER_PALETTE } = await import("../../app/domain/line-messages");
    const { saveTierProgramVersion } = await import("../../app/models/tier-program.server");
    // Gold gets the merchant's own colour, typed in lower case, through the programme's validation; Silver has none
    const program = defaultTierProgram("THB");
    const valid = validateTierProgram(
      { ...program, tiers: program.tiers.map((t) => (t.key === "gold" ? { ...t, colour: "#7a1f5c" } : t)) },
      { currency: "THB" },
    );
    if (!valid.ok) throw new Error(JSON.stringify(valid.issues));
    await saveTierProgramVersion(SHOP_A, valid.program);
    const [toGold, toSilver] = await linked(SHOP_A, 2);
    const now = new Date();
    for (const [c, tier] of [
      [toGold, "gold"],
      [toSilver, "silver"],
    ] as const) {
      await prisma.customerState.create({
        data: { shop: SHOP_A, customerId: c.customerId, segment: "champions", tier, computedAt: now },
      });
      await prisma.customerStateChange.create({
        data: {
          shop: SHOP_A,
          customerId: c.customerId,
          kind: "tier",
          from: "member",
          to: tier,
          at: now,
          reason: "order",
        },
      });
    }
    await produceLineMessages(SHOP_A, { now });
    await sendLineMessages(SHOP_A, { now: () => now });
    type Bubble = { header: { backgroundColor: string }; footer: { contents: { color: string }[] } };
    const colours = (c: { userId: string }) =>
      deliveredTo(CH_A, c.userId).flatMap((d) =>
        (d.messages as { contents: Bubble }[]).map(({ contents }) => [
          contents.header.backgroundColor,
          contents.footer.contents[0].color,
        ]),
      );
    // the rendered Flex header (and its button) LINE received: Gold's own colour; Silver's palette colour (2nd of 4)
    expect(colours(toGold)).toEqual([["#7A1F5C", "#7A1F5C"]]);
    expect(colours(toSilver)).toEqual([[TIER_PALETTE[1], TIER_PALETTE[1]]]);
  });
});

describe("pacing and backoff", () => {
  it("backoff doubles from 1 s with up to 25 % jitter, honours Retry-After, capped", () => {
    expect(backoffMs(1, null, () => 0)).toBe(1000);
    expect(backoffMs(4, null, () => 0)).toBe(8000);
    expect(backoffMs(4, null, () => 1)).toBe(10_000);
    expect(backoffMs(1, 30_000, () => 0)).toBe(30_000);
    expect(backoffMs(40, null, () => 0)).toBe(15 * 60_000);
  });

  it("the pacer spaces requests to its rate", async () => {
    const pacer = createPacer(200);
    const t = performance.now();
    for (let i = 0; i < 41; i++) await pacer.take();
    const took = performance.now() - t;
    expect(took).toBeGreaterThanOrEqual(195);
    expect(took).toBeLessThan(600);
  });
});
