import { describe, expect, it } from "vitest";
import { EnvError, parseEnv, DEFAULT_SCOPES } from "../../app/env.server";

const valid = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://app.example.com" };

describe("environment", () => {
  it("accepts a minimal valid environment and fills defaults", () => {
    // Given only the three required variables / When parsed
    const env = parseEnv(valid);
    // Then defaults are the embedded SQLite file and the app's scopes
    expect(env.DATABASE_URL).toBe("file:./prisma/dev.sqlite");
    expect(env.SCOPES).toEqual(DEFAULT_SCOPES.split(","));
    expect(env.PORT).toBe(3000);
  });

  it("names every missing or invalid variable", () => {
    const run = () => parseEnv({ SHOPIFY_APP_URL: "not a url", PORT: "abc" });
    expect(run).toThrow(EnvError);
    try {
      run();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "PORT"]) {
        expect(message).toContain(name);
      }
    }
  });

  it("keeps the webhook benchmark's floor route off unless it is asked for by name", () => {
    expect(parseEnv(valid).WEBHOOK_FLOOR_ROUTE).toBe("off");
    expect(parseEnv({ ...valid, WEBHOOK_FLOOR_ROUTE: "on" }).WEBHOOK_FLOOR_ROUTE).toBe("on");
    expect(() => parseEnv({ ...valid, WEBHOOK_FLOOR_ROUTE: "yes" })).toThrow(/WEBHOOK_FLOOR_ROUTE/);
  });

  it("refuses the simulator switch in production", () => {
    expect(() =>
      parseEnv({ ...valid, NODE_ENV: "production", SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:9999" }),
    ).toThrow(/SHOPIFY_ADMIN_API_ORIGIN.*production/);
    expect(parseEnv({ ...valid, SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:9999" }).SHOPIFY_ADMIN_API_ORIGIN).toBe(
      "http://127.0.0.1:9999",
    );
  });

  it("refuses the local App Bridge double in production", () => {
    expect(() =>
      parseEnv({ ...valid, NODE_ENV: "production", APP_BRIDGE_URL: "http://127.0.0.1:4100/app-bridge.js" }),
    ).toThrow(/APP_BRIDGE_URL.*production/);
    expect(parseEnv({ ...valid, NODE_ENV: "production" }).APP_BRIDGE_URL).toBeUndefined();
    expect(parseEnv({ ...valid, APP_BRIDGE_URL: "http://127.0.0.1:4100/app-bridge.js" }).APP_BRIDGE_URL).toBe(
      "http://127.0.0.1:4100/app-bridge.js",
    );
  });

  it("listens on every interface unless HOST names one, and refuses a HOST that is not an address", () => {
    expect(parseEnv(valid).HOST).toBe("0.0.0.0");
    for (const host of ["127.0.0.1", "::", "::1", "localhost", "app.internal"])
      expect(parseEnv({ ...valid, HOST: host }).HOST).toBe(host);
    // The Shopify CLI's old HOST (the app's URL) is not an interface: refused with the variable named.
    for (const host of ["https://loyalty.example.com", "0.0.0.0:3000", "a host"]) {
      expect(() => parseEnv({ ...valid, HOST: host })).toThrow(/HOST must be an address or host name to listen on/);
    }
  });
});
