// The `history` job: the shop's segment and tier history of the last 52 weeks reconstructed from the ledger after the
// install backfill (services/history.server.ts). The payload is checked here.
import { reconstructHistory } from "../services/history.server";
import type { HistoryPayload } from "./contracts";
import { PermanentJobError, type JobContext } from "./queue";

export function historyJob() {
  return async function runHistory(job: JobContext<HistoryPayload>) {
    const anchor = typeof job.payload.anchor === "string" ? new Date(job.payload.anchor) : new Date(Number.NaN);
    if (Number.isNaN(anchor.getTime()))
      throw new PermanentJobError(`history needs an ISO-8601 anchor, got ${JSON.stringify(job.payload.anchor)}`);
    await reconstructHistory(job.shop, { anchor });
  };
}
