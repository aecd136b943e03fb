// The points section of the shoppers' loyalty page and its two forms (docs/rules.md#loyalty-page-points): what one
// signed-in customer's points, rewards and redemptions look like on the page, and what a POST of the page's plain HTML
// forms does — redeem a reward (exactly once per form: services/redemption.server.ts `redeem` with the form's token)
// or give a birth date (once) — answered with the query of the page to redirect to (Post/Redirect/Get).
//
// The customer is always the one Shopify signed (the caller's verified `customerId`); nothing in a form names a
// customer. Each form carries a token the page made for this shop, this customer and this purpose
// (services/form-tokens.server.ts, docs/storefront-forms.md): a form made on another site (a cross-site POST that would
// spend a signed-in shopper's points) or for another customer is refused before anything is read, and changes nothing.
// The token doubles as the redemption's idempotency key (Redemption.token): a double submit or a second send of the
// same form gets the same redemption back, never a second one.
import { checkBirthDate } from "../domain/birthdays";
import { journalAppends, targetEntries } from "../domain/points";
import type { FormTokenIssue } from "../domain/form-token";
import type { BirthdayRefusal, RefusalReason, ShopperPointsSection } from "../domain/shopper-points";
import { POINTS_EXPIRING_DAYS, shopperPointsView } from "../domain/shopper-points";
import { DAY_MS } from "../domain/time";
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
import { issueFormToken, storefrontFormIssue, type StorefrontFormPurpose } from "./form-tokens.server";
import { pointsProgramme } from "./points.server";
import { redeem, shopperRewards } from "./redemption.server";

const redeemPurpose = (rewardId: string): StorefrontFormPurpose => `redeem:${rewardId}`;

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
 * What a POST of the page's forms gets: the page query to redirect to (Post/Redirect/Get), or "forged" when the form
 * is not one the page made for this customer (its token missing, another customer's, shop's or form's, tampered,
 * expired; or an intent no form has): the route answers the refusal page (403).
 */
export type PageFormAnswer = { kind: "redirect"; query: URLSearchParams } | { kind: "forged"; issue: FormTokenIssue };

/** Which form was sent, as its token's purpose: the birthday, or redeeming the reward named; null: no form of ours. */
function pageFormPurpose(form: FormData): StorefrontFormPurpose | null {
  const intent = field(form, "intent");
  if (intent === "birthday") return "birthday";
  const rewardId = field(form, "reward");
  return intent === "redeem" && /^[A-Za-z0-9-]{1,64}$/.test(rewardId) ? redeemPurpose(rewardId) : null;
}

/**
 * A POST of the page's forms by the verified customer: first its token (nothing is read before it is good), then
 * redeems or records the birthday, and answers the page query to redirect to (`redemption=<id>`, `refused=<reason>`,
 * `birthday=saved|<reason>`). Refusals write nothing.
 */
export async function submitPageForm(
  shop: string,
  customerId: string,
  form: FormData,
  deps: PageFormDeps = {},
): Promise<PageFormAnswer> {
  const now = deps.now ?? (() => new Date());
  const purpose = pageFormPurpose(form);
  const issue = purpose ? storefrontFormIssue(form, shop, customerId, purpose, now()) : "mismatch";
  if (issue) return { kind: "forged", issue };
  const redirect = (query: Record<string, string>) => ({
    kind: "redirect" as const,
    query: new URLSearchParams(query),
  });
  if (purpose === "birthday") return redirect({ birthday: await submitBirthday(shop, customerId, form, now) });
  const rewardId = field(form, "reward");
  const token = field(form, "token");
  if (!deps.graphql) {
    logger.warn("loyalty page redemption without an offline session", { shop });
    return redirect({ refused: "reward_unknown" satisfies RefusalReason });
  }
  const client = createAdminClient({ shop, transport: remixTransport(deps.graphql) });
  const result = await redeem(shop, customerId, rewardId, token, {
    client,
    now,
    queue: deps.queue ?? getQueue(),
  });
  if (result.outcome === "refused") return redirect({ refused: result.refusal.reason });
  return redirect({ redemption: result.redemption.id });
}

async function submitBirthday(
  shop: string,
  customerId: string,
  form: FormData,
  now: () => Date,
): Promise<"saved" | BirthdayRefusal> {
  // The form's token was checked by submitPageForm.
  const at = now();
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
