// The health check's one question to the database (GET /healthz, app/routes/healthz.ts).
import { prisma } from "../db.server";
import { logger } from "../logger.server";

/** Whether the database answers a trivial query within `timeoutMs`. */
export async function databaseAnswers(timeoutMs = 3000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([prisma.$queryRawUnsafe("SELECT 1"), timeout]);
    return true;
  } catch (error) {
    logger.warn("health check: the database did not answer", { error: String(error) });
    return false;
  } finally {
    clearTimeout(timer);
  }
}
