// How long to wait before trying again: exponential backoff with jitter, so many workers retrying at once spread out.

export interface BackoffOptions {
  /** First wait, in ms. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/**
 * Wait before retry number `retry` (1 for the first): between half and all of min(max, base·2^(retry−1)).
 * "Equal jitter": never near zero (a storm is not hammered), never in lock-step with other workers.
 */
export function backoffDelay(
  retry: number,
  random: () => number,
  { baseMs, maxMs }: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
