// Bulk operations like Shopify's: CREATED → RUNNING → COMPLETED/FAILED, JSONL results with __parentId,
// bulk mutations fed from a staged upload, and a bulk_operations/finish event on completion.
//
// Concurrency, API 2026-04: "In API versions 2026-01 and higher, you can run up to five bulk query operations at a
// time per shop" (https://shopify.dev/docs/api/usage/bulk-operations/queries) and "up to five bulk mutation
// operations at a time per shop" (https://shopify.dev/docs/api/usage/bulk-operations/imports); queries and mutations
// count separately ("Bulk query and bulk mutation operations can run at the same time per shop", bulkOperationRunQuery
// in the 2026-04 schema). A sixth is refused with "A bulk query operation for this app and shop is already in
// progress: gid://shopify/BulkOperation/…, …." naming the running ones (as Shopify answers it since 2026-01, recorded
// by estuary/connectors#4113), code OPERATION_IN_PROGRESS, field null.
import { createWriteStream, statSync, type WriteStream } from "node:fs";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import {
  Kind,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  getNamedType,
  type GraphQLObjectType,
  isObjectType,
} from "graphql";
import { isoAt } from "./clock";
import type { ResolverContext, SimulatorCore } from "./context";
import { isConnectionType } from "./cost";
import { executeDocument } from "./execute";
import type { FaultController } from "./faults";
import type { BulkOperationRecord } from "./records";
import { adminSchema } from "./schema";
import { checkDocument, checkRequest } from "./validate";

export const BULK_CONCURRENCY_LIMIT = 5;
const ROOT_WINDOW = 500;

type UserError = { field: string[] | null; message: string; code: string };

function fail(field: string[] | null, message: string, code: string) {
  return { bulkOperation: null, userErrors: [{ field, message, code } satisfies UserError] };
}

/** Counts connections and checks Shopify's static limits on bulk queries. */
function inspectBulkQuery(operation: OperationDefinitionNode): string | null {
  const schema = adminSchema();
  let connections = 0;
  let problem: string | null = null;
  const walk = (selectionSet: SelectionSetNode, type: GraphQLObjectType, depth: number) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD || selection.name.value.startsWith("__")) continue;
      const field = type.getFields()[selection.name.value];
      if (!field || !selection.selectionSet) continue;
      const named = getNamedType(field.type);
      if (isConnectionType(named)) {
        connections++;
        if (depth >= 2) problem = "Bulk queries cannot contain connections with a nesting depth greater than 2.";
        const nodeSelections = nodeSelectionsOf(selection);
        const nodeType = getNamedType(named.getFields().nodes?.type ?? named.getFields().edges.type);
        for (const nodeSelection of nodeSelections) {
          if (isObjectType(nodeType) && hasNestedConnection(nodeSelection, nodeType) && !selectsId(nodeSelection)) {
            problem = `The parent 'node' field for a nested connection must select the 'id' field. Connection fields without 'id': ${selection.name.value}.`;
          }
          if (isObjectType(nodeType)) walk(nodeSelection, nodeType, depth + 1);
        }
        if (selection.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === "pageInfo")) {
          problem = "Bulk queries cannot contain the 'pageInfo' field on connections.";
        }
      } else if (isObjectType(named)) {
        walk(selection.selectionSet, named, depth);
      }
    }
  };
  walk(operation.selectionSet, schema.getQueryType()!, 0);
  if (problem) return problem;
  if (connections === 0) return "Bulk queries must contain at least one connection.";
  if (connections > 5) return "Bulk queries cannot contain more than 5 connections.";
  return null;
}

function nodeSelectionsOf(connection: FieldNode): SelectionSetNode[] {
  const out: SelectionSetNode[] = [];
  for (const s of connection.selectionSet?.selections ?? []) {
    if (s.kind !== Kind.FIELD) continue;
    if (s.name.value === "nodes" && s.selectionSet) out.push(s.selectionSet);
    if (s.name.value === "edges") {
      for (const e of s.selectionSet?.selections ?? []) {
        if (e.kind === Kind.FIELD && e.name.value === "node" && e.selectionSet) out.push(e.selectionSet);
      }
    }
  }
  return out;
}

function hasNestedConnection(selectionSet: SelectionSetNode, type: GraphQLObjectType): boolean {
  return selectionSet.selections.some((s) => {
    if (s.kind !== Kind.FIELD) return false;
    const field = type.getFields()[s.name.value];
    return !!field && isConnectionType(getNamedType(field.type));
  });
}

function selectsId(selectionSet: SelectionSetNode): boolean {
  return selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === "id" && !s.alias);
}

function isConnectionValue(value: unknown): value is { edges?: { node: unknown }[]; nodes?: unknown[] } {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length > 0 &&
    keys.every((k) => k === "edges" || k === "nodes") &&
    (Array.isArray((value as any).edges) || Array.isArray((value as any).nodes))
  );
}

function connectionNodes(value: { edges?: { node: unknown }[]; nodes?: unknown[] }): Record<string, unknown>[] {
  return (value.nodes ?? value.edges?.map((e) => e.node) ?? []) as Record<string, unknown>[];
}

/** Shopify's JSONL: each node on its own line, nested connection nodes on later lines with `__parentId`. */
function flatten(node: Record<string, unknown>, parentId: string | null, out: string[]): void {
  const own: Record<string, unknown> = {};
  const children: Record<string, unknown>[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (isConnectionValue(value)) children.push(...connectionNodes(value));
    else own[key] = value;
  }
  if (parentId) own.__parentId = parentId;
  out.push(JSON.stringify(own));
  for (const child of children) flatten(child, (node.id as string) ?? null, out);
}

export class BulkRunner {
  private readonly running = new Set<Promise<void>>();
  private gate: { promise: Promise<void>; release: () => void } | null = null;

  constructor(
    private readonly core: SimulatorCore,
    private readonly faults: FaultController,
  ) {}

  /** Holds new and waiting operations in CREATED until resume(), so tests can observe in-progress states. */
  pause(): void {
    if (this.gate) return;
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.gate = { promise, release };
  }

  resume(): void {
    this.gate?.release();
    this.gate = null;
  }

  private async waitTurn(): Promise<void> {
    await yieldToEventLoop();
    while (this.gate) await this.gate.promise;
  }

  /** Resolves when every bulk operation started so far has finished (tests and benchmarks wait on this). */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private inProgress(ctx: ResolverContext, type: "QUERY" | "MUTATION"): BulkOperationRecord[] {
    const running: BulkOperationRecord[] = [];
    for (const op of ctx.shop.bulkOperations.values())
      if (op.type === type && (op.status === "CREATED" || op.status === "RUNNING")) running.push(op);
    return running;
  }

  /** The refusal when the shop already runs BULK_CONCURRENCY_LIMIT operations of this type, or null. */
  private busy(ctx: ResolverContext, type: "QUERY" | "MUTATION") {
    const running = this.inProgress(ctx, type);
    if (running.length < BULK_CONCURRENCY_LIMIT) return null;
    const ids = running.map((op) => op.id).join(", ");
    return fail(
      null,
      `A bulk ${type.toLowerCase()} operation for this app and shop is already in progress: ${ids}.`,
      "OPERATION_IN_PROGRESS",
    );
  }

  private create(ctx: ResolverContext, type: "QUERY" | "MUTATION", query: string): BulkOperationRecord {
    const op: BulkOperationRecord = {
      __typename: "BulkOperation",
      id: ctx.shop.nextId("BulkOperation"),
      type,
      status: "CREATED",
      query,
      createdAt: isoAt(this.core.clock),
      completedAt: null,
      objectCount: "0",
      rootObjectCount: "0",
      fileSize: null,
      url: null,
      partialDataUrl: null,
      errorCode: null,
    };
    ctx.shop.bulkOperations.set(op);
    return op;
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  startQuery(ctx: ResolverContext, query: string, _groupObjects: boolean) {
    const { document, errors } = checkDocument(adminSchema(), query);
    if (!document) return fail(["query"], errors?.[0]?.message ?? "Invalid bulk query.", "INVALID");
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    if (operations.length !== 1 || operations[0].operation !== "query")
      return fail(["query"], "Bulk queries must contain exactly one query operation.", "INVALID");
    if (operations[0].variableDefinitions?.length)
      return fail(["query"], "Bulk queries cannot use variables.", "INVALID");
    const problem = inspectBulkQuery(operations[0]);
    if (problem) return fail(["query"], problem, "INVALID");
    const busy = this.busy(ctx, "QUERY");
    if (busy) return busy;
    const op = this.create(ctx, "QUERY", query);
    const failAfter = this.faults.takeBulkFailure(ctx.shop.domain);
    this.track(this.runQuery(ctx, op, operations[0], failAfter));
    return { bulkOperation: op, userErrors: [] };
  }

  private async runQuery(
    ctx: ResolverContext,
    op: BulkOperationRecord,
    operation: OperationDefinitionNode,
    failHalfway: boolean,
  ) {
    await this.waitTurn();
    op.status = "RUNNING";
    const file = this.core.files.newResultFile();
    const out = createWriteStream(file.path);
    let objects = 0;
    let roots = 0;
    const document = { kind: Kind.DOCUMENT, definitions: [operation] } as const;
    try {
      for (let start = 0; ; start += ROOT_WINDOW) {
        const bulkCtx: ResolverContext = { ...ctx, bulk: { rootStart: start, rootSize: ROOT_WINDOW } };
        const { data, errors } = await executeDocument(bulkCtx, document as never, operation, {});
        if (errors.length || !data) throw new Error(errors[0]?.message ?? "bulk query returned no data");
        const total = bulkCtx.bulk!.rootTotal ?? 0;
        const rootValue = Object.values(data)[0];
        const lines: string[] = [];
        const nodes = isConnectionValue(rootValue) ? connectionNodes(rootValue) : [];
        let failing = false;
        for (const node of nodes) {
          if (failHalfway && roots >= Math.ceil(total / 2)) {
            failing = true;
            break;
          }
          flatten(node, null, lines);
          roots++;
        }
        objects += lines.length;
        if (lines.length) await write(out, lines.join("\n") + "\n");
        if (failing) throw new SimulatedFailure();
        if (start + ROOT_WINDOW >= total) break;
        await yieldToEventLoop();
      }
      await close(out);
      this.finish(ctx, op, "COMPLETED", null, file.name, objects, roots);
    } catch (error) {
      await close(out);
      if (!(error instanceof SimulatedFailure))
        queueMicrotask(() => {
          throw error;
        });
      this.finish(ctx, op, "FAILED", "INTERNAL_SERVER_ERROR", file.name, objects, roots);
    }
  }

  startMutation(ctx: ResolverContext, mutation: string, stagedUploadPath: string, _clientIdentifier: string | null) {
    const { document, errors } = checkDocument(adminSchema(), mutation);
    if (!document) return fail(["mutation"], errors?.[0]?.message ?? "Invalid mutation.", "INVALID_MUTATION");
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const operation = operations[0];
    if (
      operations.length !== 1 ||
      operation.operation !== "mutation" ||
      operation.selectionSet.selections.length !== 1
    ) {
      return fail(["mutation"], "Bulk mutations must contain exactly one mutation field.", "INVALID_MUTATION");
    }
    const content = this.core.files.getStaged(stagedUploadPath, this.core.clock.now());
    if (!content) {
      return fail(
        ["stagedUploadPath"],
        "The JSONL file could not be found. Try uploading the file again, and check that you've entered the URL correctly for the stagedUploadPath mutation argument.",
        "NO_SUCH_FILE",
      );
    }
    const busy = this.busy(ctx, "MUTATION");
    if (busy) return busy;
    const op = this.create(ctx, "MUTATION", mutation);
    const failHalfway = this.faults.takeBulkFailure(ctx.shop.domain);
    this.track(this.runMutation(ctx, op, mutation, content.toString("utf8"), failHalfway));
    return { bulkOperation: op, userErrors: [] };
  }

  private async runMutation(
    ctx: ResolverContext,
    op: BulkOperationRecord,
    mutation: string,
    jsonl: string,
    failHalfway: boolean,
  ) {
    await this.waitTurn();
    op.status = "RUNNING";
    const file = this.core.files.newResultFile();
    const out = createWriteStream(file.path);
    const lines = jsonl.split("\n").filter((l) => l.trim() !== "");
    let done = 0;
    try {
      for (let i = 0; i < lines.length; i++) {
        if (failHalfway && i >= Math.ceil(lines.length / 2)) throw new SimulatedFailure();
        let result: Record<string, unknown>;
        let variables: Record<string, unknown> | null = null;
        try {
          variables = JSON.parse(lines[i]) as Record<string, unknown>;
        } catch {
          result = { errors: [{ message: `Line ${i} is not valid JSON.` }], __lineNumber: i };
        }
        if (variables) {
          const checked = checkRequest(adminSchema(), mutation, variables, null);
          if (!checked.ok) result = { errors: checked.errors, __lineNumber: i };
          else {
            const { data, errors } = await executeDocument(
              { ...ctx, bulk: null },
              checked.document,
              checked.operation,
              checked.variables,
            );
            result = { data, ...(errors.length ? { errors } : {}), __lineNumber: i };
          }
        }
        await write(out, JSON.stringify(result!) + "\n");
        done++;
        if (i % 200 === 199) await yieldToEventLoop();
      }
      await close(out);
      this.finish(ctx, op, "COMPLETED", null, file.name, done, done);
    } catch (error) {
      await close(out);
      if (!(error instanceof SimulatedFailure))
        queueMicrotask(() => {
          throw error;
        });
      this.finish(ctx, op, "FAILED", "INTERNAL_SERVER_ERROR", file.name, done, done);
    }
  }

  private finish(
    ctx: ResolverContext,
    op: BulkOperationRecord,
    status: "COMPLETED" | "FAILED",
    errorCode: BulkOperationRecord["errorCode"],
    fileName: string,
    objects: number,
    roots: number,
  ) {
    let size = 0;
    try {
      size = statSync(this.core.files.resultPath(fileName)!).size;
    } catch {
      // nothing was written: no file
    }
    const url = `${ctx.origin}/files/${fileName}`;
    op.status = status;
    op.errorCode = errorCode;
    op.completedAt = isoAt(this.core.clock);
    op.objectCount = String(objects);
    op.rootObjectCount = String(roots);
    op.fileSize = size > 0 ? String(size) : null;
    // Shopify gives no url when nothing matched, and only a partialDataUrl when the operation failed.
    op.url = status === "COMPLETED" && size > 0 ? url : null;
    op.partialDataUrl = status === "FAILED" && size > 0 ? url : null;
    ctx.shop.bulkOperations.touch();
    this.core.events.emit({
      shop: ctx.shop.domain,
      topic: "bulk_operations/finish",
      payload: {
        admin_graphql_api_id: op.id,
        completed_at: op.completedAt,
        created_at: op.createdAt,
        error_code: errorCode ? errorCode.toLowerCase() : null,
        status: status.toLowerCase(),
        type: op.type.toLowerCase(),
      },
    });
  }
}

class SimulatedFailure extends Error {}

function write(stream: WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}
