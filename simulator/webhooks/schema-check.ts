// Checks every body against the topic's JSON Schema from shopify-webhook-schemas before it may be sent.
import Ajv2020 from "ajv/dist/2020";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import addFormats from "ajv-formats";
import { readPackageJson, API_VERSION } from "./payloads/shared";
import { widenSchema } from "./schema-widening";
import type { WebhookTopic } from "./topics";

type Schema = Record<string, unknown>;

/** A body that does not match its topic's schema: a simulator bug, so it is never sent. */
export class WebhookPayloadSchemaError extends Error {
  constructor(
    readonly topic: string,
    readonly errors: ErrorObject[],
  ) {
    const detail = errors
      .slice(0, 10)
      .map(
        (error) =>
          `${error.instancePath || "/"} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ""}`,
      )
      .join("; ");
    super(`${topic} body does not match Shopify's ${API_VERSION} schema: ${detail}`);
    this.name = "WebhookPayloadSchemaError";
  }
}

function ajvFor(draft: string) {
  // The draft is the one the schema declares; the package uses 2020-12 today.
  const options = { allErrors: true, strict: false, validateFormats: true };
  const ajv = draft.includes("2020-12")
    ? new Ajv2020(options)
    : draft.includes("2019-09")
      ? new Ajv2019(options)
      : new Ajv(options);
  addFormats(ajv);
  return ajv;
}

const ajvByDraft = new Map<string, ReturnType<typeof ajvFor>>();
const compiled = new Map<string, ValidateFunction>();

function rawSchema(topic: WebhookTopic): Schema {
  const schema = readPackageJson("schemas", topic) as Schema | undefined;
  if (!schema) throw new Error(`shopify-webhook-schemas has no ${API_VERSION} schema for ${topic}`);
  return schema;
}

/** The topic's compiled validator; each topic's schema is compiled once per process. */
export function validatorFor(topic: WebhookTopic): ValidateFunction {
  let validate = compiled.get(topic);
  if (!validate) {
    const schema = widenSchema(topic, rawSchema(topic), rawSchema);
    const draft = typeof schema.$schema === "string" ? schema.$schema : "draft-07";
    let ajv = ajvByDraft.get(draft);
    if (!ajv) {
      ajv = ajvFor(draft);
      ajvByDraft.set(draft, ajv);
    }
    validate = ajv.compile(schema);
    compiled.set(topic, validate);
  }
  return validate;
}

/** Throws WebhookPayloadSchemaError with ajv's errors when the body does not match the topic's schema. */
export function assertValidPayload(topic: WebhookTopic, body: unknown): void {
  const validate = validatorFor(topic);
  if (!validate(body)) throw new WebhookPayloadSchemaError(topic, validate.errors ?? []);
}
