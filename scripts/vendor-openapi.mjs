#!/usr/bin/env node
// Refreshes the vendored OpenAPI descriptions used by the local LINE and Klaviyo doubles
// (simulator/line/openapi, simulator/klaviyo/openapi) from local copies of the vendors' repositories.
// No network: give it a clone (work tree) or a bare git directory of each repository.
//
//   node scripts/vendor-openapi.mjs --line <path to line/line-openapi> --klaviyo <path to klaviyo/openapi>
//
// Either option may be left out to refresh only the other vendor. The LINE YAML files are converted to JSON
// (the doubles read JSON only; the conversion is a plain YAML parse, nothing is edited) and every description is
// gzipped. A SOURCE.json next to them records the repository, commit and commit date, and the README is rewritten.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { parse as parseYaml } from "yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const VENDORS = {
  line: {
    repository: "line/line-openapi",
    licence: "Apache-2.0",
    dir: "simulator/line/openapi",
    files: [
      { from: "messaging-api.yml", to: "messaging-api.json.gz", yaml: true },
      { from: "webhook.yml", to: "webhook.json.gz", yaml: true },
      { from: "channel-access-token.yml", to: "channel-access-token.json.gz", yaml: true },
    ],
    note:
      "LINE Messaging API (push, multicast, quota, profile, bot info), the webhook payloads LINE sends, and the " +
      "channel access token endpoints. The repository has no LINE Login (OAuth 2 / PKCE) description.",
  },
  klaviyo: {
    repository: "klaviyo/openapi",
    licence: "MIT",
    dir: "simulator/klaviyo/openapi",
    files: [{ from: "openapi/stable.json", to: "stable.json.gz", yaml: false }],
    note: "Klaviyo's stable REST API; `info.version` is the revision the double pins (the `revision` header).",
  },
};

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--line" || a === "--klaviyo") {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a path`);
      out[a.slice(2)] = path.resolve(v);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!out.line && !out.klaviyo) {
    throw new Error("usage: node scripts/vendor-openapi.mjs --line <path> --klaviyo <path>");
  }
  return out;
}

/** A reader over a work tree or a bare git directory, at HEAD. */
function openRepository(dir) {
  const isWorkTree = existsSync(path.join(dir, ".git"));
  const git = (...args) =>
    execFileSync("git", isWorkTree ? ["-C", dir, ...args] : [`--git-dir=${dir}`, ...args], {
      maxBuffer: 256 * 1024 * 1024,
    });
  const commit = git("rev-parse", "HEAD").toString().trim();
  const date = git("log", "-1", "--format=%cI", "HEAD").toString().trim();
  return { commit, date, read: (file) => git("show", `HEAD:${file}`) };
}

function vendor(name, dir) {
  const spec = VENDORS[name];
  const repo = openRepository(dir);
  const licence = repo.read("LICENSE").toString();
  const outDir = path.join(root, spec.dir);
  mkdirSync(outDir, { recursive: true });
  const written = [];
  for (const f of spec.files) {
    const raw = repo.read(f.from).toString();
    const doc = f.yaml ? parseYaml(raw) : JSON.parse(raw);
    if (!doc || typeof doc !== "object" || !String(doc.openapi ?? "").startsWith("3.")) {
      throw new Error(`${f.from} is not an OpenAPI 3 description`);
    }
    writeFileSync(path.join(outDir, f.to), gzipSync(JSON.stringify(doc), { level: 9 }));
    written.push({ from: f.from, to: f.to, openapiVersion: doc.openapi, apiVersion: doc.info?.version ?? null });
  }
  writeFileSync(path.join(outDir, "LICENSE"), licence);
  const source = {
    repository: spec.repository,
    commit: repo.commit,
    commitDate: repo.date,
    licence: spec.licence,
    files: written,
  };
  writeFileSync(path.join(outDir, "SOURCE.json"), JSON.stringify(source, null, 2) + "\n");
  const lines = [
    `# Vendored OpenAPI descriptions: ${spec.repository}`,
    "",
    `Copied from https://github.com/${spec.repository} at commit \`${repo.commit}\` (committed ${repo.date}).`,
    `Licence: ${spec.licence} (the repository's LICENSE is copied next to this file).`,
    "",
    spec.note,
    "",
    "| Vendored file | From | OpenAPI | API version |",
    "| --- | --- | --- | --- |",
    ...written.map((w) => `| ${w.to} | ${w.from} | ${w.openapiVersion} | ${w.apiVersion ?? ""} |`),
    "",
    "Files are gzipped JSON; YAML sources were parsed and written as JSON without edits. Do not edit them by hand:",
    "refresh them from a local clone (no network is used):",
    "",
    "```sh",
    `node scripts/vendor-openapi.mjs --${name} <path to a clone or bare git directory of ${spec.repository}>`,
    "```",
    "",
  ];
  writeFileSync(path.join(outDir, "README.md"), lines.join("\n"));
  console.log(
    `${spec.repository} @ ${repo.commit.slice(0, 12)} (${repo.date}) -> ${spec.dir}: ${written.map((w) => w.to).join(", ")}`,
  );
}

const args = parseArgs(process.argv.slice(2));
for (const name of Object.keys(VENDORS)) if (args[name]) vendor(name, args[name]);
