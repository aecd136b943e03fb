// Dashboard: customers per segment and tier with the change over 30 days, segment sizes over 12 weeks and the tier
// distribution (polaris-viz, the charts of Shopify's admin), backfill and sync progress that updates while it moves,
// the last recompute, and what needs attention.
import { useEffect } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  DataTable,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import { BarChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { dashboard } from "../services/dashboard.server";
import { checkAccessAgain } from "../services/access.server";
import { formatDate, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";
import { ChartFigure } from "../components/ChartFigure";

export const links = () => [{ rel: "stylesheet", href: polarisVizStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return dashboard(session.shop);
};

/** "Check again" after access was granted outside the app (protected customer data): parked jobs run again. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") !== "check-access") return Response.json({ error: "unknown intent" }, { status: 400 });
  return checkAccessAgain(session.shop);
};

const STATUS_TONE = { installed: "success", uninstalled: "warning", redacted: "critical", unknown: "info" } as const;
const RUN_TONE = { done: "success", failed: "critical", running: "info", waiting: "warning" } as const;
const POLL_MS = 3000;

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const revalidator = useRevalidator();
  // Live progress: while a backfill, sync or job runs, the data is read again every few seconds.
  useEffect(() => {
    if (!data.busy) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), POLL_MS);
    return () => clearInterval(timer);
  }, [data.busy, revalidator]);

  const n = (value: number) => formatNumber(locale, value);
  const change = (value: number) => (value === 0 ? "—" : `${value > 0 ? "+" : "−"}${n(Math.abs(value))}`);
  const segmentName = (key: string) => data.segmentNames[key]?.trim() || t(`segment.${key}`);
  const tierName = (key: string) =>
    key === "" ? t("customers.noTier") : (data.currencyTiers.find((x) => x.key === key)?.name ?? key);
  const { backfill, sync, problems } = data;
  const expected = backfill
    ? backfill.phase === "customers"
      ? backfill.customers.expected
      : backfill.orders.expected
    : null;
  const read = backfill ? (backfill.phase === "customers" ? backfill.customers.read : backfill.orders.read) : 0;
  const hasProblems = problems.refusedCustomers > 0 || problems.deadJobs > 0 || problems.tierFailures.length > 0;

  return (
    <PolarisVizProvider>
      <Page title={t("app.title")}>
        <Layout>
          <AccessBanner access={data.access} />
          {hasProblems ? (
            <Layout.Section>
              <Banner tone="critical" title={t("dashboard.problems")}>
                <BlockStack gap="100">
                  {problems.refusedCustomers > 0 ? (
                    <p>
                      {t("dashboard.problemRefused", {
                        count: problems.refusedCustomers,
                        formattedCount: n(problems.refusedCustomers),
                      })}
                    </p>
                  ) : null}
                  {problems.deadJobs > 0 ? (
                    <p>
                      {t("dashboard.problemDeadJobs", {
                        count: problems.deadJobs,
                        formattedCount: n(problems.deadJobs),
                      })}
                    </p>
                  ) : null}
                  {problems.tierFailures.map((f) => (
                    <p key={f.tier}>{t("dashboard.problemTier", { tier: tierName(f.tier), failure: f.failure })}</p>
                  ))}
                </BlockStack>
              </Banner>
            </Layout.Section>
          ) : null}
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <InlineStack gap="200" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {data.shop}
                  </Text>
                  <Badge tone={STATUS_TONE[data.status]}>{t(`status.${data.status}`)}</Badge>
                </InlineStack>
                <Text as="p" variant="bodyMd">
                  {t("dashboard.ledgerCounts", { customers: n(data.customers), orders: n(data.orders) })}
                </Text>
                <Text as="p" variant="bodyMd" tone="subdued">
                  {data.lastRecompute
                    ? t("dashboard.lastRecompute", {
                        date: formatDate(locale, data.lastRecompute.finishedAt, {
                          dateStyle: "medium",
                          timeStyle: "short",
                        }),
                        reason: t(`customer.reason.${data.lastRecompute.reason}`, {
                          defaultValue: data.lastRecompute.reason,
                        }),
                      })
                    : t("dashboard.notComputed")}
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section variant="oneHalf">
            <Card>
              <BlockStack gap="200">
                <InlineStack gap="200" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t("dashboard.backfill")}
                  </Text>
                  {backfill ? (
                    <Badge tone={RUN_TONE[backfill.status as keyof typeof RUN_TONE] ?? "info"}>
                      {t(`run.${backfill.status}`, { defaultValue: backfill.status })}
                    </Badge>
                  ) : null}
                </InlineStack>
                {backfill ? (
                  <>
                    <ProgressBar
                      progress={
                        backfill.status === "done"
                          ? 100
                          : expected
                            ? Math.min(100, Math.round((100 * read) / expected))
                            : 0
                      }
                      size="small"
                    />
                    <Text as="p" variant="bodySm" tone="subdued">
                      {t("dashboard.backfillCounts", {
                        customers: n(backfill.customers.read),
                        orders: n(backfill.orders.read),
                      })}
                    </Text>
                  </>
                ) : (
                  <Text as="p" tone="subdued">
                    {t("dashboard.backfillNone")}
                  </Text>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section variant="oneHalf">
            <Card>
              <BlockStack gap="200">
                <InlineStack gap="200" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t("dashboard.sync")}
                  </Text>
                  {sync.lastRun ? (
                    <Badge tone={RUN_TONE[sync.lastRun.status as keyof typeof RUN_TONE] ?? "info"}>
                      {t(`run.${sync.lastRun.status}`)}
                    </Badge>
                  ) : null}
                </InlineStack>
                <ProgressBar
                  progress={
                    data.customers === 0
                      ? 0
                      : Math.min(100, Math.round((100 * sync.customersWritten) / Math.max(1, data.customers)))
                  }
                  size="small"
                />
                <Text as="p" variant="bodySm">
                  {t("dashboard.syncCounts", { written: n(sync.customersWritten), refused: n(sync.customersFailing) })}
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  {sync.pending + sync.inFlight > 0
                    ? t("dashboard.syncPending")
                    : sync.lastRun
                      ? t("dashboard.syncLastRun", {
                          date: formatDate(locale, sync.lastRun.startedAt, { dateStyle: "medium", timeStyle: "short" }),
                          synced: n(sync.lastRun.synced),
                          requests: n(sync.lastRun.requests),
                          points: n(sync.lastRun.costPoints),
                        })
                      : t("dashboard.syncNever")}
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("dashboard.segmentsOverTime")}
                </Text>
                <ChartFigure height={280} label={t("dashboard.segmentsChartLabel")}>
                  <LineChart
                    data={data.segments
                      .filter((s) => s.key !== "prospect")
                      .map((s) => ({
                        name: segmentName(s.key),
                        data: data.segmentHistory.map((w) => ({
                          key: formatDate(locale, w.at, { month: "short", day: "numeric" }),
                          value: w.counts[s.key] ?? 0,
                        })),
                      }))}
                    theme="Light"
                  />
                </ChartFigure>
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section variant="oneHalf">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("dashboard.segments")}
                </Text>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric"]}
                  headings={[t("segments.column.segment"), t("segments.column.customers"), t("dashboard.change30")]}
                  rows={data.segments.map((s) => [segmentName(s.key), n(s.customers), change(s.change)])}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section variant="oneHalf">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("dashboard.tiers")}
                </Text>
                <ChartFigure height={220} label={t("dashboard.tiersChartLabel")}>
                  <BarChart
                    data={[
                      {
                        name: t("segments.column.customers"),
                        data: data.tiers.map((x) => ({ key: tierName(x.key), value: x.customers })),
                      },
                    ]}
                    theme="Light"
                  />
                </ChartFigure>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric"]}
                  headings={[t("tiers.column.tier"), t("segments.column.customers"), t("dashboard.change30")]}
                  rows={data.tiers.map((x) => [tierName(x.key), n(x.customers), change(x.change)])}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>
      </Page>
    </PolarisVizProvider>
  );
}

type AccessView = ReturnType<typeof useLoaderData<typeof loader>>["access"];

/** What does not work for lack of access, what fixes it and who can; "Check again" once it is granted. */
function AccessBanner({ access }: { access: AccessView }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<{ resumed: number }>();
  const revalidator = useRevalidator();
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data) revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.state, fetcher.data]);
  if (access.items.length === 0 && access.parkedJobs === 0) return null;
  const paused = access.items.some((i) => i.state === "paused") || access.parkedJobs > 0;
  const checkAgain = () => {
    const form = new FormData();
    form.set("intent", "check-access");
    fetcher.submit(form, { method: "post" });
  };
  return (
    <Layout.Section>
      <Banner
        tone={paused ? "critical" : "warning"}
        title={t(paused ? "dashboard.accessTitle" : "dashboard.accessLimitedTitle")}
        action={{ content: t("dashboard.accessCheckAgain"), onAction: checkAgain, loading: fetcher.state !== "idle" }}
      >
        <BlockStack gap="200">
          {access.items.map((item) => (
            <BlockStack gap="050" key={item.feature}>
              <InlineStack gap="200" blockAlign="center">
                <Text as="span" fontWeight="semibold">
                  {t(`dashboard.accessFeature.${item.feature}`)}
                </Text>
                <Badge tone={item.state === "paused" ? "critical" : "warning"}>
                  {t(`dashboard.accessState.${item.state}`)}
                </Badge>
              </InlineStack>
              <Text as="p">
                {t(`dashboard.accessAction.${item.action}`, {
                  scopes: item.scopes.join(", "),
                  fields: item.fields.map((f) => t(`dashboard.accessField.${f}`)).join(", "),
                })}
              </Text>
            </BlockStack>
          ))}
          {access.parkedJobs > 0 ? (
            <Text as="p">
              {t("dashboard.accessParked", {
                count: access.parkedJobs,
                formattedCount: formatNumber(locale, access.parkedJobs),
              })}
            </Text>
          ) : null}
          {access.refusals.map((r) => (
            <Text as="p" tone="subdued" key={r.message}>
              {t("dashboard.accessDetails", { message: r.message })}
            </Text>
          ))}
        </BlockStack>
      </Banner>
    </Layout.Section>
  );
}
