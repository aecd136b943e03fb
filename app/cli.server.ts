// The operator CLI's commands (`npm run loyalty -- <command> --shop <domain>`), run inside the built app so they
// use exactly the server's configuration, database and Shopify client. scripts/loyalty.mjs only loads the build.
import { parseArgs } from "node:util";
import { getQueue } from "./jobs/runtime.server";
import { appJobHandlers } from "./jobs/handlers.server";
import {
  BACKFILL,
  CAMPAIGNS,
  enqueueReconcile,
  RECONCILE,
  SYNC,
  type CampaignsPayload,
  type SyncPayload,
} from "./jobs/contracts";
import { latestReconcileRun } from "./models/reconcile.server";
import { latestBackfillRun } from "./models/backfill.server";
import { backfillStatus, startBackfill } from "./services/backfill.server";
import { shopStatus } from "./services/status.server";
import { loadShopFile } from "./services/shop-file.server";
import { recomputeShop } from "./services/recompute.server";
import { exportCsv } from "./services/export.server";
import { createWriteStream } from "node:fs";
import { campaignReport, listCampaigns } from "./services/campaigns.server";
import { latestSyncRun, resetSyncFailures } from "./models/sync.server";
import { setPointsStart, writePointsCsv } from "./services/points.server";
import { writeJournalCsv } from "./services/points-export.server";
import { predictCommand } from "./services/predictions-cli.server";

export const CLI_USAGE = `Usage: npm run loyalty -- <command> --shop <shop.myshopify.com> [options]

Commands:
  backfill   start a full-history backfill of the shop and run it in this process until done
  status     jobs per state, backfill progress and ledger counts (JSON)
  reconcile  compare every customer's order count and amount spent with Shopify and repair drift (JSON report)
  load       load a shop file (docs/shop-file-format.md) straight into the ledger: --file <shop.jsonl>
  recompute  recompute every customer's RFM scores, segment and tier: [--as-of <ISO time>]
  export     the customers' scores, segments and tiers as CSV: [--as-of <ISO time>] [--out <file.csv>] (default stdout)
  sync       write tags and tier metafields to Shopify now, only what changed (JSON report of the run):
             [--retry-failed] also customers Shopify refused too often; [--cleanup] remove everything the app wrote
  campaigns  run the shop's active campaigns now (new audience, codes, metafields, Flow triggers), then report
             each campaign's members and results (JSON)
  points-start  set when the shop's points programme started (orders processed from then on earn) and apply it to
             the journal: --at <ISO time> (JSON: the rules version saved, customers derived, entries appended)
  points     every customer with a points journal, their balances as CSV, sorted by customer id
             (customer_id,earned,pending,available,redeemed,expired,clawed_back,lost): [--as-of <ISO time>]
             [--out <file.csv>]; the journal is brought up to date first
  points-journal  every entry of the shop's points journal as CSV, in the order written
             (customer_id,kind,points,source_key,rule_version,effective_at,available_at,order_id,refund_id,note,
             actor,created_at,expires_at): [--out <file.csv>]
  predict    fit BG/NBD and Gamma-Gamma on the ledger as of a moment and print the parameters and every customer's
             predictions (P(active), purchases in the next 90 and 365 days, 12-month CLV in minor units, band):
             [--as-of <ISO time>] [--json] (exactly one JSON object) [--save] (store the fit as the job does)

Options:
  --shop <domain>     the shop (required)
  --env <path>        environment file to use instead of ./.env (npm run demo writes tmp/demo/demo.env)
  --file <path>       load: the shop file
  --as-of <ISO time>  recompute, export, points, predict: the moment to compute as of (default now)
  --at <ISO time>     points-start: when the programme started
  --out <path>        export, points, points-journal: write the CSV there instead of to stdout
  --retry-failed      sync: try again customers whose writes Shopify refused repeatedly
  --cleanup           sync: remove the app's tags and metafields from every customer
  --json              predict: print one JSON object instead of text
  --save              predict: store the fit and the customers' predictions (default: print only, write nothing)
`;

type Out = { log(text: string): void; error(text: string): void };

/** Runs one command; resolves with the process exit code. */
export async function runCli(argv: string[], out: Out = console): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        shop: { type: "string" },
        env: { type: "string" },
        file: { type: "string" },
        "as-of": { type: "string" },
        at: { type: "string" },
        out: { type: "string" },
        "retry-failed": { type: "boolean" },
        cleanup: { type: "boolean" },
        json: { type: "boolean" },
        save: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    out.error(`${(error as Error).message}\n\n${CLI_USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    out.log(CLI_USAGE);
    return command || values.help ? 0 : 2;
  }
  const shop = values.shop;
  if (!shop || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) {
    out.error(`--shop <name>.myshopify.com is required\n\n${CLI_USAGE}`);
    return 2;
  }
  try {
    return await runCommand(command, shop, values, out);
  } catch (error) {
    // An expected failure (a bad file, Shopify refusing) is a message, not a stack trace.
    out.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    return 1;
  }
}

async function runCommand(
  command: string,
  shop: string,
  values: {
    file?: string;
    "as-of"?: string;
    at?: string;
    out?: string;
    "retry-failed"?: boolean;
    cleanup?: boolean;
    json?: boolean;
    save?: boolean;
  },
  out: Out,
): Promise<number> {
  switch (command) {
    case "status":
      out.log(JSON.stringify(await shopStatus(shop), null, 2));
      return 0;
    case "backfill":
      return backfill(shop, out);
    case "reconcile":
      return reconcile(shop, out);
    case "load": {
      if (!values.file) return usage(out, "--file <shop.jsonl> is required");
      out.log(JSON.stringify(await loadShopFile(shop, values.file), null, 2));
      return 0;
    }
    case "recompute": {
      const asOf = parseAsOf(values["as-of"]);
      if (asOf === "invalid") return usage(out, `--as-of must be an ISO-8601 time, not "${values["as-of"]}"`);
      out.log(JSON.stringify(await recomputeShop(shop, { asOf, reason: "manual" }), null, 2));
      return 0;
    }
    case "export": {
      const asOf = parseAsOf(values["as-of"]);
      if (asOf === "invalid") return usage(out, `--as-of must be an ISO-8601 time, not "${values["as-of"]}"`);
      const target = values.out ? createWriteStream(values.out) : process.stdout;
      const result = await exportCsv(shop, { asOf, out: target });
      if (values.out) {
        await new Promise<void>((resolve, reject) => target.end(() => resolve()).on("error", reject));
        out.error(`Wrote ${result.rows} customers to ${values.out}`);
      }
      return 0;
    }
    case "sync":
      return sync(shop, { retryFailed: values["retry-failed"] === true, cleanup: values.cleanup === true }, out);
    case "campaigns":
      return campaigns(shop, out);
    case "points-start": {
      const at = parseAsOf(values.at);
      if (at === undefined || at === "invalid")
        return usage(out, `--at <ISO time> is required${values.at ? `, not "${values.at}"` : ""}`);
      out.log(JSON.stringify(await setPointsStart(shop, at), null, 2));
      return 0;
    }
    case "points": {
      const asOf = parseAsOf(values["as-of"]);
      if (asOf === "invalid") return usage(out, `--as-of must be an ISO-8601 time, not "${values["as-of"]}"`);
      const target = values.out ? createWriteStream(values.out) : process.stdout;
      const result = await writePointsCsv(shop, { asOf, out: target });
      if (values.out) {
        await new Promise<void>((resolve, reject) => target.end(() => resolve()).on("error", reject));
        out.error(`Wrote ${result.rows} customers to ${values.out}`);
      }
      return 0;
    }
    case "points-journal": {
      const target = values.out ? createWriteStream(values.out) : process.stdout;
      const result = await writeJournalCsv(shop, { out: target });
      if (values.out) {
        await new Promise<void>((resolve, reject) => target.end(() => resolve()).on("error", reject));
        out.error(`Wrote ${result.rows} entries to ${values.out}`);
      }
      return 0;
    }
    case "predict": {
      const asOf = parseAsOf(values["as-of"]);
      if (asOf === "invalid") return usage(out, `--as-of must be an ISO-8601 time, not "${values["as-of"]}"`);
      return predictCommand(
        shop,
        { asOf: asOf ?? new Date(), json: values.json === true, save: values.save === true },
        out,
      );
    }
    default:
      out.error(`unknown command "${command}"\n\n${CLI_USAGE}`);
      return 2;
  }
}

function usage(out: Out, problem: string) {
  out.error(`${problem}\n\n${CLI_USAGE}`);
  return 2;
}

function parseAsOf(text: string | undefined): Date | undefined | "invalid" {
  if (text === undefined) return undefined;
  const at = new Date(text);
  return /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(at.getTime()) ? at : "invalid";
}

/**
 * Runs jobs of one kind here until `finished` says the work this command asked for is over. The server's own worker,
 * when one runs, may take the job first: then this waits for it instead of reporting too early.
 */
async function runUntil(kind: string, finished: () => Promise<boolean>) {
  const worker = getQueue().work({ [kind]: appJobHandlers()[kind] }, { concurrency: 1, pollMs: 200 });
  try {
    for (;;) {
      await worker.idle();
      if (await finished()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await worker.stop();
  }
}

/** Whether a job has ended (done, dead or cancelled), or does not exist. */
async function jobEnded(id: string | null) {
  const state = id ? await getQueue().state(id) : null;
  return state !== "queued" && state !== "running";
}

async function reconcile(shop: string, out: Out): Promise<number> {
  const jobId = await enqueueReconcile(getQueue(), shop);
  await runUntil(RECONCILE, () => jobEnded(jobId));
  const run = await latestReconcileRun(shop);
  out.log(JSON.stringify(run && { ...run, fixes: JSON.parse(run.fixes) }, null, 2));
  return run?.status === "done" ? 0 : 1;
}

async function sync(
  shop: string,
  { retryFailed, cleanup }: { retryFailed: boolean; cleanup: boolean },
  out: Out,
): Promise<number> {
  if (retryFailed) out.error(`${await resetSyncFailures(shop)} customers refused before will be tried again.`);
  const payload: SyncPayload = cleanup ? { reason: "cleanup", mode: "cleanup" } : { reason: "manual" };
  // Its own key: a sync already queued by the app (say, waiting to coalesce) does not swallow this one.
  const jobId = await getQueue().enqueue(shop, SYNC, payload, { key: `${SYNC}:cli`, maxAttempts: 1 });
  await runUntil(SYNC, () => jobEnded(jobId));
  const run = await latestSyncRun(shop);
  out.log(JSON.stringify(run, null, 2));
  return run?.status === "done" ? 0 : 1;
}

async function backfill(shop: string, out: Out): Promise<number> {
  const { runId, started } = await startBackfill(shop);
  out.error(
    started ? `Backfill ${runId} started.` : `Backfill ${runId} was already queued or running; running it here.`,
  );
  const timer = setInterval(() => {
    void backfillStatus(shop).then((s) => {
      if (!s) return;
      const rate = s.rate ? `, ${Math.round(s.rate)}/s` : "";
      out.error(
        `  ${s.phase}: customers ${s.customers.read}/${s.customers.expected ?? "?"}, orders ${s.orders.read}/${s.orders.expected ?? "?"}${rate}`,
      );
    });
  }, 2000);
  try {
    // Until this run has ended (the server's worker may be the one running it).
    await runUntil(BACKFILL, async () => {
      const run = await latestBackfillRun(shop);
      return run?.id !== runId || run.status === "done" || run.status === "failed";
    });
  } finally {
    clearInterval(timer);
  }
  const final = await backfillStatus(shop);
  out.log(JSON.stringify(final, null, 2));
  return final?.status === "done" ? 0 : 1;
}

async function campaigns(shop: string, out: Out): Promise<number> {
  const jobId = await getQueue().enqueue<CampaignsPayload>(
    shop,
    CAMPAIGNS,
    { reason: "manual" },
    { key: `${CAMPAIGNS}:cli`, maxAttempts: 1 },
  );
  await runUntil(CAMPAIGNS, () => jobEnded(jobId));
  const state = jobId ? await getQueue().state(jobId) : null;
  const reports = [];
  for (const c of await listCampaigns(shop)) {
    const report = await campaignReport(shop, c.id);
    if (report)
      reports.push({
        id: c.id,
        name: c.name,
        status: c.status,
        waiting: report.waiting,
        failed: report.failed,
        ...report.stats,
      });
  }
  out.log(JSON.stringify({ run: state, campaigns: reports }, null, 2));
  return state === "done" ? 0 : 1;
}
