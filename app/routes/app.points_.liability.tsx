// The points liability report (docs/rules.md#liability-and-breakage): points outstanding and their value at the best
// active redemption rate, the breakage estimate, programme totals and the movements per month in the shop's zone,
// with the CSV for the accountant (/app/points/liability/csv).
import { useState } from "react";
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, DataTable, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { pointsLiability } from "../services/points-liability.server";
import { MOVEMENT_COLUMNS } from "../domain/points-liability";
import { downloadFile } from "../components/download";
import { formatDate, formatMoney, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return json({ report: await pointsLiability(session.shop) });
};

export default function PointsLiability() {
  const { report } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const [downloading, setDownloading] = useState(false);
  const n = (value: number) => formatNumber(locale, value);
  const money = (minor: number) => formatMoney(locale, minor, report.currency);
  const save = async () => {
    setDownloading(true);
    try {
      await downloadFile("/app/points/liability/csv", "points-liability.csv");
    } finally {
      setDownloading(false);
    }
  };
  const figure = (label: string, value: string, help?: string) => (
    <BlockStack gap="100">
      <Text as="h2" variant="headingSm">
        {label}
      </Text>
      <Text as="p" variant="headingXl">
        {value}
      </Text>
      {help ? (
        <Text as="p" variant="bodySm" tone="subdued">
          {help}
        </Text>
      ) : null}
    </BlockStack>
  );
  const { breakage } = report;
  return (
    <Page
      backAction={{ content: t("app.nav.points"), url: "/app/points" }}
      title={t("pointsReport.liability.title")}
      subtitle={t("pointsReport.liability.subtitle", {
        date: formatDate(locale, report.asOf, { dateStyle: "medium", timeStyle: "short" }),
        zone: report.timeZone,
      })}
      secondaryActions={[{ content: t("pointsReport.liability.download"), onAction: save, loading: downloading }]}
    >
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
            <Card>
              {figure(
                t("pointsReport.liability.outstanding"),
                n(report.outstanding.total),
                `${t("pointsReport.liability.available")}: ${n(report.outstanding.available)} · ${t(
                  "pointsReport.liability.pending",
                )}: ${n(report.outstanding.pending)}`,
              )}
            </Card>
            <Card>
              {figure(
                t("pointsReport.liability.value"),
                report.valueMinor === null ? "—" : money(report.valueMinor),
                report.rate
                  ? t("pointsReport.liability.rate", {
                      reward: report.rate.title,
                      value: money(report.rate.valueMinor),
                      points: n(report.rate.pointsPrice),
                    })
                  : t("pointsReport.liability.noRate"),
              )}
            </Card>
            <Card>
              {figure(
                t("pointsReport.liability.breakage"),
                breakage.basisPoints === null
                  ? "—"
                  : `${formatNumber(locale, breakage.basisPoints / 100, { maximumFractionDigits: 2 })}%`,
                breakage.basisPoints === null
                  ? t("pointsReport.liability.notEnoughHistory", { min: n(breakage.minSettled) })
                  : t("pointsReport.liability.breakageFormula", { points: n(breakage.settled) }),
              )}
              {report.expectedCostMinor !== null && breakage.basisPoints !== null ? (
                <Text as="p" variant="bodySm">
                  {t("pointsReport.liability.expectedCost")}: {money(report.expectedCostMinor)}
                </Text>
              ) : null}
            </Card>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("pointsReport.liability.months")}
              </Text>
              {report.months.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("pointsReport.liability.empty")}
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", ...MOVEMENT_COLUMNS.map(() => "numeric" as const)]}
                  headings={[
                    t("pointsReport.liability.month"),
                    ...MOVEMENT_COLUMNS.map((c) => t(`pointsReport.liability.${c}`)),
                  ]}
                  rows={[...report.months].reverse().map((m) => [m.month, ...MOVEMENT_COLUMNS.map((c) => n(m[c]))])}
                  totals={["", ...MOVEMENT_COLUMNS.map((c) => n(report.totals[c]))]}
                  totalsName={{
                    singular: t("pointsReport.liability.total"),
                    plural: t("pointsReport.liability.total"),
                  }}
                  showTotalsInFooter
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
