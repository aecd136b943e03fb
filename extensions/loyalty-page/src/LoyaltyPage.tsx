// The loyalty page in customer accounts (target customer-account.page.render): tier, spend and progress to the next
// tier, when the tier ends, the tier's perks (and the next tier's), the customer's points (available, pending and when
// the next become available, expiring soon, the next reward), the customer's open campaign codes, and a link to the
// programme's storefront page (where points are redeemed). Every text comes from locales/*.json through shopify.i18n.translate; money and
// dates are formatted in the customer's locale by shopify.i18n.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import {
  loadLoyalty,
  loadProgrammeUrl,
  type LoyaltyData,
  type LoyaltyStatus,
  type Offer,
  type Perks,
  type PointsStatus,
} from "./data";

export default async () => {
  render(<LoyaltyPage />, document.body);
};

type PageState = { kind: "loading" } | { kind: "error" } | { kind: "ready"; data: LoyaltyData };

const t = (key: string, replacements?: Record<string, string | number>) => shopify.i18n.translate(key, replacements);

/** An amount in the given currency, or a plain number when the currency is unknown. */
function money(value: number, currency: string | null): string {
  return currency === null
    ? shopify.i18n.formatNumber(value, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : shopify.i18n.formatCurrency(value, { currency });
}

const day = (date: Date) => shopify.i18n.formatDate(date, { year: "numeric", month: "long", day: "numeric" });

/**
 * The perks in one line, in the customer's language, in the same order and shape as the app's own summary ("10% off
 * every order · Free shipping (on orders from $50.00) · Early access"). Falls back to the app's summary when the
 * fields say nothing (a status written by another version of the app).
 */
function perkSummary(perks: Perks, currency: string | null): string {
  const parts: string[] = [];
  if (perks.discountPercent !== null) parts.push(t("perks.percent", { percent: perks.discountPercent }));
  if (perks.freeShipping) {
    parts.push(
      perks.freeShippingMaxPrice === null
        ? t("perks.freeShipping")
        : t("perks.freeShippingUpTo", { amount: money(perks.freeShippingMaxPrice, currency) }),
    );
  }
  let line = parts.join(" · ");
  if (line && perks.minimumPurchase !== null)
    line += ` (${t("perks.minimum", { amount: money(perks.minimumPurchase, currency) })})`;
  if (perks.text) line = line ? `${line} · ${perks.text}` : perks.text;
  return line || perks.summary;
}

function LoyaltyPage() {
  const [state, setState] = useState<PageState>({ kind: "loading" });
  const [programmeUrl, setProgrammeUrl] = useState<string | null>(null);
  useEffect(() => {
    loadLoyalty().then(
      (data) => setState({ kind: "ready", data }),
      () => setState({ kind: "error" }),
    );
    loadProgrammeUrl((query) => shopify.query(query)).then(setProgrammeUrl);
  }, []);

  return (
    <s-page heading={t("page.title")}>
      {state.kind === "loading" && <s-spinner accessibilityLabel={t("page.loading")} />}
      {state.kind === "error" && <s-banner tone="critical">{t("error")}</s-banner>}
      {state.kind === "ready" && (
        <>
          {state.data.status ? <Membership status={state.data.status} /> : state.data.points === null && <NotAMember />}
          {state.data.points !== null && <Points points={state.data.points} />}
          {(state.data.status !== null || state.data.offers.length > 0) && <Offers offers={state.data.offers} />}
        </>
      )}
      {programmeUrl !== null && (
        <s-section>
          <s-link href={programmeUrl}>{t("programme.link")}</s-link>
        </s-section>
      )}
    </s-page>
  );
}

function NotAMember() {
  return (
    <s-section heading={t("empty.heading")}>
      <s-paragraph>{t("empty.body")}</s-paragraph>
    </s-section>
  );
}

function Membership({ status }: { status: LoyaltyStatus }) {
  const { currency, spendInWindow: spend, amountToNext: toNext, nextTierName } = status;
  return (
    <>
      <s-section heading={t("tier.heading", { tier: status.tierName })}>
        <s-stack gap="base">
          {spend !== null && <s-paragraph>{t("tier.spend", { amount: money(spend, currency) })}</s-paragraph>}
          {nextTierName === null && <s-paragraph>{t("tier.top")}</s-paragraph>}
          {nextTierName !== null && spend !== null && toNext !== null && spend + toNext > 0 && (
            <s-progress
              value={spend}
              max={spend + toNext}
              accessibilityLabel={t("tier.progressLabel", { tier: nextTierName })}
            />
          )}
          {nextTierName !== null && toNext !== null && (
            <s-paragraph>{t("tier.toNext", { amount: money(toNext, currency), tier: nextTierName })}</s-paragraph>
          )}
          {status.expiresAt !== null && (
            <s-paragraph color="subdued">
              {t("tier.expires", { tier: status.tierName, date: day(status.expiresAt) })}
            </s-paragraph>
          )}
        </s-stack>
      </s-section>
      {status.perks !== null && <TierPerks status={status} perks={status.perks} />}
    </>
  );
}

function TierPerks({ status, perks }: { status: LoyaltyStatus; perks: Perks }) {
  const summary = perkSummary(perks, status.currency);
  const next = status.nextPerks && status.nextTierName ? perkSummary(status.nextPerks, status.currency) : "";
  return (
    <s-section heading={t("perks.heading")}>
      <s-stack gap="base">
        <s-paragraph>{summary || t("perks.none")}</s-paragraph>
        {perks.automatic && <s-paragraph>{t("perks.automatic")}</s-paragraph>}
        {perks.codes.length > 0 && (
          <s-stack gap="small-200">
            <s-text>{t("perks.codes")}</s-text>
            <s-stack direction="inline" gap="small-200">
              {perks.codes.map((code) => (
                <s-badge key={code}>{code}</s-badge>
              ))}
            </s-stack>
          </s-stack>
        )}
        {next && (
          <s-paragraph color="subdued">{t("perks.next", { tier: status.nextTierName!, perks: next })}</s-paragraph>
        )}
      </s-stack>
    </s-section>
  );
}

const count = (n: number) => shopify.i18n.formatNumber(n);

function Points({ points }: { points: PointsStatus }) {
  return (
    <s-section heading={t("points.heading")}>
      <s-stack gap="base">
        <s-text type="strong">{t("points.available", { points: count(points.available) })}</s-text>
        {points.pending > 0 && (
          <s-paragraph>
            {points.nextAvailable
              ? t("points.pendingNext", {
                  points: count(points.pending),
                  next: count(points.nextAvailable.points),
                  date: day(points.nextAvailable.at),
                })
              : t("points.pending", { points: count(points.pending) })}
          </s-paragraph>
        )}
        {points.expiring && (
          <s-banner tone="warning">
            {t("points.expiring", { points: count(points.expiring.points), date: day(points.expiring.at) })}
          </s-banner>
        )}
        {points.nextReward && (
          <s-paragraph>
            {t("points.nextReward", { points: count(points.nextReward.pointsShort), reward: points.nextReward.title })}
          </s-paragraph>
        )}
        <s-paragraph color="subdued">{t("points.redeem")}</s-paragraph>
      </s-stack>
    </s-section>
  );
}

function offerValue(offer: Offer): string {
  const v = offer.value;
  if (v.kind === "percent") return t("offers.percent", { percent: v.percent });
  if (v.kind === "amount") return t("offers.amount", { amount: money(v.amount, v.currency) });
  return v.text;
}

function Offers({ offers }: { offers: Offer[] }) {
  return (
    <s-section heading={t("offers.heading")}>
      {offers.length === 0 ? (
        <s-paragraph>{t("offers.none")}</s-paragraph>
      ) : (
        <s-stack gap="base">
          {offers.map((offer) => (
            <s-stack key={offer.code} gap="small-200">
              <s-stack direction="inline" gap="small-200" alignItems="center">
                <s-badge>{offer.code}</s-badge>
                <s-text type="strong">{offerValue(offer)}</s-text>
              </s-stack>
              {offer.minimumSubtotal !== null && (
                <s-text color="subdued">
                  {t("offers.minimum", { amount: money(offer.minimumSubtotal, offer.currency) })}
                </s-text>
              )}
              {offer.expiresAt !== null && (
                <s-text color="subdued">{t("offers.expires", { date: day(offer.expiresAt) })}</s-text>
              )}
            </s-stack>
          ))}
        </s-stack>
      )}
    </s-section>
  );
}
