// Settings: what the app writes back to Shopify, the RFM analysis window, removing everything the app wrote, and the
// CSV export of every customer's scores, segment and tier.
import { useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { settingsPage, submitSettings, type SettingsResult } from "../services/settings.server";
import { formatDate } from "../i18n/format";
import { useLocale } from "../i18n/react";
import { downloadFile } from "../components/download";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return settingsPage(session.shop);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const result = await submitSettings(session.shop, await request.formData());
  // Refused input: the page shows the issues inline; the status says it was refused.
  return json(result, { status: result.ok ? 200 : 400 });
};

const WINDOWS = ["all", "90", "180", "365", "730"];

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const sync = useFetcher<SettingsResult>();
  const rfm = useFetcher<SettingsResult>();
  const cleanup = useFetcher<SettingsResult>();
  const [values, setValues] = useState({
    rfmTags: data.sync.rfmPrefix !== null,
    rfmPrefix: data.sync.rfmPrefix ?? "rfm:",
    tierTags: data.sync.tierPrefix !== null,
    tierPrefix: data.sync.tierPrefix ?? "tier:",
    insightTags: Boolean(data.sync.insightPrefix),
    insightPrefix: data.sync.insightPrefix ?? "insight:",
    metafields: data.sync.metafields,
    segments: data.sync.segments,
    codes: data.sync.codes,
    segmentNamePrefix: data.sync.segmentNamePrefix,
    codePrefix: data.sync.codePrefix,
  });
  const windowValue = data.windowDays === null ? "all" : String(data.windowDays);
  const [windowDays, setWindowDays] = useState(WINDOWS.includes(windowValue) ? windowValue : "custom");
  const [customDays, setCustomDays] = useState(WINDOWS.includes(windowValue) ? "" : windowValue);
  const [confirming, setConfirming] = useState(false);
  const [exporting, setExporting] = useState(false);

  const set =
    <K extends keyof typeof values>(key: K) =>
    (value: (typeof values)[K]) =>
      setValues((v) => ({ ...v, [key]: value }));
  const issues = (result: SettingsResult | undefined) => (result && !result.ok ? result.issues : []);
  const errorAt = (result: SettingsResult | undefined, field: string) => {
    const issue = issues(result).find((i) => i.path[0] === field);
    return issue ? t(`settingsRules.${issue.key}`, { ...issue.params, defaultValue: issue.message }) : undefined;
  };

  const saveSync = () => {
    const form = new FormData();
    form.set("intent", "sync");
    for (const [key, value] of Object.entries(values))
      form.set(key, typeof value === "boolean" ? (value ? "on" : "off") : value);
    sync.submit(form, { method: "post" });
  };
  const saveWindow = () =>
    rfm.submit({ intent: "rfm", windowDays: windowDays === "custom" ? customDays : windowDays }, { method: "post" });
  const download = async () => {
    setExporting(true);
    try {
      await downloadFile(
        `/app/export?asOf=${encodeURIComponent(data.computedAsOf ?? new Date().toISOString())}`,
        "customers.csv",
      );
    } finally {
      setExporting(false);
    }
  };

  return (
    <Page title={t("settings.title")}>
      <Layout>
        <Layout.AnnotatedSection title={t("settings.syncTitle")} description={t("settings.syncDescription")}>
          <Card>
            <BlockStack gap="400">
              {sync.data?.intent === "sync" && sync.data.ok ? (
                <Banner tone="success" title={t("settings.syncSaved")} />
              ) : null}
              <FormLayout>
                <Checkbox label={t("settings.rfmTags")} checked={values.rfmTags} onChange={set("rfmTags")} />
                {values.rfmTags ? (
                  <TextField
                    label={t("settings.rfmPrefix")}
                    value={values.rfmPrefix}
                    onChange={set("rfmPrefix")}
                    error={errorAt(sync.data, "rfmPrefix")}
                    helpText={t("settings.prefixExample", { tag: `${values.rfmPrefix}champions` })}
                    autoComplete="off"
                  />
                ) : null}
                <Checkbox label={t("settings.tierTags")} checked={values.tierTags} onChange={set("tierTags")} />
                {values.tierTags ? (
                  <TextField
                    label={t("settings.tierPrefix")}
                    value={values.tierPrefix}
                    onChange={set("tierPrefix")}
                    error={errorAt(sync.data, "tierPrefix")}
                    helpText={t("settings.prefixExample", { tag: `${values.tierPrefix}gold` })}
                    autoComplete="off"
                  />
                ) : null}
                <Checkbox
                  label={t("insights.tags.checkbox")}
                  checked={values.insightTags}
                  onChange={set("insightTags")}
                />
                {values.insightTags ? (
                  <TextField
                    label={t("insights.tags.label")}
                    value={values.insightPrefix}
                    onChange={set("insightPrefix")}
                    error={
                      issues(sync.data).some((i) => i.key === "sync.prefix.insight_overlap")
                        ? t("insights.tags.overlap")
                        : errorAt(sync.data, "insightPrefix")
                    }
                    helpText={t("insights.tags.help", { example: `${values.insightPrefix}promotion_only` })}
                    autoComplete="off"
                  />
                ) : null}
                <Checkbox
                  label={t("settings.metafields")}
                  helpText={t("settings.metafieldsHelp")}
                  checked={values.metafields}
                  onChange={set("metafields")}
                />
                <Checkbox
                  label={t("settings.segments")}
                  checked={values.segments}
                  onChange={set("segments")}
                  error={errorAt(sync.data, "segments")}
                />
                <Checkbox
                  label={t("settings.codes")}
                  checked={values.codes}
                  onChange={set("codes")}
                  error={errorAt(sync.data, "codes")}
                />
                <FormLayout.Group>
                  <TextField
                    label={t("settings.segmentNamePrefix")}
                    value={values.segmentNamePrefix}
                    onChange={set("segmentNamePrefix")}
                    error={errorAt(sync.data, "segmentNamePrefix")}
                    autoComplete="off"
                  />
                  <TextField
                    label={t("settings.codePrefix")}
                    value={values.codePrefix}
                    onChange={set("codePrefix")}
                    error={errorAt(sync.data, "codePrefix")}
                    helpText={t("settings.codeExample", { code: `${values.codePrefix}GOLD-10` })}
                    autoComplete="off"
                  />
                </FormLayout.Group>
              </FormLayout>
              <InlineStack align="end">
                <Button variant="primary" onClick={saveSync} loading={sync.state !== "idle"}>
                  {t("settings.save")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t("settings.rfmTitle")} description={t("settings.rfmDescription")}>
          <Card>
            <BlockStack gap="400">
              {rfm.data?.intent === "rfm" && rfm.data.ok ? (
                <Banner
                  tone="success"
                  title={rfm.data.recompute ? t("settings.rfmSavedRecompute") : t("settings.rfmSaved")}
                />
              ) : null}
              <Select
                label={t("settings.window")}
                options={[
                  { label: t("settings.windowAll"), value: "all" },
                  ...["90", "180", "365", "730"].map((d) => ({
                    label: t("settings.windowDays", { days: d }),
                    value: d,
                  })),
                  { label: t("settings.windowCustom"), value: "custom" },
                ]}
                value={windowDays}
                onChange={setWindowDays}
                error={windowDays !== "custom" ? errorAt(rfm.data, "windowDays") : undefined}
              />
              {windowDays === "custom" ? (
                <TextField
                  label={t("settings.customDays")}
                  value={customDays}
                  onChange={setCustomDays}
                  inputMode="numeric"
                  suffix={t("tiers.days")}
                  error={errorAt(rfm.data, "windowDays")}
                  autoComplete="off"
                />
              ) : null}
              <InlineStack align="end">
                <Button variant="primary" onClick={saveWindow} loading={rfm.state !== "idle"}>
                  {t("settings.save")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t("settings.exportTitle")} description={t("settings.exportDescription")}>
          <Card>
            <BlockStack gap="300">
              <Text as="p" tone="subdued">
                {data.computedAsOf
                  ? t("settings.exportAsOf", {
                      date: formatDate(locale, data.computedAsOf, { dateStyle: "medium", timeStyle: "short" }),
                    })
                  : t("settings.exportNotYet")}
              </Text>
              <InlineStack>
                <Button onClick={download} loading={exporting} disabled={!data.computedAsOf}>
                  {t("settings.exportButton")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t("settings.cleanupTitle")} description={t("settings.cleanupDescription")}>
          <Card>
            <BlockStack gap="300">
              {cleanup.data?.intent === "cleanup" ? <Banner tone="info" title={t("settings.cleanupQueued")} /> : null}
              {confirming ? (
                <Banner tone="warning" title={t("settings.cleanupConfirmTitle")}>
                  <BlockStack gap="200">
                    <p>{t("settings.cleanupConfirmBody")}</p>
                    <InlineStack gap="200">
                      <Button
                        tone="critical"
                        variant="primary"
                        onClick={() => {
                          cleanup.submit({ intent: "cleanup" }, { method: "post" });
                          setConfirming(false);
                        }}
                      >
                        {t("settings.cleanupConfirm")}
                      </Button>
                      <Button onClick={() => setConfirming(false)}>{t("settings.cancel")}</Button>
                    </InlineStack>
                  </BlockStack>
                </Banner>
              ) : (
                <InlineStack>
                  <Button tone="critical" onClick={() => setConfirming(true)} loading={cleanup.state !== "idle"}>
                    {t("settings.cleanupButton")}
                  </Button>
                </InlineStack>
              )}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
