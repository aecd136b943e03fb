// The local Klaviyo for bench/klaviyo-throughput.ts, in its own process (its request validation does not share the
// client's event loop). Accounts come as JSON in argv[2]; over IPC: { stats: accountId } answers what the account
// holds (profiles, events) and the statuses it answered.
import { createLocalKlaviyo } from "../simulator/klaviyo/index";

const accounts = JSON.parse(process.argv[2]) as { id: string; privateKey: string }[];
const klaviyo = createLocalKlaviyo();
for (const a of accounts) klaviyo.addAccount({ id: a.id, privateKey: a.privateKey, name: a.id });
const server = await klaviyo.listen();
process.on("message", (m: { id: number; stats?: string }) => {
  if (m.stats) {
    const statuses: Record<string, number> = {};
    for (const r of klaviyo.requests())
      if (r.accountId === m.stats)
        statuses[`${r.operationId} ${r.status}`] = (statuses[`${r.operationId} ${r.status}`] ?? 0) + 1;
    process.send!({
      id: m.id,
      profiles: klaviyo.profiles(m.stats).length,
      events: klaviyo.events(m.stats).length,
      statuses,
    });
  }
});
process.send!({ ready: server.url });
