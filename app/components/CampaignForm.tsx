// The campaign form (new and edit): audience, schedule, offer, holdout, cooldown and code prefix, with each field's
// error inline as the server's validation (app/domain/campaigns.ts) reports it.
import { useState } from "react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  FormLayout,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { GRID_SEGMENT_KEYS } from "../domain/segments";
import type { CampaignIssue } from "../domain/campaigns";
import { INSIGHT_KEYS } from "../domain/insights";
import { CampaignVariantFields, EMPTY_VARIANT_B, variantFormFields } from "./CampaignVariantFields";
import { CampaignLineOption, type CampaignLineContext } from "./CampaignLineOption";
import { isLineMode, type LineMode } from "../domain/campaign-line";

/** What an insight audience can be about (the shop's products and types) and whether predictions exist. */
export interface InsightChoices {
  products: { id: string; title: string }[];
  productTypes: string[];
  predictions: { available: boolean; reason: string | null };
}
const NO_INSIGHT_CHOICES: InsightChoices = {
  products: [],
  productTypes: [],
  predictions: { available: false, reason: null },
};

export interface CampaignFormValues {
  name: string;
  template: string;
  audienceKind: string;
  segments: string[];
  tiers: string[];
  days: string;
  insight: string;
  insightProduct: string;
  insightProductType: string;
  includeExisting: boolean;
  signupMarketingOnly: boolean;
  schedule: string;
  offerKind: string;
  offerValue: string;
  minimumSubtotal: string;
  expiryDays: string;
  holdoutPercent: string;
  cooldownDays: string;
  codePrefix: string;
}

export function CampaignForm({
  initial,
  currency,
  segmentNames,
  tiers,
  insightChoices = NO_INSIGHT_CHOICES,
  issues,
  busy,
  submitLabel,
  onSubmit,
  abTest = false,
  line,
}: {
  initial: CampaignFormValues;
  currency: string;
  segmentNames: Record<string, string>;
  tiers: { key: string; name: string }[];
  insightChoices?: InsightChoices;
  issues: CampaignIssue[];
  busy: boolean;
  submitLabel: string;
  onSubmit(form: FormData): void;
  /** A new campaign may test a second offer (variant B); an existing one keeps the variants it started with. */
  abTest?: boolean;
  /** The LINE option (docs/line-messages.md#campaigns): the shop's LINE context and the campaign's current mode. */
  line?: CampaignLineContext & { mode: string };
}) {
  const { t } = useTranslation();
  const [values, setValues] = useState(initial);
  const [variantB, setVariantB] = useState(EMPTY_VARIANT_B);
  const [lineMode, setLineMode] = useState<LineMode>(line && isLineMode(line.mode) ? line.mode : "off");
  const set =
    <K extends keyof CampaignFormValues>(key: K) =>
    (value: CampaignFormValues[K]) =>
      setValues((v) => ({ ...v, [key]: value }));
  const errorAt = (field: string) => {
    const issue = issues.find((i) => i.path[0] === field);
    return issue
      ? t([`campaigns.rules.${issue.key}`, `campaignAb.rules.${issue.key}`, `lineMessages.rules.${issue.key}`], {
          ...issue.params,
          defaultValue: issue.message,
        })
      : undefined;
  };
  const segmentName = (key: string) => segmentNames[key]?.trim() || t(`segment.${key}`);
  const submit = () => {
    const form = new FormData();
    form.set("intent", "save");
    for (const [key, value] of Object.entries(values)) {
      if (Array.isArray(value)) for (const v of value) form.append(key, v);
      else form.set(key, typeof value === "boolean" ? (value ? "on" : "off") : value);
    }
    if (abTest) for (const [key, value] of Object.entries(variantFormFields(variantB))) form.set(key, value);
    if (line) form.set("lineMode", lineMode);
    onSubmit(form);
  };

  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            {t("campaigns.form.audienceTitle")}
          </Text>
          <FormLayout>
            <TextField
              label={t("campaigns.form.name")}
              value={values.name}
              onChange={set("name")}
              error={errorAt("name")}
              autoComplete="off"
            />
            <Select
              label={t("campaigns.form.audienceKind")}
              options={["signup", "segment", "tier_up", "first_order", "days_since_last_order", "insight"].map((k) => ({
                label: k === "signup" ? t("campaignResponse.audience") : t(`campaigns.audience.${k}`),
                value: k,
              }))}
              value={values.audienceKind}
              onChange={set("audienceKind")}
              error={errorAt("audienceKind")}
            />
            {values.audienceKind === "segment" ? (
              <>
                <ChoiceList
                  allowMultiple
                  title={t("campaigns.form.segments")}
                  choices={GRID_SEGMENT_KEYS.map((key) => ({ label: segmentName(key), value: key }))}
                  selected={values.segments}
                  onChange={set("segments")}
                  error={errorAt("segments")}
                />
                <Checkbox
                  label={t("campaigns.form.includeExisting")}
                  helpText={t("campaigns.form.includeExistingHelp")}
                  checked={values.includeExisting}
                  onChange={set("includeExisting")}
                />
              </>
            ) : null}
            {values.audienceKind === "signup" ? (
              <BlockStack gap="200">
                <Checkbox
                  label={t("campaignResponse.includeExisting")}
                  helpText={t("campaignResponse.includeExistingHelp")}
                  checked={values.includeExisting}
                  onChange={set("includeExisting")}
                />
                <Checkbox
                  label={t("campaignResponse.marketingOnly")}
                  helpText={t("campaignResponse.marketingOnlyHelp")}
                  checked={values.signupMarketingOnly}
                  onChange={set("signupMarketingOnly")}
                />
                <Text as="p" tone="subdued">
                  {t("campaignResponse.firstOrderOnly")}
                </Text>
              </BlockStack>
            ) : null}
            {values.audienceKind === "tier_up" ? (
              <ChoiceList
                allowMultiple
                title={t("campaigns.form.tiers")}
                choices={tiers.map((tier) => ({ label: tier.name, value: tier.key }))}
                selected={values.tiers}
                onChange={set("tiers")}
                error={errorAt("tiers")}
              />
            ) : null}
            {values.audienceKind === "days_since_last_order" ? (
              <>
                <TextField
                  label={t("campaigns.form.days")}
                  value={values.days}
                  onChange={set("days")}
                  inputMode="numeric"
                  suffix={t("campaigns.form.daysSuffix")}
                  error={errorAt("days")}
                  autoComplete="off"
                />
                <Checkbox
                  label={t("campaigns.form.includeExisting")}
                  helpText={t("campaigns.form.includeExistingLapsedHelp")}
                  checked={values.includeExisting}
                  onChange={set("includeExisting")}
                />
              </>
            ) : null}
            {values.audienceKind === "insight" ? (
              <BlockStack gap="400">
                <Select
                  label={t("insights.field.insight")}
                  options={INSIGHT_KEYS.map((k) => ({ label: t(`insights.name.${k}`), value: k }))}
                  value={values.insight}
                  onChange={set("insight")}
                  helpText={t(`insights.help.${values.insight}`, { defaultValue: "" })}
                  error={errorAt("insight")}
                />
                {["clv_high", "clv_medium", "clv_low", "likely_lost"].includes(values.insight) &&
                !insightChoices.predictions.available ? (
                  <Banner tone="warning">
                    {t("insights.predictionsUnavailable", {
                      reason: insightChoices.predictions.reason
                        ? t(`insights.reason.${insightChoices.predictions.reason}`, {
                            defaultValue: insightChoices.predictions.reason,
                          })
                        : t("insights.noFit"),
                    })}
                  </Banner>
                ) : null}
                {values.insight === "product" ? (
                  <Select
                    label={t("insights.field.product")}
                    options={[
                      { label: t("insights.field.choose"), value: "" },
                      ...insightChoices.products.map((p) => ({ label: p.title, value: p.id })),
                    ]}
                    value={values.insightProduct}
                    onChange={set("insightProduct")}
                    helpText={insightChoices.products.length ? undefined : t("insights.noProducts")}
                    error={errorAt("insightProduct")}
                  />
                ) : null}
                {values.insight === "product_type" ? (
                  <Select
                    label={t("insights.field.productType")}
                    options={[
                      { label: t("insights.field.choose"), value: "" },
                      ...insightChoices.productTypes.map((type) => ({ label: type, value: type })),
                    ]}
                    value={values.insightProductType}
                    onChange={set("insightProductType")}
                    helpText={insightChoices.productTypes.length ? undefined : t("insights.noProductTypes")}
                    error={errorAt("insightProductType")}
                  />
                ) : null}
              </BlockStack>
            ) : null}
            <Select
              label={t("campaigns.form.schedule")}
              options={["entry", "daily"].map((k) => ({ label: t(`campaigns.schedule.${k}`), value: k }))}
              value={values.schedule}
              onChange={set("schedule")}
              error={errorAt("schedule")}
            />
          </FormLayout>
        </BlockStack>
      </Card>

      <Card>
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            {t("campaigns.form.offerTitle")}
          </Text>
          <FormLayout>
            <FormLayout.Group>
              <Select
                label={t("campaigns.form.offerKind")}
                options={["percentage", "fixed_amount"].map((k) => ({
                  label: t(`campaigns.offerKind.${k}`),
                  value: k,
                }))}
                value={values.offerKind}
                onChange={set("offerKind")}
                error={errorAt("offerKind")}
              />
              <TextField
                label={t("campaigns.form.offerValue")}
                value={values.offerValue}
                onChange={set("offerValue")}
                inputMode="decimal"
                suffix={values.offerKind === "percentage" ? "%" : currency}
                error={errorAt("offerValue")}
                autoComplete="off"
              />
            </FormLayout.Group>
            <FormLayout.Group>
              <TextField
                label={t("campaigns.form.minimumSubtotal")}
                value={values.minimumSubtotal}
                onChange={set("minimumSubtotal")}
                inputMode="decimal"
                suffix={currency}
                helpText={t("campaigns.form.minimumSubtotalHelp")}
                error={errorAt("minimumSubtotal")}
                autoComplete="off"
              />
              <TextField
                label={t("campaigns.form.expiryDays")}
                value={values.expiryDays}
                onChange={set("expiryDays")}
                inputMode="numeric"
                suffix={t("campaigns.form.daysSuffix")}
                error={errorAt("expiryDays")}
                autoComplete="off"
              />
            </FormLayout.Group>
            <TextField
              label={t("campaigns.form.codePrefix")}
              value={values.codePrefix}
              onChange={set("codePrefix")}
              helpText={t("campaigns.form.codePrefixHelp", { code: `${values.codePrefix.toUpperCase()}7KQ2M9XDPA` })}
              error={errorAt("codePrefix")}
              autoComplete="off"
            />
          </FormLayout>
        </BlockStack>
      </Card>

      {line ? (
        <CampaignLineOption context={line} value={lineMode} onChange={setLineMode} error={errorAt("lineMode")} />
      ) : null}

      {abTest ? (
        <CampaignVariantFields value={variantB} onChange={setVariantB} currency={currency} issues={issues} />
      ) : null}

      <Card>
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            {t("campaigns.form.measureTitle")}
          </Text>
          <FormLayout>
            <FormLayout.Group>
              <TextField
                label={t("campaigns.form.holdoutPercent")}
                value={values.holdoutPercent}
                onChange={set("holdoutPercent")}
                inputMode="numeric"
                suffix="%"
                helpText={t("campaigns.form.holdoutHelp")}
                error={errorAt("holdoutPercent")}
                autoComplete="off"
              />
              <TextField
                label={t("campaigns.form.cooldownDays")}
                value={values.cooldownDays}
                onChange={set("cooldownDays")}
                inputMode="numeric"
                suffix={t("campaigns.form.daysSuffix")}
                helpText={t("campaigns.form.cooldownHelp")}
                error={errorAt("cooldownDays")}
                autoComplete="off"
              />
            </FormLayout.Group>
          </FormLayout>
        </BlockStack>
      </Card>

      <InlineStack align="end">
        <Button variant="primary" onClick={submit} loading={busy}>
          {submitLabel}
        </Button>
      </InlineStack>
    </BlockStack>
  );
}
