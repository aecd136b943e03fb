// Predictions: the last BG/NBD and Gamma-Gamma fit of the shop (or why there is none), its parameters, the
// distribution of P(active), the CLV bands, the back-test, the customers of highest predicted value, the settings
// form and "refit now" (docs/predictions.md).
import { useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  FormLayout,
  Layout,
  Link,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { BarChart, PolarisVizProvider } from "@shopify/polaris-viz";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import {
  predictionsPage,
  queueRefit,
  submitPredictionSettings,
  type PredictionsAction,
} from "../services/predictions-page.server";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../i18n/format";
import { useLocale } from "../i18n/react";
import { ChartFigure } from "../components/ChartFigure";
import { fromMinorUnits } from "../domain/money";

export const links = () => [{ rel: "stylesheet", href: polarisVizStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return json(await predictionsPage(session.shop));
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  const result: PredictionsAction =
    intent === "refit"
      ? await queueRefit(session.shop)
      : intent === "settings"
        ? await submitPredictionSettings(session.shop, form)
        : { intent: "unknown", ok: false, errors: {} };
  return json(result, { status: result.ok ? 200 : 400 });
};

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

export default function Predictions() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const refit = useFetcher<PredictionsAction>();
  const fitted = data.prediction?.status === "fitted";
  return (
    <PolarisVizProvider>
      <Page
        title={t("predictions.title")}
        subtitle={t("predictions.subtitle")}
        primaryAction={{
          content: t("predictions.refit"),
          loading: refit.state !== "idle",
          onAction: () => refit.submit({ intent: "refit" }, { method: "post" }),
        }}
      >
        <Layout>
          <Layout.Section>
            <BlockStack gap="300">
              {refit.data?.intent === "refit" && refit.data.ok ? (
                <Banner tone="info" title={t("predictions.refitQueued")} />
              ) : null}
              <Status data={data} />
            </BlockStack>
          </Layout.Section>
          {fitted ? (
            <>
              <Parameters data={data} />
              <PAlive data={data} />
              <Bands data={data} />
              <Backtest data={data} />
              <Top data={data} />
            </>
          ) : null}
          <Layout.Section>
            <SettingsForm data={data} />
          </Layout.Section>
        </Layout>
      </Page>
    </PolarisVizProvider>
  );
}

function Status({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const p = data.prediction;
  if (!p) return <Banner tone="info" title={t("predictions.never")} />;
  if (p.status === "fitted")
    return (
      <Card>
        <Text as="p">
          {t("predictions.fittedAt", {
            asOf: formatDate(locale, p.asOf, { dateStyle: "medium", timeStyle: "short" }),
            customers: formatNumber(locale, p.customers),
            repeaters: formatNumber(locale, p.repeaters),
            zone: p.model.timeZone ?? "UTC",
          })}
        </Text>
      </Card>
    );
  const rules = p.model.rules ?? { minCustomers: 0, minRepeaters: 0, minHistoryDays: 0 };
  return (
    <Banner tone="warning" title={t(`predictions.status.${p.status}`)}>
      <BlockStack gap="100">
        <Text as="p">
          {t(`predictions.reason.${p.reason}`, {
            ...rules,
            customers: p.customers,
            repeaters: p.repeaters,
            historyDays: p.model.historyDays ?? 0,
          })}
        </Text>
        <Text as="p">{t("predictions.noNumbers")}</Text>
      </BlockStack>
    </Banner>
  );
}

function Section({ title, help, children }: { title: string; help?: string; children: React.ReactNode }) {
  return (
    <Layout.Section>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {help ? (
            <Text as="p" tone="subdued">
              {help}
            </Text>
          ) : null}
          {children}
        </BlockStack>
      </Card>
    </Layout.Section>
  );
}

function Parameters({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const bg = data.prediction!.model.bgnbd!;
  const gg = data.prediction!.model.gammaGamma!;
  const n = (v: number) => formatNumber(locale, v, { maximumSignificantDigits: 5 });
  return (
    <Section title={t("predictions.parameters.title")} help={t("predictions.parameters.help")}>
      <DataTable
        columnContentTypes={["text", "text", "numeric"]}
        headings={[
          t("predictions.parameters.model"),
          t("predictions.parameters.parameter"),
          t("predictions.parameters.value"),
        ]}
        rows={[
          ["BG/NBD", "r", n(bg.r)],
          ["BG/NBD", "α", n(bg.alpha)],
          ["BG/NBD", "a", n(bg.a)],
          ["BG/NBD", "b", n(bg.b)],
          [
            "BG/NBD",
            t("predictions.parameters.logLikelihood"),
            formatNumber(locale, bg.logLikelihood, { maximumFractionDigits: 2 }),
          ],
          ["Gamma-Gamma", "p", n(gg.p)],
          ["Gamma-Gamma", "q", n(gg.q)],
          ["Gamma-Gamma", "γ", n(gg.gamma)],
          ["Gamma-Gamma", t("predictions.parameters.spendCustomers"), formatNumber(locale, gg.customers)],
        ]}
      />
      {bg.boundary ? (
        <Text as="p" tone="subdued">
          {t("predictions.parameters.boundary", { chance: formatPercent(locale, bg.a / (bg.a + bg.b)) })}
        </Text>
      ) : null}
    </Section>
  );
}

function PAlive({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const deciles = data.deciles ?? [];
  const label = (i: number) =>
    `${formatPercent(locale, i / 10)}–${i === 9 ? formatPercent(locale, 1) : formatPercent(locale, (i + 1) / 10)}`;
  return (
    <Section title={t("predictions.pAlive.title")}>
      <ChartFigure height={240} label={t("predictions.pAlive.chartLabel")}>
        <BarChart
          data={[{ name: t("predictions.pAlive.series"), data: deciles.map((v, i) => ({ key: label(i), value: v })) }]}
          theme="Light"
        />
      </ChartFigure>
      <DataTable
        columnContentTypes={["text", "numeric"]}
        headings={[t("predictions.pAlive.range"), t("predictions.pAlive.customers")]}
        rows={deciles.map((v, i) => [label(i), formatNumber(locale, v)])}
      />
    </Section>
  );
}

function Bands({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  // Display only: a double holds any shop's total to the minor unit below 2^53 (90 trillion dollars).
  const money = (minor: string) => formatMoney(locale, Number(minor), data.currency);
  return (
    <Section title={t("predictions.bands.title")}>
      <ChartFigure height={200} label={t("predictions.bands.chartLabel")}>
        <BarChart
          data={[
            {
              name: t("predictions.bands.customers"),
              data: data.bands.map((b) => ({ key: t(`predictions.bands.${b.band}`), value: b.customers })),
            },
          ]}
          theme="Light"
        />
      </ChartFigure>
      <DataTable
        columnContentTypes={["text", "numeric", "numeric"]}
        headings={[t("predictions.bands.band"), t("predictions.bands.customers"), t("predictions.bands.value")]}
        rows={data.bands.map((b) => [
          t(`predictions.bands.${b.band}`),
          formatNumber(locale, b.customers),
          money(b.clvMinor),
        ])}
      />
    </Section>
  );
}

function Backtest({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const bt = data.prediction!.backtest;
  if (!bt) return null;
  const day = formatDate(locale, `${bt.calibrationDay}T00:00:00Z`);
  if (bt.status !== "fitted" || !("groups" in bt))
    return (
      <Section title={t("predictions.backtest.title")}>
        <Text as="p">{t("predictions.backtest.unavailable", { day })}</Text>
      </Section>
    );
  const groupName = (x: number) => (x >= 6 ? t("predictions.backtest.groupPlus") : formatNumber(locale, x));
  const per = (v: number, n: number) => (n === 0 ? 0 : v / n);
  const f = (v: number) => formatNumber(locale, v, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  const groups = bt.groups.filter((g) => g.customers > 0);
  return (
    <Section
      title={t("predictions.backtest.title")}
      help={t("predictions.backtest.help", { day, days: formatNumber(locale, bt.holdoutDays) })}
    >
      <ChartFigure height={240} label={t("predictions.backtest.chartLabel")}>
        <BarChart
          data={[
            {
              name: t("predictions.backtest.predicted"),
              data: groups.map((g) => ({ key: groupName(g.x), value: per(g.predicted, g.customers) })),
            },
            {
              name: t("predictions.backtest.actual"),
              data: groups.map((g) => ({ key: groupName(g.x), value: per(g.actual, g.customers) })),
            },
          ]}
          theme="Light"
        />
      </ChartFigure>
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric"]}
        headings={[
          t("predictions.backtest.group"),
          t("predictions.backtest.customers"),
          `${t("predictions.backtest.predicted")} (${t("predictions.backtest.perCustomer")})`,
          `${t("predictions.backtest.actual")} (${t("predictions.backtest.perCustomer")})`,
        ]}
        rows={groups.map((g) => [
          groupName(g.x),
          formatNumber(locale, g.customers),
          f(per(g.predicted, g.customers)),
          f(per(g.actual, g.customers)),
        ])}
        totals={[
          "",
          formatNumber(locale, bt.customers),
          formatNumber(locale, bt.predicted, { maximumFractionDigits: 1 }),
          formatNumber(locale, bt.actual),
        ]}
        totalsName={{ singular: t("predictions.backtest.total"), plural: t("predictions.backtest.total") }}
        showTotalsInFooter
      />
    </Section>
  );
}

function Top({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const money = (minor: string) => formatMoney(locale, Number(minor), data.currency);
  return (
    <Section title={t("predictions.top.title")}>
      {data.top.length === 0 ? (
        <Text as="p">{t("predictions.top.empty")}</Text>
      ) : (
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric", "text"]}
          headings={[
            t("predictions.top.customer"),
            t("predictions.top.pAlive"),
            t("predictions.top.expected"),
            t("predictions.top.clv"),
            t("predictions.top.band"),
          ]}
          rows={data.top.map((c) => {
            const id = c.customerId.split("/").pop()!;
            return [
              <Link key={id} url={`/app/customers/${id}`} removeUnderline>
                {c.name ?? t("predictions.top.unnamed", { id })}
              </Link>,
              formatPercent(locale, c.pAlive),
              formatNumber(locale, c.expected365, { maximumFractionDigits: 2 }),
              money(c.clv12Minor),
              c.band ? t(`predictions.bands.${c.band}`) : "",
            ];
          })}
        />
      )}
    </Section>
  );
}

function SettingsForm({ data }: { data: Data }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<PredictionsAction>();
  const s = data.settings;
  const pct = (v: number) => String(Math.round(v * 10000) / 100);
  const [values, setValues] = useState({
    churnThreshold: pct(s.churnThreshold),
    discountRate: pct(s.discountRate),
    backtestDays: String(s.backtestDays),
    mode: s.bands.mode,
    highShare: s.bands.mode === "share" ? pct(s.bands.highShare) : "20",
    mediumShare: s.bands.mode === "share" ? pct(s.bands.mediumShare) : "30",
    highAmount: s.bands.mode === "amount" ? fromMinorUnits(s.bands.highMinor, data.currency) : "",
    mediumAmount: s.bands.mode === "amount" ? fromMinorUnits(s.bands.mediumMinor, data.currency) : "",
  });
  const set = (key: keyof typeof values) => (value: string) => setValues((v) => ({ ...v, [key]: value }));
  const result = fetcher.data?.intent === "settings" ? fetcher.data : undefined;
  const errors = result && !result.ok ? result.errors : {};
  const error = (field: keyof typeof errors) => {
    const key = errors[field];
    if (!key) return undefined;
    if (key === "range" && (field === "churnThreshold" || field === "discountRate"))
      return t(`predictions.error.${field}`);
    if (field === "backtestDays") return t("predictions.error.backtestDays");
    return t(`predictions.error.${key}`);
  };
  const save = () => fetcher.submit({ intent: "settings", ...values }, { method: "post" });
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            {t("predictions.settings.title")}
          </Text>
          <Text as="p" tone="subdued">
            {t("predictions.settings.description")}
          </Text>
        </BlockStack>
        {result?.ok ? <Banner tone="success" title={t("predictions.settings.saved")} /> : null}
        {result && !result.ok ? <Banner tone="critical" title={t("predictions.settings.refused")} /> : null}
        <FormLayout>
          <FormLayout.Group>
            <TextField
              label={t("predictions.settings.churnThreshold")}
              value={values.churnThreshold}
              onChange={set("churnThreshold")}
              error={error("churnThreshold")}
              autoComplete="off"
              inputMode="decimal"
            />
            <TextField
              label={t("predictions.settings.discountRate")}
              value={values.discountRate}
              onChange={set("discountRate")}
              error={error("discountRate")}
              autoComplete="off"
              inputMode="decimal"
            />
            <TextField
              label={t("predictions.settings.backtestDays")}
              value={values.backtestDays}
              onChange={set("backtestDays")}
              error={error("backtestDays")}
              autoComplete="off"
              inputMode="numeric"
            />
          </FormLayout.Group>
          <Select
            label={t("predictions.settings.mode")}
            options={[
              { label: t("predictions.settings.modeShare"), value: "share" },
              { label: t("predictions.settings.modeAmount"), value: "amount" },
            ]}
            value={values.mode}
            onChange={set("mode")}
            error={error("mode")}
          />
          {values.mode === "share" ? (
            <FormLayout.Group>
              <TextField
                label={t("predictions.settings.highShare")}
                value={values.highShare}
                onChange={set("highShare")}
                error={error("highShare")}
                autoComplete="off"
                inputMode="decimal"
              />
              <TextField
                label={t("predictions.settings.mediumShare")}
                value={values.mediumShare}
                onChange={set("mediumShare")}
                error={error("mediumShare")}
                autoComplete="off"
                inputMode="decimal"
              />
            </FormLayout.Group>
          ) : (
            <FormLayout.Group>
              <TextField
                label={t("predictions.settings.highAmount", { currency: data.currency })}
                value={values.highAmount}
                onChange={set("highAmount")}
                error={error("highMinor")}
                autoComplete="off"
                inputMode="decimal"
              />
              <TextField
                label={t("predictions.settings.mediumAmount", { currency: data.currency })}
                value={values.mediumAmount}
                onChange={set("mediumAmount")}
                error={error("mediumMinor")}
                autoComplete="off"
                inputMode="decimal"
              />
            </FormLayout.Group>
          )}
          <Button variant="primary" onClick={save} loading={fetcher.state !== "idle"}>
            {t("predictions.settings.save")}
          </Button>
        </FormLayout>
      </BlockStack>
    </Card>
  );
}
