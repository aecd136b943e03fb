// The Points programme: earning rules (rate, multiplier, a multiplier per tier, return window, expiry), the three
// bonuses and the birthday metafield, with a preview of what a change would award before saving it as a new version;
// and the programme start, whose earlier date grants points retroactively (previewed, then applied). Errors inline.
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
import {
  pointsProgramPage,
  submitPointsProgram,
  type PointsPreview,
  type PointsProgramResult,
  type PointsRulesForm,
} from "../services/points-preview.server";
import { EXPIRY_MODES } from "../domain/points";
import { formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const page = await pointsProgramPage(session.shop);
  if (!page) throw new Response("Not found", { status: 404 });
  return page;
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  let body: unknown = null;
  try {
    body = await request.json();
  } catch {
    // A body that is not JSON is answered like an empty form: with issues, not a 500.
  }
  const result = await submitPointsProgram(session.shop, body);
  return json(result, { status: result.ok ? 200 : 400 });
};

type Field = Exclude<keyof PointsRulesForm, "tierMultipliers">;
/** Which rules field each form field's issues are on. */
const ISSUE_PATH: Record<Field, string> = {
  rate: "ratePerMille",
  multiplier: "multiplierPerMille",
  returnWindowDays: "returnWindowDays",
  expiryMonths: "expiryMonths",
  expiryMode: "expiryMode",
  signUpPoints: "signUpPoints",
  firstOrderPoints: "firstOrderPoints",
  birthdayPoints: "birthdayPoints",
  birthdayMetafield: "birthdayMetafield",
};

function PreviewCard({ preview, heading }: { preview: PointsPreview; heading: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const n = (v: number) => formatNumber(locale, v);
  const delta = (v: number) => (v > 0 ? `+${n(v)}` : n(v));
  const rows = (["earned", "pending", "available", "expired"] as const).map((k) => [
    t(`pointsProgram.preview.${k}`),
    n(preview.before[k]),
    n(preview.after[k]),
    delta(preview.after[k] - preview.before[k]),
  ]);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {heading}
        </Text>
        <Text as="p">
          {t("pointsProgram.preview.affected", { affected: n(preview.affected), customers: n(preview.customers) })}
        </Text>
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric"]}
          headings={[
            t("pointsProgram.preview.points"),
            t("pointsProgram.preview.before"),
            t("pointsProgram.preview.after"),
            t("pointsProgram.preview.change"),
          ]}
          rows={rows}
        />
        {preview.examples.length ? (
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t("pointsProgram.preview.examples")}
            </Text>
            <DataTable
              columnContentTypes={["text", "text", "text"]}
              headings={[
                t("pointsProgram.preview.customer"),
                t("pointsProgram.preview.earnedBeforeAfter"),
                t("pointsProgram.preview.availableBeforeAfter"),
              ]}
              rows={preview.examples.map((e) => [
                e.name || e.customerId,
                `${n(e.before.earned)} → ${n(e.after.earned)}`,
                `${n(e.before.available)} → ${n(e.after.available)}`,
              ])}
            />
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export default function PointsProgram() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const rulesFetcher = useFetcher<PointsProgramResult>();
  const startFetcher = useFetcher<PointsProgramResult>();
  const [form, setForm] = useState<PointsRulesForm>(data.form);
  const [startsOn, setStartsOn] = useState(data.startsOn);

  const result = rulesFetcher.data;
  const startResult = startFetcher.data;
  const busy = rulesFetcher.state !== "idle";
  const startBusy = startFetcher.state !== "idle";
  const issues = result && !result.ok ? result.issues : [];
  const startIssues = startResult && !startResult.ok ? startResult.issues : [];
  const message = (i: { key: string; message: string; params?: Record<string, string | number> }) =>
    t(`pointsProgram.issues.${i.key}`, { ...i.params, defaultValue: i.message });
  const errorAt = (list: typeof issues, ...path: string[]) => {
    const issue = list.find((i) => i.path.join(".") === path.join("."));
    return issue ? message(issue) : undefined;
  };
  const set = (field: Field) => (value: string) => setForm((f) => ({ ...f, [field]: value }));
  const submit = (intent: "preview" | "save") =>
    rulesFetcher.submit({ intent, rules: form } as never, { method: "post", encType: "application/json" });
  const submitStart = (intent: "previewStart" | "applyStart") =>
    startFetcher.submit({ intent, startsOn } as never, { method: "post", encType: "application/json" });
  const field = (name: Field, extra: Partial<React.ComponentProps<typeof TextField>> = {}) => (
    <TextField
      label={t(`pointsProgram.fields.${name}`)}
      helpText={t(`pointsProgram.help.${name}`, { currency: data.currency, defaultValue: "" }) || undefined}
      value={form[name]}
      onChange={set(name)}
      error={errorAt(issues, ISSUE_PATH[name])}
      autoComplete="off"
      {...extra}
    />
  );
  const savingIntent = (rulesFetcher.json as { intent?: string } | undefined)?.intent;
  const preview = result?.intent === "preview" && result.ok ? result.preview : null;
  const startPreview = startResult?.intent === "previewStart" && startResult.ok ? startResult.preview : null;

  return (
    <Page
      title={t("pointsProgram.title")}
      subtitle={t("pointsProgram.subtitle", { version: data.version })}
      primaryAction={{
        content: t("pointsProgram.save"),
        onAction: () => submit("save"),
        loading: busy && savingIntent === "save",
      }}
      secondaryActions={[
        { content: t("pointsProgram.preview.button"), onAction: () => submit("preview"), disabled: busy },
      ]}
    >
      <Layout>
        <Layout.Section>
          <InlineStack gap="400">
            <Link url="/app/points/liability">{t("pointsProgram.links.liability")}</Link>
            <Link url="/app/points/import">{t("pointsProgram.links.import")}</Link>
            <Link url="/app/rewards">{t("pointsProgram.links.rewards")}</Link>
          </InlineStack>
        </Layout.Section>
        {result?.intent === "save" && result.ok ? (
          <Layout.Section>
            <Banner tone="success" title={t("pointsProgram.saved", { version: result.version })}>
              <p>{t("pointsProgram.savedBody")}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {issues.length ? (
          <Layout.Section>
            <Banner tone="critical" title={t("pointsProgram.fixErrors", { count: issues.length })} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("pointsProgram.earning")}
                </Text>
                <FormLayout>
                  <FormLayout.Group>
                    {field("rate", {
                      inputMode: "decimal",
                      suffix: t("pointsProgram.perUnit", { currency: data.currency }),
                    })}
                    {field("multiplier", { inputMode: "decimal", prefix: "×" })}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {field("returnWindowDays", { inputMode: "numeric", suffix: t("pointsProgram.days") })}
                    {field("expiryMonths", {
                      inputMode: "numeric",
                      suffix: t("pointsProgram.months"),
                      placeholder: t("pointsProgram.never"),
                      helpText: t(
                        form.expiryMode === "lifetime"
                          ? "pointsProgram.help.expiryMonthsLifetime"
                          : "pointsProgram.help.expiryMonths",
                      ),
                    })}
                    <Select
                      label={t("pointsProgram.fields.expiryMode")}
                      helpText={t("pointsProgram.help.expiryMode")}
                      options={EXPIRY_MODES.map((mode) => ({
                        value: mode,
                        label: t(`pointsProgram.expiryModes.${mode}`),
                      }))}
                      value={form.expiryMode}
                      onChange={set("expiryMode")}
                      error={errorAt(issues, ISSUE_PATH.expiryMode)}
                    />
                  </FormLayout.Group>
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("pointsProgram.tierMultipliers")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("pointsProgram.tierMultipliersHelp")}
                </Text>
                <FormLayout>
                  <FormLayout.Group condensed>
                    {data.tiers.map((tier) => (
                      <TextField
                        key={tier.key}
                        label={t("pointsProgram.tierMultiplier", { name: tier.name })}
                        prefix="×"
                        inputMode="decimal"
                        value={form.tierMultipliers[tier.key] ?? ""}
                        placeholder="1"
                        onChange={(value) =>
                          setForm((f) => ({ ...f, tierMultipliers: { ...f.tierMultipliers, [tier.key]: value } }))
                        }
                        error={errorAt(issues, "tierMultipliers", tier.key)}
                        autoComplete="off"
                      />
                    ))}
                  </FormLayout.Group>
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("pointsProgram.bonuses")}
                </Text>
                <FormLayout>
                  <FormLayout.Group>
                    {field("signUpPoints", { inputMode: "numeric", suffix: t("pointsProgram.points") })}
                    {field("firstOrderPoints", { inputMode: "numeric", suffix: t("pointsProgram.points") })}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {field("birthdayPoints", { inputMode: "numeric", suffix: t("pointsProgram.points") })}
                    {field("birthdayMetafield")}
                  </FormLayout.Group>
                </FormLayout>
              </BlockStack>
            </Card>
            {preview ? <PreviewCard preview={preview} heading={t("pointsProgram.preview.heading")} /> : null}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("pointsProgram.start.heading")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("pointsProgram.start.help", { date: data.startsOn })}
                </Text>
                <TextField
                  label={t("pointsProgram.start.label")}
                  type="date"
                  value={startsOn}
                  onChange={setStartsOn}
                  error={errorAt(startIssues, "startsAt")}
                  helpText={data.timeZone ? t("pointsProgram.start.zone", { zone: data.timeZone }) : undefined}
                  autoComplete="off"
                />
                <InlineStack gap="200">
                  <Button onClick={() => submitStart("previewStart")} disabled={startBusy}>
                    {t("pointsProgram.start.preview")}
                  </Button>
                  <Button
                    variant="primary"
                    tone="critical"
                    onClick={() => submitStart("applyStart")}
                    disabled={startBusy || !startPreview}
                  >
                    {t("pointsProgram.start.apply")}
                  </Button>
                </InlineStack>
                {startResult?.intent === "applyStart" && startResult.ok ? (
                  <Banner tone="success" title={t("pointsProgram.start.applied", { date: startsOn })}>
                    <p>{t("pointsProgram.start.appliedBody", { count: startResult.appended })}</p>
                  </Banner>
                ) : null}
              </BlockStack>
            </Card>
            {startPreview ? (
              <PreviewCard preview={startPreview} heading={t("pointsProgram.start.previewHeading")} />
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
