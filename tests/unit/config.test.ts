// One API version, one scope list, one route per declared webhook, one reader of the environment.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { API_VERSION } from "../../app/shopify/api-version";
import { DEFAULT_SCOPES } from "../../app/env.server";

interface Subscription {
  uri: string;
  topics?: string[];
  compliance_topics?: string[];
}
const toml = parse(readFileSync("shopify.app.toml", "utf8")) as unknown as {
  access_scopes: { scopes: string };
  webhooks: { api_version: string; subscriptions: Subscription[] };
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === "generated" ? [] : filesUnder(path.join(dir, e.name))) : [path.join(dir, e.name)],
  );
}

describe("configuration consistency", () => {
  it("shopify.app.toml speaks the app's one Admin API version", () => {
    expect(API_VERSION).toBe("2026-04");
    expect(toml.webhooks.api_version).toBe(API_VERSION);
  });

  it("shopify.app.toml requests exactly the app's scopes", () => {
    expect(toml.access_scopes.scopes.split(",").sort()).toEqual(DEFAULT_SCOPES.split(",").sort());
  });

  it("every declared webhook has its route file, and the toml names it", () => {
    const text = readFileSync("shopify.app.toml", "utf8");
    const topics = toml.webhooks.subscriptions.flatMap((s) => [...(s.topics ?? []), ...(s.compliance_topics ?? [])]);
    expect(topics).toEqual(
      expect.arrayContaining(["app/uninstalled", "app/scopes_update", "customers/data_request", "customers/redact", "shop/redact"]),
    );
    for (const sub of toml.webhooks.subscriptions) {
      const route = `app/routes/${sub.uri.slice(1).replaceAll("/", ".")}.ts`;
      expect(existsSync(route), `${sub.uri} → ${route}`).toBe(true);
      expect(text).toContain(`# Handled by: ${route}`);
    }
  });

  it("only app/env.server.ts reads process.env", () => {
    const offenders = filesUnder("app").filter(
      (f) => /\.(ts|tsx)$/.test(f) && f !== path.join("app", "env.server.ts") && readFileSync(f, "utf8").includes("process.env"),
    );
    expect(offenders).toEqual([]);
  });

  it("routes never import Prisma or send GraphQL themselves", () => {
    const offenders = filesUnder("app/routes").filter((f) => /db\.server|generated\/prisma|#graphql/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
