// The switch that points the Admin API client at the simulator rewrites shop URLs only, and never in production.
import { describe, expect, it } from "vitest";
import { routeAdminApiToSimulator, simulatorUrl } from "../../app/shopify/simulator-switch.server";

describe("simulator switch", () => {
  it("rewrites Admin API and token-exchange URLs of a shop to the simulator's store prefix", () => {
    const origin = "http://127.0.0.1:4100";
    expect(simulatorUrl(origin, "https://ada.myshopify.com/admin/api/2026-04/graphql.json")).toBe(
      "http://127.0.0.1:4100/store/ada.myshopify.com/admin/api/2026-04/graphql.json",
    );
    expect(simulatorUrl(`${origin}/`, "https://ada.myshopify.com/admin/oauth/access_token")).toBe(
      "http://127.0.0.1:4100/store/ada.myshopify.com/admin/oauth/access_token",
    );
  });

  it("leaves every other URL alone (bulk results, staged uploads, other hosts)", () => {
    for (const url of [
      "http://127.0.0.1:4100/files/bulk/1.jsonl",
      "https://storage.googleapis.com/x",
      "https://evil.com/admin",
    ]) {
      expect(simulatorUrl("http://127.0.0.1:4100", url)).toBe(url);
    }
  });

  it("is refused when NODE_ENV=production", () => {
    expect(() => routeAdminApiToSimulator("http://127.0.0.1:4100", "production")).toThrow(/refused/);
  });
});
