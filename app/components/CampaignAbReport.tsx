// A campaign's A/B test on its page (docs/campaigns.md "A/B tests"): each group's figures (variants and holdout), the
// comparisons with their always-valid intervals, the verdict ("not enough data to decide yet" until the minimum
// sample), and "End test and send winner" with a confirmation; the server's refusal is shown as a Polaris banner.
import { useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineStack, Select, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import type { CampaignIssue } from "../domain/campaigns";
import type { AbTestReport } from "../domain/campaign-ab-stats";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../i18n/format";
import { useLocale } from "../i18n/react";
import { useVariantIssueText } from "./CampaignVariantFields";

type EndResult = { ok: true; intent: string; id: string } | { ok: false; intent: string; issues: CampaignIssue[] };
type Offer = AbTestReport["variants"][number]["offer"];
type Comparison = AbTestReport["bVsA"]["conversion"];

export function CampaignAbReport({
  ab,
  currency,
  windowDays,
}: {
  ab: AbTestReport;
  currency: string;
  windowDays: number;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const end = useFetcher<EndResult>();
  const issueText = useVariantIssueText();
  const suggested = ab.verdict.kind === "winner" ? ab.verdict.key : "A";
  const [winner, setWinner] = useState<string>(suggested);
  const [confirming, setConfirming] = useState(false);

  const none = t("campaigns.report.none");
  const money = (minor: number | null) => (minor === null ? none : formatMoney(locale, Math.round(minor), currency));
  const pct = (share: number | null) => (share === null ? none : formatPercent(locale, share));
  const points = (share: number) =>
    t("campaigns.report.points", {
      value: formatNumber(locale, share * 100, { maximumFractionDigits: 1, signDisplay: "exceptZero" }),
    });
  const n = (x: number) => formatNumber(locale, x);
  const level = formatPercent(locale, 1 - ab.alphaPerInterval);
  const offerLabel = (offer: Offer) => {
    const main =
      offer.kind === "percentage"
        ? t("campaigns.offerSummary.percentage", { value: offer.value })
        : t("campaigns.offerSummary.fixed", { amount: formatMoney(locale, offer.value, currency) });
    return offer.minimumSubtotalMinor === null
      ? main
      : t("campaignAb.report.offerWithMinimum", {
          offer: main,
          minimum: formatMoney(locale, offer.minimumSubtotalMinor, currency),
        });
  };
  const offerOf = (key: string) => ab.variants.find((v) => v.key === key)?.offer;
  const armName = (key: string) =>
    key === "holdout" ? t("campaignAb.report.armHoldout") : t("campaignAb.report.armVariant", { key });
  const arm = (key: string) => ab.arms.find((a) => a.key === key);

  const interval = (c: Comparison, format: (x: number) => string) =>
    c.interval
      ? t("campaigns.report.interval", { low: format(c.interval.low), high: format(c.interval.high) })
      : t("campaigns.report.noInterval");
  const comparisonRows = (label: string, c: { conversion: Comparison; revenue: Comparison }) => [
    [
      label,
      t("campaignAb.report.conversion"),
      c.conversion.difference === null ? none : points(c.conversion.difference),
      interval(c.conversion, points),
    ],
    [
      label,
      t("campaignAb.report.revenuePerCustomer"),
      c.revenue.difference === null ? none : money(c.revenue.difference),
      interval(c.revenue, (x) => money(x)),
    ],
  ];

  const verdict = ab.verdict;
  const verdictBanner = (() => {
    const a = arm("A")?.units ?? 0;
    const b = arm("B")?.units ?? 0;
    switch (verdict.kind) {
      case "not_enough_data":
        return (
          <Banner tone="warning" title={t("campaignAb.report.verdict.not_enough_data.title")}>
            <p>
              {t("campaignAb.report.verdict.not_enough_data.body", { min: n(ab.minUnitsPerArm), a: n(a), b: n(b) })}
            </p>
          </Banner>
        );
      case "no_difference_yet":
        return (
          <Banner tone="info" title={t("campaignAb.report.verdict.no_difference_yet.title")}>
            <p>{t("campaignAb.report.verdict.no_difference_yet.body")}</p>
          </Banner>
        );
      case "winner":
        return (
          <Banner tone="success" title={t("campaignAb.report.verdict.winner.title", { winner: verdict.key })}>
            <p>
              {t("campaignAb.report.verdict.winner.body", { alpha: formatPercent(locale, ab.alphaPerInterval * 2) })}
            </p>
          </Banner>
        );
      case "conflicting":
        return (
          <Banner tone="warning" title={t("campaignAb.report.verdict.conflicting.title")}>
            <p>{t("campaignAb.report.verdict.conflicting.body")}</p>
          </Banner>
        );
    }
  })();

  const ended = ab.endedAt !== null;
  const refusal = end.data && !end.data.ok ? end.data.issues[0] : null;
  const submitEnd = () => {
    end.submit({ intent: "end_test", winner }, { method: "post" });
    setConfirming(false);
  };

  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {t("campaignAb.report.title")}
          </Text>
          <Badge tone={ended ? undefined : "info"}>
            {ended ? t("campaignAb.report.ended") : t("campaignAb.report.running")}
          </Badge>
        </InlineStack>
        <Text as="p" tone="subdued">
          {t("campaignAb.report.help", { days: windowDays, level })}
        </Text>
        {ended ? (
          <Banner
            tone="info"
            title={t("campaignAb.report.endedOn", { date: formatDate(locale, ab.endedAt!), winner: ab.winner })}
          >
            {ab.afterEnd > 0 ? <p>{t("campaignAb.report.afterEnd", { count: ab.afterEnd })}</p> : null}
          </Banner>
        ) : (
          verdictBanner
        )}
        <BlockStack gap="100">
          {ab.variants.map((v) => (
            <Text as="p" key={v.key}>
              <Text as="span" fontWeight="semibold">
                {armName(v.key)}
              </Text>
              {` · ${offerLabel(v.offer)}`}
            </Text>
          ))}
        </BlockStack>
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "text"]}
          headings={[
            t("campaignAb.report.arm"),
            t("campaignAb.report.analysed"),
            t("campaignAb.report.inWindow"),
            t("campaignAb.report.conversion"),
            t("campaignAb.report.revenuePerCustomer"),
            t("campaignAb.report.discountCost"),
            t("campaignAb.report.roi"),
          ]}
          rows={ab.arms.map((a) => {
            return [
              armName(a.key),
              n(a.units),
              n(a.inWindow),
              pct(a.conversion),
              money(a.revenuePerUnitMinor),
              a.key === "holdout"
                ? none
                : t("campaignAb.report.costWithRedemptions", {
                    cost: money(a.discountCostMinor),
                    count: a.redemptions,
                  }),
              a.roi === null ? (
                none
              ) : (
                <BlockStack gap="050" key={`roi-${a.key}`}>
                  <Text as="span">{formatPercent(locale, a.roi)}</Text>
                  {a.roiInterval ? (
                    <Text as="span" variant="bodySm" tone="subdued">
                      {t("campaigns.report.interval", {
                        low: formatPercent(locale, a.roiInterval.low),
                        high: formatPercent(locale, a.roiInterval.high),
                      })}
                    </Text>
                  ) : null}
                </BlockStack>
              ),
            ];
          })}
        />
        <Text as="h3" variant="headingSm">
          {t("campaignAb.report.comparisons")}
        </Text>
        <DataTable
          columnContentTypes={["text", "text", "numeric", "text"]}
          headings={[
            t("campaignAb.report.comparison"),
            t("campaignAb.report.measure"),
            t("campaignAb.report.difference"),
            t("campaignAb.report.interval", { level }),
          ]}
          rows={[
            ...comparisonRows(t("campaignAb.report.bVsA"), ab.bVsA),
            ...ab.vsHoldout.flatMap((c) => comparisonRows(t("campaignAb.report.vsHoldout", { key: c.key }), c)),
          ]}
        />
        {end.data?.ok ? (
          <Banner tone="success" title={t("campaignAb.report.end.done", { winner })} />
        ) : refusal ? (
          <Banner tone="critical" title={issueText(refusal)} />
        ) : null}
        {!ended ? (
          <BlockStack gap="300">
            <InlineStack gap="300" blockAlign="end">
              <Select
                label={t("campaignAb.report.end.winner")}
                options={ab.variants.map((v) => ({
                  label: `${armName(v.key)} · ${offerLabel(v.offer)}`,
                  value: v.key,
                }))}
                value={winner}
                onChange={setWinner}
              />
              <Button onClick={() => setConfirming(true)} disabled={confirming} loading={end.state !== "idle"}>
                {t("campaignAb.report.end.button")}
              </Button>
            </InlineStack>
            {confirming ? (
              <Banner tone="warning" title={t("campaignAb.report.end.confirmTitle", { winner })}>
                <BlockStack gap="200">
                  <p>
                    {t("campaignAb.report.end.confirmBody", {
                      winner,
                      offer: offerOf(winner) ? offerLabel(offerOf(winner)!) : winner,
                    })}
                  </p>
                  <InlineStack gap="200">
                    <Button variant="primary" tone="critical" onClick={submitEnd}>
                      {t("campaignAb.report.end.confirm")}
                    </Button>
                    <Button onClick={() => setConfirming(false)}>{t("campaignAb.report.end.cancel")}</Button>
                  </InlineStack>
                </BlockStack>
              </Banner>
            ) : null}
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
