// A campaign's members as CSV (recipients with their codes, and the holdout): GET /app/campaigns/:id/csv. The page
// fetches it through App Bridge (which adds the session token) and saves the file.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { recipientsCsv } from "../services/campaigns.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const file = await recipientsCsv(session.shop, params.id ?? "");
  if (!file) throw new Response("Not found", { status: 404 });
  return new Response(file.csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file.name}"`,
      "Cache-Control": "no-store",
    },
  });
};
