// Types for server.mjs (plain JavaScript so that `npm start` needs no compiler).
import type { Express } from "express";
import type { ServerBuild } from "@remix-run/node";

export function createApp(build: ServerBuild): Express;
export function loadBuild(): Promise<
  ServerBuild & { entry: { module: { env: { PORT: number; HOST: string; DATABASE_URL: string } } } }
>;
export function loadBuildOrExit(envFile?: string, options?: { override?: boolean }): ReturnType<typeof loadBuild>;
export function startServer(
  build: ServerBuild,
  port: number,
  host?: string,
): Promise<{ url: string; close(graceMs?: number): Promise<void> }>;
export function stopOnSignals(stop: () => Promise<void>): void;
export function runWebProcess(build: ServerBuild): Promise<void>;
