// Types for server.mjs (plain JavaScript so that `npm start` needs no compiler).
import type { Express } from "express";
import type { ServerBuild } from "@remix-run/node";

export function createApp(build: ServerBuild): Express;
export function loadBuild(): Promise<ServerBuild & { entry: { module: { env: { PORT: number } } } }>;
export function loadBuildOrExit(envFile?: string): ReturnType<typeof loadBuild>;
export function startServer(build: ServerBuild, port: number): Promise<{ url: string; close(): Promise<void> }>;
