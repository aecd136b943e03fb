// LINE messages (docs/line-messages.md): per event a switch and the English and Thai templates members receive in
// LINE, with a live preview. Saving checks every field first (Polaris errors, nothing saved on any error).
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Layout, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { restoreDefaults, saveTemplateForm, templatesPage } from "../services/line-templates.server";
import { LineTemplateCard, type TemplateActionResult } from "../components/LineTemplateCard";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const page = await templatesPage(session.shop);
  return { ...page, previewAt: new Date().toISOString() };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  const event = String(form.get("event") ?? "");
  if (intent === "save") {
    const input: Record<string, unknown> = {};
    for (const [k, v] of form.entries()) input[k] = v;
    const result = await saveTemplateForm(session.shop, event, input);
    if (result.ok) return json<TemplateActionResult>({ intent, event, ok: true });
    if ("reason" in result)
      return json<TemplateActionResult>({ intent, event, ok: false, reason: result.reason }, { status: 400 });
    return json<TemplateActionResult>({ intent, event, ok: false, errors: result.errors }, { status: 400 });
  }
  if (intent === "restore") {
    const result = await restoreDefaults(session.shop, event);
    if (result.ok) return json<TemplateActionResult>({ intent, event, ok: true });
    return json<TemplateActionResult>(
      { intent, event, ok: false, reason: "reason" in result ? result.reason : undefined },
      { status: 400 },
    );
  }
  return json({ intent: "invalid", ok: false, reason: "unknown_intent" }, { status: 400 });
};

export default function LineMessages() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <Page title={t("lineMessages.title")} backAction={{ content: t("channels.title"), url: "/app/channels" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {t("lineMessages.intro")}
            </Text>
            {!data.connected && (
              <Banner tone="warning" title={t("lineMessages.notConnectedTitle")}>
                <p>{t("lineMessages.notConnected")}</p>
              </Banner>
            )}
            {data.events.map((e) => (
              <LineTemplateCard
                key={e.event}
                event={e.event}
                custom={e.custom}
                setting={e.setting}
                shop={data.shop}
                previewTier={data.previewTier}
                previewAt={data.previewAt}
              />
            ))}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
