// Refreshes the vendored Admin GraphQL schema (simulator/schema/admin_2026-04.json.gz) from @shopify/dev-mcp.
// The package is only packed and unpacked, never installed: it drags in the Shopify CLI and React 19 types.
// Usage: node scripts/refresh-admin-schema.mjs [dev-mcp version]
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const DEV_MCP_VERSION = process.argv[2] ?? "1.16.0";
const API_VERSION = "2026-04";
const MEMBER = `package/dist/data/admin_${API_VERSION}.json.gz`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const target = path.join(root, "simulator", "schema", `admin_${API_VERSION}.json.gz`);
const work = mkdtempSync(path.join(tmpdir(), "admin-schema-"));
try {
  const packed = execFileSync("npm", ["pack", `@shopify/dev-mcp@${DEV_MCP_VERSION}`, "--silent"], {
    cwd: work,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop();
  execFileSync("tar", ["-xzf", packed, MEMBER], { cwd: work });
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(path.join(work, MEMBER), target);
  console.log(`wrote ${path.relative(root, target)} from @shopify/dev-mcp@${DEV_MCP_VERSION}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
