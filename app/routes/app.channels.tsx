// Channels (docs/channels.md): connect the shop's LINE Official Account (Messaging API channel), its LINE Login
// channel and its Klaviyo account. Secrets are written once and stored encrypted; the page never receives them back.
// "Test connection" makes one authenticated call to the vendor and shows what it answered.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Layout, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { CHANNELS, FIELDS, isChannel } from "../domain/channels";
import {
  connectionsFor,
  disconnect,
  linkedShoppers,
  saveConnection,
  testConnection,
} from "../services/channels.server";
import { keyringFromEnv } from "../services/secret-box.server";
import { ChannelCard, type ChannelActionResult } from "../components/ChannelCard";
import { LineConsoleUrls } from "../components/LineConsoleUrls";
import { KlaviyoSyncCard, type KlaviyoSyncResult } from "../components/KlaviyoSyncCard";
import { klaviyoOverview, requestKlaviyoSync } from "../services/klaviyo-sync.server";
import { lineConsoleUrls } from "../services/line-link.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [connections, lineLinked] = await Promise.all([connectionsFor(session.shop), linkedShoppers(session.shop)]);
  return {
    lineLinked,
    keyConfigured: keyringFromEnv().current !== null,
    lineUrls: lineConsoleUrls(session.shop),
    klaviyo: await klaviyoOverview(session.shop),
    channels: CHANNELS.map((channel) => {
      const c = connections.find((x) => x.channel === channel) ?? null;
      return {
        channel,
        fields: FIELDS[channel] as string[],
        connection: c && {
          publicId: c.publicId,
          status: c.status,
          lastError: c.lastError,
          lastTestedAt: c.lastTestedAt?.toISOString() ?? null,
          updatedAt: c.updatedAt.toISOString(),
        },
      };
    }),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const channel = form.get("channel");
  const intent = form.get("intent");
  if (!isChannel(channel)) {
    return json<ChannelActionResult>({ intent: "invalid", ok: false, reason: "unknown_channel" }, { status: 400 });
  }
  // Ending the shop's LINE links (another channel ID, or disconnecting) needs the confirmation box ticked when
  // shoppers have linked; the services refuse otherwise and nothing changes (docs/channels.md#confirming-before-unlinking).
  const confirmUnlink = form.get("confirmUnlink") === "yes";
  if (intent === "save") {
    const input: Record<string, unknown> = {};
    for (const field of FIELDS[channel]) input[field] = form.get(field);
    const result = await saveConnection(session.shop, channel, input, undefined, undefined, { confirmUnlink });
    if (result.ok)
      return json<ChannelActionResult>(
        result.unlinked ? { intent: "save", ok: true, unlinked: result.unlinked } : { intent: "save", ok: true },
      );
    if ("confirmUnlink" in result) {
      return json<ChannelActionResult>(
        { intent: "save", ok: false, reason: "confirm_unlink", linked: result.confirmUnlink.linked },
        { status: 409 },
      );
    }
    if ("keyMissing" in result) {
      return json<ChannelActionResult>({ intent: "save", ok: false, reason: "key_missing" }, { status: 503 });
    }
    return json<ChannelActionResult>({ intent: "save", ok: false, errors: result.errors }, { status: 400 });
  }
  if (intent === "test") {
    const outcome = await testConnection(session.shop, channel);
    if (!outcome)
      return json<ChannelActionResult>({ intent: "test", ok: false, reason: "not_connected" }, { status: 404 });
    return json<ChannelActionResult>(
      outcome.ok
        ? { intent: "test", ok: true, detail: outcome.detail }
        : { intent: "test", ok: false, reason: outcome.reason, detail: outcome.detail },
    );
  }
  if (intent === "sync" && channel === "klaviyo") {
    const queued = await requestKlaviyoSync(session.shop);
    return queued
      ? json<KlaviyoSyncResult>({ intent: "sync", ok: true })
      : json<KlaviyoSyncResult>({ intent: "sync", ok: false, reason: "not_connected" }, { status: 404 });
  }
  if (intent === "disconnect") {
    const result = await disconnect(session.shop, channel, undefined, { confirmUnlink });
    if (!result.ok) {
      return json<ChannelActionResult>(
        { intent: "disconnect", ok: false, reason: "confirm_unlink", linked: result.confirmUnlink.linked },
        { status: 409 },
      );
    }
    return json<ChannelActionResult>({ intent: "disconnect", ok: true, unlinked: result.unlinked });
  }
  return json<ChannelActionResult>({ intent: "invalid", ok: false, reason: "unknown_intent" }, { status: 400 });
};

export default function Channels() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <Page
      title={t("channels.title")}
      secondaryActions={[{ content: t("lineMessages.link"), url: "/app/line-messages" }]}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {t("channels.intro")}
            </Text>
            {!data.keyConfigured && (
              <Banner tone="critical" title={t("channels.keyMissingTitle")}>
                <p>{t("channels.keyMissing")}</p>
              </Banner>
            )}
            {data.channels.map((c) => (
              <ChannelCard
                key={c.channel}
                channel={c.channel}
                fields={c.fields}
                connection={c.connection}
                lineLinked={c.channel.startsWith("line-") ? data.lineLinked : null}
              />
            ))}
            <LineConsoleUrls {...data.lineUrls} />
            <KlaviyoSyncCard data={data.klaviyo} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
