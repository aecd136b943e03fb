// Campaigns: every lifecycle campaign with its status, audience, offer and how many it reached; new ones start from a
// template (welcome, thank-you, win-back, VIP reward) or from scratch.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  EmptyState,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { campaignsPage } from "../services/campaigns.server";
import { formatMoney, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return campaignsPage(session.shop, { archived: new URL(request.url).searchParams.get("archived") === "1" });
};

const TEMPLATES = ["welcome", "thank_you", "win_back", "vip_reward"] as const;
export const STATUS_TONE = { active: "success", paused: "attention", archived: undefined } as const;

export default function Campaigns() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const navigate = useNavigate();
  const n = (x: number) => formatNumber(locale, x);
  const segmentName = (key: string) => data.segmentNames[key]?.trim() || t(`segment.${key}`);
  const tierName = (key: string) => data.tiers.find((x) => x.key === key)?.name ?? key;

  const audience = (c: (typeof data.campaigns)[number]) => {
    const a = c.audience;
    if (a.kind === "segment")
      return t("campaigns.audienceSummary.segment", { segments: a.segments.map(segmentName).join(", ") });
    if (a.kind === "tier_up")
      return a.tiers.length
        ? t("campaigns.audienceSummary.tierUpTo", { tiers: a.tiers.map(tierName).join(", ") })
        : t("campaigns.audienceSummary.tierUp");
    if (a.kind === "first_order") return t("campaigns.audienceSummary.firstOrder");
    if (a.kind === "signup")
      return t(a.marketingOnly ? "campaignResponse.audienceSummaryMarketing" : "campaignResponse.audienceSummary");
    if (a.kind === "insight") {
      const i = a.insight;
      if (i.key === "product")
        return t("insights.summary.product", {
          product: data.insightChoices.products.find((p) => p.id === i.productId)?.title ?? i.productId,
        });
      if (i.key === "product_type") return t("insights.summary.product_type", { type: i.productType });
      return t(`insights.name.${i.key}`);
    }
    return t("campaigns.audienceSummary.daysSince", { days: a.days });
  };
  const offer = (c: (typeof data.campaigns)[number]) =>
    c.offer.kind === "percentage"
      ? t("campaigns.offerSummary.percentage", { value: c.offer.value })
      : t("campaigns.offerSummary.fixed", { amount: formatMoney(locale, c.offer.value, data.currency) });

  return (
    <Page
      title={t("campaigns.title")}
      primaryAction={{ content: t("campaigns.newCustom"), url: "/app/campaigns/new?template=custom" }}
      secondaryActions={[
        {
          content: data.archived ? t("campaigns.showCurrent") : t("campaigns.showArchived"),
          url: data.archived ? "/app/campaigns" : "/app/campaigns?archived=1",
        },
      ]}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("campaigns.templatesTitle")}
              </Text>
              <Text as="p" tone="subdued">
                {t("campaigns.templatesDescription")}
              </Text>
              <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="300">
                {TEMPLATES.map((tpl) => (
                  <Card key={tpl} background="bg-surface-secondary">
                    <BlockStack gap="200">
                      <Text as="h3" variant="headingSm">
                        {t(`campaigns.template.${tpl}.name`)}
                      </Text>
                      <Text as="p" variant="bodySm" tone="subdued">
                        {t(`campaigns.template.${tpl}.description`)}
                      </Text>
                      <InlineStack>
                        <Button
                          onClick={() => navigate(`/app/campaigns/new?template=${tpl}`)}
                          accessibilityLabel={t("campaigns.useTemplateLabel", {
                            name: t(`campaigns.template.${tpl}.name`),
                          })}
                        >
                          {t("campaigns.useTemplate")}
                        </Button>
                      </InlineStack>
                    </BlockStack>
                  </Card>
                ))}
              </InlineGrid>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {data.campaigns.length === 0 ? (
              <EmptyState heading={data.archived ? t("campaigns.emptyArchived") : t("campaigns.empty")} image="">
                <p>{t("campaigns.emptyHelp")}</p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: t("campaigns.resource.singular"), plural: t("campaigns.resource.plural") }}
                itemCount={data.campaigns.length}
                selectable={false}
                headings={[
                  { title: t("campaigns.columns.name") },
                  { title: t("campaigns.columns.status") },
                  { title: t("campaigns.columns.audience") },
                  { title: t("campaigns.columns.offer") },
                  { title: t("campaigns.columns.issued"), alignment: "end" },
                  { title: t("campaigns.columns.holdout"), alignment: "end" },
                  { title: t("campaigns.columns.waiting"), alignment: "end" },
                ]}
              >
                {data.campaigns.map((c, i) => (
                  <IndexTable.Row id={c.id} key={c.id} position={i}>
                    <IndexTable.Cell>
                      <Link url={`/app/campaigns/${c.id}`} removeUnderline monochrome dataPrimaryLink>
                        <Text as="span" fontWeight="semibold">
                          {c.name}
                        </Text>
                      </Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={STATUS_TONE[c.status]}>{t(`campaigns.status.${c.status}`)}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{audience(c)}</IndexTable.Cell>
                    <IndexTable.Cell>{offer(c)}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {n(c.counts.issued)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {n(c.counts.holdout)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {n(c.counts.waiting)}
                      </Text>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
