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

  it("refuses the simulator switch in production", () => {
    expect(() =>
      parseEnv({ ...valid, NODE_ENV: "production", SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:9999" }),
    ).toThrow(/SHOPIFY_ADMIN_API_ORIGIN.*production/);
    expect(parseEnv({ ...valid, SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:9999" }).SHOPIFY_ADMIN_API_ORIGIN).toBe(
      "http://127.0.0.1:9999",
    );
  });
});
