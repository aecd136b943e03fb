// The points liability report as CSV (docs/rules.md#liability-and-breakage): GET /app/points/liability/csv, fetched by
// the report page through App Bridge (which adds the session token). Months oldest first, a total line, the summary.
import { Readable } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { pointsLiabilityCsv } from "../services/points-liability.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { name, csv } = await pointsLiabilityCsv(session.shop);
  const body = Readable.toWeb(Readable.from([csv])) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
    },
  });
};
