// One campaign: what it earned (recipients, holdout, redemptions, revenue, conversion and incremental revenue against
// the holdout with 95 % intervals, discount cost and ROI — docs/campaigns.md), its recipients and their codes (CSV),
// pause / resume / archive, and its settings.
import { useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { campaignPage, submitCampaign, type CampaignFormResult } from "../services/campaigns.server";
import { CampaignForm } from "../components/CampaignForm";
import { CampaignAbReport } from "../components/CampaignAbReport";
import { CampaignGroups } from "../components/CampaignGroups";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../i18n/format";
import { useLocale } from "../i18n/react";
import { downloadFile } from "../components/download";
import { CampaignLineReport } from "../components/CampaignLineReport";
import { campaignLinePanel } from "../services/campaign-line.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [page, line] = await Promise.all([
    campaignPage(session.shop, params.id ?? ""),
    campaignLinePanel(session.shop, params.id ?? ""),
  ]);
  if (!page || !line) throw new Response("Not found", { status: 404 });
  return { ...page, line };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const result = await submitCampaign(session.shop, params.id ?? "", await request.formData());
  if (!result) throw new Response("Not found", { status: 404 });
  return json(result, { status: result.ok ? 200 : 400 });
};

const STATUS_TONE = { active: "success", paused: "attention", archived: undefined } as const;

export default function CampaignDetail() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const save = useFetcher<CampaignFormResult>();
  const status = useFetcher<CampaignFormResult>();
  const revalidator = useRevalidator();
  const [downloading, setDownloading] = useState(false);
  const s = data.stats;
  const money = (minor: number | null) =>
    minor === null ? t("campaigns.report.none") : formatMoney(locale, Math.round(minor), data.currency);
  const pct = (share: number | null) => (share === null ? t("campaigns.report.none") : formatPercent(locale, share));
  const n = (x: number) => formatNumber(locale, x);
  const points = (share: number) =>
    t("campaigns.report.points", {
      value: formatNumber(locale, share * 100, { maximumFractionDigits: 1, signDisplay: "exceptZero" }),
    });
  const c = data.campaign;

  const act = (intent: "pause" | "resume" | "archive") => status.submit({ intent }, { method: "post" });
  const download = async () => {
    setDownloading(true);
    try {
      await downloadFile(`/app/campaigns/${c.id}/csv`, "campaign.csv");
    } finally {
      setDownloading(false);
    }
  };

  const kpi = (label: string, value: string, detail?: string) => (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="bodySm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        {detail ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {detail}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
  const interval = (iv: { low: number; high: number } | null, format: (x: number) => string) =>
    iv
      ? t("campaigns.report.interval", { low: format(iv.low), high: format(iv.high) })
      : t("campaigns.report.noInterval");

  return (
    <Page
      title={c.name}
      titleMetadata={<Badge tone={STATUS_TONE[c.status]}>{t(`campaigns.status.${c.status}`)}</Badge>}
      subtitle={t("campaigns.report.since", { date: formatDate(locale, c.startedAt) })}
      backAction={{ content: t("campaigns.title"), url: "/app/campaigns" }}
      primaryAction={
        c.status === "active"
          ? { content: t("campaigns.pause"), onAction: () => act("pause"), loading: status.state !== "idle" }
          : c.status === "paused"
            ? { content: t("campaigns.resume"), onAction: () => act("resume"), loading: status.state !== "idle" }
            : undefined
      }
      secondaryActions={[
        ...(c.status !== "archived"
          ? [{ content: t("campaigns.archive"), onAction: () => act("archive"), destructive: true }]
          : [{ content: t("campaigns.restore"), onAction: () => act("resume") }]),
        { content: t("campaigns.refresh"), onAction: () => revalidator.revalidate() },
      ]}
    >
      <Layout>
        {save.data?.ok ? (
          <Layout.Section>
            <Banner tone="success" title={t("campaigns.saved")} />
          </Layout.Section>
        ) : null}
        {data.failed > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title={t("campaigns.report.failedTitle", { count: data.failed })}>
              <p>{t("campaigns.report.failedHelp")}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
              {kpi(
                t("campaigns.report.recipients"),
                n(s.recipients),
                data.waiting ? t("campaigns.report.waiting", { count: data.waiting }) : undefined,
              )}
              {kpi(t("campaigns.report.holdout"), n(s.holdout))}
              {kpi(
                t("campaigns.report.redemptions"),
                n(s.redemptions),
                t("campaigns.report.redemptionRate", { rate: pct(s.redemptionRate) }),
              )}
              {kpi(
                t("campaigns.report.redeemedRevenue"),
                money(s.redeemedRevenueMinor),
                t("campaigns.report.discountCost", { amount: money(s.discountCostMinor) }),
              )}
            </InlineGrid>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("campaigns.report.liftTitle")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("campaigns.report.liftHelp", { days: c.offer.expiryDays })}
                </Text>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "text"]}
                  headings={[
                    t("campaigns.report.measure"),
                    t("campaigns.report.recipients"),
                    t("campaigns.report.holdout"),
                    t("campaigns.report.difference"),
                    t("campaigns.report.interval95"),
                  ]}
                  rows={[
                    [
                      t("campaigns.report.conversion"),
                      pct(s.conversionRecipients),
                      pct(s.conversionHoldout),
                      s.conversionLift === null ? t("campaigns.report.none") : points(s.conversionLift),
                      interval(s.conversionLiftInterval, points),
                    ],
                    [
                      t("campaigns.report.revenuePerCustomer"),
                      money(s.revenuePerRecipientMinor),
                      money(s.revenuePerHoldoutMinor),
                      s.revenuePerRecipientMinor !== null && s.revenuePerHoldoutMinor !== null
                        ? money(s.revenuePerRecipientMinor - s.revenuePerHoldoutMinor)
                        : t("campaigns.report.none"),
                      t("campaigns.report.none"),
                    ],
                    [
                      t("campaigns.report.incrementalRevenue"),
                      "",
                      "",
                      money(s.incrementalRevenueMinor),
                      interval(s.incrementalRevenueInterval, (x) => money(x)),
                    ],
                    [
                      t("campaigns.report.roi"),
                      "",
                      "",
                      s.roi === null ? t("campaigns.report.none") : formatPercent(locale, s.roi),
                      t("campaigns.report.roiHelp", { cost: money(s.discountCostMinor) }),
                    ],
                  ]}
                />
              </BlockStack>
            </Card>
            <CampaignLineReport line={data.line} />
            <CampaignGroups
              {...data.groups}
              currency={data.currency}
              segmentNames={data.segmentNames}
              tierNames={Object.fromEntries(data.tiers.map((tier) => [tier.key, tier.name]))}
            />
            {data.ab ? (
              <CampaignAbReport ab={data.ab} currency={data.currency} windowDays={c.offer.expiryDays} />
            ) : null}
            <Card padding="0">
              <BlockStack gap="0">
                <Card>
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h2" variant="headingMd">
                      {t("campaigns.report.membersTitle", { count: data.recipientCount })}
                    </Text>
                    <Button onClick={download} loading={downloading} disabled={data.recipientCount === 0}>
                      {t("campaigns.report.download")}
                    </Button>
                  </InlineStack>
                </Card>
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={[
                    t("campaigns.report.customer"),
                    t("campaigns.report.group"),
                    t("campaigns.report.code"),
                    t("campaigns.report.expires"),
                    t("campaigns.report.state"),
                  ]}
                  rows={data.recipients.map((r) => [
                    r.customerId.split("/").pop() ?? r.customerId,
                    r.holdout
                      ? t("campaigns.report.holdoutMember")
                      : r.variant
                        ? `${t("campaigns.report.recipient")} · ${r.variant}`
                        : t("campaigns.report.recipient"),
                    r.code ?? "",
                    r.expiresAt ? formatDate(locale, r.expiresAt) : "",
                    r.holdout
                      ? ""
                      : r.redeemed
                        ? t("campaigns.report.redeemed")
                        : r.issued
                          ? t("campaigns.report.issued")
                          : r.failure
                            ? t("campaigns.report.failed")
                            : t("campaigns.report.pending"),
                  ])}
                  footerContent={
                    data.recipientCount > data.recipients.length
                      ? t("campaigns.report.showing", { shown: data.recipients.length, total: data.recipientCount })
                      : undefined
                  }
                />
              </BlockStack>
            </Card>
            <Text as="h2" variant="headingMd">
              {t("campaigns.settingsTitle")}
            </Text>
            <CampaignForm
              initial={data.values}
              currency={data.currency}
              segmentNames={data.segmentNames}
              tiers={data.tiers}
              insightChoices={data.insightChoices}
              issues={save.data && !save.data.ok ? save.data.issues : []}
              busy={save.state !== "idle"}
              submitLabel={t("campaigns.saveChanges")}
              // the quota is shown with the LINE figures above; the option itself here
              line={{ connected: data.line.connected, quota: null, followingByLocale: {}, mode: data.line.mode }}
              onSubmit={(form) => save.submit(form, { method: "post" })}
            />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
