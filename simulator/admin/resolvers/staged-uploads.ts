// stagedUploadsCreate: targets on the simulator's own /files endpoint, shaped like Shopify's signed GCS POST targets
// (policy, key, content type, size range and expiry; checked on upload by ../staged-policy.ts).
import type { ResolverMap } from "../context";
import { numericId } from "../gid";
import { notImplemented } from "../shopify-error";
import { createStagedTarget } from "../staged-policy";

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
      if (input.resource !== "BULK_MUTATION_VARIABLES")
        throw notImplemented(`stagedUploadsCreate for resource ${input.resource}`);
      if ((input.httpMethod ?? "POST") !== "POST") throw notImplemented("stagedUploadsCreate with httpMethod PUT");
      return createStagedTarget({
        secret: ctx.core.files.signingKey,
        url: `${ctx.origin}${STAGED_UPLOAD_PATH}`,
        shopNumericId: numericId(ctx.shop.record.id),
        filename: input.filename,
        mimeType: input.mimeType,
        now: ctx.core.clock.now(),
      });
    });
    return { stagedTargets: targets, userErrors: [] };
  },
};
