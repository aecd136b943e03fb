// Variant B of a new campaign (an A/B test of two offers, docs/campaigns.md "A/B tests"): off by default; on, its own
// offer fields, checked on the server like the main offer and with their errors shown on these fields.
import { BlockStack, Card, Checkbox, FormLayout, Select, Text, TextField } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import type { CampaignIssue } from "../domain/campaigns";

export interface VariantBValues {
  variantB: boolean;
  variantBOfferKind: string;
  variantBOfferValue: string;
  variantBMinimumSubtotal: string;
}

export const EMPTY_VARIANT_B: VariantBValues = {
  variantB: false,
  variantBOfferKind: "percentage",
  variantBOfferValue: "",
  variantBMinimumSubtotal: "",
};

/** The form fields the server reads (campaign-ab.server.ts variantFormInput); nothing when there is no variant B. */
export function variantFormFields(v: VariantBValues): Record<string, string> {
  if (!v.variantB) return {};
  return {
    variantB: "on",
    variantBOfferKind: v.variantBOfferKind,
    variantBOfferValue: v.variantBOfferValue,
    variantBMinimumSubtotal: v.variantBMinimumSubtotal,
  };
}

/** An issue's message in the admin's language: the A/B rules first, then the campaign form's. */
export function useVariantIssueText() {
  const { t } = useTranslation();
  return (issue: CampaignIssue) =>
    t([`campaignAb.rules.${issue.key}`, `campaigns.rules.${issue.key}`], {
      ...issue.params,
      defaultValue: issue.message,
    });
}

export function CampaignVariantFields({
  value,
  onChange,
  currency,
  issues,
}: {
  value: VariantBValues;
  onChange(next: VariantBValues): void;
  currency: string;
  issues: CampaignIssue[];
}) {
  const { t } = useTranslation();
  const issueText = useVariantIssueText();
  const errorAt = (field: keyof VariantBValues) => {
    const issue = issues.find((i) => i.path[0] === field);
    return issue ? issueText(issue) : undefined;
  };
  const set =
    <K extends keyof VariantBValues>(key: K) =>
    (v: VariantBValues[K]) =>
      onChange({ ...value, [key]: v });
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {t("campaignAb.form.title")}
        </Text>
        <Checkbox
          label={t("campaignAb.form.enable")}
          helpText={t("campaignAb.form.enableHelp")}
          checked={value.variantB}
          onChange={set("variantB")}
        />
        {value.variantB ? (
          <FormLayout>
            <FormLayout.Group>
              <Select
                label={t("campaignAb.form.offerKind")}
                options={["percentage", "fixed_amount"].map((k) => ({
                  label: t(`campaigns.offerKind.${k}`),
                  value: k,
                }))}
                value={value.variantBOfferKind}
                onChange={set("variantBOfferKind")}
                error={errorAt("variantBOfferKind")}
              />
              <TextField
                label={t("campaignAb.form.offerValue")}
                value={value.variantBOfferValue}
                onChange={set("variantBOfferValue")}
                inputMode="decimal"
                suffix={value.variantBOfferKind === "percentage" ? "%" : currency}
                error={errorAt("variantBOfferValue")}
                autoComplete="off"
              />
            </FormLayout.Group>
            <TextField
              label={t("campaignAb.form.minimumSubtotal")}
              value={value.variantBMinimumSubtotal}
              onChange={set("variantBMinimumSubtotal")}
              inputMode="decimal"
              suffix={currency}
              helpText={t("campaignAb.form.minimumSubtotalHelp")}
              error={errorAt("variantBMinimumSubtotal")}
              autoComplete="off"
            />
          </FormLayout>
        ) : null}
      </BlockStack>
    </Card>
  );
}
