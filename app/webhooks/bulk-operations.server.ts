// bulk_operations/finish: wakes the job waiting for that operation (it would otherwise notice at its next poll).
import { z } from "zod";
import { bulkFinishNotifier } from "../shopify/bulk-finish";
import type { WebhookHandler } from "./receive.server";

const payload = z.looseObject({
  admin_graphql_api_id: z.string().regex(/^gid:\/\/shopify\/BulkOperation\/\d+$/),
  status: z.string(),
});

export const bulkOperationsFinish: WebhookHandler<typeof payload> = {
  topic: "bulk_operations/finish",
  payload,
  async handle({ shop, payload }) {
    bulkFinishNotifier.notify(shop, payload.admin_graphql_api_id);
  },
};
