// Shopify's retry schedule for a failed webhook delivery, and how tests shrink it.
//
// Shopify retries a failed delivery 8 times over 4 hours with exponential backoff ("Updates to webhook retry
// mechanism", https://shopify.dev/changelog/updates-to-webhook-retry-mechanism, effective 2024-09-10; also
// https://shopify.dev/docs/apps/build/webhooks/troubleshooting-webhooks). Shopify does not publish the individual
// intervals, so we use doubling waits that add up to exactly 4 hours: ≈56 s, 1.9 min, 3.8 min, … ≈2 h.

const FOUR_HOURS_MS = 4 * 60 * 60 * 1000;
const RETRIES = 8;

/** Wait before retry 1..8, in milliseconds: base·2^k with Σ = 4 h. */
export const SHOPIFY_RETRY_DELAYS_MS: readonly number[] = Array.from({ length: RETRIES }, (_, k) =>
  Math.round((FOUR_HOURS_MS * 2 ** k) / (2 ** RETRIES - 1)),
);

export interface RetryOptions {
  /** Multiplies every wait (tests use e.g. 1e-5, so all 8 retries take ~150 ms). Default 1. */
  factor?: number;
  /** Replaces Shopify's waits (before scaling); its length is the number of retries. */
  delaysMs?: readonly number[];
}

export function retryDelays(options: RetryOptions = {}): number[] {
  const factor = options.factor ?? 1;
  if (!(factor >= 0)) throw new Error(`retry.factor must be a number >= 0, got ${factor}`);
  return (options.delaysMs ?? SHOPIFY_RETRY_DELAYS_MS).map((delay) => delay * factor);
}
