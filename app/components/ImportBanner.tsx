// What a page says while the store's history is still being imported, or when nothing is scored yet.
import { Banner } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/react";

export interface ImportState {
  status: string;
  phase: string;
  customers: { read: number; expected: number | null };
  orders: { read: number; expected: number | null };
}

export function ImportBanner({ backfill, scored }: { backfill: ImportState | null; scored: number }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const running = backfill !== null && (backfill.status === "running" || backfill.status === "queued");
  if (!running && scored > 0) return null;
  const part = backfill?.phase === "orders" ? backfill.orders : backfill?.customers;
  return (
    <Banner tone="info" action={{ content: t("status.seeProgress"), url: "/app" }}>
      <p>
        {running && part
          ? t("status.backfillRunning", {
              read: formatNumber(locale, part.read),
              expected: part.expected === null ? "…" : formatNumber(locale, part.expected),
            })
          : t("status.nothingYet")}
      </p>
    </Banner>
  );
}
