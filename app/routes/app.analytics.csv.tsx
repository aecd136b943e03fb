// The analytics as CSV: GET /app/analytics/csv?period=…&from=…&to=…&table=summary|cohorts (columns in
// docs/analytics.md). Fetched by the analytics page through App Bridge (which adds the session token). Cells that a
// spreadsheet would run as a formula are neutralised as in the customer export (csvLines).
import { Readable } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { analyticsCsvDownload, analyticsPeriodQuery } from "../services/analytics.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const params = new URL(request.url).searchParams;
  const query = analyticsPeriodQuery(params);
  if (!query.ok)
    return new Response(`Bad period: ${query.error}\n`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  const { name, csv } = await analyticsCsvDownload(session.shop, query.choice, params.get("table"));
  const body = Readable.toWeb(Readable.from([csv])) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
    },
  });
};
