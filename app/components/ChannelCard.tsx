// One channel's card on the Channels page: its fields (secrets are write-only: blank password fields, never
// pre-filled), save, test connection and disconnect, and what the last action answered.
import { useEffect, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, FormLayout, InlineStack, Text, TextField } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { formatDate } from "../i18n/format";
import { useLocale } from "../i18n/react";

export type ChannelActionResult =
  | { intent: "save"; ok: true; unlinked?: number }
  | { intent: "save"; ok: false; errors?: Partial<Record<string, string>>; reason?: string }
  | { intent: "test"; ok: true; detail: string | null }
  | { intent: "test"; ok: false; reason: string; detail?: string | null }
  | { intent: "disconnect"; ok: true; unlinked?: number }
  | { intent: "invalid"; ok: false; reason: string };

interface Props {
  channel: string;
  fields: string[];
  connection: {
    publicId: string | null;
    status: string;
    lastError: string | null;
    lastTestedAt: string | null;
    updatedAt: string;
  } | null;
  /** LINE cards: how many shoppers have linked LINE (disconnecting, or another channel id, unlinks them); else null. */
  lineLinked?: number | null;
}

const PUBLIC_FIELDS = new Set(["channelId"]);

export function ChannelCard({ channel, fields, connection, lineLinked = null }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<ChannelActionResult>();
  const blank = () => Object.fromEntries(fields.map((f) => [f, ""]));
  const [values, setValues] = useState<Record<string, string>>(blank);
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const busy = fetcher.state !== "idle";
  const busyIntent = busy ? fetcher.formData?.get("intent") : null;

  useEffect(() => {
    // Saved: the secrets leave the page's memory too.
    if (result?.intent === "save" && result.ok) setValues(blank());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result]);

  const submit = (intent: string, extra: Record<string, string> = {}) => {
    const form = new FormData();
    form.set("intent", intent);
    form.set("channel", channel);
    for (const [k, v] of Object.entries(extra)) form.set(k, v);
    fetcher.submit(form, { method: "post" });
  };
  const fieldError = (field: string) => {
    if (result?.intent !== "save" || result.ok || !result.errors?.[field]) return undefined;
    return t(`channels.errors.${result.errors[field]}`, { field: t(`channels.fields.${field}`) });
  };

  const status = connection?.status ?? "none";
  const tone = status === "connected" ? "success" : status === "failed" ? "critical" : undefined;
  return (
    <div data-channel={channel}>
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {t(`channels.${channel}.title`)}
            </Text>
            <Badge tone={tone}>{t(`channels.status.${status}`)}</Badge>
          </InlineStack>
          <Text as="p" tone="subdued">
            {t(`channels.${channel}.help`)}
          </Text>
          {connection && (
            <Text as="p">
              {connection.publicId
                ? t("channels.savedWithId", {
                    id: connection.publicId,
                    date: formatDate(locale, connection.updatedAt, { dateStyle: "medium", timeStyle: "short" }),
                  })
                : t("channels.saved", {
                    date: formatDate(locale, connection.updatedAt, { dateStyle: "medium", timeStyle: "short" }),
                  })}
            </Text>
          )}
          {connection?.status === "failed" && connection.lastError && !(result?.intent === "test") && (
            <Text as="p" tone="critical">
              {t("channels.lastFailure", { reason: connection.lastError })}
            </Text>
          )}
          {result?.intent === "test" &&
            (result.ok ? (
              <Banner tone="success" title={t("channels.test.connected")}>
                {result.detail && <p>{t("channels.test.answeredAs", { name: result.detail })}</p>}
              </Banner>
            ) : (
              <Banner
                tone="critical"
                title={t("channels.test.failed", { reason: t(`channels.reasons.${result.reason}`) })}
              >
                {result.detail && <p>{result.detail}</p>}
              </Banner>
            ))}
          {result?.intent === "save" && result.ok && <Banner tone="success" title={t("channels.savedBanner")} />}
          {(result?.intent === "save" || result?.intent === "disconnect") &&
            result.ok &&
            (result.unlinked ?? 0) > 0 && (
              <Banner tone="warning" title={t("channels.unlinked", { count: result.unlinked })}>
                <p>{t(result.intent === "save" ? "channels.unlinkedChanged" : "channels.unlinkedDisconnected")}</p>
              </Banner>
            )}
          {result?.intent === "save" && !result.ok && result.reason && (
            <Banner tone="critical" title={t(`channels.reasons.${result.reason}`)} />
          )}
          <FormLayout>
            {fields.map((field) => (
              <TextField
                key={field}
                label={t(`channels.fields.${field}`)}
                type={PUBLIC_FIELDS.has(field) ? "text" : "password"}
                autoComplete="off"
                value={values[field]}
                onChange={(v) => setValues((s) => ({ ...s, [field]: v }))}
                error={fieldError(field)}
                placeholder={connection && !PUBLIC_FIELDS.has(field) ? t("channels.storedPlaceholder") : undefined}
                helpText={!PUBLIC_FIELDS.has(field) ? t("channels.secretHelp") : undefined}
              />
            ))}
          </FormLayout>
          {connection && lineLinked !== null && lineLinked > 0 && (
            <Text as="p" tone="subdued">
              {t("channels.lineLinked", { count: lineLinked })}
            </Text>
          )}
          <InlineStack gap="200">
            <Button variant="primary" onClick={() => submit("save", values)} loading={busyIntent === "save"}>
              {connection ? t("channels.replace") : t("channels.connect")}
            </Button>
            {connection && (
              <Button onClick={() => submit("test")} loading={busyIntent === "test"}>
                {t("channels.testButton")}
              </Button>
            )}
            {connection && (
              <Button
                tone="critical"
                variant="plain"
                onClick={() => submit("disconnect")}
                loading={busyIntent === "disconnect"}
              >
                {t("channels.disconnect")}
              </Button>
            )}
          </InlineStack>
        </BlockStack>
      </Card>
    </div>
  );
}
