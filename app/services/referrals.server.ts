// Referrals (docs/referrals.md): a member's code and link on the loyalty page, the friend's page behind the link (the
// offer, the email form, the friend's single-use code created in Shopify exactly once), the completion pass that links
// orders to referrals and rewards the referrer once the return window has passed (or refuses, or claws back), and the
// merchant's figures. Decisions are domain/referrals.ts's; rows are models/referrals.server.ts's.
import { randomBytes as nodeRandomBytes } from "node:crypto";
import {
  claimRefusal,
  clawbackPoints,
  completionDecision,
  emailIdentity,
  friendDiscountCode,
  funnelRates,
  isMemberCode,
  memberReferralCode,
  normalizeEmail,
  sharedIdentity,
  validateReferralSettings,
  type AddressFacts,
  type ClaimRefusal,
  type PersonFacts,
  type LandingView,
  type MemberReferralView,
  type ReferralOffer,
  type ReferralSettings,
} from "../domain/referrals";
import { currencyDecimals, fromMinorUnits } from "../domain/money";
import { adjustmentEntry } from "../domain/points-adjustments";
import { spendableAt, type PointsKind } from "../domain/points";
import {
  confirmReferralCode,
  countVisit,
  customerEmail,
  emailHasOrders,
  getReferral,
  getReferralSettings,
  hasEarlierQualifyingOrder,
  isDeletedCustomer,
  ledgerOrder,
  listReferrals,
  markClawedBack,
  markExpired,
  markOrdered,
  markRefused,
  markRewarded,
  memberByCode,
  memberCode,
  noteReferralFailure,
  openReferrals,
  orderCarryingCode,
  referralFunnel,
  referralOfEmail,
  refreshOrderFigures,
  reserveReferral,
  rewardTimes,
  saveReferralSettings,
  type Referral,
} from "../models/referrals.server";
import { appendAdjustment } from "../models/points-adjustments.server";
import { journalsOf } from "../models/points.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getShop } from "../models/shop.server";
import { createAdminClient, type AdminClient } from "../shopify/client";
import { remixTransport, type RemixAdminGraphql } from "../shopify/transport.server";
import {
  CODE_DISCOUNT_BY_CODE_QUERY,
  DISCOUNT_CODE_BASIC_CREATE_MUTATION,
  REFERRAL_PEOPLE_QUERY,
} from "../shopify/documents";
import { AccessDeniedError, accessRefusals, GraphqlDocumentError } from "../shopify/errors";
import { formTokenValid, issueFormToken } from "./form-tokens.server";
import { sendPointsTriggers } from "./points-flow.server";
import { announcementRecords, claimAnnouncement, recordAnnouncement } from "../models/points-flow.server";
import { logger } from "../logger.server";
import { enqueueReferrals } from "../jobs/contracts";
import { getQueue } from "../jobs/runtime.server";

const DAY_MS = 86_400_000;
export const REFERRAL_TRIGGER = "referral-completed";
/** A reserved referral untouched this long is the completion pass's to finish. */
export const REFERRAL_GRACE_MS = 2 * 60_000;
/** The journal's source key of a referral's reward and of its claw back (inputs of the journal, never derived). */
export const referralKeys = {
  reward: (id: string) => `referral:${id}`,
  clawback: (id: string) => `referral:${id}:clawback`,
};
export const REFERRAL_ACTOR = "referral";
/** The claim form's token is made for this "customer" (the link's code) and purpose: no signed-in shopper needed. */
const claimSubject = (code: string) => `referral:${code}`;
const CLAIM_PURPOSE = "referral-claim" as const;

type Random = (n: number) => Uint8Array;

// ---- settings (admin) ------------------------------------------------------------------------------------------

export async function referralSettings(shop: string) {
  return getReferralSettings(shop);
}

export type SaveSettingsResult =
  | { ok: true; settings: ReferralSettings }
  | { ok: false; issues: { field: string; key: string; message: string }[] };

/** Saves the settings the admin form sent; a bad value saves nothing and names each problem. */
export async function saveReferralSettingsForm(
  shop: string,
  form: Record<string, unknown>,
): Promise<SaveSettingsResult> {
  const currency = await shopCurrency(shop);
  const checked = validateReferralSettings(form, currencyDecimals(currency));
  if (!checked.ok) return checked;
  await saveReferralSettings(shop, checked.settings);
  return checked;
}

// ---- the member's part of the loyalty page -------------------------------------------------------------------------

/** The signed-in member's code (made on first view) while referrals are on; null when they are off. */
export async function memberReferral(
  shop: string,
  customerId: string,
  randomBytes: Random = nodeRandomBytes,
): Promise<MemberReferralView | null> {
  const settings = await getReferralSettings(shop);
  if (!settings.enabled || (await isDeletedCustomer(shop, customerId))) return null;
  const code = await memberCode(shop, customerId, () => memberReferralCode(randomBytes));
  return { code, rewardPoints: settings.rewardPoints, offer: offerOf(settings) };
}

const offerOf = (s: ReferralSettings): ReferralOffer => ({
  kind: s.offerKind,
  value: s.offerValue,
  minimumSubtotalMinor: s.minimumSubtotalMinor,
});

export type { LandingView, MemberReferralView };

// ---- the friend's page ----------------------------------------------------------------------------------------------

const CLAIM_RESULTS = new Set<string>([
  "disabled",
  "unknown_code",
  "email_invalid",
  "own_email",
  "existing_customer",
  "already_referred",
  "form_expired",
  "not_created",
]);

/**
 * The page behind a member's link (GET): the offer and the email form, or, when the query names a referral issued
 * through this link (`issued=<id>`, the redirect after the form), its code. A plain visit counts as a link followed.
 */
export async function referralLanding(
  shop: string,
  code: string,
  query: URLSearchParams,
  now: Date = new Date(),
): Promise<LandingView> {
  const row = await getShop(shop);
  const locale = row?.locale?.startsWith("th") ? "th" : "en";
  if (row?.status !== "installed") return { kind: "unavailable", locale };
  const settings = await getReferralSettings(shop);
  const member = settings.enabled && isMemberCode(code) ? await memberByCode(shop, code) : null;
  if (!member) return { kind: "unavailable", locale };
  const currency = await shopCurrency(shop);
  const issuedId = query.get("issued");
  if (issuedId && /^[0-9a-f-]{36}$/.test(issuedId)) {
    const referral = await getReferral(shop, issuedId);
    if (referral && referral.referrerId === member.customerId && referral.state !== "reserved")
      return {
        kind: "issued",
        locale,
        currency,
        offer: referral.offer,
        friendCode: referral.code,
        expiresAt: referral.expiresAt.getTime(),
        timeZone: row.timezone ?? "UTC",
      };
  }
  const refusedParam = query.get("refused");
  const refused = refusedParam && CLAIM_RESULTS.has(refusedParam) ? (refusedParam as ClaimRefusal) : null;
  if (!refused && !issuedId) await countVisit(shop, code);
  return {
    kind: "offer",
    locale,
    currency,
    code,
    offer: offerOf(settings),
    validityDays: settings.offerValidityDays,
    token: issueFormToken(shop, claimSubject(code), CLAIM_PURPOSE, now),
    refused: issuedId ? "not_created" : refused,
  };
}

export interface ClaimDeps {
  /** The Admin API: a client, or the offline session's admin.graphql of the proxy request (none: no session). */
  client?: AdminClient | null;
  graphql?: RemixAdminGraphql;
  now?: () => Date;
  randomBytes?: Random;
}

/**
 * The friend's email form (POST through the app proxy): checks the form token and every guard, reserves the referral
 * with its code, then creates the code in Shopify. Answers the query to redirect to: `issued=<id>` or
 * `refused=<reason>`. A refusal writes nothing; the same form again answers with the same referral.
 */
export async function claimReferralOffer(
  shop: string,
  code: string,
  form: FormData,
  deps: ClaimDeps,
): Promise<URLSearchParams> {
  const now = deps.now ?? (() => new Date());
  const at = now();
  const refuse = (reason: string) => new URLSearchParams({ refused: reason });
  const token = form.get("token");
  if (!isMemberCode(code) || !formTokenValid(token, shop, claimSubject(code), CLAIM_PURPOSE, at))
    return refuse("form_expired");
  const settings = await getReferralSettings(shop);
  const member = settings.enabled ? await memberByCode(shop, code) : null;
  const email = normalizeEmail(form.get("email"));
  const emailKey = email ? emailIdentity(email) : null;
  const [referrerEmail, hasOrders, claimed] = await Promise.all([
    member ? customerEmail(shop, member.customerId) : null,
    email ? emailHasOrders(shop, email) : false,
    emailKey ? referralOfEmail(shop, emailKey) : null,
  ]);
  const refusal = claimRefusal({
    enabled: settings.enabled,
    referrerId: member?.customerId ?? null,
    email,
    referrerEmail,
    customerWithOrders: hasOrders,
    claimedBy: claimed?.referrerId ?? null,
  });
  if (refusal) return refuse(refusal);
  const client =
    deps.client ?? (deps.graphql ? createAdminClient({ shop, transport: remixTransport(deps.graphql) }) : null);
  if (!client) {
    logger.warn("referral offer without an offline session", { shop });
    return refuse("not_created");
  }
  const reserved = await reserveReferral(shop, {
    referrerId: member!.customerId,
    friendEmail: email!,
    emailKey: emailKey!,
    token: token as string,
    code: friendDiscountCode(deps.randomBytes ?? nodeRandomBytes),
    offer: offerOf(settings),
    currencyCode: await shopCurrency(shop),
    expiresAt: new Date(at.getTime() + settings.offerValidityDays * DAY_MS),
    now: at,
  });
  if (reserved.outcome === "conflict") return refuse("already_referred");
  let referral = reserved.referral;
  if (referral.state === "reserved") {
    await createFriendCode(shop, referral, client);
    referral = (await getReferral(shop, referral.id))!;
  }
  return new URLSearchParams({ issued: referral.id });
}

type UserError = { field?: string[] | null; message: string; code?: string | null };

function friendDiscountInput(r: Referral) {
  const value =
    r.offer.kind === "percentage"
      ? { percentage: r.offer.value / 100 }
      : { discountAmount: { amount: fromMinorUnits(r.offer.value, r.currencyCode), appliesOnEachItem: false } };
  return {
    title: `Referral · ${r.code}`,
    code: r.code,
    startsAt: r.createdAt.toISOString(),
    endsAt: r.expiresAt.toISOString(),
    // The friend may have no customer account yet: any buyer may use it, once (its first use spends it).
    context: { all: "ALL" },
    customerGets: { value, items: { all: true } },
    ...(r.offer.minimumSubtotalMinor !== null
      ? {
          minimumRequirement: {
            subtotal: { greaterThanOrEqualToSubtotal: fromMinorUnits(r.offer.minimumSubtotalMinor, r.currencyCode) },
          },
        }
      : {}),
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
  };
}

/**
 * Creates a reserved referral's code in Shopify, or finds it (an earlier create whose answer was lost: the code is
 * ours, random, so a "taken" answer is ours). Confirms it (reserved → issued); any other outcome leaves it reserved
 * for the completion pass, with the failure noted.
 */
async function createFriendCode(shop: string, r: Referral, client: AdminClient): Promise<boolean> {
  try {
    const data = await client.request<{
      discountCodeBasicCreate: { codeDiscountNode: { id: string } | null; userErrors: UserError[] };
    }>(DISCOUNT_CODE_BASIC_CREATE_MUTATION, { basicCodeDiscount: friendDiscountInput(r) });
    const payload = data.discountCodeBasicCreate;
    if (payload.codeDiscountNode) return confirmReferralCode(shop, r.id, payload.codeDiscountNode.id);
    if (payload.userErrors.some((e) => e.code === "TAKEN" || /already been taken/i.test(e.message))) {
      const found = await client.request<{ codeDiscountNodeByCode: { id: string } | null }>(
        CODE_DISCOUNT_BY_CODE_QUERY,
        { code: r.code },
      );
      if (found.codeDiscountNodeByCode) return confirmReferralCode(shop, r.id, found.codeDiscountNodeByCode.id);
    }
    await noteReferralFailure(shop, r.id, payload.userErrors.map((e) => e.message).join("; "));
  } catch (error) {
    const definite = error instanceof GraphqlDocumentError || accessRefusals(error) !== null;
    await noteReferralFailure(shop, r.id, `${definite ? "refused: " : ""}${String((error as Error).message ?? error)}`);
  }
  return false;
}

// ---- completion ----------------------------------------------------------------------------------------------------

export interface CompletionDeps {
  client: AdminClient;
  now?: () => Date;
}

export interface CompletionResult {
  /** The earliest moment a waiting referral's return window ends (epoch ms), or null: none waits. */
  nextDueAt: number | null;
  /** "Referral completed" triggers sent again after a failed or refused send. */
  announced: number;
  issued: number;
  ordered: number;
  rewarded: number;
  refused: number;
  clawedBack: number;
  expired: number;
  waiting: number;
}

type PersonNode = {
  id: string;
  defaultEmailAddress: { emailAddress: string | null } | null;
  defaultPhoneNumber: { phoneNumber: string | null } | null;
  defaultAddress: AddressFacts | null;
} | null;

const personOf = (node: PersonNode, fallbackId: string, emails: (string | null)[]): PersonFacts[] => {
  const base = {
    customerId: node?.id ?? fallbackId,
    phone: node?.defaultPhoneNumber?.phoneNumber ?? null,
    address: node?.defaultAddress ?? null,
  };
  const all = [node?.defaultEmailAddress?.emailAddress ?? null, ...emails].filter((e): e is string => !!e);
  return all.length ? all.map((email) => ({ ...base, email })) : [{ ...base, email: null }];
};

type PeopleAnswer = { referrer: PersonNode; friend: PersonNode; order: { email: string | null } | null };

/**
 * Shopify's records of the referrer, the friend and the order. Phones and addresses are protected customer data: a
 * shop whose app is not approved for one is asked again without it (that guard then cannot run; the email and
 * customer guards still do).
 */
async function readPeople(client: AdminClient, variables: Record<string, unknown>): Promise<PeopleAnswer> {
  let include = { phone: true, address: true };
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.request<PeopleAnswer>(REFERRAL_PEOPLE_QUERY, { ...variables, ...include });
    } catch (error) {
      if (!(error instanceof AccessDeniedError) || attempt > 0) throw error;
      const refused = error.refusals.join(" ");
      const next = {
        phone: include.phone && !/phone/i.test(refused),
        address: include.address && !/address/i.test(refused),
      };
      if (next.phone === include.phone && next.address === include.address) throw error;
      logger.warn("referral guard without protected fields", { refused, ...next });
      include = next;
    }
  }
}

/** What the friend shares with the referrer, from Shopify's records of both (and the ledger's emails). */
async function sharedWithReferrer(
  shop: string,
  r: Referral,
  friendId: string | null,
  orderId: string,
  client: AdminClient,
) {
  if (friendId === r.referrerId) return "customer" as const;
  const data = await readPeople(client, { referrer: r.referrerId, friend: friendId ?? r.referrerId, order: orderId });
  const referrers = personOf(data.referrer, r.referrerId, [await customerEmail(shop, r.referrerId)]);
  const friends = personOf(friendId ? data.friend : null, friendId ?? "", [
    data.order?.email ?? null,
    r.friendEmail,
    friendId ? await customerEmail(shop, friendId) : null,
  ]);
  for (const a of referrers)
    for (const b of friends) {
      const shared = sharedIdentity(a, b);
      if (shared) return shared;
    }
  return null;
}

async function availablePoints(shop: string, customerId: string, at: Date): Promise<number> {
  const journal = (await journalsOf(shop, [customerId])).get(customerId) ?? [];
  return spendableAt(
    journal.map((e) => ({
      kind: e.kind as PointsKind,
      points: e.points,
      effectiveAt: e.effectiveAt,
      availableAt: e.availableAt,
    })),
    at.getTime(),
  );
}

/**
 * The completion pass (job `referrals`): finishes reserved codes, links each issued code to the first order that
 * carried it, and once an order's return window has passed rewards the referrer (journal `referral:<id>`, Flow
 * "Referral completed") or refuses; a rewarded referral whose order was cancelled or refunded below the minimum is
 * clawed back (`referral:<id>:clawback`). Every step is conditional on the state it leaves: a second pass, or one
 * racing it, writes nothing more.
 */
export async function completeReferrals(shop: string, deps: CompletionDeps): Promise<CompletionResult> {
  const now = deps.now ?? (() => new Date());
  const settings = await getReferralSettings(shop);
  const result: CompletionResult = {
    nextDueAt: null,
    announced: 0,
    issued: 0,
    ordered: 0,
    rewarded: 0,
    refused: 0,
    clawedBack: 0,
    expired: 0,
    waiting: 0,
  };
  const open = await openReferrals(shop);
  // "Referral completed" sends that failed or were refused: sent again (bounded), once per pass
  const records = await announcementRecords(shop, REFERRAL_TRIGGER, [
    ...new Set(open.filter((r) => r.state === "rewarded").map((r) => r.referrerId)),
  ]);
  const pending = new Map(records.filter((a) => a.state === "pending").map((a) => [a.sourceKey, a.attempts]));
  for (const r of open) {
    const at = now();
    const attempts = r.state === "rewarded" ? pending.get(referralKeys.reward(r.id)) : undefined;
    if (attempts !== undefined && r.orderId && (await announceCompleted(shop, r, r.orderId, deps.client, at, attempts)))
      result.announced++;
    if (r.state === "reserved") {
      if (at.getTime() - r.updatedAt.getTime() >= REFERRAL_GRACE_MS && (await createFriendCode(shop, r, deps.client)))
        result.issued++;
      continue;
    }
    if (r.state === "issued") {
      const order = await orderCarryingCode(shop, r.code, new Date(r.createdAt.getTime() - DAY_MS));
      if (order && !order.test && !order.deleted) {
        if (await markOrdered(shop, r.id, order)) result.ordered++;
        await settle(shop, (await getReferral(shop, r.id))!, settings, deps.client, at, result);
      } else if (at.getTime() > r.expiresAt.getTime() + DAY_MS) {
        if (await markExpired(shop, r.id)) result.expired++;
      }
      continue;
    }
    await settle(shop, r, settings, deps.client, at, result);
  }
  return result;
}

async function settle(
  shop: string,
  r: Referral,
  settings: ReferralSettings,
  client: AdminClient,
  at: Date,
  result: CompletionResult,
) {
  if (!r.orderId || !r.orderedAt) return;
  const order = await ledgerOrder(shop, r.orderId);
  if (!order) return;
  await refreshOrderFigures(shop, r.id, order);
  if (r.state === "rewarded") {
    const points = clawbackPoints({
      order,
      minimumSubtotalMinor: r.offer.minimumSubtotalMinor,
      rewardPoints: r.rewardPoints ?? 0,
      available: await availablePoints(shop, r.referrerId, at),
    });
    if (points === null) return;
    if (points > 0) {
      const entry = adjustmentEntry(
        referralKeys.clawback(r.id),
        {
          points: -points,
          reason: `Referral reward taken back: order ${order.id} cancelled or refunded`,
          kind: "adjustment",
        },
        at.getTime(),
      );
      const appended = await appendAdjustment(shop, r.referrerId, entry, REFERRAL_ACTOR, at);
      if (appended.outcome === "insufficient") return; // the balance moved meanwhile: the next pass tries again
    }
    if (await markClawedBack(shop, r.id, points, at)) result.clawedBack++;
    return;
  }
  if (r.state !== "ordered") return;
  const decision = completionDecision({
    now: at.getTime(),
    settings,
    order: {
      processedAt: order.processedAt.getTime(),
      cancelled: order.cancelled || order.deleted,
      valueMinor: order.valueMinor,
    },
    earlierQualifyingOrder: order.customerId
      ? await hasEarlierQualifyingOrder(shop, order.customerId, order.processedAt, order.id)
      : false,
    shared:
      order.processedAt.getTime() + settings.returnWindowDays * DAY_MS <= at.getTime()
        ? await sharedWithReferrer(shop, r, order.customerId, order.id, client)
        : null,
    rewardedAt: await rewardTimes(shop, r.referrerId),
  });
  if (decision.kind === "wait") {
    result.waiting++;
    result.nextDueAt = result.nextDueAt === null ? decision.until : Math.min(result.nextDueAt, decision.until);
    return;
  }
  if (decision.kind === "refuse") {
    if (await markRefused(shop, r.id, decision.reason)) result.refused++;
    return;
  }
  const points = settings.rewardPoints;
  const entry = adjustmentEntry(
    referralKeys.reward(r.id),
    { points, reason: `Referral completed: order ${order.id}`, kind: "bonus" },
    at.getTime(),
  );
  await appendAdjustment(shop, r.referrerId, entry, REFERRAL_ACTOR, at);
  if (await markRewarded(shop, r.id, points, at)) {
    result.rewarded++;
    await announceCompleted(shop, { ...r, rewardPoints: points }, order.id, client, at, 0);
  }
}

/** At most this many sends of one "Referral completed" (then it is recorded as refused). */
export const REFERRAL_TRIGGER_MAX_ATTEMPTS = 5;

const announcementKey = (shop: string, r: Referral) => ({
  shop,
  customerId: r.referrerId,
  sourceKey: referralKeys.reward(r.id),
  topic: REFERRAL_TRIGGER,
});

/**
 * Sends "Referral completed" through its record (the points triggers' table): claimed first (a racing sender's claim
 * fails and it sends nothing), then marked sent, or left pending for the next pass (refused after the last attempt).
 */
async function announceCompleted(
  shop: string,
  r: Referral,
  orderId: string,
  client: AdminClient,
  at: Date,
  attempts: number,
): Promise<boolean> {
  const key = announcementKey(shop, r);
  const points = r.rewardPoints ?? 0;
  if (!(await claimAnnouncement(key, points, attempts))) return false;
  const accepted =
    (await sendPointsTriggers(shop, { client }, [
      {
        handle: REFERRAL_TRIGGER,
        payload: {
          customer_id: Number(r.referrerId.split("/").pop()),
          points: String(points),
          "friend order": orderId.split("/").pop() ?? orderId,
          "referral code": r.code,
        },
      },
    ])) === 1;
  await recordAnnouncement(
    key,
    accepted ? { sent: true, at } : { sent: false, lastAttempt: attempts + 1 >= REFERRAL_TRIGGER_MAX_ATTEMPTS },
  );
  return accepted;
}

/** The admin's "Run now": the completion pass queued at once (coalesced with one already queued). */
export async function queueReferralsPass(shop: string): Promise<void> {
  await enqueueReferrals(getQueue(), shop);
}

// ---- the merchant's page -----------------------------------------------------------------------------------------

export async function referralsAdmin(shop: string) {
  const [settings, funnel, rows, currency] = await Promise.all([
    getReferralSettings(shop),
    referralFunnel(shop),
    listReferrals(shop, 100),
    shopCurrency(shop),
  ]);
  return { settings, funnel, rates: funnelRates(funnel), rows, currency };
}
