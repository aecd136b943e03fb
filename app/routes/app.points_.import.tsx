// Points import (docs/points-import.md#the-screen): upload a Smile.io, LoyaltyLion or generic CSV (a plain multipart
// form, at most IMPORT_MAX_BYTES), see the dry run (totals, the lines not imported with why, the rows to import), then
// import it; the shop's past imports; and the exports of every balance and of the whole journal. Not nested in the
// points page's layout (`app.points_`): it is a page of its own at /app/points/import.
import {
  json,
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
} from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import {
  applyImport,
  decodeImportFile,
  IMPORT_MAX_BYTES,
  importActor,
  importFormatChoice,
  importView,
  listImports,
  previewImport,
  type ApplyResult,
  type ImportView,
  type UploadProblem,
} from "../services/points-import.server";
import { downloadFile } from "../components/download";
import { IMPORT_FORMATS } from "../domain/points-import";
import { formatDate, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { imports: await listImports(session.shop), maxMegabytes: IMPORT_MAX_BYTES / (1024 * 1024) };
};

type ActionData =
  | { intent: "preview"; ok: true; view: ImportView }
  | { intent: "preview"; ok: false; problem: UploadProblem }
  | { intent: "apply"; importId: string; result: ApplyResult };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, sessionToken } = await authenticate.admin(request);
  const multipart = (request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data");
  let form: FormData;
  try {
    form = multipart
      ? await unstable_parseMultipartFormData(
          request,
          unstable_createMemoryUploadHandler({ maxPartSize: IMPORT_MAX_BYTES }),
        )
      : await request.formData();
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError)
      return json<ActionData>({ intent: "preview", ok: false, problem: "too_large" }, { status: 413 });
    return json<ActionData>({ intent: "preview", ok: false, problem: "no_file" }, { status: 400 });
  }
  if (form.get("intent") === "apply") {
    const id = form.get("importId");
    const importId = typeof id === "string" ? id : "";
    const result =
      importId !== ""
        ? await applyImport(session.shop, importId, importActor(sessionToken?.sub))
        : ({ outcome: "refused", reason: "not_found" } as const);
    return json<ActionData>(
      { intent: "apply", importId, result },
      { status: result.outcome === "refused" ? 400 : 200 },
    );
  }
  const file = form.get("file");
  const format = importFormatChoice(form.get("format") ?? "auto");
  if (format === null)
    return json<ActionData>({ intent: "preview", ok: false, problem: "bad_format" }, { status: 400 });
  if (!file || typeof file === "string")
    return json<ActionData>({ intent: "preview", ok: false, problem: "no_file" }, { status: 400 });
  const decoded = decodeImportFile(new Uint8Array(await file.arrayBuffer()));
  if (!decoded.ok)
    return json<ActionData>(
      { intent: "preview", ok: false, problem: decoded.problem },
      { status: decoded.problem === "too_large" ? 413 : 400 },
    );
  const preview = await previewImport(session.shop, { fileName: file.name, text: decoded.text, format });
  return json<ActionData>({ intent: "preview", ok: true, view: importView(preview) });
};

export default function PointsImportPage() {
  const { imports, maxMegabytes } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useLocale();
  const upload = useFetcher<ActionData>();
  const apply = useFetcher<ActionData>();
  const revalidator = useRevalidator();
  const [format, setFormat] = useState("auto");
  const [exporting, setExporting] = useState<string | null>(null);

  const previewed = upload.data?.intent === "preview" ? upload.data : null;
  const view = previewed?.ok ? previewed.view : null;
  // The answer to applying the import shown (not an earlier one's, once another file is checked)
  const applied = apply.data?.intent === "apply" && apply.data.importId === view?.id ? apply.data.result : null;
  useEffect(() => {
    if (applied) revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [applied]);
  const appliedThis = applied && applied.outcome !== "refused" ? applied : null;

  const n = (value: number) => formatNumber(locale, value);
  const exportFile = async (what: "balances" | "journal") => {
    setExporting(what);
    try {
      await downloadFile(`/app/points/export?what=${what}`, `points-${what}.csv`);
    } finally {
      setExporting(null);
    }
  };
  const issueText = (i: ImportView["fileIssues"][number]) =>
    `${t(`pointsImport.issue.${i.kind}`, { defaultValue: i.kind })}${i.value ? ` “${i.value}”` : ""}: ${i.message}`;

  return (
    <Page title={t("pointsImport.title")} backAction={{ content: t("app.nav.points"), url: "/app/points" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <upload.Form method="post" encType="multipart/form-data">
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("pointsImport.uploadHeading")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t("pointsImport.uploadHelp", { max: maxMegabytes })}
                  </Text>
                  <label htmlFor="points-import-file">
                    <Text as="span" variant="bodyMd">
                      {t("pointsImport.file")}
                    </Text>
                  </label>
                  <input id="points-import-file" type="file" name="file" accept=".csv,text/csv" />
                  <Select
                    label={t("pointsImport.format")}
                    name="format"
                    options={["auto", ...IMPORT_FORMATS].map((value) => ({
                      value,
                      label: t(`pointsImport.formats.${value}`),
                    }))}
                    value={format}
                    onChange={setFormat}
                  />
                  <InlineStack>
                    <Button submit variant="primary" loading={upload.state !== "idle"}>
                      {t("pointsImport.preview")}
                    </Button>
                  </InlineStack>
                </BlockStack>
              </upload.Form>
            </Card>

            {previewed && !previewed.ok ? (
              <Banner tone="critical" title={t("pointsImport.uploadRefused")}>
                <p>{t(`pointsImport.problem.${previewed.problem}`, { max: maxMegabytes })}</p>
              </Banner>
            ) : null}

            {view ? (
              <Card>
                <BlockStack gap="400">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h2" variant="headingMd">
                      {t("pointsImport.dryRunHeading", { file: view.fileName })}
                    </Text>
                    <Badge tone={view.format === "unknown" ? "critical" : "info"}>
                      {t(`pointsImport.formats.${view.format}`, { defaultValue: view.format })}
                    </Badge>
                  </InlineStack>
                  <DataTable
                    columnContentTypes={["text", "numeric"]}
                    headings={[t("pointsImport.totals.heading"), t("pointsImport.totals.value")]}
                    rows={[
                      [t("pointsImport.totals.rows"), n(view.totals.rows)],
                      [t("pointsImport.totals.matched"), n(view.totals.matched)],
                      [t("pointsImport.totals.unmatched"), n(view.totals.unmatched)],
                      [t("pointsImport.totals.refused"), n(view.totals.refused)],
                      [t("pointsImport.totals.filePoints"), n(view.totals.filePoints)],
                      [t("pointsImport.totals.addPoints"), n(view.totals.addPoints)],
                    ]}
                  />
                  {view.fileIssues.length ? (
                    <Banner tone="warning" title={t("pointsImport.fileIssues")}>
                      {view.fileIssues.map((i, k) => (
                        <p key={k}>{issueText(i)}</p>
                      ))}
                    </Banner>
                  ) : null}
                  {appliedThis ? (
                    <Banner tone="success" title={t(`pointsImport.applied.${appliedThis.outcome}`)}>
                      <p>
                        {t("pointsImport.applied.body", {
                          customers: n(appliedThis.customers),
                          points: n(appliedThis.points),
                        })}
                      </p>
                    </Banner>
                  ) : applied?.outcome === "refused" ? (
                    <Banner tone="critical" title={t(`pointsImport.applyRefused.${applied.reason}`)} />
                  ) : (
                    <apply.Form method="post">
                      <input type="hidden" name="intent" value="apply" />
                      <input type="hidden" name="importId" value={view.id} />
                      <BlockStack gap="200">
                        <Text as="p">
                          {t("pointsImport.applyHelp", {
                            customers: n(view.totals.matched),
                            points: n(view.totals.addPoints),
                          })}
                        </Text>
                        <InlineStack>
                          <Button
                            submit
                            variant="primary"
                            disabled={view.totals.matched === 0}
                            loading={apply.state !== "idle"}
                          >
                            {t("pointsImport.apply")}
                          </Button>
                        </InlineStack>
                      </BlockStack>
                    </apply.Form>
                  )}
                  {view.notImported.length ? (
                    <BlockStack gap="200">
                      <Text as="h3" variant="headingSm">
                        {t("pointsImport.notImportedHeading", {
                          count: view.notImported.length + view.notImportedMore,
                        })}
                      </Text>
                      <BlockStack gap="100">
                        {view.notImported.map((l) => (
                          <Text as="p" variant="bodySm" key={l.line}>
                            <Text as="span" fontWeight="semibold">
                              {`${[
                                t("pointsImport.lineLabel", { line: l.line }),
                                l.email,
                                l.customerId?.split("/").pop(),
                                l.points === null ? null : t("pointsImport.pointsLabel", { points: n(l.points) }),
                              ]
                                .filter(Boolean)
                                .join(" · ")}:`}
                            </Text>{" "}
                            {l.issues.map(issueText).join("; ")}
                          </Text>
                        ))}
                      </BlockStack>
                      {view.notImportedMore ? (
                        <Text as="p" tone="subdued">
                          {t("pointsImport.more", { count: view.notImportedMore })}
                        </Text>
                      ) : null}
                    </BlockStack>
                  ) : null}
                  {view.imported.length ? (
                    <BlockStack gap="200">
                      <Text as="h3" variant="headingSm">
                        {t("pointsImport.importedHeading", { count: view.totals.matched })}
                      </Text>
                      <DataTable
                        columnContentTypes={["numeric", "text", "text", "numeric", "numeric", "text"]}
                        headings={[
                          t("pointsImport.column.line"),
                          t("pointsImport.column.email"),
                          t("pointsImport.column.customer"),
                          t("pointsImport.column.points"),
                          t("pointsImport.column.add"),
                          t("pointsImport.column.notes"),
                        ]}
                        rows={view.imported.map((l) => [
                          l.line,
                          l.email ?? "",
                          l.customerId?.split("/").pop() ?? "",
                          n(l.points ?? 0),
                          n(l.add ?? 0),
                          [
                            l.pendingPoints ? t("pointsImport.pendingNotImported", { points: n(l.pendingPoints) }) : "",
                            l.expiresAt ? t("pointsImport.expiryNotImported", { date: l.expiresAt }) : "",
                            l.otherImports.length
                              ? t("pointsImport.otherImports", { sources: l.otherImports.join(", ") })
                              : "",
                          ]
                            .filter(Boolean)
                            .join(" "),
                        ])}
                      />
                      {view.importedMore ? (
                        <Text as="p" tone="subdued">
                          {t("pointsImport.more", { count: view.importedMore })}
                        </Text>
                      ) : null}
                    </BlockStack>
                  ) : null}
                </BlockStack>
              </Card>
            ) : null}

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("pointsImport.historyHeading")}
                </Text>
                {imports.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("pointsImport.historyEmpty")}
                  </Text>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "text", "numeric", "numeric", "text"]}
                    headings={[
                      t("pointsImport.column.when"),
                      t("pointsImport.column.file"),
                      t("pointsImport.column.state"),
                      t("pointsImport.column.rows"),
                      t("pointsImport.column.matched"),
                      t("pointsImport.column.by"),
                    ]}
                    rows={imports.map((i) => [
                      formatDate(locale, i.appliedAt ?? i.createdAt, { dateStyle: "medium", timeStyle: "short" }),
                      `${i.fileName} (${t(`pointsImport.formats.${i.format}`, { defaultValue: i.format })})`,
                      t(`pointsImport.state.${i.state}`),
                      n(i.rows),
                      n(i.matched),
                      i.actor ?? "",
                    ])}
                  />
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("pointsImport.exportHeading")}
              </Text>
              <Text as="p" tone="subdued">
                {t("pointsImport.exportHelp")}
              </Text>
              <InlineStack gap="200">
                <Button onClick={() => void exportFile("balances")} loading={exporting === "balances"}>
                  {t("pointsImport.exportBalances")}
                </Button>
                <Button onClick={() => void exportFile("journal")} loading={exporting === "journal"}>
                  {t("pointsImport.exportJournal")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
