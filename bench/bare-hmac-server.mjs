// The webhook benchmark's baseline: a bare node:http server that only does what no webhook endpoint can skip —
// read the body and check its HMAC-SHA256 (base64, keyed with the API secret) in constant time. 200 or 401.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

const secret = process.env.SHOPIFY_API_SECRET;
if (!secret) {
  console.error("SHOPIFY_API_SECRET is required");
  process.exit(1);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const expected = createHmac("sha256", secret).update(Buffer.concat(chunks)).digest();
    const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    res.writeHead(ok ? 200 : 401).end();
  });
});

process.on("SIGTERM", () => server.close(() => process.exit(0)));

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address();
  console.log(`Bare HMAC server listening on http://127.0.0.1:${port}`);
});
