// stagedUploadsCreate: targets on the simulator's own /files endpoint, shaped like Shopify's signed GCS POST targets.
import { randomUUID } from "node:crypto";
import type { ResolverMap } from "../context";
import { numericId } from "../gid";
import { notImplemented } from "../shopify-error";

interface StagedUploadInput {
  resource: string;
  filename: string;
  mimeType: string;
  httpMethod?: string | null;
  fileSize?: string | null;
}

export const STAGED_UPLOAD_PATH = "/files/staged-uploads";

export const stagedUploadResolvers: ResolverMap = {
  "Mutation.stagedUploadsCreate": (_s, args: { input: StagedUploadInput[] }, ctx) => {
    const targets = args.input.map((input) => {
      if (input.resource !== "BULK_MUTATION_VARIABLES") throw notImplemented(`stagedUploadsCreate for resource ${input.resource}`);
      if ((input.httpMethod ?? "POST") !== "POST") throw notImplemented("stagedUploadsCreate with httpMethod PUT");
      const key = `tmp/${numericId(ctx.shop.record.id)}/bulk/${randomUUID()}/${input.filename}`;
      return {
        url: `${ctx.origin}${STAGED_UPLOAD_PATH}`,
        resourceUrl: null,
        parameters: [
          { name: "key", value: key },
          { name: "Content-Type", value: input.mimeType },
          { name: "success_action_status", value: "201" },
          { name: "acl", value: "private" },
          { name: "policy", value: Buffer.from(JSON.stringify({ key, shop: ctx.shop.domain })).toString("base64") },
        ],
      };
    });
    return { stagedTargets: targets, userErrors: [] };
  },
};
