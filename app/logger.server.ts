// Minimal levelled logger writing one line per event; level from the environment.
import { env } from "./env.server";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

function write(level: Level, message: string, context?: Record<string, unknown>) {
  if (LEVELS[level] < LEVELS[env.LOG_LEVEL]) return;
  const line = context ? `${message} ${JSON.stringify(context)}` : message;
  if (level === "error") console.error(`[${level}] ${line}`);
  else if (level === "warn") console.warn(`[${level}] ${line}`);
  else console.log(`[${level}] ${line}`);
}

export const logger = {
  debug: (m: string, c?: Record<string, unknown>) => write("debug", m, c),
  info: (m: string, c?: Record<string, unknown>) => write("info", m, c),
  warn: (m: string, c?: Record<string, unknown>) => write("warn", m, c),
  error: (m: string, c?: Record<string, unknown>) => write("error", m, c),
};
