// The rewards catalogue (docs/rules.md#rewards-catalogue): the shop's rewards with their redemptions; create or edit
// one (title, kind, points price, value in the shop currency, expiry, limits), each problem under its field;
// deactivate or activate. Rewards are never deleted.
import { useEffect, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  DataTable,
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
import { rewardsCatalogue, submitRewardsAdmin, type RewardsAdminResult } from "../services/rewards-admin.server";
import { EMPTY_REWARD_FORM, type RewardForm, type RewardFormField } from "../domain/rewards-form";
import { REWARD_KINDS } from "../domain/rewards";
import { formatMoney, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return rewardsCatalogue(session.shop);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  let body: unknown = null;
  try {
    body = await request.json();
  } catch {
    // Not JSON: answered with an issue like any refused input, not a 500.
  }
  const result = await submitRewardsAdmin(session.shop, body);
  return json(result, { status: result.ok ? 200 : 400 });
};

export default function Rewards() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const save = useFetcher<RewardsAdminResult>();
  const toggle = useFetcher<RewardsAdminResult>();
  const revalidator = useRevalidator();
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState<RewardForm>(EMPTY_REWARD_FORM);

  const result = save.data;
  useEffect(() => {
    if (result?.ok) {
      setEditing(null);
      setForm(EMPTY_REWARD_FORM);
      revalidator.revalidate();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result]);
  useEffect(() => {
    if (toggle.data) revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [toggle.data]);

  const issues = result && !result.ok ? result.issues : [];
  const message = (i: (typeof issues)[number]) =>
    t(`rewards.errors.${i.key}`, { ...i.params, defaultValue: i.message });
  const errorAt = (field: RewardFormField) => {
    const issue = issues.find((i) => i.field === field);
    return issue ? message(issue) : undefined;
  };
  const general = issues.filter((i) => i.field === null);
  const set = (field: RewardFormField) => (value: string) => setForm((f) => ({ ...f, [field]: value }));
  const submit = () =>
    save.submit({ intent: "save", id: editing ?? "", form } as never, { method: "post", encType: "application/json" });
  const n = (v: number) => formatNumber(locale, v);
  const hasValue = form.kind !== "free_shipping";

  const limitsText = (r: (typeof data.rewards)[number]) =>
    [
      r.limits.perCustomer
        ? t("rewards.limitPerCustomer", {
            count: r.limits.perCustomer.count,
            days: r.limits.perCustomer.periodDays,
          })
        : "",
      r.limits.total ? t("rewards.limitTotal", { total: n(r.limits.total) }) : "",
    ]
      .filter(Boolean)
      .join("; ") || t("rewards.noLimit");

  return (
    <Page title={t("rewards.title")} subtitle={t("rewards.subtitle", { currency: data.currency })}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("rewards.listHeading")}
              </Text>
              {data.rewards.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("rewards.empty")}
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "numeric", "text", "numeric", "text", "text"]}
                  headings={[
                    t("rewards.column.title"),
                    t("rewards.column.kind"),
                    t("rewards.column.price"),
                    t("rewards.column.value"),
                    t("rewards.column.limits"),
                    t("rewards.column.redemptions"),
                    t("rewards.column.status"),
                    t("rewards.column.actions"),
                  ]}
                  rows={data.rewards.map((r) => [
                    r.title,
                    t(`rewards.kind.${r.kind}`),
                    n(r.pointsPrice),
                    r.valueMinor === null ? "—" : formatMoney(locale, r.valueMinor, data.currency),
                    limitsText(r),
                    n(r.redemptions.confirmed + r.redemptions.reserved),
                    <Badge key="status" tone={r.active ? "success" : undefined}>
                      {t(r.active ? "rewards.active" : "rewards.inactive")}
                    </Badge>,
                    <ButtonGroup key="actions">
                      <Button
                        size="slim"
                        onClick={() => {
                          setEditing(r.id);
                          setForm(r.form);
                        }}
                        accessibilityLabel={t("rewards.editNamed", { title: r.title })}
                      >
                        {t("rewards.edit")}
                      </Button>
                      <Button
                        size="slim"
                        tone={r.active ? "critical" : undefined}
                        onClick={() =>
                          toggle.submit({ intent: r.active ? "deactivate" : "activate", id: r.id } as never, {
                            method: "post",
                            encType: "application/json",
                          })
                        }
                        accessibilityLabel={t(r.active ? "rewards.deactivateNamed" : "rewards.activateNamed", {
                          title: r.title,
                        })}
                      >
                        {t(r.active ? "rewards.deactivate" : "rewards.activate")}
                      </Button>
                    </ButtonGroup>,
                  ])}
                />
              )}
              <Text as="p" tone="subdued">
                {t("rewards.neverDeleted")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {editing ? t("rewards.editHeading") : t("rewards.newHeading")}
              </Text>
              {result?.ok && result.intent === "save" ? (
                <Banner tone="success" title={t(result.created ? "rewards.created" : "rewards.saved")} />
              ) : null}
              {issues.length ? (
                <Banner tone="critical" title={t("rewards.fixErrors", { count: issues.length })}>
                  {general.map((i) => (
                    <p key={i.key}>{message(i)}</p>
                  ))}
                </Banner>
              ) : null}
              <FormLayout>
                <FormLayout.Group>
                  <TextField
                    label={t("rewards.field.title")}
                    value={form.title}
                    onChange={set("title")}
                    error={errorAt("title")}
                    autoComplete="off"
                  />
                  <Select
                    label={t("rewards.field.kind")}
                    options={REWARD_KINDS.map((k) => ({ value: k, label: t(`rewards.kind.${k}`) }))}
                    value={form.kind}
                    onChange={set("kind")}
                    helpText={t(`rewards.kindHelp.${form.kind}`, { defaultValue: "" })}
                    error={errorAt("kind")}
                  />
                </FormLayout.Group>
                <FormLayout.Group>
                  <TextField
                    label={t("rewards.field.pointsPrice")}
                    value={form.pointsPrice}
                    onChange={set("pointsPrice")}
                    inputMode="numeric"
                    suffix={t("rewards.points")}
                    error={errorAt("pointsPrice")}
                    autoComplete="off"
                  />
                  {hasValue ? (
                    <TextField
                      label={t("rewards.field.value")}
                      value={form.value}
                      onChange={set("value")}
                      inputMode="decimal"
                      suffix={data.currency}
                      error={errorAt("value")}
                      autoComplete="off"
                    />
                  ) : null}
                </FormLayout.Group>
                <FormLayout.Group>
                  <TextField
                    label={t("rewards.field.expiryDays")}
                    value={form.expiryDays}
                    onChange={set("expiryDays")}
                    inputMode="numeric"
                    suffix={t("rewards.days")}
                    placeholder={t("rewards.never")}
                    error={errorAt("expiryDays")}
                    autoComplete="off"
                  />
                  <TextField
                    label={t("rewards.field.limitTotal")}
                    value={form.limitTotal}
                    onChange={set("limitTotal")}
                    inputMode="numeric"
                    placeholder={t("rewards.noLimitShort")}
                    error={errorAt("limitTotal")}
                    autoComplete="off"
                  />
                </FormLayout.Group>
                <FormLayout.Group>
                  <TextField
                    label={t("rewards.field.limitCount")}
                    value={form.limitCount}
                    onChange={set("limitCount")}
                    inputMode="numeric"
                    placeholder={t("rewards.noLimitShort")}
                    error={errorAt("limitCount")}
                    autoComplete="off"
                  />
                  <TextField
                    label={t("rewards.field.limitPeriodDays")}
                    value={form.limitPeriodDays}
                    onChange={set("limitPeriodDays")}
                    inputMode="numeric"
                    suffix={t("rewards.days")}
                    error={errorAt("limitPeriodDays")}
                    autoComplete="off"
                  />
                </FormLayout.Group>
              </FormLayout>
              <InlineStack gap="200">
                <Button variant="primary" onClick={submit} loading={save.state !== "idle"}>
                  {editing ? t("rewards.save") : t("rewards.create")}
                </Button>
                {editing ? (
                  <Button
                    onClick={() => {
                      setEditing(null);
                      setForm(EMPTY_REWARD_FORM);
                    }}
                  >
                    {t("rewards.cancel")}
                  </Button>
                ) : null}
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
