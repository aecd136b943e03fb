// The customer page's prediction card (docs/predictions.md): P(active), expected purchases in the next 90 days and
// 12 months, expected spend per purchase day, the predicted 12-month value and its band, from the shop's last fit.
import { Badge, BlockStack, Card, InlineStack, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../i18n/format";
import { useLocale } from "../i18n/react";

export interface CustomerPredictionView {
  pAlive: number;
  expected90: number;
  expected365: number;
  /** Minor units as decimal text (exact). */
  avgSpendMinor: string | null;
  clv12Minor: string | null;
  band: string | null;
  asOf: string;
  churnThreshold: number;
}

export function CustomerPredictionCard({
  prediction,
  currency,
}: {
  prediction: CustomerPredictionView | null;
  currency: string;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const money = (minor: string | null) => (minor === null ? "—" : formatMoney(locale, Number(minor), currency));
  const line = (label: string, value: string) => (
    <InlineStack align="space-between" gap="200" wrap={false}>
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span" fontWeight="semibold">
        {value}
      </Text>
    </InlineStack>
  );
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between">
          <Text as="h2" variant="headingMd">
            {t("predictions.card.title")}
          </Text>
          {prediction && prediction.pAlive < prediction.churnThreshold ? (
            <Badge tone="warning">{t("predictions.card.likelyLost")}</Badge>
          ) : null}
        </InlineStack>
        {prediction ? (
          <>
            {line(t("predictions.card.pAlive"), formatPercent(locale, prediction.pAlive))}
            {line(
              t("predictions.card.expected90"),
              formatNumber(locale, prediction.expected90, { maximumFractionDigits: 2 }),
            )}
            {line(
              t("predictions.card.expected365"),
              formatNumber(locale, prediction.expected365, { maximumFractionDigits: 2 }),
            )}
            {line(t("predictions.card.spend"), money(prediction.avgSpendMinor))}
            {line(t("predictions.card.clv"), money(prediction.clv12Minor))}
            {line(t("predictions.card.band"), prediction.band ? t(`predictions.bands.${prediction.band}`) : "—")}
            <Text as="p" variant="bodySm" tone="subdued">
              {t("predictions.card.asOf", { date: formatDate(locale, prediction.asOf) })}
            </Text>
          </>
        ) : (
          <Text as="p" tone="subdued">
            {t("predictions.card.none")}
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}
