// Referrals (docs/referrals.md): the settings (on/off, the friend's offer, the member's reward, the return window, the
// caps), each problem under its field and nothing saved; the funnel (links followed → codes issued → first orders →
// rewarded) with the cost (friends' discounts, points given); the newest referrals with their state and reward.
import { useEffect, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  DataTable,
  FormLayout,
  InlineGrid,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { queueReferralsPass, referralsAdmin, saveReferralSettingsForm } from "../services/referrals.server";
import { fromMinorUnits } from "../domain/money";
import type { ReferralSettings } from "../domain/referrals";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../i18n/format";
import { useLocale } from "../i18n/react";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const data = await referralsAdmin(session.shop);
  return {
    ...data,
    rows: data.rows.map((r) => ({
      id: r.id,
      referrer: r.referrerName ?? r.referrerEmail ?? r.referrerId,
      friend: r.friendEmail,
      state: r.state,
      refusal: r.refusal,
      order: r.orderName,
      rewardPoints: r.rewardPoints,
      clawbackPoints: r.clawbackPoints,
      createdAt: r.createdAt.toISOString(),
    })),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  // The "Run now" button posts a plain form; the settings form posts JSON.
  if (!(request.headers.get("content-type") ?? "").includes("application/json")) {
    const form = await request.formData().catch(() => new FormData());
    if (form.get("intent") === "run") {
      await queueReferralsPass(session.shop);
      return json({ ok: true as const, queued: true as const });
    }
  }
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await request.json();
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: every field is missing, answered with the issues like any refused input.
  }
  const result = await saveReferralSettingsForm(session.shop, body);
  return json(result, { status: result.ok ? 200 : 400 });
};

type Form = Record<
  | "offerKind"
  | "offerValue"
  | "minimumSubtotal"
  | "offerValidityDays"
  | "rewardPoints"
  | "returnWindowDays"
  | "capPerPeriod"
  | "capPeriodDays"
  | "capTotal",
  string
> & { enabled: boolean };

function formOf(s: ReferralSettings, currency: string): Form {
  return {
    enabled: s.enabled,
    offerKind: s.offerKind,
    offerValue: s.offerKind === "fixed_amount" ? fromMinorUnits(s.offerValue, currency) : String(s.offerValue),
    minimumSubtotal: s.minimumSubtotalMinor === null ? "" : fromMinorUnits(s.minimumSubtotalMinor, currency),
    offerValidityDays: String(s.offerValidityDays),
    rewardPoints: String(s.rewardPoints),
    returnWindowDays: String(s.returnWindowDays),
    capPerPeriod: s.capPerPeriod === null ? "" : String(s.capPerPeriod),
    capPeriodDays: String(s.capPeriodDays),
    capTotal: s.capTotal === null ? "" : String(s.capTotal),
  };
}

export default function Referrals() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const save = useFetcher<typeof action>();
  const run = useFetcher<typeof action>();
  const revalidator = useRevalidator();
  const [form, setForm] = useState<Form>(() => formOf(data.settings, data.currency));
  const result = save.data;
  useEffect(() => {
    if (result?.ok) revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result]);

  const issues = result && !result.ok && "issues" in result ? result.issues : [];
  const errorAt = (field: string) => {
    const issue = issues.find((i) => i.field === field);
    return issue ? t(`referrals.errors.${issue.key}`, { defaultValue: issue.message }) : undefined;
  };
  const set = (field: keyof Form) => (value: string) => setForm((f) => ({ ...f, [field]: value }));
  const submit = () => save.submit(form as never, { method: "post", encType: "application/json" });
  const n = (v: number) => formatNumber(locale, v);
  const money = (minor: number) => formatMoney(locale, minor, data.currency);
  const rate = (share: number | null) =>
    share === null ? "—" : t("referrals.funnel.ofPrevious", { percent: formatPercent(locale, share) });
  const f = data.funnel;

  const steps: [string, number, number | null][] = [
    ["linksFollowed", f.linksFollowed, null],
    ["codesIssued", f.codesIssued, data.rates.issuedPerVisit],
    ["firstOrders", f.firstOrders, data.rates.orderedPerIssued],
    ["rewarded", f.rewarded, data.rates.rewardedPerOrdered],
  ];

  return (
    <Page
      title={t("referrals.title")}
      primaryAction={{
        content: t("referrals.run"),
        loading: run.state !== "idle",
        onAction: () => run.submit({ intent: "run" }, { method: "post" }),
      }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="200">
            <Text as="p" tone="subdued">
              {t("referrals.intro")}
            </Text>
            {run.data && "queued" in run.data ? <Banner tone="info" title={t("referrals.runQueued")} /> : null}
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("referrals.funnel.heading")}
              </Text>
              <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
                {steps.map(([key, value, share]) => (
                  <BlockStack key={key} gap="100">
                    <Text as="p" tone="subdued">
                      {t(`referrals.funnel.${key}`)}
                    </Text>
                    <Text as="p" variant="headingLg">
                      {n(value)}
                    </Text>
                    {share !== null || key !== "linksFollowed" ? (
                      <Text as="p" tone="subdued">
                        {rate(share)}
                      </Text>
                    ) : null}
                  </BlockStack>
                ))}
              </InlineGrid>
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
                <Text as="p">
                  {t("referrals.funnel.discountCost")}: <strong>{money(f.discountCostMinor)}</strong>
                </Text>
                <Text as="p">
                  {t("referrals.funnel.rewardPoints")}: <strong>{n(f.rewardPoints)}</strong>
                </Text>
              </InlineGrid>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("referrals.settings.heading")}
              </Text>
              {result?.ok ? (
                <Banner tone="success">
                  <p>{t("referrals.settings.saved")}</p>
                </Banner>
              ) : null}
              {issues.length ? (
                <Banner tone="critical">
                  <p>{t("referrals.settings.invalid")}</p>
                </Banner>
              ) : null}
              <FormLayout>
                <Checkbox
                  label={t("referrals.settings.enabled")}
                  helpText={t("referrals.settings.enabledHelp")}
                  checked={form.enabled}
                  onChange={(checked) => setForm((s) => ({ ...s, enabled: checked }))}
                />
                <Text as="h3" variant="headingSm">
                  {t("referrals.settings.offerHeading")}
                </Text>
                <FormLayout.Group>
                  <Select
                    label={t("referrals.settings.offerKind")}
                    options={[
                      { label: t("referrals.settings.percentage"), value: "percentage" },
                      { label: t("referrals.settings.fixed_amount"), value: "fixed_amount" },
                    ]}
                    value={form.offerKind}
                    onChange={set("offerKind")}
                    error={errorAt("offerKind")}
                  />
                  <TextField
                    label={
                      form.offerKind === "fixed_amount"
                        ? t("referrals.settings.offerValueAmount", { currency: data.currency })
                        : t("referrals.settings.offerValuePercent")
                    }
                    value={form.offerValue}
                    onChange={set("offerValue")}
                    error={errorAt("offerValue")}
                    autoComplete="off"
                    inputMode="decimal"
                  />
                </FormLayout.Group>
                <FormLayout.Group>
                  <TextField
                    label={t("referrals.settings.minimumSubtotal", { currency: data.currency })}
                    helpText={t("referrals.settings.minimumHelp")}
                    value={form.minimumSubtotal}
                    onChange={set("minimumSubtotal")}
                    error={errorAt("minimumSubtotalMinor")}
                    autoComplete="off"
                    inputMode="decimal"
                  />
                  <TextField
                    label={t("referrals.settings.offerValidityDays")}
                    value={form.offerValidityDays}
                    onChange={set("offerValidityDays")}
                    error={errorAt("offerValidityDays")}
                    autoComplete="off"
                    inputMode="numeric"
                  />
                </FormLayout.Group>
                <Text as="h3" variant="headingSm">
                  {t("referrals.settings.rewardHeading")}
                </Text>
                <FormLayout.Group>
                  <TextField
                    label={t("referrals.settings.rewardPoints")}
                    value={form.rewardPoints}
                    onChange={set("rewardPoints")}
                    error={errorAt("rewardPoints")}
                    autoComplete="off"
                    inputMode="numeric"
                  />
                  <TextField
                    label={t("referrals.settings.returnWindowDays")}
                    helpText={t("referrals.settings.returnWindowHelp")}
                    value={form.returnWindowDays}
                    onChange={set("returnWindowDays")}
                    error={errorAt("returnWindowDays")}
                    autoComplete="off"
                    inputMode="numeric"
                  />
                </FormLayout.Group>
                <Text as="h3" variant="headingSm">
                  {t("referrals.settings.capsHeading")}
                </Text>
                <FormLayout.Group>
                  <TextField
                    label={t("referrals.settings.capPerPeriod")}
                    value={form.capPerPeriod}
                    onChange={set("capPerPeriod")}
                    error={errorAt("capPerPeriod")}
                    autoComplete="off"
                    inputMode="numeric"
                  />
                  <TextField
                    label={t("referrals.settings.capPeriodDays")}
                    value={form.capPeriodDays}
                    onChange={set("capPeriodDays")}
                    error={errorAt("capPeriodDays")}
                    autoComplete="off"
                    inputMode="numeric"
                  />
                  <TextField
                    label={t("referrals.settings.capTotal")}
                    helpText={t("referrals.settings.capHelp")}
                    value={form.capTotal}
                    onChange={set("capTotal")}
                    error={errorAt("capTotal")}
                    autoComplete="off"
                    inputMode="numeric"
                  />
                </FormLayout.Group>
                <Button variant="primary" onClick={submit} loading={save.state !== "idle"}>
                  {t("referrals.settings.save")}
                </Button>
              </FormLayout>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("referrals.list.heading")}
              </Text>
              {data.rows.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("referrals.list.empty")}
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text", "text"]}
                  headings={[
                    t("referrals.list.issued"),
                    t("referrals.list.referrer"),
                    t("referrals.list.friend"),
                    t("referrals.list.state"),
                    t("referrals.list.order"),
                    t("referrals.list.reward"),
                  ]}
                  rows={data.rows.map((r) => [
                    formatDate(locale, new Date(r.createdAt)),
                    r.referrer,
                    r.friend,
                    r.refusal
                      ? `${t(`referrals.states.${r.state}`)} (${t(`referrals.refusals.${r.refusal}`)})`
                      : t(`referrals.states.${r.state}`),
                    r.order ?? "—",
                    r.clawbackPoints !== null
                      ? t("referrals.list.clawedBack", { points: n(r.clawbackPoints) })
                      : r.rewardPoints !== null
                        ? t("referrals.list.points", { points: n(r.rewardPoints) })
                        : "—",
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
