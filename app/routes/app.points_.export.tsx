// The points exports, streamed (docs/points-import.md#export): GET /app/points/export?what=balances (every customer's
// balances: the CLI `points` columns and the email) or ?what=journal (every entry of the journal), for the session's
// shop only. The import page fetches them through App Bridge (which adds the session token) and saves the file.
import { Readable } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { pointsExportStream } from "../services/points-export.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const what = new URL(request.url).searchParams.get("what") ?? "balances";
  if (what !== "balances" && what !== "journal")
    return new Response(`Unknown export "${what.slice(0, 40)}": use what=balances or what=journal\n`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  const day = new Date().toISOString().slice(0, 10);
  const name = `points-${what}-${session.shop.replace(".myshopify.com", "")}-${day}.csv`;
  const body = Readable.toWeb(pointsExportStream(session.shop, what)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
    },
  });
};
