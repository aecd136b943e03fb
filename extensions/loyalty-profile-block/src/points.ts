// The customer's points for the profile block: the app-owned `$app.points` metafield (app/domain/sync.ts
// PointsStatusJson, written by the app's sync) read with one Customer Account API request. Parsed defensively: absent,
// unreadable or malformed is null, and the block then shows its link alone.

export const CUSTOMER_ACCOUNT_API = "shopify://customer-account/api/2026-07/graphql.json";

export const POINTS_QUERY = `query LoyaltyPoints {
  customer {
    points: metafield(namespace: "$app", key: "points") { value }
  }
}`;

export interface BlockPoints {
  available: number;
  pending: number;
}

const whole = (value: unknown): number | null =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;

/** The metafield's value as points, or null. */
export function parseBlockPoints(value: unknown): BlockPoints | null {
  if (typeof value !== "string") return null;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const { available, pending } = json as Record<string, unknown>;
  const a = whole(available);
  const p = whole(pending);
  return a === null || p === null ? null : { available: a, pending: p };
}

export async function loadBlockPoints(): Promise<BlockPoints | null> {
  try {
    const response = await fetch(CUSTOMER_ACCOUNT_API, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query: POINTS_QUERY }),
    });
    if (!response.ok) return null;
    const body = (await response.json()) as {
      data?: { customer?: { points?: { value?: unknown } | null } | null } | null;
      errors?: unknown[];
    };
    if (body.errors?.length) return null;
    return parseBlockPoints(body.data?.customer?.points?.value);
  } catch {
    return null;
  }
}
