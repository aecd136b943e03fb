// The customer page's points card (docs/rules.md#adjustments-and-the-audit-trail): balances, pending points by the
// date each becomes available, points expiring soon, the adjust form (a reason is required; Polaris errors), and the
// journal newest first with what each entry was for and who wrote it.
import { useEffect, useState } from "react";
import { useFetcher } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Divider,
  FormLayout,
  InlineGrid,
  InlineStack,
  Link,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import type { CustomerPointsView } from "../domain/customer-points";
import { formatDate, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

/** What the route's action answers an adjustment with. */
export type AdjustAnswer =
  | { ok: true; repeated: boolean; points: number }
  | { ok: false; issues: { field: string; key: string; message: string }[] };

export function CustomerPoints({ points }: { points: CustomerPointsView }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<AdjustAnswer>();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [kind, setKind] = useState("adjustment");
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  useEffect(() => {
    if (answer?.ok) {
      setAmount("");
      setReason("");
      setKind("adjustment");
    }
  }, [answer]);
  const n = (value: number) => formatNumber(locale, value);
  const date = (iso: string) => formatDate(locale, iso);
  const dateTime = (iso: string) => formatDate(locale, iso, { dateStyle: "medium", timeStyle: "short" });
  const issue = (field: string) => {
    if (!answer || answer.ok) return undefined;
    const found = answer.issues.find((i) => i.field === field);
    return found ? t(`pointsReport.adjust.errors.${found.key}`, { defaultValue: found.message }) : undefined;
  };
  // A removal beyond the balance is said once, in a banner above the form (the field is marked).
  const insufficient =
    answer && !answer.ok && answer.issues.some((i) => i.key === "insufficient") ? issue("points") : undefined;
  const formIssue = issue("customer") ?? (answer && !answer.ok ? issue("token") : undefined);
  const b = points.balance;
  const figures: [string, number][] = [
    ["available", b.available],
    ["pending", b.pending],
    ["redeemed", b.redeemed],
    ["expired", b.expired],
    ["clawedBack", b.clawedBack],
    ["lost", b.lost],
  ];
  // A redemption's entries carry no actor: the shopper redeemed (a release is the app giving the points back).
  const who = (actor: string | null, kind: string) =>
    actor === null
      ? t(kind === "redemption" ? "pointsReport.history.by.shopper" : "pointsReport.history.byRules")
      : actor.startsWith("staff:")
        ? t("pointsReport.history.byStaff", { id: actor.slice("staff:".length) })
        : t(`pointsReport.history.by.${actor}`, { defaultValue: actor });

  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {t("pointsReport.customer.title")}
        </Text>
        <InlineGrid columns={{ xs: 2, md: 3 }} gap="300">
          {figures.map(([key, value]) => (
            <BlockStack gap="050" key={key}>
              <Text as="p" variant="bodySm" tone="subdued">
                {t(`pointsReport.balance.${key}`)}
              </Text>
              <Text as="p" variant="headingLg" tone={key === "lost" && value > 0 ? "critical" : undefined}>
                {n(value)}
              </Text>
            </BlockStack>
          ))}
        </InlineGrid>
        {points.pending.length > 0 ? (
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              {t("pointsReport.customer.pendingHeading")}
            </Text>
            {points.pending.map((p) => (
              <Text as="p" variant="bodySm" key={p.at}>
                {t("pointsReport.customer.pendingOn", { points: n(p.points), date: dateTime(p.at) })}
              </Text>
            ))}
          </BlockStack>
        ) : null}
        {points.expiring ? (
          <Text as="p" fontWeight="bold">
            {t("pointsReport.customer.expiring", { points: n(points.expiring.points), date: date(points.expiring.at) })}
          </Text>
        ) : (
          <Text as="p" variant="bodySm" tone="subdued">
            {t("pointsReport.customer.noneExpiring", { days: points.warningDays })}
          </Text>
        )}
        <Divider />
        <fetcher.Form method="post" aria-label={t("pointsReport.adjust.title")}>
          <input type="hidden" name="intent" value="adjust-points" />
          <input type="hidden" name="token" value={points.token} />
          <BlockStack gap="300">
            <Text as="h3" variant="headingSm">
              {t("pointsReport.adjust.title")}
            </Text>
            {answer?.ok ? (
              <Banner tone="success">
                {t(answer.repeated ? "pointsReport.adjust.repeated" : "pointsReport.adjust.done", {
                  points: n(answer.points),
                })}
              </Banner>
            ) : null}
            {insufficient ? <Banner tone="critical">{insufficient}</Banner> : null}
            {formIssue ? <Banner tone="critical">{formIssue}</Banner> : null}
            <FormLayout>
              <FormLayout.Group>
                <TextField
                  label={t("pointsReport.adjust.points")}
                  name="points"
                  value={amount}
                  onChange={setAmount}
                  autoComplete="off"
                  inputMode="numeric"
                  helpText={t("pointsReport.adjust.pointsHelp")}
                  error={insufficient ? Boolean(insufficient) : issue("points")}
                />
                <Select
                  label={t("pointsReport.adjust.kind")}
                  name="kind"
                  options={[
                    { label: t("pointsReport.adjust.kinds.adjustment"), value: "adjustment" },
                    { label: t("pointsReport.adjust.kinds.bonus"), value: "bonus" },
                  ]}
                  value={kind}
                  onChange={setKind}
                  error={issue("kind")}
                />
              </FormLayout.Group>
              <TextField
                label={t("pointsReport.adjust.reason")}
                name="reason"
                value={reason}
                onChange={setReason}
                autoComplete="off"
                multiline={2}
                maxLength={500}
                helpText={t("pointsReport.adjust.reasonHelp")}
                error={issue("reason")}
              />
              <InlineStack align="end">
                <Button submit variant="primary" loading={fetcher.state !== "idle"}>
                  {t("pointsReport.adjust.submit")}
                </Button>
              </InlineStack>
            </FormLayout>
          </BlockStack>
        </fetcher.Form>
        <Divider />
        <Text as="h3" variant="headingSm">
          {t("pointsReport.history.title")}
        </Text>
        {points.history.length === 0 ? (
          <Text as="p" tone="subdued">
            {t("pointsReport.history.empty")}
          </Text>
        ) : (
          <BlockStack gap="200">
            {points.history.map((h) => (
              <BlockStack gap="050" key={h.id}>
                <InlineStack align="space-between" blockAlign="start" wrap={false} gap="200">
                  <Text as="p" variant="bodySm">
                    {h.orderLegacyId ? (
                      <Link url={`shopify://admin/orders/${h.orderLegacyId}`} target="_top">
                        {t(`pointsReport.history.reason.${h.reason}`, h.values)}
                      </Link>
                    ) : (
                      t(`pointsReport.history.reason.${h.reason}`, h.values)
                    )}
                    {h.correction ? ` (${t("pointsReport.history.correction")})` : ""}
                  </Text>
                  <Text
                    as="span"
                    variant="bodySm"
                    fontWeight="semibold"
                    tone={h.kind === "loss" ? "subdued" : h.points < 0 ? "critical" : "success"}
                  >
                    {h.points > 0 ? "+" : ""}
                    {n(h.points)}
                  </Text>
                </InlineStack>
                <Text as="p" variant="bodySm" tone="subdued">
                  {dateTime(h.effectiveAt)} · {who(h.actor, h.kind)}
                  {h.pendingUntil
                    ? ` · ${t("pointsReport.history.pendingUntil", { date: dateTime(h.pendingUntil) })}`
                    : ""}
                  {h.kind === "adjustment" || h.kind === "bonus" || h.kind === "import"
                    ? ` · ${t("pointsReport.history.written", { date: dateTime(h.writtenAt) })}`
                    : ""}
                </Text>
              </BlockStack>
            ))}
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}
