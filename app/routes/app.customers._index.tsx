// Customers: every scored customer with segment, tier and R/F/M, searched, filtered and sorted on the server, a page
// at a time. The URL holds the query, so a page can be reloaded or shared.
import { useEffect, useMemo, useRef, useState } from "react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  ChoiceList,
  EmptyState,
  Filters,
  IndexTable,
  InlineStack,
  Link,
  Page,
  Select,
  Text,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { customerListQuery, customerPage } from "../services/customers.server";
import { SEGMENT_KEYS } from "../domain/segments";
import { INSIGHT_KEYS, needsPredictions } from "../domain/insights";
import { formatMoney, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";
import { ImportBanner } from "../components/ImportBanner";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return customerPage(session.shop, customerListQuery(new URL(request.url).searchParams));
};

const SEARCH_DELAY_MS = 300;

export default function Customers() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const navigation = useNavigation();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(data.query.search ?? "");
  const timer = useRef<ReturnType<typeof setTimeout>>();
  // The insight chosen in the filter (a product or a type may still be missing, so not yet in the URL).
  const [insightKey, setInsightKey] = useState<string>(data.query.insight?.key ?? "");

  /** Sets some query parameters (empty removes them); any change but the page goes back to page 1. */
  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === "") next.delete(key);
      else next.set(key, value);
    }
    // Any change but paging starts again at the top: no page number, no cursor.
    if (!("page" in changes)) for (const key of ["page", "after", "before"]) next.delete(key);
    setParams(next, { preventScrollReset: true });
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  const onSearch = (value: string) => {
    setSearch(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => update({ search: value.trim() || undefined }), SEARCH_DELAY_MS);
  };

  const segmentName = (key: string) => data.segmentNames[key]?.trim() || t(`segment.${key}`);
  const tierName = (key: string | null) =>
    key === null ? t("customers.noTier") : (data.tiers.find((x) => x.key === key)?.name ?? key);
  // Keyset paging: the next page is the rows after this page's last, the previous the rows before its first.
  const page = data.page;
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  const filtering = Boolean(data.query.search || data.query.segment || data.query.tier || data.query.insight);

  // The table is kept as it is while only the search field changes: typing re-renders the field and the header, not
  // 50 rows of cells (each keystroke's work is what INP measures). It is made again when the page's data, the
  // loading state or the URL (its pagination links) change.
  const loading = navigation.state === "loading";
  const table = useMemo(
    () => (
      <IndexTable
        resourceName={{
          singular: t("customers.resourceName.singular"),
          plural: t("customers.resourceName.plural"),
        }}
        itemCount={data.rows.length}
        selectable={false}
        loading={loading}
        emptyState={
          <BlockStack gap="200" inlineAlign="center">
            <Text as="p" variant="headingMd">
              {t("customers.emptyTitle")}
            </Text>
            <Text as="p" tone="subdued">
              {t("customers.emptyBody")}
            </Text>
          </BlockStack>
        }
        headings={[
          { title: t("customers.column.customer") },
          { title: t("customers.column.segment") },
          { title: t("customers.column.tier") },
          { title: t("customers.column.recency") },
          { title: t("customers.column.frequency"), alignment: "end" },
          { title: t("customers.column.monetary"), alignment: "end" },
          { title: t("customers.column.rfm"), alignment: "end" },
        ]}
        pagination={{
          hasPrevious: data.previous !== null,
          hasNext: data.next !== null,
          onPrevious: () => update({ page: String(page - 1), before: data.previous ?? undefined, after: undefined }),
          onNext: () => update({ page: String(page + 1), after: data.next ?? undefined, before: undefined }),
          label: `${formatNumber(locale, page)} / ${formatNumber(locale, pages)}`,
        }}
      >
        {data.rows.map((row, index) => {
          const name = [row.firstName, row.lastName].filter(Boolean).join(" ");
          return (
            <IndexTable.Row id={row.customerId} key={row.customerId} position={index}>
              <IndexTable.Cell>
                <BlockStack gap="050">
                  <Link
                    url={`/app/customers/${row.customerId.split("/").pop()}`}
                    dataPrimaryLink
                    monochrome
                    removeUnderline
                  >
                    <Text as="span" variant="bodyMd" fontWeight="semibold">
                      {name || row.email || t("customers.unnamed")}
                    </Text>
                  </Link>
                  {name && row.email ? (
                    <Text as="span" variant="bodySm" tone="subdued">
                      {row.email}
                    </Text>
                  ) : null}
                </BlockStack>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Badge tone={row.segment === "prospect" ? undefined : "info"}>{segmentName(row.segment)}</Badge>
              </IndexTable.Cell>
              <IndexTable.Cell>
                {row.tier ? (
                  tierName(row.tier)
                ) : (
                  <Text as="span" tone="subdued">
                    {t("customers.noTier")}
                  </Text>
                )}
              </IndexTable.Cell>
              <IndexTable.Cell>
                {row.recencyDays === null ? (
                  <Text as="span" tone="subdued">
                    {t("customers.noOrders")}
                  </Text>
                ) : row.recencyDays === 0 ? (
                  t("customers.today")
                ) : (
                  t("customers.daysAgo", {
                    count: row.recencyDays,
                    formattedCount: formatNumber(locale, row.recencyDays),
                  })
                )}
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>
                  {row.frequency === null ? "—" : formatNumber(locale, row.frequency)}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>
                  {row.monetaryMinor === null ? "—" : formatMoney(locale, row.monetaryMinor, data.currency)}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>
                  {row.r === null ? "—" : `${row.r} · ${row.f} · ${row.m}`}
                </Text>
              </IndexTable.Cell>
            </IndexTable.Row>
          );
        })}
      </IndexTable>
    ),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- update, names and pages derive from these
    [data, loading, params, locale, t],
  );

  if (data.total === 0 && !filtering) {
    return (
      <Page title={t("customers.title")}>
        <BlockStack gap="300">
          <ImportBanner backfill={data.backfill} scored={0} />
          <Card>
            <EmptyState heading={t("customers.emptyLedgerTitle")} image="">
              <p>{t("customers.emptyLedgerBody")}</p>
            </EmptyState>
          </Card>
        </BlockStack>
      </Page>
    );
  }

  const insight = data.query.insight;
  const insightLabel = (() => {
    if (!insight) return "";
    if (insight.key === "product")
      return t("insights.summary.product", {
        product: data.insightChoices.products.find((p) => p.id === insight.productId)?.title ?? insight.productId,
      });
    if (insight.key === "product_type") return t("insights.summary.product_type", { type: insight.productType });
    return t(`insights.name.${insight.key}`);
  })();
  const filters = [
    {
      key: "segment",
      label: t("customers.segmentFilter"),
      filter: (
        <ChoiceList
          title={t("customers.segmentFilter")}
          titleHidden
          choices={SEGMENT_KEYS.map((key) => ({ label: segmentName(key), value: key }))}
          selected={data.query.segment ? [data.query.segment] : []}
          onChange={([value]) => update({ segment: value })}
        />
      ),
      shortcut: true,
    },
    {
      key: "tier",
      label: t("customers.tierFilter"),
      filter: (
        <ChoiceList
          title={t("customers.tierFilter")}
          titleHidden
          choices={[
            ...data.tiers.map((x) => ({ label: x.name, value: x.key })),
            { label: t("customers.noTier"), value: "none" },
          ]}
          selected={data.query.tier ? [data.query.tier] : []}
          onChange={([value]) => update({ tier: value })}
        />
      ),
      shortcut: true,
    },
    {
      key: "insight",
      label: t("insights.filter"),
      filter: (
        <BlockStack gap="200">
          <ChoiceList
            title={t("insights.filter")}
            titleHidden
            choices={INSIGHT_KEYS.map((key) => ({ label: t(`insights.name.${key}`), value: key }))}
            selected={insightKey ? [insightKey] : []}
            onChange={([value]) => {
              setInsightKey(value);
              // A product or a type must be picked before the filter applies.
              if (value !== "product" && value !== "product_type")
                update({ insight: value, product: undefined, productType: undefined });
            }}
          />
          {insightKey === "product" ? (
            <Select
              label={t("insights.field.product")}
              options={[
                { label: t("insights.field.choose"), value: "" },
                ...data.insightChoices.products.map((p) => ({ label: p.title, value: p.id })),
              ]}
              value={insight?.key === "product" ? insight.productId : ""}
              onChange={(value) => update({ insight: "product", product: value, productType: undefined })}
              helpText={data.insightChoices.products.length ? undefined : t("insights.noProducts")}
            />
          ) : null}
          {insightKey === "product_type" ? (
            <Select
              label={t("insights.field.productType")}
              options={[
                { label: t("insights.field.choose"), value: "" },
                ...data.insightChoices.productTypes.map((type) => ({ label: type, value: type })),
              ]}
              value={insight?.key === "product_type" ? insight.productType : ""}
              onChange={(value) => update({ insight: "product_type", productType: value, product: undefined })}
              helpText={data.insightChoices.productTypes.length ? undefined : t("insights.noProductTypes")}
            />
          ) : null}
        </BlockStack>
      ),
      shortcut: true,
    },
  ];
  const applied = [
    ...(data.query.segment
      ? [
          {
            key: "segment",
            label: `${t("customers.segmentFilter")}: ${segmentName(data.query.segment)}`,
            onRemove: () => update({ segment: undefined }),
          },
        ]
      : []),
    ...(data.query.tier
      ? [
          {
            key: "tier",
            label: `${t("customers.tierFilter")}: ${tierName(data.query.tier === "none" ? null : data.query.tier)}`,
            onRemove: () => update({ tier: undefined }),
          },
        ]
      : []),
    ...(insight
      ? [
          {
            key: "insight",
            // The insight's own name says what it is (a longer pill is cut short, and its name no longer matches)
            label: insightLabel,
            onRemove: () => {
              setInsightKey("");
              update({ insight: undefined, product: undefined, productType: undefined });
            },
          },
        ]
      : []),
  ];

  return (
    <Page
      title={t("customers.title")}
      subtitle={t("customers.count", { count: data.total, formattedCount: formatNumber(locale, data.total) })}
    >
      <BlockStack gap="300">
        <ImportBanner backfill={data.backfill} scored={filtering ? 1 : data.total} />
        {insight && needsPredictions(insight) && !data.insightChoices.predictions.available ? (
          <Banner tone="warning">
            {t("insights.predictionsUnavailable", {
              reason: data.insightChoices.predictions.reason
                ? t(`insights.reason.${data.insightChoices.predictions.reason}`, {
                    defaultValue: data.insightChoices.predictions.reason,
                  })
                : t("insights.noFit"),
            })}
          </Banner>
        ) : null}
        <Card padding="0">
          <div style={{ padding: "var(--p-space-300)" }}>
            <InlineStack gap="300" wrap={false} blockAlign="start">
              <div style={{ flex: 1 }}>
                <Filters
                  queryValue={search}
                  queryPlaceholder={t("customers.searchPlaceholder")}
                  filters={filters}
                  appliedFilters={applied}
                  onQueryChange={onSearch}
                  onQueryClear={() => onSearch("")}
                  onClearAll={() => {
                    setSearch("");
                    setInsightKey("");
                    update({
                      search: undefined,
                      segment: undefined,
                      tier: undefined,
                      insight: undefined,
                      product: undefined,
                      productType: undefined,
                    });
                  }}
                />
              </div>
              <Select
                label={t("customers.sortLabel")}
                labelInline
                options={(["recency", "frequency", "monetary"] as const).map((key) => ({
                  label: t(`customers.sort.${key}`),
                  value: key,
                }))}
                value={data.query.sort}
                onChange={(value) => update({ sort: value })}
              />
            </InlineStack>
          </div>
          {table}
        </Card>
      </BlockStack>
    </Page>
  );
}
