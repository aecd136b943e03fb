// One channel's card on the Channels page: its fields (secrets are write-only: blank password fields, never
// pre-filled; the channel ID is not a secret and shows the saved one), save, test connection and disconnect, and what
// the last action answered — including the confirmation a LINE change asks for before it unlinks shoppers.
import { useEffect, useState } from "react";
import { useFetcher } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Text,
  TextField,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { formatDate } from "../i18n/format";
import { useLocale } from "../i18n/react";

export type ChannelActionResult =
  | { intent: "save"; ok: true; unlinked?: number }
  | { intent: "save"; ok: false; errors?: Partial<Record<string, string>>; reason?: string; linked?: number }
  | { intent: "test"; ok: true; detail: string | null }
  | { intent: "test"; ok: false; reason: string; detail?: string | null }
  | { intent: "disconnect"; ok: true; unlinked?: number }
  // Another LINE channel ID, or disconnecting, while `linked` shoppers have linked: nothing changed until confirmed
  | { intent: "disconnect"; ok: false; reason: "confirm_unlink"; linked: number }
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
  // The public fields start with the saved value (a merchant rotating a secret does not retype the channel ID); the
  // secret ones blank.
  const savedId = connection?.publicId ?? "";
  const blank = () => Object.fromEntries(fields.map((f) => [f, PUBLIC_FIELDS.has(f) ? savedId : ""]));
  const [values, setValues] = useState<Record<string, string>>(blank);
  // "I understand: unlink N shoppers" — ticked only after the action asked for it, cleared when the ID changes
  const [confirmUnlink, setConfirmUnlink] = useState(false);
  // The Channel ID edited since the last submit: a save's confirmation request was about the ID sent, not this one
  const [idEdited, setIdEdited] = useState(false);
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const busy = fetcher.state !== "idle";
  const busyIntent = busy ? fetcher.formData?.get("intent") : null;

  useEffect(() => {
    // Saved: the secrets leave the page's memory too; the channel ID shows what is saved now.
    if ((result?.intent === "save" || result?.intent === "disconnect") && result.ok) {
      setValues(blank());
      setConfirmUnlink(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result, savedId]);

  const submit = (intent: string, extra: Record<string, string> = {}) => {
    const form = new FormData();
    form.set("intent", intent);
    form.set("channel", channel);
    for (const [k, v] of Object.entries(extra)) form.set(k, v);
    if (confirmUnlink) form.set("confirmUnlink", "yes");
    setIdEdited(false);
    fetcher.submit(form, { method: "post" });
  };
  const askedToConfirm =
    result && !result.ok && "reason" in result && result.reason === "confirm_unlink" && "linked" in result
      ? { intent: result.intent, linked: result.linked ?? 0 }
      : null;
  const showConfirm = askedToConfirm && !(askedToConfirm.intent === "save" && idEdited);
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
          {result?.intent === "save" && !result.ok && result.reason && result.reason !== "confirm_unlink" && (
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
                onChange={(v) => {
                  setValues((s) => ({ ...s, [field]: v }));
                  // A confirmation is for the ID it was given for
                  if (PUBLIC_FIELDS.has(field)) {
                    setConfirmUnlink(false);
                    setIdEdited(true);
                  }
                }}
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
          {askedToConfirm && showConfirm && (
            <div data-confirm-unlink>
              <Banner tone="critical" title={t("channels.confirmUnlink.title", { count: askedToConfirm.linked })}>
                <BlockStack gap="200">
                  <p>
                    {t(
                      askedToConfirm.intent === "save"
                        ? "channels.confirmUnlink.changed"
                        : "channels.confirmUnlink.disconnected",
                    )}
                  </p>
                  <Checkbox
                    label={t("channels.confirmUnlink.checkbox", { count: askedToConfirm.linked })}
                    checked={confirmUnlink}
                    onChange={setConfirmUnlink}
                  />
                </BlockStack>
              </Banner>
            </div>
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
