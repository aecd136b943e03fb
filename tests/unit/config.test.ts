// One API version, one scope list, one route per declared webhook, one reader of the environment; `shopify app dev`
// runs npm scripts that exist.
import type { UserConfig } from "vite";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
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
  it("every address of the app names one host: application_url, redirects, the app proxy, the Flow action", () => {
    const app = parse(readFileSync("shopify.app.toml", "utf8")) as unknown as {
      application_url: string;
      auth: { redirect_urls: string[] };
      app_proxy: { url: string };
    };
    const action = parse(readFileSync("extensions/flow-award-points/shopify.extension.toml", "utf8")) as unknown as {
      extensions: { runtime_url: string }[];
    };
    const origin = new URL(app.application_url).origin;
    expect(app.auth.redirect_urls.map((u) => new URL(u).origin)).toEqual([origin]);
    expect(app.app_proxy.url).toBe(`${origin}/proxy`);
    expect(action.extensions.map((e) => e.runtime_url)).toEqual([`${origin}/flow/award-points`]);
    // The route the Flow action posts to exists
    expect(existsSync("app/routes/flow.award-points.ts")).toBe(true);
  });

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
      expect.arrayContaining([
        "app/uninstalled",
        "app/scopes_update",
        "customers/data_request",
        "customers/redact",
        "shop/redact",
      ]),
    );
    for (const sub of toml.webhooks.subscriptions) {
      const route = `app/routes/${sub.uri.slice(1).replaceAll("/", ".")}.ts`;
      expect(existsSync(route), `${sub.uri} → ${route}`).toBe(true);
      expect(text).toContain(`# Handled by: ${route}`);
    }
  });

  it("only app/env.server.ts reads process.env", () => {
    const offenders = filesUnder("app").filter(
      (f) =>
        /\.(ts|tsx)$/.test(f) &&
        f !== path.join("app", "env.server.ts") &&
        readFileSync(f, "utf8").includes("process.env"),
    );
    expect(offenders).toEqual([]);
  });

  it("routes never import Prisma or send GraphQL themselves", () => {
    const offenders = filesUnder("app/routes").filter((f) =>
      /db\.server|generated\/prisma|#graphql/.test(readFileSync(f, "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("shopify.web.toml: one web process for frontend and backend whose commands are this package's npm scripts", () => {
    const web = parse(readFileSync("shopify.web.toml", "utf8")) as unknown as {
      roles: string[];
      webhooks_path: string;
      commands: Record<string, string>;
    };
    const scripts = JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<string, string>;
    expect(web.roles.sort()).toEqual(["backend", "frontend"]);
    expect(toml.webhooks.subscriptions.map((s) => s.uri)).toContain(web.webhooks_path);
    expect(Object.keys(web.commands)).toEqual(expect.arrayContaining(["predev", "dev"]));
    for (const [name, command] of Object.entries(web.commands)) {
      for (const step of command.split("&&").map((s) => s.trim())) {
        const script = /^npm run ([\w:-]+)$/.exec(step)?.[1];
        expect(script, `${name}: "${step}" is not \`npm run <script>\``).toBeDefined();
        expect(scripts[script!], `${name}: no npm script "${script}"`).toBeDefined();
      }
    }
    // dev is the Remix development server (not `shopify app dev`, which would start the CLI again).
    expect(scripts[/^npm run (\S+)$/.exec(web.commands.dev)![1]]).toBe("remix vite:dev");
  });

  it("vite.config.ts listens where the Shopify CLI sends requests and drops the CLI's URL-valued HOST", async () => {
    vi.stubEnv("PORT", "41234");
    vi.stubEnv("HOST", "https://tunnel-abc.trycloudflare.com");
    vi.stubEnv("SHOPIFY_APP_URL", "");
    vi.resetModules();
    try {
      const { default: config } = (await import("../../vite.config")) as { default: UserConfig };
      expect(config.server?.port).toBe(41234);
      expect(config.server?.allowedHosts).toEqual(["tunnel-abc.trycloudflare.com"]);
      expect(process.env.HOST).toBeUndefined();
      expect(process.env.SHOPIFY_APP_URL).toBe("https://tunnel-abc.trycloudflare.com");
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
