// Redeeming points for a reward, exactly once (docs/rules.md#points-redemption): reserve the points (one transaction
// that checks balance and limits and writes `redeem:<id>`), create the reward in Shopify with the app's own handle,
// then confirm — or, on Shopify's definite refusal, release (`release:<id>`). Whatever is left `reserved` (a crash, a
// lost answer, Shopify down) is finished by the recovery pass (job `redemptions-recover`).
//
// The handle, since Shopify offers no idempotency key for these creates in 2026-04:
// - discount codes and gift cards: a random code chosen and stored with the reservation, before Shopify is asked. A
//   second create with it is refused as taken, and the first is found by it (codeDiscountNodeByCode directly; gift
//   cards through a lagging search, so "not found yet" stays reserved and is asked again later). Sending again is
//   therefore always safe, and recovery simply sends again.
// - store credit: nothing of the app's travels with a credit. The attempt is recorded before it is sent, and sent
//   without the gateway's retries of a lost connection or a 5xx. Recovery of an attempted credit reads the customer's
//   newest credit transactions: one of the redemption's amount, currency and expiry, made since the attempt and not
//   claimed by another redemption, confirms it; none releases the points (never a second credit). Residual risk: a
//   credit equal in amount, currency and expiry made by someone else in that window would be taken for ours (the
//   shopper keeps their points' worth only once, in the merchant's favour), and a credit Shopify applies after the
//   grace period (an answer lost for minutes) would come on top of released points.
import { randomBytes as nodeRandomBytes } from "node:crypto";
import type { AdminClient } from "../shopify/client";
import {
  CODE_DISCOUNT_BY_CODE_QUERY,
  CUSTOMER_STORE_CREDITS_QUERY,
  DISCOUNT_CODE_BASIC_CREATE_MUTATION,
  DISCOUNT_CODE_FREE_SHIPPING_CREATE_MUTATION,
  GIFT_CARD_CREATE_MUTATION,
  GIFT_CARD_NOTIFY_CUSTOMER_MUTATION,
  GIFT_CARDS_BY_CODE_QUERY,
  STORE_CREDIT_CREDIT_MUTATION,
} from "../shopify/documents";
import { accessRefusals, GraphqlDocumentError } from "../shopify/errors";
import { fromMinorUnits, toMinorUnits } from "../domain/money";
import {
  giftCardExpiresOn,
  redemptionCode,
  redemptionRefusal,
  refusalMessage,
  rewardExpiresAt,
  type RedemptionRefusal,
} from "../domain/rewards";
import {
  claimedShopifyIds,
  confirmRedemption,
  countReserved,
  getRedemption,
  getReward,
  markNotified,
  noteAttempt,
  noteFailure,
  releaseRedemption,
  reserveRedemption,
  availablePoints,
  customerRedemptions,
  listRewards,
  redemptionCounts,
  staleReservations,
  unnotifiedGiftCards,
  type Reward,
  type Redemption,
} from "../models/rewards.server";
import { fireRewardRedeemed } from "./points-flow.server";
import { shopCurrency } from "../models/shop-currency.server";
import { enqueueRedemptionsRecover } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";

/** A reservation untouched this long is the recovery pass's (a request still sending has finished by then). */
export const RECOVERY_GRACE_MS = 2 * 60_000;
/** How far before the recorded attempt a store credit's createdAt may be (clocks of the app and Shopify differ). */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface RedemptionDeps {
  client: AdminClient;
  now?: () => Date;
  randomBytes?: (n: number) => Uint8Array;
  /** Where a recovery pass is queued when the outcome is not known yet (none: the periodic pass finds it). */
  queue?: JobQueue;
}

export type RedeemResult =
  /** The reward exists in Shopify; the points are spent. */
  | { outcome: "confirmed"; redemption: Redemption }
  /** Points reserved, Shopify's answer not known yet: the recovery pass confirms or releases it. */
  | { outcome: "pending"; redemption: Redemption }
  /** Shopify refused the reward: the points are back. */
  | { outcome: "released"; redemption: Redemption }
  /** Not redeemed, nothing changed: why. */
  | { outcome: "refused"; refusal: RedemptionRefusal | { reason: "reward_unknown" }; message: string };

type UserError = { field?: string[] | null; message: string; code?: string | null };
const describe = (errors: UserError[]) =>
  errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join("; ");
const isTaken = (errors: UserError[]) =>
  errors.some((e) => e.code === "TAKEN" || /already been taken/i.test(e.message));

/**
 * Shopify's failure that says a create did not run: the document or access refused (never retried). Any other
 * execution error (a resolver failing after the mutation may have run) leaves the outcome unknown.
 */
const definitelyNotRun = (error: unknown) => error instanceof GraphqlDocumentError || accessRefusals(error) !== null;

/** Thrown by `send` when Shopify says the create did not run: the only failure that releases the points. */
class CreateNotRun extends Error {
  override name = "CreateNotRun";
}

/**
 * Sends a create. A failure that says it did not run becomes CreateNotRun; any other (a lost answer, a kill, and every
 * failure of the reads around it) leaves the outcome unknown.
 */
async function send<T>(
  client: AdminClient,
  query: string,
  variables: Record<string, unknown>,
  options?: { unsafeToRepeat?: boolean },
): Promise<T> {
  try {
    return await client.request<T>(query, variables, options);
  } catch (error) {
    if (definitelyNotRun(error)) throw new CreateNotRun(String((error as Error).message ?? error));
    throw error;
  }
}

/** What one attempt at Shopify ended with. */
type Step =
  | { kind: "created"; shopifyId: string }
  | { kind: "refused"; failure: string }
  /** Not known (lost answer, taken code not yet searchable): stays reserved. */
  | { kind: "unknown"; failure: string };

/**
 * Redeems a reward for a customer with the form's token: the same token again answers with the same redemption (a
 * double submit or a second tab never makes a second one).
 */
export async function redeem(
  shop: string,
  customerId: string,
  rewardId: string,
  token: string,
  deps: RedemptionDeps,
): Promise<RedeemResult> {
  const now = deps.now ?? (() => new Date());
  const reward = await getReward(shop, rewardId);
  if (!reward)
    return { outcome: "refused", refusal: { reason: "reward_unknown" }, message: "This reward does not exist." };
  // Queued before the reservation (coalesced: one per shop): a crash at any later step leaves a durable job that
  // finishes the redemption. A refused redemption leaves a pass with nothing to do.
  if (deps.queue) await enqueueRedemptionsRecover(deps.queue, shop, { delayMs: RECOVERY_GRACE_MS, now });
  const at = now();
  const reserved = await reserveRedemption(shop, {
    customerId,
    rewardId,
    token,
    now: at,
    currencyCode: await shopCurrency(shop),
    code: reward.kind === "store_credit" ? null : redemptionCode(deps.randomBytes ?? nodeRandomBytes),
    expiresAt: (() => {
      const t = rewardExpiresAt(at.getTime(), reward.expiryDays);
      return t === null ? null : new Date(t);
    })(),
  });
  if (reserved.outcome === "refused")
    return {
      outcome: "refused",
      refusal: reserved.refusal,
      message:
        reserved.refusal.reason === "reward_unknown" ? "This reward does not exist." : refusalMessage(reserved.refusal),
    };
  // The same token: whatever that redemption is now (a request still sending it leaves it to itself or recovery).
  if (reserved.outcome === "existing") return resultOf(reserved.redemption);
  return complete(shop, reserved.redemption, deps, "first");
}

function resultOf(redemption: Redemption): RedeemResult {
  if (redemption.state === "confirmed") return { outcome: "confirmed", redemption };
  if (redemption.state === "released") return { outcome: "released", redemption };
  return { outcome: "pending", redemption };
}

/** Sends (or finds) a reserved redemption's reward and settles it: confirmed, released, or still reserved. */
async function complete(
  shop: string,
  r: Redemption,
  deps: RedemptionDeps,
  pass: "first" | "recover",
): Promise<RedeemResult> {
  const now = deps.now ?? (() => new Date());
  let step: Step;
  try {
    step =
      r.kind === "store_credit"
        ? await storeCreditStep(shop, r, deps.client, now, pass)
        : r.kind === "gift_card"
          ? await giftCardStep(shop, r, deps.client, now)
          : await discountStep(shop, r, deps.client, now);
  } catch (error) {
    const failure = String((error as Error).message ?? error);
    step = error instanceof CreateNotRun ? { kind: "refused", failure } : { kind: "unknown", failure };
  }
  if (step.kind === "created") {
    if (await confirmRedemption(shop, r.id, step.shopifyId, now())) await fireRewardRedeemed(shop, r, deps.client);
    if (r.kind === "gift_card") await notifyGiftCard(shop, r.id, step.shopifyId, deps.client, now);
  } else if (step.kind === "refused") {
    await releaseRedemption(shop, r.id, step.failure, now());
  } else {
    await noteFailure(shop, r.id, step.failure, now());
  }
  return resultOf((await getRedemption(shop, r.id))!);
}

function discountInput(r: Redemption, at: Date) {
  const common = {
    title: `Loyalty reward · ${r.code}`,
    code: r.code!,
    startsAt: at.toISOString(),
    endsAt: r.expiresAt?.toISOString() ?? null,
    context: { customers: { add: [r.customerId] } },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
  };
  if (r.kind === "free_shipping") return { freeShippingCodeDiscount: { ...common, destination: { all: true } } };
  return {
    basicCodeDiscount: {
      ...common,
      customerGets: {
        value: { discountAmount: { amount: fromMinorUnits(r.valueMinor!, r.currencyCode), appliesOnEachItem: false } },
        items: { all: true },
      },
    },
  };
}

async function discountStep(shop: string, r: Redemption, client: AdminClient, now: () => Date): Promise<Step> {
  const at = now();
  await noteAttempt(shop, r.id, at);
  const freeShipping = r.kind === "free_shipping";
  const data = await send<Record<string, { codeDiscountNode: { id: string } | null; userErrors: UserError[] }>>(
    client,
    freeShipping ? DISCOUNT_CODE_FREE_SHIPPING_CREATE_MUTATION : DISCOUNT_CODE_BASIC_CREATE_MUTATION,
    discountInput(r, r.createdAt),
  );
  const payload = data[freeShipping ? "discountCodeFreeShippingCreate" : "discountCodeBasicCreate"];
  if (payload.codeDiscountNode) return { kind: "created", shopifyId: payload.codeDiscountNode.id };
  if (isTaken(payload.userErrors)) {
    // Our code (random, 16 characters): an earlier attempt created it and its answer was lost.
    const found = await client.request<{ codeDiscountNodeByCode: { id: string } | null }>(CODE_DISCOUNT_BY_CODE_QUERY, {
      code: r.code!,
    });
    if (found.codeDiscountNodeByCode) return { kind: "created", shopifyId: found.codeDiscountNodeByCode.id };
    return { kind: "unknown", failure: describe(payload.userErrors) };
  }
  return { kind: "refused", failure: describe(payload.userErrors) };
}

async function giftCardStep(shop: string, r: Redemption, client: AdminClient, now: () => Date): Promise<Step> {
  await noteAttempt(shop, r.id, now());
  const data = await send<{
    giftCardCreate: { giftCard: { id: string } | null; userErrors: UserError[] };
  }>(client, GIFT_CARD_CREATE_MUTATION, {
    input: {
      initialValue: fromMinorUnits(r.valueMinor!, r.currencyCode),
      code: r.code!,
      customerId: r.customerId,
      expiresOn: giftCardExpiresOn(r.expiresAt?.getTime() ?? null),
      note: `Loyalty redemption ${r.id}`,
    },
  });
  const payload = data.giftCardCreate;
  if (payload.giftCard) return { kind: "created", shopifyId: payload.giftCard.id };
  if (isTaken(payload.userErrors)) {
    const found = await client.request<{
      giftCards: { nodes: { id: string; customer: { id: string } | null }[] };
    }>(GIFT_CARDS_BY_CODE_QUERY, { query: r.code!.toLowerCase() });
    const ours = found.giftCards.nodes.find((n) => n.customer?.id === r.customerId);
    if (ours) return { kind: "created", shopifyId: ours.id };
    // Search lags behind creates: not found yet is not absent.
    return { kind: "unknown", failure: `${describe(payload.userErrors)} (not found by search yet)` };
  }
  return { kind: "refused", failure: describe(payload.userErrors) };
}

async function notifyGiftCard(shop: string, id: string, giftCardId: string, client: AdminClient, now: () => Date) {
  try {
    const data = await client.request<{ giftCardSendNotificationToCustomer: { userErrors: UserError[] } }>(
      GIFT_CARD_NOTIFY_CUSTOMER_MUTATION,
      { id: giftCardId },
    );
    if (data.giftCardSendNotificationToCustomer.userErrors.length === 0) await markNotified(shop, id, now());
    else await noteFailure(shop, id, describe(data.giftCardSendNotificationToCustomer.userErrors), now());
  } catch (error) {
    // The card exists and the shopper sees its code on the page; the email is Shopify's extra.
    await noteFailure(shop, id, `notification: ${String((error as Error).message ?? error)}`, now());
  }
}

type CreditNode = {
  id?: string;
  createdAt: string;
  amount: { amount: string; currencyCode: string };
  expiresAt?: string | null;
};

async function storeCreditStep(
  shop: string,
  r: Redemption,
  client: AdminClient,
  now: () => Date,
  pass: "first" | "recover",
): Promise<Step> {
  if (pass === "recover" && r.attempts > 0) {
    // An attempt was sent and its answer lost: find it, never send a second credit.
    const data = await client.request<{
      customer: { storeCreditAccounts: { nodes: { transactions: { nodes: CreditNode[] } }[] } } | null;
    }>(CUSTOMER_STORE_CREDITS_QUERY, { id: r.customerId, accounts: `currency_code:${r.currencyCode}` });
    const claimed = await claimedShopifyIds(shop, r.customerId);
    const since = r.attemptedAt!.getTime() - CLOCK_SKEW_MS;
    const expected = r.expiresAt ? Math.floor(r.expiresAt.getTime() / 1000) : null;
    const match = (data.customer?.storeCreditAccounts.nodes ?? [])
      .flatMap((a) => a.transactions.nodes)
      .filter(
        (t) =>
          t.id !== undefined &&
          !claimed.has(t.id) &&
          t.amount.currencyCode === r.currencyCode &&
          toMinorUnits(t.amount.amount, r.currencyCode) === r.valueMinor &&
          Date.parse(t.createdAt) >= since &&
          // Shopify keeps whole seconds.
          (t.expiresAt ? Math.floor(Date.parse(t.expiresAt) / 1000) : null) === expected,
      )
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))[0];
    if (match) return { kind: "created", shopifyId: match.id! };
    return { kind: "refused", failure: "no store credit found after a lost answer: points released" };
  }
  await noteAttempt(shop, r.id, now());
  const data = await send<{
    storeCreditAccountCredit: { storeCreditAccountTransaction: { id: string } | null; userErrors: UserError[] };
  }>(
    client,
    STORE_CREDIT_CREDIT_MUTATION,
    {
      id: r.customerId,
      creditInput: {
        creditAmount: { amount: fromMinorUnits(r.valueMinor!, r.currencyCode), currencyCode: r.currencyCode },
        expiresAt: r.expiresAt?.toISOString() ?? null,
        notify: true,
      },
    },
    { unsafeToRepeat: true },
  );
  const payload = data.storeCreditAccountCredit;
  if (payload.storeCreditAccountTransaction)
    return { kind: "created", shopifyId: payload.storeCreditAccountTransaction.id };
  return { kind: "refused", failure: describe(payload.userErrors) };
}

export interface RecoveryResult {
  confirmed: number;
  released: number;
  /** Still reserved after this pass (a gift card not yet searchable, Shopify not answering). */
  pending: number;
  /** Reserved too recently for this pass (a request may still be sending them): a later pass takes them. */
  waiting: number;
}

/**
 * Finishes the redemptions a crash or a lost answer left reserved for longer than the grace period: each is sent or
 * found again (codes, gift cards) or reconciled (store credit), then confirmed or released.
 */
export async function recoverRedemptions(
  shop: string,
  deps: RedemptionDeps & { graceMs?: number },
): Promise<RecoveryResult> {
  const now = deps.now ?? (() => new Date());
  const stale = await staleReservations(shop, new Date(now().getTime() - (deps.graceMs ?? RECOVERY_GRACE_MS)));
  const out: RecoveryResult = { confirmed: 0, released: 0, pending: 0, waiting: 0 };
  // A gift card confirmed by a process that died before asking Shopify to send it (a failed send is recorded in
  // `failure` and left to the merchant: the shopper sees the code on the page all the same).
  for (const r of await unnotifiedGiftCards(shop, new Date(now().getTime() - (deps.graceMs ?? RECOVERY_GRACE_MS))))
    await notifyGiftCard(shop, r.id, r.shopifyId!, deps.client, now);
  for (const r of stale) {
    const result = await complete(shop, r, deps, "recover");
    out[result.outcome === "refused" ? "pending" : result.outcome]++;
  }
  out.waiting = (await countReserved(shop)) - out.pending;
  return out;
}

export interface ShopperRewards {
  available: number;
  /** The shop's active rewards, cheapest first, each with why it cannot be redeemed now (null: it can). */
  rewards: { reward: Reward; refusal: RedemptionRefusal | null }[];
  /** The customer's redemptions, newest first (a code or card to show; pending ones being finished). */
  redemptions: Redemption[];
}

/**
 * What the loyalty page's rewards section shows one signed-in customer (the form itself is not built yet): their
 * available points, each active reward with the refusal a redemption would get now, and their redemptions.
 */
export async function shopperRewards(
  shop: string,
  customerId: string,
  now: Date = new Date(),
): Promise<ShopperRewards> {
  const [available, rewards, redemptions] = await Promise.all([
    availablePoints(shop, customerId, now),
    listRewards(shop, { activeOnly: true }),
    customerRedemptions(shop, customerId),
  ]);
  const counts = await redemptionCounts(shop, customerId, rewards, now);
  return {
    available,
    rewards: rewards.map((reward) => ({
      reward,
      refusal: redemptionRefusal(reward, available, counts.get(reward.id)!),
    })),
    redemptions,
  };
}
