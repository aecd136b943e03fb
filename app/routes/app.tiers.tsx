// Tier editor: add, remove, reorder and rename tiers, thresholds in the shop currency, window and retention, perks;
// a what-if preview (customers per tier before and after, and who would move) before saving; errors inline.
import { useEffect, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  Checkbox,
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
import {
  submitTierEditor,
  tierEditor,
  type ProgramForm,
  type TierEditorResult,
  type TierForm,
} from "../services/tier-editor.server";
import { isHexColour } from "../domain/colour";
import { tierColour } from "../domain/line-messages";
import { formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return tierEditor(session.shop);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  let body: unknown = null;
  try {
    body = await request.json();
  } catch {
    // A body that is not JSON is answered like an empty form: with issues, not a 500.
  }
  const result = await submitTierEditor(session.shop, body);
  // Refused input: the page shows the issues inline; the status says it was refused.
  return json(result, { status: result.ok ? 200 : 400 });
};

const NEW_TIER: TierForm = {
  key: "",
  name: "",
  threshold: "",
  minOrders: "",
  discountPercent: "",
  freeShipping: false,
  freeShippingMaxPrice: "",
  minimumSubtotal: "",
  delivery: "automatic",
  combinesWithOrder: false,
  combinesWithProduct: false,
  combinesWithShipping: true,
  customText: "",
  colour: "",
};

export default function Tiers() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<TierEditorResult>();
  const [form, setForm] = useState<ProgramForm>(data.form);
  const [savedKeys, setSavedKeys] = useState(() => new Set(data.form.tiers.map((x) => x.key)));
  useEffect(() => {
    if (fetcher.data?.intent === "save" && fetcher.data.ok) setSavedKeys(new Set(form.tiers.map((x) => x.key)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.data]);

  const result = fetcher.data;
  const busy = fetcher.state !== "idle";
  const issues = result && !result.ok ? result.issues : [];
  const errorAt = (...path: (string | number)[]) => {
    const issue = issues.find((i) => i.path.join(".") === path.join("."));
    return issue ? t(`tierRules.${issue.key}`, { ...issue.params, defaultValue: issue.message }) : undefined;
  };
  const general = issues.filter((i) => i.path.length <= 1 && i.path[0] !== "retentionDays");

  const setTier = (index: number, changes: Partial<TierForm>) =>
    setForm((f) => ({ ...f, tiers: f.tiers.map((tier, i) => (i === index ? { ...tier, ...changes } : tier)) }));
  const move = (index: number, by: -1 | 1) =>
    setForm((f) => {
      const tiers = [...f.tiers];
      [tiers[index], tiers[index + by]] = [tiers[index + by], tiers[index]];
      return { ...f, tiers };
    });
  const submit = (intent: "preview" | "save") =>
    fetcher.submit({ intent, program: form } as never, { method: "post", encType: "application/json" });

  const tierName = (key: string) =>
    form.tiers.find((x) => x.key === key)?.name || data.form.tiers.find((x) => x.key === key)?.name || key;
  const preview = result?.intent === "preview" && result.ok ? result.preview : null;

  return (
    <Page
      title={t("tiers.title")}
      subtitle={data.isDefault ? t("tiers.defaultProgram") : t("tiers.version", { version: data.version })}
      primaryAction={{
        content: t("tiers.save"),
        onAction: () => submit("save"),
        loading: busy && fetcher.json !== undefined && (fetcher.json as { intent?: string }).intent === "save",
      }}
      secondaryActions={[{ content: t("tiers.preview"), onAction: () => submit("preview"), disabled: busy }]}
    >
      <Layout>
        {result?.intent === "save" && result.ok ? (
          <Layout.Section>
            <Banner
              tone="success"
              title={t("tiers.saved", { version: result.version })}
              action={{ content: t("status.seeProgress"), url: "/app" }}
            >
              <p>{t("tiers.savedBody")}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {issues.length ? (
          <Layout.Section>
            <Banner tone="critical" title={t("tiers.fixErrors", { count: issues.length })}>
              {general.map((i) => (
                <p key={i.key}>{t(`tierRules.${i.key}`, { ...i.params, defaultValue: i.message })}</p>
              ))}
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            {form.tiers.map((tier, index) => (
              <Card key={index}>
                <BlockStack gap="300">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h2" variant="headingMd">
                      {t("tiers.tierHeading", { position: index + 1, name: tier.name || t("tiers.unnamed") })}
                    </Text>
                    <ButtonGroup>
                      <Button
                        onClick={() => move(index, -1)}
                        disabled={index === 0}
                        accessibilityLabel={t("tiers.moveUp", { name: tier.name })}
                      >
                        {t("tiers.up")}
                      </Button>
                      <Button
                        onClick={() => move(index, 1)}
                        disabled={index === form.tiers.length - 1}
                        accessibilityLabel={t("tiers.moveDown", { name: tier.name })}
                      >
                        {t("tiers.down")}
                      </Button>
                      <Button
                        tone="critical"
                        onClick={() => setForm((f) => ({ ...f, tiers: f.tiers.filter((_, i) => i !== index) }))}
                        disabled={form.tiers.length === 1}
                        accessibilityLabel={t("tiers.removeNamed", { name: tier.name })}
                      >
                        {t("tiers.remove")}
                      </Button>
                    </ButtonGroup>
                  </InlineStack>
                  <FormLayout>
                    <FormLayout.Group>
                      <TextField
                        label={t("tiers.name")}
                        value={tier.name}
                        onChange={(name) => setTier(index, { name })}
                        error={errorAt("tiers", index, "name")}
                        autoComplete="off"
                      />
                      <TextField
                        label={t("tiers.key")}
                        value={tier.key}
                        onChange={(key) => setTier(index, { key })}
                        disabled={savedKeys.has(tier.key) && tier.key !== ""}
                        helpText={t("tiers.keyHelp", { tag: `tier:${tier.key || "…"}` })}
                        error={errorAt("tiers", index, "key")}
                        autoComplete="off"
                      />
                    </FormLayout.Group>
                    <FormLayout.Group>
                      <TextField
                        label={t("tiers.threshold")}
                        value={tier.threshold}
                        onChange={(threshold) => setTier(index, { threshold })}
                        suffix={data.currency}
                        inputMode="decimal"
                        disabled={index === 0}
                        helpText={index === 0 ? t("tiers.thresholdFirst") : undefined}
                        error={errorAt("tiers", index, "threshold")}
                        autoComplete="off"
                      />
                      <TextField
                        label={t("tiers.minOrders")}
                        value={tier.minOrders}
                        onChange={(minOrders) => setTier(index, { minOrders })}
                        inputMode="numeric"
                        placeholder={t("tiers.none")}
                        error={errorAt("tiers", index, "minOrders")}
                        autoComplete="off"
                      />
                    </FormLayout.Group>
                    <FormLayout.Group>
                      <TextField
                        label={t("tiers.discount")}
                        value={tier.discountPercent}
                        onChange={(discountPercent) => setTier(index, { discountPercent })}
                        suffix="%"
                        inputMode="numeric"
                        placeholder={t("tiers.none")}
                        error={errorAt("tiers", index, "perks", "discountPercent")}
                        autoComplete="off"
                      />
                      <Box paddingBlockStart="600">
                        <Checkbox
                          label={t("tiers.freeShipping")}
                          checked={tier.freeShipping}
                          onChange={(freeShipping) => setTier(index, { freeShipping })}
                        />
                      </Box>
                    </FormLayout.Group>
                    <FormLayout.Group>
                      <TextField
                        label={t("tiers.freeShippingMaxPrice")}
                        value={tier.freeShippingMaxPrice}
                        onChange={(freeShippingMaxPrice) => setTier(index, { freeShippingMaxPrice })}
                        suffix={data.currency}
                        inputMode="decimal"
                        placeholder={t("tiers.anyRate")}
                        disabled={!tier.freeShipping}
                        error={errorAt("tiers", index, "perks", "freeShippingMaxPriceMinor")}
                        autoComplete="off"
                      />
                      <TextField
                        label={t("tiers.minimumSubtotal")}
                        value={tier.minimumSubtotal}
                        onChange={(minimumSubtotal) => setTier(index, { minimumSubtotal })}
                        suffix={data.currency}
                        inputMode="decimal"
                        placeholder={t("tiers.anyOrder")}
                        error={errorAt("tiers", index, "perks", "minimumSubtotalMinor")}
                        autoComplete="off"
                      />
                    </FormLayout.Group>
                    <Select
                      label={t("tiers.delivery")}
                      options={[
                        { label: t("tiers.deliveryAutomatic"), value: "automatic" },
                        { label: t("tiers.deliveryCode"), value: "code" },
                      ]}
                      value={tier.delivery}
                      onChange={(delivery) => setTier(index, { delivery: delivery as TierForm["delivery"] })}
                      helpText={t(tier.delivery === "code" ? "tiers.deliveryCodeHelp" : "tiers.deliveryAutomaticHelp")}
                    />
                    <BlockStack gap="100">
                      <Text as="p" variant="bodyMd">
                        {t("tiers.combinesWith")}
                      </Text>
                      <InlineStack gap="400">
                        <Checkbox
                          label={t("tiers.combinesWithOrder")}
                          checked={tier.combinesWithOrder}
                          onChange={(combinesWithOrder) => setTier(index, { combinesWithOrder })}
                        />
                        <Checkbox
                          label={t("tiers.combinesWithProduct")}
                          checked={tier.combinesWithProduct}
                          onChange={(combinesWithProduct) => setTier(index, { combinesWithProduct })}
                        />
                        <Checkbox
                          label={t("tiers.combinesWithShipping")}
                          checked={tier.combinesWithShipping}
                          onChange={(combinesWithShipping) => setTier(index, { combinesWithShipping })}
                        />
                      </InlineStack>
                    </BlockStack>
                    <TextField
                      label={t("tiers.customText")}
                      value={tier.customText}
                      onChange={(customText) => setTier(index, { customText })}
                      error={errorAt("tiers", index, "perks", "customText")}
                      autoComplete="off"
                    />
                    <TierColourField
                      value={tier.colour}
                      palette={tierColour(index, form.tiers.length) ?? ""}
                      name={tier.name || t("tiers.unnamed")}
                      error={errorAt("tiers", index, "colour")}
                      onChange={(colour) => setTier(index, { colour })}
                    />
                  </FormLayout>
                </BlockStack>
              </Card>
            ))}
            <InlineStack>
              <Button
                onClick={() => setForm((f) => ({ ...f, tiers: [...f.tiers, { ...NEW_TIER }] }))}
                disabled={form.tiers.length >= 10}
              >
                {t("tiers.add")}
              </Button>
            </InlineStack>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("tiers.windowHeading")}
                </Text>
                <Select
                  label={t("tiers.window")}
                  options={[
                    { label: t("tiers.windowRolling"), value: "rolling" },
                    { label: t("tiers.windowCalendar"), value: "calendar_year" },
                    { label: t("tiers.windowLifetime"), value: "lifetime" },
                  ]}
                  value={form.windowKind}
                  onChange={(windowKind) =>
                    setForm((f) => ({ ...f, windowKind: windowKind as ProgramForm["windowKind"] }))
                  }
                />
                {form.windowKind === "rolling" ? (
                  <TextField
                    label={t("tiers.windowDays")}
                    value={form.windowDays}
                    onChange={(windowDays) => setForm((f) => ({ ...f, windowDays }))}
                    inputMode="numeric"
                    suffix={t("tiers.days")}
                    error={errorAt("window", "days")}
                    autoComplete="off"
                  />
                ) : null}
                <TextField
                  label={t("tiers.retention")}
                  value={form.retentionDays}
                  onChange={(retentionDays) => setForm((f) => ({ ...f, retentionDays }))}
                  inputMode="numeric"
                  suffix={t("tiers.days")}
                  helpText={t("tiers.retentionHelp")}
                  error={errorAt("retentionDays")}
                  autoComplete="off"
                />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("tiers.previewHeading")}
                </Text>
                {preview ? (
                  <BlockStack gap="300">
                    <DataTable
                      columnContentTypes={["text", "numeric", "numeric"]}
                      headings={[t("tiers.column.tier"), t("tiers.column.now"), t("tiers.column.after")]}
                      rows={[
                        ...[
                          ...new Set([...Object.keys(preview.before.byTier), ...Object.keys(preview.after.byTier)]),
                        ].map((key) => [
                          tierName(key),
                          formatNumber(locale, preview.before.byTier[key] ?? 0),
                          formatNumber(locale, preview.after.byTier[key] ?? 0),
                        ]),
                        [
                          t("tiers.noTier"),
                          formatNumber(locale, preview.before.noTier),
                          formatNumber(locale, preview.after.noTier),
                        ],
                      ]}
                    />
                    <Text as="p" variant="bodyMd">
                      {t("tiers.changed", {
                        count: preview.changed,
                        formattedCount: formatNumber(locale, preview.changed),
                      })}
                    </Text>
                    <Text as="h3" variant="headingSm">
                      {t("tiers.discountsHeading")}
                    </Text>
                    {preview.discounts.length === 0 ? (
                      <Text as="p" variant="bodySm" tone="subdued">
                        {t("tiers.discountsUnchanged")}
                      </Text>
                    ) : (
                      <BlockStack gap="100">
                        {preview.discounts.map((c) => (
                          <Text as="p" variant="bodySm" key={`${c.tierKey}-${c.kind}`}>
                            {t(`tiers.discountChange.${c.action}`, {
                              tier: tierName(c.tierKey),
                              perk: t(`tiers.perkKind.${c.kind}`, { percent: (c.after ?? c.before)!.percent }),
                              method: t(`tiers.method.${(c.after ?? c.before)!.method}`),
                              code: (c.after ?? c.before)!.code ?? "",
                            })}
                          </Text>
                        ))}
                      </BlockStack>
                    )}
                    {preview.sample.slice(0, 5).map((m) => (
                      <Text as="p" variant="bodySm" tone="subdued" key={m.customerId}>
                        {t("tiers.move", {
                          customer: m.customerId.split("/").pop(),
                          from: m.from ? tierName(m.from) : t("tiers.noTier"),
                          to: m.to ? tierName(m.to) : t("tiers.noTier"),
                        })}
                      </Text>
                    ))}
                  </BlockStack>
                ) : (
                  <Text as="p" tone="subdued">
                    {t("tiers.previewHelp")}
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

/**
 * A tier's colour (docs/rules.md#tiers-colour): a text field for #RRGGBB with a swatch of the colour the LINE header
 * will use (the typed one when it is a colour, else the palette colour of the tier's place), and the browser's
 * colour picker beside it, labelled for assistive technology. Empty is the palette colour.
 */
function TierColourField({
  value,
  palette,
  name,
  error,
  onChange,
}: {
  value: string;
  palette: string;
  name: string;
  error: string | undefined;
  onChange: (colour: string) => void;
}) {
  const { t } = useTranslation();
  const typed = value.trim();
  const shown = isHexColour(typed) ? typed : palette;
  return (
    <TextField
      label={t("tiers.colour")}
      value={value}
      onChange={onChange}
      placeholder={palette}
      helpText={t("tiers.colourHelp", { palette })}
      error={error}
      autoComplete="off"
      prefix={
        <span
          aria-hidden="true"
          data-colour-swatch={shown}
          style={{
            display: "inline-block",
            width: 20,
            height: 20,
            borderRadius: 4,
            verticalAlign: "middle",
            background: shown,
            border: "1px solid rgba(0, 0, 0, 0.25)",
          }}
        />
      }
      connectedRight={
        <input
          type="color"
          aria-label={t("tiers.colourPicker", { name })}
          value={shown.toLowerCase()}
          onChange={(event) => onChange(event.target.value.toUpperCase())}
          style={{
            inlineSize: 48,
            blockSize: 36,
            padding: 3,
            border: "1px solid #8a8a8a",
            borderRadius: 8,
            background: "#ffffff",
            cursor: "pointer",
          }}
        />
      }
    />
  );
}
