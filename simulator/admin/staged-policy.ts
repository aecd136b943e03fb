// Staged upload targets as Shopify hands them out for bulk mutation variables: a Google Cloud Storage signed POST
// policy (V4) with the object key, the content type, a size range and an expiry, and the storage endpoint's checks of
// a form POSTed to it, refused with its HTTP status and XML error body.
//
// - Target parameters (key, Content-Type, success_action_status, acl, policy, x-goog-credential, x-goog-algorithm,
//   x-goog-date, x-goog-signature): https://shopify.dev/docs/api/usage/bulk-operations/imports#generate-the-uploaded-url-and-parameters
// - Size: "Upload files up to 100MB (up from 20MB)" for bulk mutation variables since 2026-01
//   (https://shopify.dev/changelog/faster-bulk-operations).
// - Form and policy rules: https://cloud.google.com/storage/docs/xml-api/post-object ("file … Must be the last field in
//   the form"; every other field must be named by a policy condition).
// - Storage's answers, as clients have recorded them from storage.googleapis.com:
//   400 InvalidPolicyDocument "The content of the form does not meet the conditions specified in the policy document."
//   with Details "Missing policy" (fog/fog#3938), "Failed condition: {…}" (googleapis/nodejs-storage#2083),
//   "Policy did not reference these fields: submit" (googleapis/google-cloud-java#7292); 400 EntityTooLarge "Your
//   proposed upload is larger than the maximum object size specified in your Policy Document." with Details
//   "Content-length exceeds upper bound on range" (Shopify staged uploads and Firebase deploys report it verbatim);
//   403 SignatureDoesNotMatch for a policy that was not signed by the issuer. The Details of an expired policy is not
//   in public material; "Policy expired" under InvalidPolicyDocument is this double's assumption.
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { MultipartPart } from "./multipart";

export const STAGED_UPLOAD_BUCKET = "shopify-staged-uploads";
/** Bulk mutation variables of API 2026-01 and later: up to 100 MB. */
export const STAGED_UPLOAD_MAX_BYTES = 100 * 1024 * 1024;
/** How long a signed policy can be used (an assumption: Shopify does not document it; uploads are made at once). */
export const POLICY_LIFETIME_MS = 60 * 60 * 1000;
/** How long an uploaded variables file can be named by bulkOperationRunMutation (an assumption, as above). */
export const STAGED_FILE_LIFETIME_MS = 24 * 60 * 60 * 1000;

const ALGORITHM = "GOOG4-HMAC-SHA256";
const CREDENTIAL_ID = "staged-uploads@local-shopify.iam.gserviceaccount.com";
/** Fields a POST may carry without a policy condition naming them. */
const UNREFERENCED_OK = new Set(["policy", "x-goog-signature", "file"]);

type Condition = Record<string, string> | [string, string | number, string | number];

interface PolicyDocument {
  expiration: string;
  conditions: Condition[];
}

export interface StagedTarget {
  url: string;
  resourceUrl: null;
  parameters: { name: string; value: string }[];
}

function compactTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function sign(secret: Buffer, policy: string): string {
  return createHmac("sha256", secret).update(policy).digest("hex");
}

/** A target for one file: `key` under the shop's tmp/ prefix, valid until now + POLICY_LIFETIME_MS. */
export function createStagedTarget(opts: {
  secret: Buffer;
  url: string;
  shopNumericId: number;
  filename: string;
  mimeType: string;
  now: number;
}): StagedTarget {
  const key = `tmp/${opts.shopNumericId}/bulk/${randomUUID()}/${opts.filename}`;
  const date = compactTime(opts.now);
  const credential = `${CREDENTIAL_ID}/${date.slice(0, 8)}/auto/storage/goog4_request`;
  const fields: Record<string, string> = {
    key,
    "Content-Type": opts.mimeType,
    success_action_status: "201",
    acl: "private",
    bucket: STAGED_UPLOAD_BUCKET,
    "x-goog-date": date,
    "x-goog-credential": credential,
    "x-goog-algorithm": ALGORITHM,
  };
  const document: PolicyDocument = {
    conditions: [
      ...Object.entries(fields).map(([name, value]) => ({ [name]: value })),
      ["content-length-range", 0, STAGED_UPLOAD_MAX_BYTES],
    ],
    expiration: new Date(opts.now + POLICY_LIFETIME_MS).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
  const policy = Buffer.from(JSON.stringify(document)).toString("base64");
  const {
    bucket: _inTheUrl,
    "x-goog-date": _date,
    "x-goog-credential": _credential,
    "x-goog-algorithm": _algorithm,
    ...formFields
  } = fields;
  return {
    url: opts.url,
    resourceUrl: null,
    parameters: [
      ...Object.entries(formFields).map(([name, value]) => ({ name, value })),
      { name: "policy", value: policy },
      { name: "x-goog-credential", value: credential },
      { name: "x-goog-algorithm", value: ALGORITHM },
      { name: "x-goog-date", value: date },
      { name: "x-goog-signature", value: sign(opts.secret, policy) },
    ],
  };
}

export type UploadOutcome =
  | { ok: true; key: string; content: Buffer; status: number }
  | { ok: false; status: number; code: string; message: string; details: string };

const POLICY_MESSAGE = "The content of the form does not meet the conditions specified in the policy document.";

function refuse(status: number, code: string, message: string, details: string): UploadOutcome {
  return { ok: false, status, code, message, details };
}

const policyRefusal = (details: string) => refuse(400, "InvalidPolicyDocument", POLICY_MESSAGE, details);

/** Checks a multipart form POSTed to the target as Cloud Storage does, in its order: policy, signature, expiry, fields, size. */
export function checkStagedUpload(parts: MultipartPart[], secret: Buffer, now: number): UploadOutcome {
  const fileIndex = parts.findIndex((p) => p.name === "file");
  if (fileIndex === -1) return refuse(400, "InvalidArgument", "Invalid argument.", "POST object expects a file field.");
  // Storage reads the form up to the file; anything after it is not part of the request.
  const fields = new Map<string, string>();
  for (const part of parts.slice(0, fileIndex)) fields.set(part.name.toLowerCase(), part.data.toString("utf8"));
  const file = parts[fileIndex].data;

  const policy = fields.get("policy");
  if (!policy) return policyRefusal("Missing policy");
  const signature = fields.get("x-goog-signature") ?? "";
  const expected = sign(secret, policy);
  if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
    return refuse(
      403,
      "SignatureDoesNotMatch",
      "Access denied.",
      "The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.",
    );
  }
  let document: PolicyDocument;
  try {
    document = JSON.parse(Buffer.from(policy, "base64").toString("utf8")) as PolicyDocument;
  } catch {
    return policyRefusal("Policy document is not valid JSON.");
  }
  if (!(Date.parse(document.expiration) > now)) return policyRefusal("Policy expired");

  fields.set("bucket", fields.get("bucket") ?? STAGED_UPLOAD_BUCKET); // the bucket is the one in the URL
  const referenced = new Set<string>();
  let maxBytes = Infinity;
  let minBytes = 0;
  for (const condition of document.conditions) {
    if (Array.isArray(condition)) {
      const [op, a, b] = condition;
      if (op === "content-length-range") {
        minBytes = Number(a);
        maxBytes = Number(b);
        continue;
      }
      const name = String(a).replace(/^\$/, "").toLowerCase();
      referenced.add(name);
      const got = fields.get(name) ?? "";
      if ((op === "eq" && got !== b) || (op === "starts-with" && !got.startsWith(String(b)))) {
        return policyRefusal(`Failed condition: ${JSON.stringify(condition)}`);
      }
      continue;
    }
    for (const [name, value] of Object.entries(condition)) {
      referenced.add(name.toLowerCase());
      if (fields.get(name.toLowerCase()) !== value)
        return policyRefusal(`Failed condition: ${JSON.stringify({ [name]: value })}`);
    }
  }
  const unreferenced = [...fields.keys()].filter(
    (name) => !referenced.has(name) && !UNREFERENCED_OK.has(name) && !name.startsWith("x-ignore-"),
  );
  if (unreferenced.length) return policyRefusal(`Policy did not reference these fields: ${unreferenced.join(", ")}`);

  if (file.length > maxBytes) {
    return refuse(
      400,
      "EntityTooLarge",
      "Your proposed upload is larger than the maximum object size specified in your Policy Document.",
      "Content-length exceeds upper bound on range",
    );
  }
  if (file.length < minBytes) {
    return refuse(
      400,
      "EntityTooSmall",
      "Your proposed upload is smaller than the minimum object size specified in your Policy Document.",
      "Content-length is smaller than lower bound on range",
    );
  }
  return {
    ok: true,
    key: fields.get("key")!,
    content: file,
    status: Number(fields.get("success_action_status") ?? 204),
  };
}

export function errorXml(outcome: Extract<UploadOutcome, { ok: false }>): string {
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${outcome.code}</Code><Message>${escape(outcome.message)}</Message><Details>${escape(outcome.details)}</Details></Error>`;
}
