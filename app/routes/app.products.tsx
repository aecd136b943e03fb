// Products: what customers buy together and what they buy next (docs/affinity.md) — the strongest associations of
// each kind as a chart and tables, the last run and "recompute now", and the products kept out of associations and
// recommendations (gift wrap, shipping protection …). Bad form input gets a Polaris error and changes nothing.
import { useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import { BarChart, PolarisVizProvider } from "@shopify/polaris-viz";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { productsAction, productsOverview, type RuleView } from "../services/affinity.server";
import { formatDate, formatNumber, formatPercent } from "../i18n/format";
import { useLocale } from "../i18n/react";
import { ChartFigure } from "../components/ChartFigure";

export const links = () => [{ rel: "stylesheet", href: polarisVizStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return json(await productsOverview(session.shop));
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const result = await productsAction(session.shop, await request.formData());
  return json(result, { status: result.ok ? 200 : 400 });
};

export default function Products() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const recompute = useFetcher<typeof action>();
  const n = (value: number) => formatNumber(locale, value);
  const run = data.run;
  return (
    <PolarisVizProvider>
      <Page title={t("products.title")} subtitle={t("products.subtitle")}>
        <Layout>
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center" gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("products.runTitle")}
                  </Text>
                  <recompute.Form method="post">
                    <input type="hidden" name="intent" value="recompute" />
                    <Button submit loading={recompute.state !== "idle"}>
                      {t("products.recompute")}
                    </Button>
                  </recompute.Form>
                </InlineStack>
                {run ? (
                  <Text as="p">
                    {t(`products.status.${run.status}`, {
                      at: formatDate(locale, run.computedAt, { dateStyle: "medium", timeStyle: "short" }),
                      orders: n(run.orders),
                      lines: n(run.lines),
                      rules: n(run.rules),
                      customers: n(data.recommended),
                    })}
                  </Text>
                ) : (
                  <Text as="p">{t("products.never")}</Text>
                )}
                {run ? (
                  <Text as="p" tone="subdued" variant="bodySm">
                    {t("products.thresholds", {
                      pair: n(Number(run.settings.minPairCount)),
                      product: n(Number(run.settings.minProductCount)),
                      top: n(Number(run.settings.recommendations)),
                    })}
                  </Text>
                ) : null}
                {recompute.data?.ok ? (
                  <Banner tone="success" onDismiss={undefined}>
                    <p>{t("products.queued")}</p>
                  </Banner>
                ) : null}
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section>
            <RuleSection kind="together" rules={data.together} />
          </Layout.Section>
          <Layout.Section>
            <RuleSection kind="next" rules={data.next} />
          </Layout.Section>
          <Layout.Section>
            <Exclusions exclusions={data.exclusions} choices={data.choices} />
          </Layout.Section>
        </Layout>
      </Page>
    </PolarisVizProvider>
  );
}

function RuleSection({ kind, rules }: { kind: "together" | "next"; rules: RuleView[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const pct = (v: number) => formatPercent(locale, v);
  const num = (v: number, digits = 2) => formatNumber(locale, v, { maximumFractionDigits: digits });
  const pairName = (r: RuleView) => t(`products.${kind}.pair`, { first: r.antecedentTitle, second: r.consequentTitle });
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t(`products.${kind}.title`)}
        </Text>
        <Text as="p" tone="subdued" variant="bodySm">
          {t(`products.${kind}.help`)}
        </Text>
        {rules.length === 0 ? (
          <Text as="p">{t("products.none")}</Text>
        ) : (
          <>
            <ChartFigure height={Math.max(160, 36 * rules.length)} label={t(`products.${kind}.chartLabel`)}>
              <BarChart
                direction="horizontal"
                data={[
                  { name: t("products.column.lift"), data: rules.map((r) => ({ key: pairName(r), value: r.lift })) },
                ]}
                xAxisOptions={{ labelFormatter: (value) => num(Number(value), 1) }}
                theme="Light"
              />
            </ChartFigure>
            <DataTable
              columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric"]}
              headings={[
                t(`products.${kind}.first`),
                t(`products.${kind}.second`),
                t(`products.${kind}.count`),
                t("products.column.support"),
                t("products.column.confidence"),
                t("products.column.lift"),
              ]}
              rows={rules.map((r) => [
                r.antecedentTitle,
                r.consequentTitle,
                formatNumber(locale, r.count),
                pct(r.support),
                pct(r.confidence),
                num(r.lift),
              ])}
            />
          </>
        )}
      </BlockStack>
    </Card>
  );
}

function Exclusions({
  exclusions,
  choices,
}: {
  exclusions: { productId: string; title: string }[];
  choices: { id: string; title: string }[];
}) {
  const { t } = useTranslation();
  const add = useFetcher<typeof action>();
  const remove = useFetcher<typeof action>();
  const [chosen, setChosen] = useState("");
  const refused = add.data && !add.data.ok ? add.data : null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("products.exclusions.title")}
        </Text>
        <Text as="p" tone="subdued" variant="bodySm">
          {t("products.exclusions.help")}
        </Text>
        {exclusions.length === 0 ? (
          <Text as="p">{t("products.exclusions.none")}</Text>
        ) : (
          <BlockStack gap="200">
            {exclusions.map((e) => (
              <remove.Form method="post" key={e.productId}>
                <InlineStack align="space-between" blockAlign="center" gap="300">
                  <Text as="span">{e.title}</Text>
                  <input type="hidden" name="intent" value="include" />
                  <input type="hidden" name="productId" value={e.productId} />
                  <Button submit accessibilityLabel={t("products.exclusions.removeLabel", { title: e.title })}>
                    {t("products.exclusions.remove")}
                  </Button>
                </InlineStack>
              </remove.Form>
            ))}
          </BlockStack>
        )}
        <add.Form method="post">
          <input type="hidden" name="intent" value="exclude" />
          <InlineStack gap="300" blockAlign="end" wrap>
            <div style={{ minWidth: "18rem" }}>
              <Select
                label={t("products.exclusions.pick")}
                name="productId"
                options={[
                  { label: t("products.exclusions.placeholder"), value: "" },
                  ...choices.map((c) => ({ label: c.title, value: c.id })),
                ]}
                value={chosen}
                onChange={setChosen}
                error={refused ? t(`products.exclusions.error.${refused.error}`) : undefined}
              />
            </div>
            <Button submit variant="primary" loading={add.state !== "idle"}>
              {t("products.exclusions.add")}
            </Button>
          </InlineStack>
        </add.Form>
        {add.data?.ok || remove.data?.ok ? (
          <Text as="p" tone="subdued" variant="bodySm">
            {t("products.exclusions.saved")}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}
