// Dashboard (first version): the shop's install state and what the ledger holds.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { dashboardOverview } from "../services/status.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return dashboardOverview(session.shop);
};

const STATUS_TONE = { installed: "success", uninstalled: "warning", redacted: "critical", unknown: "info" } as const;

export default function Dashboard() {
  const overview = useLoaderData<typeof loader>();
  return (
    <Page title="Loyalty & RFM">
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {overview.shop}
                </Text>
                <Badge tone={STATUS_TONE[overview.status]}>{overview.status}</Badge>
              </InlineStack>
              <Text as="p" variant="bodyMd" tone="subdued">
                {overview.installedAt ? `Installed ${overview.installedAt.slice(0, 10)}` : "Not installed yet"}
              </Text>
              <Text as="p" variant="bodyMd">
                Access: {overview.scopes.length ? overview.scopes.join(", ") : "none granted"}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Ledger
              </Text>
              <Text as="p" variant="bodyMd">
                {overview.customers} customers · {overview.orders} orders
              </Text>
              <Text as="p" variant="bodyMd" tone="subdued">
                Jobs: {Object.entries(overview.jobs).map(([state, n]) => `${state} ${n}`).join(", ") || "none"}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Sync to Shopify
                </Text>
                {overview.sync.lastRun ? (
                  <Badge tone={overview.sync.lastRun.status === "done" ? "success" : overview.sync.lastRun.status === "failed" ? "critical" : "info"}>
                    {overview.sync.lastRun.status}
                  </Badge>
                ) : null}
              </InlineStack>
              <Text as="p" variant="bodyMd">
                {overview.sync.customersWritten} customers written · {overview.sync.customersFailing} refused
              </Text>
              <Text as="p" variant="bodyMd" tone="subdued">
                {overview.sync.lastRun
                  ? `Last run ${overview.sync.lastRun.startedAt.slice(0, 16).replace("T", " ")}: ${overview.sync.lastRun.synced} written, ${overview.sync.lastRun.requests} requests, ${overview.sync.lastRun.costPoints} cost points`
                  : "Not synced yet"}
                {overview.sync.pending + overview.sync.inFlight > 0 ? " · a sync is queued or running" : ""}
              </Text>
              {overview.sync.failures.slice(0, 3).map((f) => (
                <Text as="p" variant="bodySm" tone="critical" key={f.customerId}>
                  {f.customerId.split("/").pop()}: {f.message}
                </Text>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
