// GET /healthz: 200 when the process and its database answer, 503 when the database does not.
import { describe, expect, it, vi } from "vitest";
import { prisma } from "../../app/db.server";
import { databaseAnswers } from "../../app/models/health.server";
import { loader } from "../../app/routes/healthz";
import { startApp } from "../support/app-server";

const app = await startApp();

describe("GET /healthz", () => {
  it("answers 200 ok over HTTP, uncached, when the database answers", async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect([response.status, await response.text()]).toEqual([200, "ok\n"]);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("answers 503 when the database fails or does not answer in time", async () => {
    vi.spyOn(prisma, "$queryRawUnsafe").mockRejectedValueOnce(new Error("connection refused"));
    const response = await loader();
    expect([response.status, await response.text()]).toEqual([503, "database unavailable\n"]);

    vi.spyOn(prisma, "$queryRawUnsafe").mockReturnValueOnce(new Promise(() => {}) as never);
    expect(await databaseAnswers(50)).toBe(false);
    expect(await databaseAnswers()).toBe(true);
  });
});
