// Segments: the 11 RFM segments and prospects with size, share of revenue and average order value, where customers
// came from and went to since a chosen date, each segment's customers, and the shop's own display names.
import { useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  FormLayout,
  InlineStack,
  Layout,
  Link,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { renameSegments, segmentsOverview, sinceDaysParam } from "../services/segments.server";
import { SEGMENT_MOVEMENT_DAYS as MOVEMENT_DAYS } from "../domain/segments";
import { formatMoney, formatNumber, formatPercent } from "../i18n/format";
import { useLocale } from "../i18n/react";
import { ImportBanner } from "../components/ImportBanner";
import { ShopifyGroupsMatrix } from "../components/ShopifyCompare";
import { shopifyComparison } from "../services/shopify-stats.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [overview, shopify] = await Promise.all([
    segmentsOverview(session.shop, sinceDaysParam(new URL(request.url).searchParams.get("since"))),
    shopifyComparison(session.shop),
  ]);
  return { ...overview, shopify };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const result = await renameSegments(session.shop, await request.formData());
  // Refused input: the page shows the issues inline; the status says it was refused.
  return json(result, { status: result.ok ? 200 : 400 });
};

export default function Segments() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const [params, setParams] = useSearchParams();
  const rename = useFetcher<typeof action>();
  const [names, setNames] = useState<Record<string, string>>(data.segmentNames);
  const name = (key: string) => data.segmentNames[key]?.trim() || t(`segment.${key}`);
  const n = (value: number) => formatNumber(locale, value);
  const flows = (list: { from: string; to: string; moves: number }[], side: "from" | "to") =>
    list.length === 0
      ? "—"
      : list
          .slice(0, 2)
          .map((f) => t("segments.flow", { name: name(f[side]), count: n(f.moves) }))
          .join(", ");
  const issues = rename.data && !rename.data.ok ? rename.data.issues : [];
  const errorFor = (key: string) => {
    const issue = issues.find((i) => i.path[0] === "segmentNames" && i.path[1] === key);
    return issue ? t(`settingsRules.${issue.key}`, { ...issue.params, defaultValue: issue.message }) : undefined;
  };

  return (
    <Page
      title={t("segments.title")}
      subtitle={t("customers.count", { count: data.totalCustomers, formattedCount: n(data.totalCustomers) })}
    >
      <Layout>
        <Layout.Section>
          <ImportBanner backfill={data.backfill} scored={data.totalCustomers} />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <BlockStack gap="0">
              <div style={{ padding: "var(--p-space-300)" }}>
                <InlineStack align="end">
                  <Select
                    label={t("segments.movesSince")}
                    labelInline
                    options={MOVEMENT_DAYS.map((d) => ({
                      label: t("segments.lastDays", { days: d }),
                      value: String(d),
                    }))}
                    value={String(data.sinceDays)}
                    onChange={(since) => {
                      const next = new URLSearchParams(params);
                      next.set("since", since);
                      setParams(next, { preventScrollReset: true });
                    }}
                  />
                </InlineStack>
              </div>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "text", "text"]}
                headings={[
                  t("segments.column.segment"),
                  t("segments.column.customers"),
                  t("segments.column.revenue"),
                  t("segments.column.aov"),
                  t("segments.column.cameFrom"),
                  t("segments.column.wentTo"),
                ]}
                rows={data.segments.map((s) => [
                  <Link key={s.key} url={`/app/customers?segment=${s.key}`} removeUnderline>
                    {name(s.key)}
                  </Link>,
                  n(s.customers),
                  formatPercent(locale, s.revenueShare),
                  s.averageOrderMinor === null ? "—" : formatMoney(locale, s.averageOrderMinor, data.currency),
                  flows(s.cameFrom, "from"),
                  flows(s.wentTo, "to"),
                ])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <rename.Form method="post">
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("segments.renameTitle")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("segments.renameHelp")}
                </Text>
                {rename.data?.ok ? <Banner tone="success" title={t("segments.renamed")} /> : null}
                <FormLayout>
                  {data.segments.map((s) => (
                    <TextField
                      key={s.key}
                      label={t(`segment.${s.key}`)}
                      name={`name.${s.key}`}
                      value={names[s.key] ?? ""}
                      placeholder={t(`segment.${s.key}`)}
                      onChange={(value) => setNames((current) => ({ ...current, [s.key]: value }))}
                      error={errorFor(s.key)}
                      autoComplete="off"
                    />
                  ))}
                </FormLayout>
                <InlineStack align="end">
                  <Button submit variant="primary" loading={rename.state !== "idle"}>
                    {t("settings.save")}
                  </Button>
                </InlineStack>
              </BlockStack>
            </rename.Form>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <ShopifyGroupsMatrix comparison={data.shopify} segmentName={name} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
