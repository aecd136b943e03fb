// One LINE message's editor on the LINE messages page (docs/line-messages.md): its switch, the English and Thai
// title / body / button, the placeholders it offers, a live preview of the rendered card in each language (rendered
// in the browser by the same pure renderer the sender uses), save and restore-defaults. Errors come from the server
// (nothing is saved when one field is wrong) and are shown under each field.
import { useEffect, useMemo, useState } from "react";
import { useFetcher } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineGrid,
  InlineStack,
  Text,
  TextField,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import {
  PLACEHOLDERS,
  REQUIRED_PLACEHOLDERS,
  TEMPLATE_LIMITS,
  renderText,
  sampleFacts,
  textColourOn,
  type LineEvent,
  type Locale,
  type ShopContext,
  type Template,
  type TemplateIssue,
} from "../domain/line-messages";

export type TemplateActionResult =
  | { intent: "save" | "restore"; event: string; ok: true }
  | { intent: "save" | "restore"; event: string; ok: false; reason?: string; errors?: Record<string, TemplateIssue[]> };

interface Props {
  event: LineEvent;
  custom: boolean;
  setting: { enabled: boolean; en: Template; th: Template };
  shop: ShopContext;
  /** The preview member's tier (named in tier news), or null: the sample's Gold. */
  previewTier?: { key: string; name: string } | null;
  previewAt: string;
}

const FIELDS = ["title", "body", "button"] as const;
const LOCALES: Locale[] = ["en", "th"];

function LinePreview({
  rendered,
  shopName,
  label,
}: {
  rendered: ReturnType<typeof renderText>;
  shopName: string;
  label: string;
}) {
  const onHeader = textColourOn(rendered.headerColour);
  return (
    <figure aria-label={label} style={{ margin: 0 }}>
      <div
        data-line-preview
        style={{
          maxWidth: 300,
          borderRadius: 16,
          overflow: "hidden",
          border: "1px solid #d9d9d9",
          background: "#ffffff",
          fontFamily: "inherit",
        }}
      >
        <div
          data-line-header
          style={{
            background: rendered.headerColour,
            color: onHeader,
            padding: "12px 16px",
            fontWeight: 700,
            fontSize: 13,
          }}
        >
          {shopName}
        </div>
        <div style={{ padding: "12px 16px", display: "grid", gap: 8 }}>
          <div style={{ fontWeight: 700, fontSize: 17, color: "#111111", whiteSpace: "pre-wrap" }}>
            {rendered.title}
          </div>
          <div style={{ fontSize: 13, color: "#333333", whiteSpace: "pre-wrap" }}>{rendered.body}</div>
        </div>
        <div style={{ padding: "0 16px 16px" }}>
          <div
            style={{
              background: rendered.headerColour,
              color: "#ffffff",
              borderRadius: 8,
              padding: "10px 12px",
              textAlign: "center",
              fontWeight: 700,
              fontSize: 14,
            }}
          >
            {rendered.button}
          </div>
        </div>
      </div>
    </figure>
  );
}

export function LineTemplateCard({ event, custom, setting, shop, previewTier, previewAt }: Props) {
  const { t } = useTranslation();
  const fetcher = useFetcher<TemplateActionResult>();
  const [enabled, setEnabled] = useState(setting.enabled);
  const [values, setValues] = useState<Record<Locale, Template>>({ en: setting.en, th: setting.th });
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const busyIntent = fetcher.state !== "idle" ? fetcher.formData?.get("intent") : null;

  // After a restore (or a save) the loader's values are the truth again.
  useEffect(() => {
    if (result?.ok) {
      setEnabled(setting.enabled);
      setValues({ en: setting.en, th: setting.th });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result, setting]);

  const facts = useMemo(
    () => sampleFacts(event, new Date(previewAt), previewTier ?? undefined),
    [event, previewAt, previewTier],
  );
  const names = (list: readonly string[]) =>
    list.map((p) => `{${p}} (${t(`lineMessages.placeholderNames.${p}`)})`).join(", ");

  const fieldError = (locale: Locale, field: (typeof FIELDS)[number]) => {
    const issues = result && !result.ok ? result.errors?.[`${locale}.${field}`] : undefined;
    if (!issues?.length) return undefined;
    return issues
      .map((issue) =>
        t(`lineMessages.errors.${issue.kind}`, {
          field: t(`lineMessages.fields.${field}`),
          max: "max" in issue ? issue.max : undefined,
          placeholder: "placeholder" in issue ? `{${issue.placeholder}}` : undefined,
          list: PLACEHOLDERS[event].map((p) => `{${p}}`).join(", "),
        }),
      )
      .join(" ");
  };

  const submit = (intent: "save" | "restore") => {
    const form = new FormData();
    form.set("intent", intent);
    form.set("event", event);
    if (intent === "save") {
      form.set("enabled", enabled ? "on" : "off");
      for (const locale of LOCALES) for (const f of FIELDS) form.set(`${locale}.${f}`, values[locale][f]);
    }
    fetcher.submit(form, { method: "post" });
  };

  const title = t(`lineMessages.events.${event}.title`);
  return (
    <div data-line-event={event}>
      <Card>
        <BlockStack gap="400">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {title}
            </Text>
            <Badge tone={custom ? "info" : undefined}>
              {custom ? t("lineMessages.custom") : t("lineMessages.default")}
            </Badge>
          </InlineStack>
          <Text as="p" tone="subdued">
            {t(`lineMessages.events.${event}.help`)}
          </Text>
          {result?.ok && (
            <Banner
              tone="success"
              title={result.intent === "save" ? t("lineMessages.saved") : t("lineMessages.restored")}
            />
          )}
          {result && !result.ok && (
            <Banner
              tone="critical"
              title={result.reason ? t(`lineMessages.reasons.${result.reason}`) : t("lineMessages.notSaved")}
            />
          )}
          <Checkbox label={t("lineMessages.enabled")} checked={enabled} onChange={setEnabled} />
          <Text as="p" tone="subdued">
            {t("lineMessages.placeholders", {
              list: names(PLACEHOLDERS[event]),
              required: REQUIRED_PLACEHOLDERS[event].map((p) => `{${p}}`).join(", "),
            })}
          </Text>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
            {LOCALES.map((locale) => (
              <BlockStack key={locale} gap="300">
                <Text as="h3" variant="headingSm">
                  {t(`lineMessages.locales.${locale}`)}
                </Text>
                <FormLayout>
                  {FIELDS.map((field) => (
                    <TextField
                      key={field}
                      name={`${locale}.${field}`}
                      label={`${t(`lineMessages.fields.${field}`)} (${t(`lineMessages.locales.${locale}`)})`}
                      autoComplete="off"
                      multiline={field === "body" ? 3 : undefined}
                      maxLength={TEMPLATE_LIMITS[field] * 2}
                      value={values[locale][field]}
                      onChange={(v) => setValues((s) => ({ ...s, [locale]: { ...s[locale], [field]: v } }))}
                      error={fieldError(locale, field)}
                    />
                  ))}
                </FormLayout>
                <Box>
                  <BlockStack gap="200">
                    <Text as="p" variant="bodySm" tone="subdued">
                      {t("lineMessages.preview", { locale: t(`lineMessages.locales.${locale}`) })} —{" "}
                      {t("lineMessages.previewHelp")}
                    </Text>
                    <LinePreview
                      rendered={renderText(facts, values[locale], locale, shop)}
                      shopName={shop.shopName}
                      label={t("lineMessages.preview", { locale: t(`lineMessages.locales.${locale}`) })}
                    />
                  </BlockStack>
                </Box>
              </BlockStack>
            ))}
          </InlineGrid>
          <InlineStack gap="200">
            <Button variant="primary" onClick={() => submit("save")} loading={busyIntent === "save"}>
              {t("lineMessages.save")}
            </Button>
            {custom && (
              <Button onClick={() => submit("restore")} loading={busyIntent === "restore"}>
                {t("lineMessages.restore")}
              </Button>
            )}
          </InlineStack>
        </BlockStack>
      </Card>
    </div>
  );
}
