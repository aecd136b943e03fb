// Our segments and predictions beside Shopify's own view (Customer.statistics): the segments page's matrices and the
// customer page's card saying why ours is what it is (docs/history.md "Shopify's own view").
import { useId } from "react";
import { BlockStack, Card, DataTable, InlineGrid, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { SHOPIFY_COUNTERPART } from "../domain/shopify-stats";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../i18n/format";
import { useLocale } from "../i18n/react";

interface Matrix {
  rows: string[];
  columns: string[];
  cells: number[][];
  rowTotals: number[];
  columnTotals: number[];
  total: number;
}

export interface ShopifyComparisonView {
  readAt: string | null;
  segments: Matrix;
  agreeing: number;
  bands: Matrix | null;
}

function MatrixTable({
  matrix,
  rowName,
  columnName,
  firstHeading,
  caption,
}: {
  matrix: Matrix;
  rowName: (key: string) => string;
  columnName: (key: string) => string;
  firstHeading: string;
  caption: string;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const n = (v: number) => formatNumber(locale, v);
  return (
    <div aria-label={caption} role="region">
      <DataTable
        columnContentTypes={["text", ...matrix.columns.map(() => "numeric" as const), "numeric"]}
        headings={[firstHeading, ...matrix.columns.map(columnName), t("insightCompare.total")]}
        rows={[
          ...matrix.rows.map((row, i) => [
            rowName(row),
            ...matrix.cells[i].map((c, j) =>
              SHOPIFY_COUNTERPART[row] === matrix.columns[j] && c > 0 ? <strong key={j}>{n(c)}</strong> : n(c),
            ),
            n(matrix.rowTotals[i]),
          ]),
          [t("insightCompare.total"), ...matrix.columnTotals.map(n), n(matrix.total)],
        ]}
        increasedTableDensity
      />
    </div>
  );
}

/** The segments page's card: our segments × Shopify's RFM groups, and our CLV bands × Shopify's spend tiers. */
export function ShopifyGroupsMatrix({
  comparison,
  segmentName,
}: {
  comparison: ShopifyComparisonView;
  segmentName: (key: string) => string;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const group = (key: string) => t(`insightCompare.group.${key || "unknown"}`, { defaultValue: key });
  const tier = (key: string) => t(`insightCompare.tier.${key || "unknown"}`, { defaultValue: key });
  const band = (key: string) => t(`insightCompare.band.${key || "none"}`, { defaultValue: key });
  const { segments, bands, readAt, agreeing } = comparison;
  const headingId = useId();
  return (
    <section aria-labelledby={headingId}>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd" id={headingId}>
            {t("insightCompare.matrixTitle")}
          </Text>
          <Text as="p" tone="subdued">
            {t("insightCompare.matrixHelp")}
          </Text>
          {readAt === null ? (
            <Text as="p">{t("insightCompare.notRead")}</Text>
          ) : (
            <>
              <Text as="p" variant="bodySm" tone="subdued">
                {t("insightCompare.readAt", { date: formatDate(locale, readAt, { dateStyle: "medium" }) })}{" "}
                {t("insightCompare.agreement", {
                  share: formatPercent(locale, segments.total > 0 ? agreeing / segments.total : 0),
                  count: agreeing,
                  formattedCount: formatNumber(locale, agreeing),
                })}
              </Text>
              <MatrixTable
                matrix={segments}
                rowName={segmentName}
                columnName={group}
                firstHeading={t("insightCompare.ourSegment")}
                caption={t("insightCompare.matrixCaption")}
              />
              {bands ? (
                <BlockStack gap="200">
                  <Text as="h3" variant="headingSm">
                    {t("insightCompare.bandTitle")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t("insightCompare.bandHelp")}
                  </Text>
                  <MatrixTable
                    matrix={bands}
                    rowName={band}
                    columnName={tier}
                    firstHeading={t("insightCompare.ourBand")}
                    caption={t("insightCompare.bandCaption")}
                  />
                </BlockStack>
              ) : null}
            </>
          )}
        </BlockStack>
      </Card>
    </section>
  );
}

export interface CustomerCompareView {
  shopify: { rfmGroup: string | null; predictedSpendTier: string | null; readAt: string } | null;
  segment: string | null;
  r: number | null;
  f: number | null;
  m: number | null;
  fm: number | null;
  recencyDays: number | null;
  frequency: number | null;
  monetaryMinor: number | null;
  population: number | null;
  currency: string;
}

/** The customer page's card: Shopify's group and tier next to ours, and why ours is what it is, in words. */
export function CustomerShopifyCard({
  view,
  segmentName,
}: {
  view: CustomerCompareView;
  segmentName: (key: string | null) => string;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { shopify } = view;
  const ours = segmentName(view.segment);
  const scored = view.segment !== null && view.segment !== "prospect" && view.r !== null;
  const group = shopify?.rfmGroup ?? "";
  const same = view.segment !== null && group !== "" && SHOPIFY_COUNTERPART[view.segment] === group;
  const headingId = useId();
  return (
    <section aria-labelledby={headingId}>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd" id={headingId}>
            {t("insightCompare.card.title")}
          </Text>
          <InlineGrid columns={3} gap="300">
            <BlockStack gap="100">
              <Text as="p" variant="bodySm" tone="subdued">
                {t("insightCompare.card.ours")}
              </Text>
              <Text as="p" variant="headingSm">
                {ours}
              </Text>
            </BlockStack>
            <BlockStack gap="100">
              <Text as="p" variant="bodySm" tone="subdued">
                {t("insightCompare.card.shopify")}
              </Text>
              <Text as="p" variant="headingSm">
                {t(`insightCompare.group.${group || "unknown"}`, { defaultValue: group })}
              </Text>
            </BlockStack>
            <BlockStack gap="100">
              <Text as="p" variant="bodySm" tone="subdued">
                {t("insightCompare.card.shopifyTier")}
              </Text>
              <Text as="p" variant="headingSm">
                {t(`insightCompare.tier.${shopify?.predictedSpendTier || "unknown"}`, {
                  defaultValue: shopify?.predictedSpendTier ?? "",
                })}
              </Text>
            </BlockStack>
          </InlineGrid>
          <Text as="p">
            {scored
              ? t("insightCompare.card.whyOurs", {
                  segment: ours,
                  r: view.r,
                  f: view.f,
                  m: view.m,
                  fm: view.fm,
                  days: formatNumber(locale, view.recencyDays ?? 0),
                  orders: t("customer.orders", {
                    count: view.frequency ?? 0,
                    formattedCount: formatNumber(locale, view.frequency ?? 0),
                  }),
                  spend: formatMoney(locale, view.monetaryMinor ?? 0, view.currency),
                  population: formatNumber(locale, view.population ?? 0),
                })
              : t("insightCompare.card.whyProspect", { segment: ours })}
          </Text>
          {shopify === null ? (
            <Text as="p" tone="subdued">
              {t("insightCompare.card.notRead")}
            </Text>
          ) : (
            <>
              <Text as="p">
                {same
                  ? t("insightCompare.card.same")
                  : t("insightCompare.card.differs", {
                      group: t(`insightCompare.group.${group || "unknown"}`, { defaultValue: group }),
                    })}
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                {t("insightCompare.card.readAt", {
                  date: formatDate(locale, shopify.readAt, { dateStyle: "medium" }),
                })}
              </Text>
            </>
          )}
        </BlockStack>
      </Card>
    </section>
  );
}
