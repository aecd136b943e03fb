// The `channel-events` job: the LINE producer pass of the shop (services/channel-events.server.ts) — pending
// ChannelMessage rows for what happened (campaign offers, tier news, points, rewards) — then the sender is queued when
// there is something to send. Queued after recomputes, campaign runs, points passes and redemption recoveries when the
// shop has connected LINE; coalesced by key. Reruns insert nothing twice.
import { produceLineMessages } from "../services/channel-events.server";
import { CHANNEL_EVENTS_REASONS, enqueueLineSend, type ChannelEventsPayload } from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export interface ChannelEventsJobDeps {
  queue: JobQueue;
  now?: () => Date;
}

export function channelEventsJob(deps: ChannelEventsJobDeps) {
  return async function runChannelEvents(job: JobContext<ChannelEventsPayload>) {
    if (!CHANNEL_EVENTS_REASONS.includes(job.payload.reason))
      throw new PermanentJobError(`unknown channel-events reason ${JSON.stringify(job.payload.reason)}`);
    const counts = await produceLineMessages(job.shop, { now: deps.now?.() });
    const produced = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
    if (produced > 0) await enqueueLineSend(deps.queue, job.shop);
  };
}
