// The Channels page's Klaviyo card (docs/klaviyo.md): the last sync's figures and error, what waits, and "Sync now".
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineStack, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { formatDate, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export interface KlaviyoCardData {
  connected: boolean;
  lastRun: {
    status: string;
    startedAt: string;
    error: string | null;
    considered: number;
    subscribed: number;
    changed: number;
    imported: number;
    jobs: number;
    eventsSent: number;
    eventsSkipped: number;
    eventsRefused: number;
    throttled: number;
    profilesFailed: number;
    cleared: number;
  } | null;
  eventsPending: number;
  jobsOpen: number;
  profilesGivenUp: number;
  givenUpError: string | null;
}

export type KlaviyoSyncResult = { intent: "sync"; ok: true } | { intent: "sync"; ok: false; reason: "not_connected" };

const FIGURES = [
  "considered",
  "subscribed",
  "changed",
  "imported",
  "jobs",
  "eventsSent",
  "eventsSkipped",
  "eventsRefused",
  "throttled",
  "profilesFailed",
  "cleared",
] as const;

export function KlaviyoSyncCard({ data }: { data: KlaviyoCardData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<KlaviyoSyncResult>();
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const run = data.lastRun;
  const tone = run?.status === "done" ? "success" : run?.status === "failed" ? "critical" : "info";
  return (
    <div data-klaviyo-card="">
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {t("klaviyo.title")}
            </Text>
            <Button
              variant="primary"
              disabled={!data.connected}
              loading={fetcher.state !== "idle"}
              onClick={() => fetcher.submit({ intent: "sync", channel: "klaviyo" }, { method: "post" })}
            >
              {t("klaviyo.syncNow")}
            </Button>
          </InlineStack>
          <Text as="p" tone="subdued">
            {t("klaviyo.intro")}
          </Text>
          {!data.connected && <Text as="p">{t("klaviyo.notConnected")}</Text>}
          {result?.ok === true && <Banner tone="info">{t("klaviyo.queued")}</Banner>}
          {result?.ok === false && <Banner tone="warning">{t("klaviyo.refusedNotConnected")}</Banner>}
          {data.connected && !run && <Text as="p">{t("klaviyo.never")}</Text>}
          {run && (
            <BlockStack gap="200">
              <InlineStack gap="200" blockAlign="center">
                <Text as="p">
                  {t("klaviyo.lastRun", {
                    date: formatDate(locale, run.startedAt, { dateStyle: "medium", timeStyle: "short" }),
                  })}
                </Text>
                <Badge tone={tone}>{t(`klaviyo.status.${run.status}`)}</Badge>
              </InlineStack>
              {run.error && (
                // A pass that ended with profiles Klaviyo could not import is done (the others were recorded).
                <Banner
                  tone={run.status === "done" ? "warning" : "critical"}
                  title={t(run.status === "done" ? "klaviyo.partialTitle" : "klaviyo.errorTitle")}
                >
                  <p>{run.error}</p>
                </Banner>
              )}
              <DataTable
                columnContentTypes={["text", "numeric"]}
                headings={[t("klaviyo.figuresLabel"), ""]}
                rows={FIGURES.map((f) => [t(`klaviyo.figures.${f}`), formatNumber(locale, run[f])])}
              />
            </BlockStack>
          )}
          {data.profilesGivenUp > 0 && (
            <Text as="p" tone="caution">
              {t("klaviyo.givenUp", { count: data.profilesGivenUp, error: data.givenUpError ?? "" })}
            </Text>
          )}
          {(data.eventsPending > 0 || data.jobsOpen > 0) && (
            <Text as="p" tone="subdued">
              {t("klaviyo.waiting", { events: data.eventsPending, jobs: data.jobsOpen })}
            </Text>
          )}
        </BlockStack>
      </Card>
    </div>
  );
}
