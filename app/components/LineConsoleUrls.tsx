// The Channels page's LINE setup card (docs/line-link.md): the two URLs the merchant enters in the LINE Developers
// Console — the Messaging API channel's webhook URL (follow/unfollow reach the app) and the LINE Login channel's
// callback URL (shoppers come back to the loyalty page) — read-only, selectable, with where each goes.
import { BlockStack, Card, Text, TextField } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

export function LineConsoleUrls({ webhookUrl, callbackUrl }: { webhookUrl: string; callbackUrl: string }) {
  const { t } = useTranslation();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("lineLink.admin.title")}
        </Text>
        <Text as="p">{t("lineLink.admin.intro")}</Text>
        <TextField
          label={t("lineLink.admin.webhook")}
          helpText={t("lineLink.admin.webhookHelp")}
          value={webhookUrl}
          readOnly
          autoComplete="off"
          onChange={() => undefined}
        />
        <TextField
          label={t("lineLink.admin.callback")}
          helpText={t("lineLink.admin.callbackHelp")}
          value={callbackUrl}
          readOnly
          autoComplete="off"
          onChange={() => undefined}
        />
      </BlockStack>
    </Card>
  );
}
