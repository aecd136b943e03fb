// The app proxy benchmark's baseline: a bare node:http server that only does what no app proxy answer can skip — read
// the query and check Shopify's signature (every other parameter as key=value, a repeated key's values joined with
// ",", sorted, concatenated; hex HMAC-SHA256 keyed with the API secret, compared in constant time) and its timestamp
// (90 s either way). 200 or 401.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

const secret = process.env.SHOPIFY_API_SECRET;
if (!secret) {
  console.error("SHOPIFY_API_SECRET is required");
  process.exit(1);
}

function verified(search) {
  const byKey = new Map();
  let signature = "";
  for (const [key, value] of new URLSearchParams(search)) {
    if (key === "signature") signature = value;
    else byKey.set(key, [...(byKey.get(key) ?? []), value]);
  }
  const timestamp = Number(byKey.get("timestamp")?.[0]);
  if (!signature || !Number.isInteger(timestamp) || Math.abs(Math.trunc(Date.now() / 1000) - timestamp) > 90)
    return false;
  const message = [...byKey]
    .map(([key, values]) => `${key}=${values.join(",")}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join("");
  const expected = createHmac("sha256", secret).update(message).digest();
  const given = Buffer.from(signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const server = http.createServer((req, res) => {
  const search = (req.url ?? "").split("?")[1] ?? "";
  const ok = verified(search);
  res.writeHead(ok ? 200 : 401, { "Content-Type": "text/plain" }).end(ok ? "ok" : "Unauthorized");
});

process.on("SIGTERM", () => server.close(() => process.exit(0)));

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address();
  console.log(`Bare proxy server listening on http://127.0.0.1:${port}`);
});
