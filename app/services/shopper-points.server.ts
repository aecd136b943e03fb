// The points section of the shoppers' loyalty page and its two forms (docs/rules.md#loyalty-page-points): what one
// signed-in customer's points, rewards and redemptions look like on the page, and what a POST of the page's plain HTML
// forms does — redeem a reward (exactly once per form: services/redemption.server.ts `redeem` with the form's token)
// or give a birth date (once) — answered with the query of the page to redirect to (Post/Redirect/Get).
//
// The customer is always the one Shopify signed (the caller's verified `customerId`); nothing in a form names a
// customer. Each form carries a token the page made for this shop, this customer and this purpose, signed with the
// app's secret: a form made on another site (a cross-site POST that would spend a signed-in shopper's points) or for
// another customer is refused and changes nothing. The token doubles as the redemption's idempotency key
// (Redemption.token): a double submit or a second send of the same form gets the same redemption back.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { checkBirthDate } from "../domain/birthdays";
import { journalAppends, targetEntries } from "../domain/points";
import type { BirthdayRefusal, RefusalReason, ShopperPointsSection } from "../domain/shopper-points";
import { POINTS_EXPIRING_DAYS, shopperPointsView } from "../domain/shopper-points";
import { DAY_MS } from "../domain/time";
import { env } from "../env.server";
import { enqueuePointsCustomer } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { getQueue } from "../jobs/runtime.server";
import { logger } from "../logger.server";
import { getBirthday, setBirthday } from "../models/birthdays.server";
import { getPointsRules } from "../models/points-rules.server";
import { journalsOf, pointsLedgers } from "../models/points.server";
import { listRewards } from "../models/rewards.server";
import { createAdminClient } from "../shopify/client";
import { remixTransport, type RemixAdminGraphql } from "../shopify/transport.server";
import { pointsProgramme } from "./points.server";
import { redeem, shopperRewards } from "./redemption.server";

/** How long a page's form stays valid: a page left open all day can still be sent. */
export const FORM_TOKEN_TTL_MS = DAY_MS;
export type FormPurpose = "redeem" | "birthday";

const mac = (parts: string[]) =>
  createHmac("sha256", env.SHOPIFY_API_SECRET).update(parts.join("\n"), "utf8").digest("base64url").slice(0, 32);

/**
 * A form token for one page render: `<nonce>.<issued seconds>.<mac>`, the mac over the shop, the customer, the
 * purpose (and the reward, for a redemption form), the nonce and the time. 62 characters at most.
 */
export function issueFormToken(shop: string, customerId: string, purpose: string, now: Date): string {
  const nonce = randomBytes(12).toString("base64url");
  const issued = String(Math.floor(now.getTime() / 1000));
  return `${nonce}.${issued}.${mac([shop, customerId, purpose, nonce, issued])}`;
}

/** Whether `token` is one the page issued for this shop, customer and purpose, less than FORM_TOKEN_TTL_MS ago. */
export function formTokenValid(token: unknown, shop: string, customerId: string, purpose: string, now: Date): boolean {
  if (typeof token !== "string") return false;
  const m = /^([A-Za-z0-9_-]{16})\.(\d{1,12})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m) return false;
  const [, nonce, issued, given] = m;
  const age = now.getTime() - Number(issued) * 1000;
  if (age < -5 * 60_000 || age > FORM_TOKEN_TTL_MS) return false;
  const expected = Buffer.from(mac([shop, customerId, purpose, nonce, issued]));
  return timingSafeEqual(expected, Buffer.from(given));
}

const redeemPurpose = (rewardId: string) => `redeem:${rewardId}`;

/**
 * The points section for `customerId` (verified) of `shop` as of `now`. `query`: the page's query (the result of the
 * form just sent is named there). Reads only: the journal as held, and the ledger for the expiries due within 30 days.
 */
export async function shopperPoints(
  shop: string,
  customerId: string,
  query: URLSearchParams,
  now: Date = new Date(),
): Promise<ShopperPointsSection> {
  const [journals, offer, allRewards, rules, birthday] = await Promise.all([
    journalsOf(shop, [customerId]),
    shopperRewards(shop, customerId, now),
    listRewards(shop),
    getPointsRules(shop),
    getBirthday(shop, customerId),
  ]);
  const entries = journals.get(customerId) ?? [];
  let upcoming: ReturnType<typeof journalAppends> = [];
  if (entries.length > 0) {
    // A journal exists, so its programme was saved by the derive that wrote it (nothing is written here).
    const programme = await pointsProgramme(shop);
    if (programme) {
      const ledger = (await pointsLedgers(shop, [customerId], new Date(programme.startsAt))).get(customerId)!;
      const horizon = now.getTime() + POINTS_EXPIRING_DAYS * DAY_MS;
      upcoming = journalAppends(
        entries,
        targetEntries(ledger.orders, programme, horizon, { customerDeleted: ledger.customerDeleted, held: entries }),
      );
    }
  }
  const titles = new Map(allRewards.map((r) => [r.id, r.title]));
  // A version saved before birthdays existed has no field: no bonus.
  const birthdayPoints = rules.active.rules.birthdayPoints ?? 0;
  const view = shopperPointsView({
    now: now.getTime(),
    entries,
    upcoming,
    rewards: offer.rewards.map(({ reward, refusal }) => ({
      reward: {
        id: reward.id,
        title: reward.title,
        kind: reward.kind,
        pointsPrice: reward.pointsPrice,
        valueMinor: reward.valueMinor,
        expiryDays: reward.expiryDays,
      },
      refusal,
    })),
    redemptions: offer.redemptions.map((r) => ({
      id: r.id,
      title: titles.get(r.rewardId) ?? "",
      kind: r.kind,
      points: r.points,
      valueMinor: r.valueMinor,
      currencyCode: r.currencyCode,
      state: r.state,
      code: r.code,
      expiresAt: r.expiresAt?.getTime() ?? null,
      at: r.createdAt.getTime(),
    })),
    query,
    birthdayBonus: birthdayPoints > 0,
    birthday: birthday ? { month: birthday.month, day: birthday.day, year: birthday.year } : null,
  });
  const tokens: Record<string, string> = {};
  for (const r of view.rewards)
    if (r.refusal === null) tokens[r.id] = issueFormToken(shop, customerId, redeemPurpose(r.id), now);
  return {
    ...view,
    tokens,
    birthdayToken:
      view.birthday && view.birthday.held === null ? issueFormToken(shop, customerId, "birthday", now) : null,
  };
}

/** A form field as text (a file or a missing field: empty). */
const field = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

export interface PageFormDeps {
  /** The shop's Admin API (the offline session's admin.graphql), or undefined when the app holds no session. */
  graphql?: RemixAdminGraphql;
  queue?: JobQueue;
  now?: () => Date;
}

/**
 * A POST of the page's forms by the verified customer: redeems or records the birthday, and answers the page query to
 * redirect to (`redemption=<id>`, `refused=<reason>`, `birthday=saved|<reason>`). Refusals write nothing.
 */
export async function submitPageForm(
  shop: string,
  customerId: string,
  form: FormData,
  deps: PageFormDeps = {},
): Promise<URLSearchParams> {
  const now = deps.now ?? (() => new Date());
  const intent = field(form, "intent");
  if (intent === "birthday")
    return new URLSearchParams({ birthday: await submitBirthday(shop, customerId, form, now) });
  if (intent !== "redeem") return new URLSearchParams({ refused: "form_expired" satisfies RefusalReason });
  const rewardId = field(form, "reward");
  const token = field(form, "token");
  if (
    !/^[A-Za-z0-9-]{1,64}$/.test(rewardId) ||
    !formTokenValid(token, shop, customerId, redeemPurpose(rewardId), now())
  )
    return new URLSearchParams({ refused: "form_expired" satisfies RefusalReason });
  if (!deps.graphql) {
    logger.warn("loyalty page redemption without an offline session", { shop });
    return new URLSearchParams({ refused: "reward_unknown" satisfies RefusalReason });
  }
  const client = createAdminClient({ shop, transport: remixTransport(deps.graphql) });
  const result = await redeem(shop, customerId, rewardId, token, {
    client,
    now,
    queue: deps.queue ?? getQueue(),
  });
  if (result.outcome === "refused") return new URLSearchParams({ refused: result.refusal.reason });
  return new URLSearchParams({ redemption: result.redemption.id });
}

async function submitBirthday(
  shop: string,
  customerId: string,
  form: FormData,
  now: () => Date,
): Promise<"saved" | BirthdayRefusal> {
  const at = now();
  if (!formTokenValid(field(form, "token"), shop, customerId, "birthday", at)) return "form_expired";
  const rules = await getPointsRules(shop);
  if (!((rules.active.rules.birthdayPoints ?? 0) > 0)) return "off";
  const checked = checkBirthDate(
    { day: field(form, "day"), month: field(form, "month"), year: field(form, "year") },
    at.getUTCFullYear(),
  );
  if (!checked.ok) return checked.key.replace(/^birthday\./, "") as BirthdayRefusal;
  const held = await getBirthday(shop, customerId);
  if (held) return "held";
  if (!(await setBirthday(shop, customerId, checked.date, "shopper"))) return "held";
  await enqueuePointsCustomer(getQueue(), shop, customerId);
  return "saved";
}
