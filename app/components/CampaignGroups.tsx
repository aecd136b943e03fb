// The campaign report's "who responds": a table per RFM segment and per tier (as recorded when each member was
// chosen) with recipients, holdout, the conversion of each, the lift with its 95 % interval and revenue per
// recipient; and, for a sign-up campaign, first orders within N days of signing up (docs/campaigns.md).
import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import type { FirstOrderWithin, GroupRow } from "../domain/campaign-groups";
import { formatMoney, formatNumber, formatPercent } from "../i18n/format";
import { useLocale } from "../i18n/react";

interface Interval {
  low: number;
  high: number;
}
type Row = Omit<GroupRow, "conversionLiftInterval"> & { conversionLiftInterval: Interval | null };

export function CampaignGroups({
  segments,
  tiers,
  firstOrder,
  currency,
  segmentNames,
  tierNames,
}: {
  segments: Row[];
  tiers: Row[];
  firstOrder: FirstOrderWithin | null;
  currency: string;
  segmentNames: Record<string, string>;
  tierNames: Record<string, string>;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const none = t("campaignResponse.notYet");
  const pct = (x: number | null) => (x === null ? none : formatPercent(locale, x));
  const points = (x: number) =>
    t("campaigns.report.points", {
      value: formatNumber(locale, x * 100, { maximumFractionDigits: 1, signDisplay: "exceptZero" }),
    });
  const lift = (r: Row) =>
    r.conversionLift === null
      ? none
      : r.conversionLiftInterval
        ? `${points(r.conversionLift)} (${t("campaigns.report.interval", {
            low: points(r.conversionLiftInterval.low),
            high: points(r.conversionLiftInterval.high),
          })})`
        : points(r.conversionLift);
  const table = (title: string, rows: Row[], name: (key: string) => string) => (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">
        {title}
      </Text>
      {rows.length === 0 ? (
        <Text as="p" tone="subdued">
          {t("campaignResponse.empty")}
        </Text>
      ) : (
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "text", "numeric"]}
          headings={[
            t("campaignResponse.group"),
            t("campaignResponse.recipients"),
            t("campaignResponse.holdout"),
            t("campaignResponse.conversionRecipients"),
            t("campaignResponse.conversionHoldout"),
            t("campaignResponse.lift"),
            t("campaignResponse.revenuePerRecipient"),
          ]}
          rows={rows.map((r) => [
            r.key === null ? t("campaignResponse.noGroup") : name(r.key),
            formatNumber(locale, r.recipients),
            formatNumber(locale, r.holdout),
            pct(r.conversionRecipients),
            pct(r.conversionHoldout),
            lift(r),
            r.revenuePerRecipientMinor === null
              ? none
              : formatMoney(locale, Math.round(r.revenuePerRecipientMinor), currency),
          ])}
        />
      )}
    </BlockStack>
  );
  return (
    <div id="campaign-groups">
      <Card>
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            {t("campaignResponse.byGroupTitle")}
          </Text>
          <Text as="p" tone="subdued">
            {t("campaignResponse.byGroupHelp")}
          </Text>
          {firstOrder ? (
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm">
                {t("campaignResponse.firstOrderTitle", { days: firstOrder.days })}
              </Text>
              <Text as="p">
                {t("campaignResponse.firstOrderRecipients", {
                  rate: pct(firstOrder.rateRecipients),
                  n: formatNumber(locale, firstOrder.recipients),
                })}
                {" · "}
                {t("campaignResponse.firstOrderHoldout", {
                  rate: pct(firstOrder.rateHoldout),
                  n: formatNumber(locale, firstOrder.holdout),
                })}
                {firstOrder.lift !== null && firstOrder.liftInterval
                  ? ` · ${t("campaignResponse.firstOrderLift", {
                      lift: points(firstOrder.lift),
                      low: points(firstOrder.liftInterval.low),
                      high: points(firstOrder.liftInterval.high),
                    })}`
                  : ""}
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                {t("campaignResponse.firstOrderHelp", { days: firstOrder.days })}
              </Text>
            </BlockStack>
          ) : null}
          {table(t("campaignResponse.bySegment"), segments, (k) => segmentNames[k]?.trim() || t(`segment.${k}`))}
          {table(t("campaignResponse.byTier"), tiers, (k) => tierNames[k] ?? k)}
        </BlockStack>
      </Card>
    </div>
  );
}
