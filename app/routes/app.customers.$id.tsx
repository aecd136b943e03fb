// One customer: R/F/M scores with the raw values and why (the run's cut values), tier and progress to the next,
// expiry, the history of segment and tier moves, orders in the ledger, what was written to Shopify, and a link to
// the customer in Shopify admin.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  DataTable,
  EmptyState,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { customerDetail } from "../services/customer-detail.server";
import { formatDate, formatMoney, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";
import { CustomerPoints } from "../components/CustomerPoints";
import { customerPoints } from "../services/customer-points.server";
import { adjustPoints } from "../services/points-adjustments.server";
import { staffActor } from "../domain/points-adjustments";
import { CustomerShopifyCard } from "../components/ShopifyCompare";
import { customerShopifyView } from "../services/shopify-stats.server";
import { CustomerPredictionCard } from "../components/CustomerPredictionCard";
import { customerPredictionView } from "../services/predictions-page.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = /^\d{1,20}$/.test(params.id ?? "") ? `gid://shopify/Customer/${params.id}` : null;
  const detail = id ? await customerDetail(session.shop, id) : null;
  const points = detail ? await customerPoints(session.shop, detail.customerId) : null;
  const shopify = detail ? await customerShopifyView(session.shop, detail.customerId) : null;
  const prediction = detail ? await customerPredictionView(session.shop, detail.customerId) : null;
  // Not this shop's customer (or not an id): the page says so, with 404 as the status.
  return json({ detail, points, shopify, prediction }, { status: detail ? 200 : 404 });
};

/** The points card's adjust form: the staff member is the session token's user (`sub`). */
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, sessionToken, admin } = await authenticate.admin(request);
  const id = /^\d{1,20}$/.test(params.id ?? "") ? `gid://shopify/Customer/${params.id}` : null;
  const form = await request.formData();
  const user = sessionToken?.sub ?? session.onlineAccessInfo?.associated_user.id?.toString() ?? "unknown";
  const result = id
    ? await adjustPoints(
        session.shop,
        id,
        { points: form.get("points"), reason: form.get("reason"), kind: form.get("kind"), token: form.get("token") },
        staffActor(user),
        { flow: { graphql: admin.graphql } },
      )
    : ({
        ok: false,
        status: 404,
        issues: [{ field: "customer", key: "customer", message: "No such customer." }],
      } as const);
  return result.ok
    ? json({ ok: true as const, repeated: result.repeated, points: result.points })
    : json({ ok: false as const, issues: result.issues }, { status: result.status });
};

export default function CustomerDetail() {
  const { detail, points, shopify, prediction } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  if (!detail) {
    return (
      <Page backAction={{ content: t("customers.title"), url: "/app/customers" }} title={t("customer.notFoundTitle")}>
        <Card>
          <EmptyState heading={t("customer.notFoundTitle")} image="">
            <p>{t("customer.notFoundBody")}</p>
          </EmptyState>
        </Card>
      </Page>
    );
  }
  const { state, cuts, currency } = detail;
  const money = (minor: number | null) => (minor === null ? "—" : formatMoney(locale, minor, currency));
  const segmentName = (key: string | null) =>
    key === null ? "—" : detail.segmentNames[key]?.trim() || t(`segment.${key}`);
  const tierName = (key: string | null) => (key === null ? t("customers.noTier") : (detail.tierNames[key] ?? key));
  const spend = state?.spendInWindowMinor ?? 0;
  const toNext = state?.amountToNextMinor ?? null;
  const progress = toNext === null ? 100 : spend + toNext === 0 ? 0 : Math.round((100 * spend) / (spend + toNext));
  const cut = (values: (number | null)[] | undefined, format: (v: number) => string) =>
    (values ?? [])
      .map((v, i) => (v === null ? null : t("customer.cut", { score: i + 2, value: format(v) })))
      .filter(Boolean)
      .join(" · ");

  return (
    <Page
      backAction={{ content: t("customers.title"), url: "/app/customers" }}
      title={detail.name ?? detail.email ?? t("customers.unnamed")}
      subtitle={detail.name ? (detail.email ?? undefined) : undefined}
      titleMetadata={state ? <Badge tone="info">{segmentName(state.segment)}</Badge> : undefined}
      secondaryActions={[
        { content: t("customer.openInShopify"), url: `shopify://admin/customers/${detail.legacyId}`, target: "_top" },
      ]}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("customer.scores")}
                </Text>
                {state && state.r !== null ? (
                  <InlineGrid columns={3} gap="400">
                    <BlockStack gap="100">
                      <Text as="p" variant="headingLg">
                        {t("customer.score.r", { score: state.r })}
                      </Text>
                      <Text as="p">
                        {t("customers.daysAgo", {
                          count: state.recencyDays ?? 0,
                          formattedCount: formatNumber(locale, state.recencyDays ?? 0),
                        })}
                      </Text>
                      <Text as="p" variant="bodySm" tone="subdued">
                        {cut(cuts?.recencyDays, (v) => t("customer.fewerDays", { days: formatNumber(locale, v) }))}
                      </Text>
                    </BlockStack>
                    <BlockStack gap="100">
                      <Text as="p" variant="headingLg">
                        {t("customer.score.f", { score: state.f })}
                      </Text>
                      <Text as="p">
                        {t("customer.orders", {
                          count: state.frequency ?? 0,
                          formattedCount: formatNumber(locale, state.frequency ?? 0),
                        })}
                      </Text>
                      <Text as="p" variant="bodySm" tone="subdued">
                        {cut(cuts?.frequency, (v) => t("customer.moreThan", { value: formatNumber(locale, v) }))}
                      </Text>
                    </BlockStack>
                    <BlockStack gap="100">
                      <Text as="p" variant="headingLg">
                        {t("customer.score.m", { score: state.m })}
                      </Text>
                      <Text as="p">{money(state.monetaryMinor)}</Text>
                      <Text as="p" variant="bodySm" tone="subdued">
                        {cut(cuts?.monetary, (v) => t("customer.moreThan", { value: money(v) }))}
                      </Text>
                    </BlockStack>
                  </InlineGrid>
                ) : (
                  <Text as="p" tone="subdued">
                    {t("customer.prospect")}
                  </Text>
                )}
                {cuts ? (
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("customer.why", { population: formatNumber(locale, cuts.population) })}
                  </Text>
                ) : null}
              </BlockStack>
            </Card>
            <CustomerShopifyCard
              view={{
                shopify,
                segment: state?.segment ?? null,
                r: state?.r ?? null,
                f: state?.f ?? null,
                m: state?.m ?? null,
                fm: state?.fm ?? null,
                recencyDays: state?.recencyDays ?? null,
                frequency: state?.frequency ?? null,
                monetaryMinor: state?.monetaryMinor ?? null,
                population: cuts?.population ?? null,
                currency,
              }}
              segmentName={segmentName}
            />
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("customer.ordersHeading", {
                    count: detail.orderCount,
                    formattedCount: formatNumber(locale, detail.orderCount),
                  })}
                </Text>
                <DataTable
                  columnContentTypes={["text", "text", "text", "numeric"]}
                  headings={[t("customer.order"), t("customer.date"), t("customer.status"), t("customer.value")]}
                  rows={detail.orders.map((o) => [
                    o.name ?? o.id.split("/").pop()!,
                    formatDate(locale, o.processedAt),
                    o.test
                      ? t("customer.test")
                      : o.cancelled
                        ? t("customer.cancelled")
                        : o.valueMinor <= 0
                          ? t("customer.refunded")
                          : t("customer.counts"),
                    formatMoney(locale, o.valueMinor, o.currencyCode === "XXX" ? currency : o.currencyCode),
                  ])}
                />
              </BlockStack>
            </Card>
            {points ? <CustomerPoints points={points} /> : null}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <CustomerPredictionCard prediction={prediction} currency={currency} />
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between">
                  <Text as="h2" variant="headingMd">
                    {t("customer.tier")}
                  </Text>
                  <Badge tone={state?.tier ? "success" : undefined}>{tierName(state?.tier ?? null)}</Badge>
                </InlineStack>
                <Text as="p">{t("customer.spendInWindow", { amount: money(state?.spendInWindowMinor ?? null) })}</Text>
                {state?.nextTier ? (
                  <BlockStack gap="100">
                    <ProgressBar progress={progress} size="small" />
                    <Text as="p" variant="bodySm">
                      {t("customer.toNext", { amount: money(toNext), tier: tierName(state.nextTier) })}
                    </Text>
                  </BlockStack>
                ) : null}
                {state?.tierExpiresAt ? (
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("customer.expires", { date: formatDate(locale, state.tierExpiresAt) })}
                  </Text>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customer.history")}
                </Text>
                {detail.history.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("customer.noHistory")}
                  </Text>
                ) : (
                  detail.history.slice(0, 20).map((h, i) => (
                    <Text as="p" variant="bodySm" key={i}>
                      {formatDate(locale, h.at)}:{" "}
                      {h.kind === "tier"
                        ? t("customer.movedTier", {
                            from: h.from === null ? "—" : tierName(h.from),
                            to: tierName(h.to),
                          })
                        : t("customer.movedSegment", { from: segmentName(h.from), to: segmentName(h.to) })}{" "}
                      ({t(`customer.reason.${h.reason}`, { defaultValue: h.reason })})
                    </Text>
                  ))
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customer.sync")}
                </Text>
                {detail.sync ? (
                  <>
                    <InlineStack gap="100">
                      {detail.sync.tags.map((tag) => (
                        <Badge key={tag}>{tag}</Badge>
                      ))}
                    </InlineStack>
                    <Text as="p" variant="bodySm" tone={detail.sync.failure ? "critical" : "subdued"}>
                      {detail.sync.failure ??
                        (detail.sync.syncedAt
                          ? t("customer.syncedAt", {
                              date: formatDate(locale, detail.sync.syncedAt, {
                                dateStyle: "medium",
                                timeStyle: "short",
                              }),
                            })
                          : "")}
                    </Text>
                  </>
                ) : (
                  <Text as="p" tone="subdued">
                    {t("customer.notSynced")}
                  </Text>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
