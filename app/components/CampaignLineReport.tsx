// The campaign page's LINE figures (docs/line-messages.md#campaigns): how the campaign uses LINE, its messages sent /
// refused / skipped / waiting, the codes the messaged recipients used, and LINE's monthly quota against the
// recipients still to message — with a warning when they would go over it.
import { Banner, BlockStack, Card, InlineGrid, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import type { QuotaCheck } from "../domain/campaign-line";
import { formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export interface CampaignLineReportData {
  mode: "off" | "push" | "multicast";
  connected: boolean;
  counts: { pending: number; sent: number; refused: number; skipped: number };
  codesUsed: number;
  quota: { ok: true; limit: number | null; used: number } | { ok: false; reason: string; detail: string | null } | null;
  check: QuotaCheck | null;
}

export function CampaignLineReport({ line }: { line: CampaignLineReportData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const n = (x: number) => formatNumber(locale, x);
  const c = line.counts;
  const total = c.pending + c.sent + c.refused + c.skipped;
  if (line.mode === "off" && total === 0) return null;
  const figure = (label: string, value: number, key: string) => (
    <BlockStack gap="100">
      <Text as="h3" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingLg">
        <span data-line-figure={key}>{n(value)}</span>
      </Text>
    </BlockStack>
  );
  return (
    <div data-campaign-line-report>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("lineMessages.campaign.reportTitle")}
          </Text>
          <Text as="p" tone="subdued">
            {t(`lineMessages.campaign.mode.${line.mode}`)}
          </Text>
          {line.check?.exceeds && (
            <Banner tone="warning" title={t("lineMessages.campaign.quotaWarningTitle")}>
              <p>
                {t("lineMessages.campaign.quotaWarningRunning", {
                  needed: n(line.check.needed),
                  remaining: n(line.check.remaining ?? 0),
                })}
              </p>
            </Banner>
          )}
          {line.quota && !line.quota.ok && line.quota.reason !== "not_connected" && (
            <Banner tone="warning" title={t("lineMessages.campaign.quotaUnavailable")}>
              {line.quota.detail && <p>{line.quota.detail}</p>}
            </Banner>
          )}
          <InlineGrid columns={{ xs: 2, md: 5 }} gap="400">
            {figure(t("lineMessages.campaign.sent"), c.sent, "sent")}
            {figure(t("lineMessages.campaign.refused"), c.refused, "refused")}
            {figure(t("lineMessages.campaign.skipped"), c.skipped, "skipped")}
            {figure(t("lineMessages.campaign.pending"), c.pending, "pending")}
            {figure(t("lineMessages.campaign.codesUsed"), line.codesUsed, "codesUsed")}
          </InlineGrid>
          {line.check && (
            <Text as="p" tone="subdued">
              {line.check.remaining === null
                ? t("lineMessages.campaign.quotaUnlimited", { used: n(line.check.used) })
                : t("lineMessages.campaign.quotaFigures", {
                    remaining: n(line.check.remaining),
                    used: n(line.check.used),
                    limit: n(line.check.limit ?? 0),
                  })}{" "}
              {t("lineMessages.campaign.toMessageFigures", {
                count: line.check.needed,
                formatted: n(line.check.needed),
              })}
            </Text>
          )}
        </BlockStack>
      </Card>
    </div>
  );
}
