// Dashboard (first version): the shop's install state, what the ledger holds, and the sync to Shopify.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { dashboardOverview } from "../services/status.server";
import { formatDate, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return dashboardOverview(session.shop);
};

const STATUS_TONE = { installed: "success", uninstalled: "warning", redacted: "critical", unknown: "info" } as const;
const RUN_TONE = { done: "success", failed: "critical", running: "info" } as const;

export default function Dashboard() {
  const overview = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const n = (value: number) => formatNumber(locale, value);
  const { sync } = overview;
  const jobs = Object.entries(overview.jobs).map(([state, count]) => `${t(`dashboard.jobState.${state}`)} ${n(count)}`);
  return (
    <Page title={t("app.title")}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {overview.shop}
                </Text>
                <Badge tone={STATUS_TONE[overview.status]}>{t(`status.${overview.status}`)}</Badge>
              </InlineStack>
              <Text as="p" variant="bodyMd" tone="subdued">
                {overview.installedAt ? t("dashboard.installedOn", { date: formatDate(locale, overview.installedAt) }) : t("dashboard.notInstalled")}
              </Text>
              <Text as="p" variant="bodyMd">
                {overview.scopes.length ? t("dashboard.access", { scopes: overview.scopes.join(", ") }) : t("dashboard.accessNone")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t("dashboard.ledger")}
              </Text>
              <Text as="p" variant="bodyMd">
                {t("dashboard.ledgerCounts", { customers: n(overview.customers), orders: n(overview.orders) })}
              </Text>
              <Text as="p" variant="bodyMd" tone="subdued">
                {jobs.length ? t("dashboard.jobs", { list: jobs.join(", ") }) : t("dashboard.jobsNone")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {t("dashboard.sync")}
                </Text>
                {sync.lastRun ? <Badge tone={RUN_TONE[sync.lastRun.status as keyof typeof RUN_TONE] ?? "info"}>{t(`run.${sync.lastRun.status}`)}</Badge> : null}
              </InlineStack>
              <Text as="p" variant="bodyMd">
                {t("dashboard.syncCounts", { written: n(sync.customersWritten), refused: n(sync.customersFailing) })}
              </Text>
              <Text as="p" variant="bodyMd" tone="subdued">
                {sync.lastRun
                  ? t("dashboard.syncLastRun", {
                      date: formatDate(locale, sync.lastRun.startedAt, { dateStyle: "medium", timeStyle: "short" }),
                      synced: n(sync.lastRun.synced),
                      requests: n(sync.lastRun.requests),
                      points: n(sync.lastRun.costPoints),
                    })
                  : t("dashboard.syncNever")}
              </Text>
              {sync.pending + sync.inFlight > 0 ? (
                <Text as="p" variant="bodyMd" tone="subdued">
                  {t("dashboard.syncPending")}
                </Text>
              ) : null}
              {sync.failures.slice(0, 3).map((f) => (
                <Text as="p" variant="bodySm" tone="critical" key={f.customerId}>
                  {f.customerId.split("/").pop()}: {f.message}
                </Text>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
