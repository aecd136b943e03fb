// The campaign form's LINE option (docs/line-messages.md#campaigns): off, each recipient's code in a push, or an
// announcement to the loyalty page (one multicast per 500). Shown when the shop has connected LINE (or the campaign
// already uses it); with LINE's monthly quota against the members who could be messaged, and a warning before the
// merchant starts a campaign that would go over it.
import { Banner, BlockStack, Card, ChoiceList, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { quotaCheck, type LineMode } from "../domain/campaign-line";
import { formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export interface CampaignLineContext {
  connected: boolean;
  quota: { ok: true; limit: number | null; used: number } | { ok: false; reason: string; detail: string | null } | null;
  followingByLocale: Record<string, number>;
}

export function CampaignLineOption({
  context,
  value,
  onChange,
  error,
}: {
  context: CampaignLineContext;
  value: LineMode;
  onChange(mode: LineMode): void;
  error?: string;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (!context.connected && value === "off" && !error) return null;
  const n = (x: number) => formatNumber(locale, x);
  const q = context.quota;
  const check =
    q?.ok && value !== "off"
      ? quotaCheck(
          q.limit === null ? { type: "none" } : { type: "limited", value: q.limit },
          q.used,
          value,
          context.followingByLocale,
        )
      : null;
  return (
    <div data-campaign-line>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("lineMessages.campaign.title")}
          </Text>
          <ChoiceList
            title={t("lineMessages.campaign.modeLabel")}
            choices={(["off", "push", "multicast"] as const).map((mode) => ({
              label: t(`lineMessages.campaign.mode.${mode}`),
              value: mode,
              helpText: t(`lineMessages.campaign.modeHelp.${mode}`),
            }))}
            selected={[value]}
            onChange={(selected) => onChange(selected[0] as LineMode)}
            error={error}
          />
          {value !== "off" && q && !q.ok && (
            <Banner tone="warning" title={t("lineMessages.campaign.quotaUnavailable")}>
              {q.detail && <p>{q.detail}</p>}
            </Banner>
          )}
          {check && (
            <>
              <Text as="p" tone="subdued">
                {check.remaining === null
                  ? t("lineMessages.campaign.quotaUnlimited", { used: n(check.used) })
                  : t("lineMessages.campaign.quotaFigures", {
                      remaining: n(check.remaining),
                      used: n(check.used),
                      limit: n(check.limit ?? 0),
                    })}{" "}
                {t("lineMessages.campaign.followingFigures", { count: check.needed, formatted: n(check.needed) })}
              </Text>
              {check.exceeds && (
                <Banner tone="warning" title={t("lineMessages.campaign.quotaWarningTitle")}>
                  <p>
                    {t("lineMessages.campaign.quotaWarningBefore", {
                      needed: n(check.needed),
                      remaining: n(check.remaining ?? 0),
                    })}
                  </p>
                </Banner>
              )}
            </>
          )}
        </BlockStack>
      </Card>
    </div>
  );
}
