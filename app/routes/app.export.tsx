// The CSV export (the CLI's `export` columns), streamed: GET /app/export?asOf=<ISO time>. The settings page fetches
// it through App Bridge (which adds the session token) and saves the file.
import { Readable } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { exportCsvStream } from "../services/export.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const param = new URL(request.url).searchParams.get("asOf");
  const asOf =
    param && /^\d{4}-\d{2}-\d{2}T/.test(param) && !Number.isNaN(Date.parse(param)) ? new Date(param) : new Date();
  const name = `customers-${session.shop.replace(".myshopify.com", "")}-${asOf.toISOString().slice(0, 10)}.csv`;
  const body = Readable.toWeb(exportCsvStream(session.shop, { asOf })) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
    },
  });
};
