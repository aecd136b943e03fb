// HTTP surface: /store/{shop}/admin/oauth/access_token, /store/{shop}/admin/api/{version}/graphql.json, /files/….
import express, { type Request, type Response, type Router } from "express";
import { setTimeout as sleep } from "node:timers/promises";
import { createHash, randomUUID } from "node:crypto";
import { isoAt } from "./clock";
import type { ResolverContext, SimulatorCore } from "./context";
import { runGraphql, type GraphqlOutcome } from "./execute";
import type { Fault, FaultController, FaultEndpoint } from "./faults";
import { parseMultipart } from "./multipart";
import type { RequestLog } from "./request-log";
import { STAGED_UPLOAD_PATH } from "./resolvers/staged-uploads";
import { STAGED_UPLOAD_BUCKET, STAGED_UPLOAD_MAX_BYTES, checkStagedUpload, errorXml } from "./staged-policy";
import { ADMIN_API_VERSION } from "./schema";
import type { LeakyBucket } from "./throttle";
import type { TokenStore } from "./token-exchange";

export interface RouterDeps {
  core: SimulatorCore;
  tokens: TokenStore;
  faults: FaultController;
  requests: RequestLog;
  bucketFor(shop: string): LeakyBucket;
}

const INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";

function originOf(req: Request): string {
  return `${req.protocol}://${req.get("host")}`;
}

function describe(fault: Fault): string {
  return fault.kind === "http" ? `http ${fault.status}` : fault.kind;
}

/** Applies a request-level fault; returns true when the response has been taken over by it. */
async function applyFault(fault: Fault | null, res: Response): Promise<boolean> {
  if (!fault) return false;
  switch (fault.kind) {
    case "slow":
      await sleep(fault.ms);
      return false;
    case "reset":
      res.socket?.destroy();
      return true;
    case "http":
      if (fault.status === 429) {
        res.set("Retry-After", String(fault.retryAfter ?? 2.0));
        res.status(429).json({
          errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
        });
      } else {
        const text = { 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable" }[fault.status];
        res.status(fault.status).json({ errors: text });
      }
      return true;
    default:
      return false;
  }
}

export function createRouter(deps: RouterDeps): Router {
  const { core, tokens, faults, requests } = deps;
  const router = express.Router();
  const json = express.json({ limit: "20mb", type: ["application/json", "text/plain"] });
  const form = express.urlencoded({ extended: false });
  const graphqlText = express.text({ type: "application/graphql", limit: "20mb" });

  const log = (
    shop: string,
    endpoint: FaultEndpoint,
    status: number,
    extra: Partial<GraphqlOutcome> & { body?: any; fault?: Fault | null } = {},
    req?: Request,
  ) => {
    const body = req?.body && typeof req.body === "object" ? req.body : {};
    requests.record({
      at: isoAt(core.clock),
      shop,
      endpoint,
      document: typeof body.query === "string" ? body.query : typeof req?.body === "string" ? req.body : null,
      operationName: typeof body.operationName === "string" ? body.operationName : null,
      variables: body.variables && typeof body.variables === "object" ? body.variables : null,
      status,
      requestedCost: extra.requestedCost ?? null,
      actualCost: extra.actualCost ?? null,
      throttled: extra.throttled ?? false,
      fault: extra.fault ? describe(extra.fault) : null,
    });
  };

  router.post("/store/:shop/admin/oauth/access_token", json, form, async (req, res) => {
    const shopDomain = req.params.shop.toLowerCase();
    const fault = faults.takeRequestFault(shopDomain, "token");
    if (await applyFault(fault, res)) {
      log(shopDomain, "token", fault?.kind === "reset" ? -1 : res.statusCode, { fault });
      return;
    }
    if (!core.store.get(shopDomain)) {
      res.status(404).json({ errors: "Not Found" });
      log(shopDomain, "token", 404);
      return;
    }
    const outcome = tokens.handle(shopDomain, (req.body ?? {}) as Record<string, unknown>);
    res.status(outcome.status).json(outcome.body);
    requests.record({
      at: isoAt(core.clock),
      shop: shopDomain,
      endpoint: "token",
      document: null,
      operationName: null,
      variables: null,
      status: outcome.status,
      requestedCost: null,
      actualCost: null,
      throttled: false,
      fault: fault ? describe(fault) : null,
    });
  });

  router.post("/store/:shop/admin/api/:version/graphql.json", json, graphqlText, async (req, res) => {
    const shopDomain = req.params.shop.toLowerCase();
    res.set("X-Request-Id", randomUUID());
    const shop = core.store.get(shopDomain);
    if (!shop || req.params.version !== ADMIN_API_VERSION) {
      res.status(404).json({ errors: "Not Found" });
      log(shopDomain, "graphql", 404, {}, req);
      return;
    }
    if (!tokens.authenticate(req.get("X-Shopify-Access-Token"), shopDomain)) {
      res.status(401).json({ errors: INVALID_TOKEN });
      log(shopDomain, "graphql", 401, {}, req);
      return;
    }
    const fault = faults.takeRequestFault(shopDomain, "graphql");
    if (await applyFault(fault, res)) {
      log(shopDomain, "graphql", fault?.kind === "reset" ? -1 : res.statusCode, { fault }, req);
      return;
    }
    const body = typeof req.body === "string" ? { query: req.body } : (req.body ?? {});
    const ctx: ResolverContext = { shop, core, origin: originOf(req), bulk: null };
    const outcome = await runGraphql(ctx, deps.bucketFor(shopDomain), body, {
      forceThrottle: fault?.kind === "throttled",
    });
    res.set("X-Shopify-API-Version", ADMIN_API_VERSION);
    res.status(outcome.status).json(outcome.body);
    log(shopDomain, "graphql", outcome.status, { ...outcome, fault }, req);
  });

  // The storage endpoint of staged uploads: checks the signed policy as Cloud Storage does (./staged-policy.ts).
  router.post(
    STAGED_UPLOAD_PATH,
    express.raw({ type: "multipart/form-data", limit: STAGED_UPLOAD_MAX_BYTES + 1024 * 1024 }),
    (req, res) => {
      let parts;
      try {
        parts = parseMultipart(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.get("content-type") ?? "");
      } catch (error) {
        res
          .status(400)
          .type("application/xml")
          .send(
            errorXml({
              ok: false,
              status: 400,
              code: "InvalidArgument",
              message: "Invalid argument.",
              details: (error as Error).message,
            }),
          );
        return;
      }
      const outcome = checkStagedUpload(parts, core.files.signingKey, core.clock.now());
      if (!outcome.ok) {
        res.status(outcome.status).type("application/xml").send(errorXml(outcome));
        return;
      }
      core.files.putStaged(outcome.key, Buffer.from(outcome.content), core.clock.now());
      const etag = `"${createHash("md5").update(outcome.content).digest("hex")}"`;
      if (outcome.status !== 201) {
        res.status(outcome.status === 200 ? 200 : 204).end();
        return;
      }
      res
        .status(201)
        .type("application/xml")
        .send(
          `<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>${originOf(req)}${STAGED_UPLOAD_PATH}/${outcome.key}</Location><Bucket>${STAGED_UPLOAD_BUCKET}</Bucket><Key>${outcome.key}</Key><ETag>${etag}</ETag></PostResponse>`,
        );
    },
  );

  // A body over what express reads at all: Cloud Storage's answer to a file over the policy's size range.
  router.use(
    STAGED_UPLOAD_PATH,
    (error: { type?: string }, _req: Request, res: Response, next: (e?: unknown) => void) => {
      if (error?.type !== "entity.too.large") return next(error);
      res
        .status(400)
        .type("application/xml")
        .send(
          errorXml({
            ok: false,
            status: 400,
            code: "EntityTooLarge",
            message: "Your proposed upload is larger than the maximum object size specified in your Policy Document.",
            details: "Content-length exceeds upper bound on range",
          }),
        );
    },
  );

  router.get("/files/:name", (req, res) => {
    const path = core.files.resultPath(req.params.name);
    if (!path) {
      res.status(404).send("Not Found");
      return;
    }
    res.type("application/jsonl").sendFile(path, (error) => {
      if (error && !res.headersSent) res.status(404).send("Not Found");
    });
  });

  return router;
}
