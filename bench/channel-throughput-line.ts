// The local LINE for bench/channel-throughput.ts, in its own process (so its request validation does not share the
// sender's event loop). Channels come as JSON in argv[2]; over IPC: { follow: { channelId, count } } makes users
// U000…0 … U…(count-1) friends; { stats: channelId } answers what the channel received.
import { createLocalLine } from "../simulator/line/index";

const channels = JSON.parse(process.argv[2]) as { channelId: string; accessToken: string }[];
const line = createLocalLine();
for (const c of channels)
  line.addChannel({
    channelId: c.channelId,
    channelSecret: "0".repeat(32),
    accessToken: c.accessToken,
    monthlyQuota: null,
  });
export const benchUser = (i: number) => `U${i.toString(16).padStart(32, "0")}`;

const server = await line.listen();
process.on("message", (m: { id: number; follow?: { channelId: string; count: number }; stats?: string }) => {
  if (m.follow) {
    for (let i = 0; i < m.follow.count; i++)
      line.follow(m.follow.channelId, { userId: benchUser(i), displayName: `Bench ${i}` });
    process.send!({ id: m.id, ok: true });
  } else if (m.stats) {
    const deliveries = line.deliveries(m.stats);
    const recipients = new Set(deliveries.map((d) => d.to));
    const statuses: Record<string, number> = {};
    for (const r of line.requests()) if (r.channelId === m.stats) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    process.send!({ id: m.id, deliveries: deliveries.length, recipients: recipients.size, statuses });
  }
});
process.on("disconnect", () => void server.close().then(() => process.exit(0)));
process.send!({ url: server.url });
