// Analytics: retention, repeat purchase rate, purchase frequency, average order value, time between purchases, CLV
// (historical and the simple CLV model) and cohort retention for a chosen period, for the whole shop, per segment
// and per tier (docs/analytics.md), with CSV downloads. A period the query string cannot describe is answered 400.
import { useState, type ReactNode } from "react";
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineError,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { BarChart, PolarisVizProvider } from "@shopify/polaris-viz";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { analyticsPeriodQuery, shopAnalytics, type PeriodChoice } from "../services/analytics.server";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../i18n/format";
import { useLocale } from "../i18n/react";
import { ChartFigure } from "../components/ChartFigure";
import { downloadFile } from "../components/download";
import { fromMinorUnits } from "../domain/money";

export const links = () => [{ rel: "stylesheet", href: polarisVizStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const params = new URL(request.url).searchParams;
  const query = analyticsPeriodQuery(params);
  if (!query.ok) {
    const asked = {
      period: params.get("period") ?? "custom",
      from: params.get("from") ?? "",
      to: params.get("to") ?? "",
    };
    return json({ ok: false as const, error: query.error, asked }, { status: 400 });
  }
  return json({ ok: true as const, ...(await shopAnalytics(session.shop, query.choice)) });
};

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Figures = Extract<Data, { ok: true }>["all"];
const PRESETS = ["30", "90", "365", "all", "custom"] as const;

export default function Analytics() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const asked = data.ok ? choiceFields(data.choice) : data.asked;
  return (
    <PolarisVizProvider>
      <Page title={t("analytics.title")} subtitle={data.ok ? periodText(data) : undefined}>
        <Layout>
          <Layout.Section>
            {/* Keyed by the period shown, so the fields start from it again after each navigation. */}
            <PeriodPicker
              key={`${asked.period}|${asked.from}|${asked.to}`}
              asked={asked}
              error={data.ok ? null : data.error}
              download={data.ok}
            />
          </Layout.Section>
          {data.ok ? <Report data={data} /> : null}
        </Layout>
      </Page>
    </PolarisVizProvider>
  );

  function periodText(d: Extract<Data, { ok: true }>) {
    const day = (value: string) => formatDate(locale, value, { dateStyle: "medium" });
    const range =
      d.days.first === null
        ? t("analytics.allTimeUntil", { to: day(d.days.last) })
        : t("analytics.range", { from: day(d.days.first), to: day(d.days.last) });
    return d.days.previousFirst && d.days.previousLast
      ? `${range} · ${t("analytics.comparedWith", { from: day(d.days.previousFirst), to: day(d.days.previousLast) })}`
      : range;
  }
}

function choiceFields(choice: PeriodChoice) {
  return choice.preset === "custom"
    ? { period: "custom", from: choice.from, to: choice.to }
    : { period: choice.preset, from: "", to: "" };
}

function PeriodPicker({
  asked,
  error,
  download,
}: {
  asked: { period: string; from: string; to: string };
  error: string | null;
  download: boolean;
}) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const [period, setPeriod] = useState((PRESETS as readonly string[]).includes(asked.period) ? asked.period : "365");
  const [from, setFrom] = useState(asked.from);
  const [to, setTo] = useState(asked.to);
  const [downloading, setDownloading] = useState<string | null>(null);
  const go = (next: { period: string; from?: string; to?: string }) => {
    const query = new URLSearchParams(params);
    for (const key of ["period", "from", "to"] as const) {
      const value = next[key];
      if (value) query.set(key, value);
      else query.delete(key);
    }
    setParams(query, { preventScrollReset: true });
  };
  const save = async (table: "summary" | "cohorts") => {
    setDownloading(table);
    try {
      const query = new URLSearchParams();
      for (const key of ["period", "from", "to"]) if (params.get(key)) query.set(key, params.get(key)!);
      query.set("table", table);
      await downloadFile(`/app/analytics/csv?${query}`, `analytics-${table}.csv`);
    } finally {
      setDownloading(null);
    }
  };
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="300" blockAlign="end" wrap>
          <Select
            label={t("analytics.periodLabel")}
            options={PRESETS.map((p) => ({ label: t(`analytics.preset.${p}`), value: p }))}
            value={period}
            onChange={(value) => {
              setPeriod(value);
              if (value !== "custom") go({ period: value });
            }}
          />
          {period === "custom" ? (
            <>
              <TextField
                label={t("analytics.from")}
                type="date"
                value={from}
                onChange={setFrom}
                autoComplete="off"
                error={Boolean(error)}
              />
              <TextField
                label={t("analytics.to")}
                type="date"
                value={to}
                onChange={setTo}
                autoComplete="off"
                error={Boolean(error)}
              />
              <Button onClick={() => go({ period: "custom", from, to })}>{t("analytics.apply")}</Button>
            </>
          ) : null}
          {download ? (
            <InlineStack gap="200">
              <Button onClick={() => save("summary")} loading={downloading === "summary"}>
                {t("analytics.downloadSummary")}
              </Button>
              <Button onClick={() => save("cohorts")} loading={downloading === "cohorts"}>
                {t("analytics.downloadCohorts")}
              </Button>
            </InlineStack>
          ) : null}
        </InlineStack>
        {error ? (
          <>
            <InlineError message={t(`analytics.error.${error}`)} fieldID="analytics-period" />
            <Banner tone="critical" title={t("analytics.error.title")}>
              <p>{t(`analytics.error.${error}`)}</p>
            </Banner>
          </>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function Report({ data }: { data: Extract<Data, { ok: true }> }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [group, setGroup] = useState("all");

  const segmentName = (key: string) => data.segmentNames[key]?.trim() || t(`segment.${key}`);
  const tierName = (key: string) => (key === "" ? t("analytics.noTier") : (data.tierNames[key] ?? key));
  const money = (minor: number | null) =>
    minor === null ? t("analytics.metric.none") : formatMoney(locale, minor, data.currency);
  // Charts scale plain numbers: money in whole units of the currency there (the tables keep exact amounts).
  const major = (minor: number | null) => (minor === null ? null : Number(fromMinorUnits(minor, data.currency)));
  const percent = (rate: number | null) =>
    rate === null ? t("analytics.metric.none") : formatPercent(locale, rate / 100);
  const n = (value: number | null, digits = 0) =>
    value === null ? t("analytics.metric.none") : formatNumber(locale, value, { maximumFractionDigits: digits });

  const segments = data.segments.filter((s) => s.figures.historicalClv.customers > 0);
  const tiers = data.tiers.filter((s) => s.figures.historicalClv.customers > 0);
  const groups = [
    { label: t("analytics.groupAll"), value: "all", figures: data.all },
    ...segments.map((s) => ({
      label: t("analytics.groupSegment", { name: segmentName(s.key) }),
      value: `segment:${s.key}`,
      figures: s.figures,
    })),
    ...tiers.map((s) => ({
      label: t("analytics.groupTier", { name: tierName(s.key) }),
      value: `tier:${s.key}`,
      figures: s.figures,
    })),
  ];
  const chosen = groups.find((g) => g.value === group) ?? groups[0];
  const f = chosen.figures;
  const row = (name: string, g: Figures) => [
    name,
    n(g.customersAtEnd),
    n(g.newCustomers),
    percent(g.retentionRate),
    percent(g.repeatPurchaseRate),
    n(g.purchaseFrequency, 2),
    money(g.averageOrderValueMinor),
    money(g.historicalClv.meanMinor),
    money(g.predictedClv.valueMinor),
  ];
  const columns = [
    t("analytics.column.customers"),
    t("analytics.column.new"),
    t("analytics.column.retention"),
    t("analytics.column.repeat"),
    t("analytics.column.frequency"),
    t("analytics.column.aov"),
    t("analytics.column.historicalClv"),
    t("analytics.column.predictedClv"),
  ];
  const types = [
    "text",
    "numeric",
    "numeric",
    "numeric",
    "numeric",
    "numeric",
    "numeric",
    "numeric",
    "numeric",
  ] as const;

  return (
    <>
      {data.all.historicalClv.customers === 0 ? (
        <Layout.Section>
          <Banner tone="info">
            <p>{t("analytics.empty")}</p>
          </Banner>
        </Layout.Section>
      ) : null}
      <Layout.Section>
        <BlockStack gap="400">
          <InlineStack align="space-between" blockAlign="center" gap="300">
            <Text as="p" tone="subdued" variant="bodySm">
              {t("analytics.timeZone", { zone: data.timeZone })}
            </Text>
            <Select
              label={t("analytics.groupLabel")}
              labelInline
              options={groups.map(({ label, value }) => ({ label, value }))}
              value={chosen.value}
              onChange={setGroup}
            />
          </InlineStack>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            <Metric title={t("analytics.metric.retention")} value={percent(f.retentionRate)}>
              {f.customersAtStart === 0
                ? t("analytics.metric.retentionNone")
                : t("analytics.metric.retentionDetail", {
                    start: n(f.customersAtStart),
                    end: n(f.customersAtEnd),
                    new: n(f.newCustomers),
                  })}
            </Metric>
            <Metric title={t("analytics.metric.repeat")} value={percent(f.repeatPurchaseRate)}>
              {t("analytics.metric.repeatDetail", { repeat: n(f.repeatCustomers), customers: n(f.customersAtEnd) })}
            </Metric>
            <Metric title={t("analytics.metric.frequency")} value={n(f.purchaseFrequency, 2)}>
              {t("analytics.metric.frequencyDetail", { orders: n(f.orders), customers: n(f.customersAtEnd) })}
            </Metric>
            <Metric title={t("analytics.metric.aov")} value={money(f.averageOrderValueMinor)}>
              {t("analytics.metric.aovDetail", { revenue: money(f.revenueMinor) })}
            </Metric>
            <Metric
              title={t("analytics.metric.between")}
              value={
                f.timeBetweenPurchases.meanDays === null
                  ? t("analytics.metric.none")
                  : t("analytics.metric.betweenValue", { mean: n(f.timeBetweenPurchases.meanDays, 1) })
              }
            >
              {t("analytics.metric.betweenDetail", {
                median: n(f.timeBetweenPurchases.medianDays, 1),
                count: n(f.timeBetweenPurchases.intervals),
              })}
            </Metric>
            <Metric title={t("analytics.metric.historicalClv")} value={money(f.historicalClv.meanMinor)}>
              {t("analytics.metric.historicalClvDetail", {
                customers: n(f.historicalClv.customers),
                median: money(f.historicalClv.distribution?.median ?? null),
                p90: money(f.historicalClv.distribution?.p90 ?? null),
              })}
            </Metric>
            <Metric title={t("analytics.metric.predictedClv")} value={money(f.predictedClv.valueMinor)}>
              {f.predictedClv.valueMinor === null
                ? t("analytics.metric.predictedClvNone")
                : t("analytics.metric.predictedClvDetail", {
                    aov: money(f.predictedClv.averageOrderValueMinor),
                    frequency: n(f.predictedClv.ordersPerYear, 2),
                    lifespan: n(f.predictedClv.lifespanYears, 1),
                    churn: formatPercent(locale, f.predictedClv.churn ?? 0),
                  })}
            </Metric>
          </InlineGrid>
        </BlockStack>
      </Layout.Section>
      <Layout.Section>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("analytics.cohortsTitle")}
            </Text>
            <Text as="p" tone="subdued" variant="bodySm">
              {t("analytics.cohortsHelp")}
            </Text>
            {f.cohorts.length === 0 ? (
              <Text as="p">{t("analytics.cohortsNone")}</Text>
            ) : (
              // A new table for another period or group (its rows are other months): rows that merely moved down
              // under the new months above them would count as a layout shift; new rows do not.
              <CohortTable key={`${JSON.stringify(data.choice)}|${chosen.value}`} cohorts={f.cohorts} />
            )}
          </BlockStack>
        </Card>
      </Layout.Section>
      <Breakdown
        title={t("analytics.segmentsTitle")}
        chartLabel={t("analytics.segmentsChartLabel")}
        chartHeight={260}
        series={[
          {
            name: t("analytics.column.retention"),
            data: segments.map((s) => ({ key: segmentName(s.key), value: s.figures.retentionRate })),
          },
          {
            name: t("analytics.column.repeat"),
            data: segments.map((s) => ({ key: segmentName(s.key), value: s.figures.repeatPurchaseRate })),
          },
        ]}
        yFormat={(value) => formatPercent(locale, value / 100)}
        table={{
          types,
          headings: [t("analytics.column.segment"), ...columns],
          rows: segments.map((s) => row(segmentName(s.key), s.figures)),
        }}
      />
      <Breakdown
        title={t("analytics.tiersTitle")}
        chartLabel={t("analytics.tiersChartLabel")}
        chartHeight={220}
        series={[
          {
            name: t("analytics.column.historicalClv"),
            data: tiers.map((s) => ({ key: tierName(s.key), value: major(s.figures.historicalClv.meanMinor) })),
          },
          {
            name: t("analytics.column.predictedClv"),
            data: tiers.map((s) => ({ key: tierName(s.key), value: major(s.figures.predictedClv.valueMinor) })),
          },
        ]}
        yFormat={(value) =>
          formatNumber(locale, value, { style: "currency", currency: data.currency, maximumFractionDigits: 0 })
        }
        table={{
          types,
          headings: [t("analytics.column.tier"), ...columns],
          rows: tiers.map((s) => row(tierName(s.key), s.figures)),
        }}
      />
    </>
  );
}

/** A breakdown (per segment, per tier): a bar chart of two figures, then the table of every figure. */
function Breakdown({
  title,
  chartLabel,
  chartHeight,
  series,
  yFormat,
  table,
}: {
  title: string;
  chartLabel: string;
  chartHeight: number;
  series: { name: string; data: { key: string; value: number | null }[] }[];
  yFormat: (value: number) => string;
  table: { types: readonly ("text" | "numeric")[]; headings: string[]; rows: string[][] };
}) {
  return (
    <Layout.Section>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          <ChartFigure height={chartHeight} label={chartLabel}>
            <BarChart
              data={series}
              yAxisOptions={{ labelFormatter: (value) => yFormat(Number(value)) }}
              theme="Light"
            />
          </ChartFigure>
          <DataTable columnContentTypes={[...table.types]} headings={table.headings} rows={table.rows} />
        </BlockStack>
      </Card>
    </Layout.Section>
  );
}

function Metric({ title, value, children }: { title: string; value: string; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm">
          {title}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        {/* Four lines reserved for the detail, whatever its length for the period: the cards keep their height when
            the figures change, so nothing below them moves (a layout shift) after the period is changed. */}
        <div style={{ minHeight: "4lh" }}>
          <Text as="p" variant="bodySm" tone="subdued">
            {children}
          </Text>
        </div>
      </BlockStack>
    </Card>
  );
}

/** The heat map: one row per first-order month, one cell per month after, shaded by the share that ordered. */
function CohortTable({ cohorts }: { cohorts: Figures["cohorts"] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const offsets = cohorts[0].shares.map((_, k) => k);
  const cell = {
    padding: "6px 8px",
    textAlign: "right",
    whiteSpace: "nowrap",
    fontVariantNumeric: "tabular-nums",
  } as const;
  return (
    <div role="region" aria-label={t("analytics.cohortsTitle")} tabIndex={0} style={{ overflowX: "auto" }}>
      <table style={{ borderCollapse: "collapse", width: "100%", fontSize: "var(--p-font-size-300)" }}>
        <thead>
          <tr>
            <th scope="col" style={{ ...cell, textAlign: "left" }}>
              {t("analytics.cohortMonth")}
            </th>
            <th scope="col" style={cell}>
              {t("analytics.cohortCustomers")}
            </th>
            {offsets.map((k) => (
              <th key={k} scope="col" style={cell}>
                {t("analytics.cohortOffset", { n: k })}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cohorts.map((c) => (
            <tr key={c.month} style={{ borderTop: "1px solid var(--p-color-border-secondary)" }}>
              <th scope="row" style={{ ...cell, textAlign: "left", fontWeight: 500 }}>
                {formatDate(locale, `${c.month}-01`, { year: "numeric", month: "short" })}
              </th>
              <td style={cell}>{formatNumber(locale, c.customers)}</td>
              {c.shares.map((share, k) => (
                <td key={k} style={{ ...cell, ...(share === null ? {} : heat(share)) }}>
                  {share === null ? "" : formatPercent(locale, share)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A background from pale to deep blue by share, with black or white text, whichever contrasts more (≥ 4.5:1). */
function heat(share: number) {
  const pale = [240, 246, 255];
  const deep = [19, 78, 160];
  const rgb = pale.map((c, i) => Math.round(c + (deep[i] - c) * Math.min(1, Math.max(0, share))));
  const linear = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  const onBlack = (luminance + 0.05) / 0.05;
  const onWhite = 1.05 / (luminance + 0.05);
  return { background: `rgb(${rgb.join(",")})`, color: onBlack >= onWhite ? "#000" : "#fff" };
}
