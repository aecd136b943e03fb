// Shopify's own view of a customer (Customer.statistics): the RFM group and predicted spend tier Shopify computes, the
// values its schema allows, how a read line is checked, and the matrices that set our segments and CLV bands against
// them. Pure: no I/O, no clock.

/** CustomerRfmGroup, the 11 values of the Admin API schema, in the order the segments page shows them. */
export const SHOPIFY_RFM_GROUPS = [
  "CHAMPIONS",
  "LOYAL",
  "ACTIVE",
  "NEW",
  "PROMISING",
  "NEEDS_ATTENTION",
  "AT_RISK",
  "PREVIOUSLY_LOYAL",
  "ALMOST_LOST",
  "DORMANT",
  "PROSPECTS",
] as const;
export type ShopifyRfmGroup = (typeof SHOPIFY_RFM_GROUPS)[number];

/** CustomerPredictedSpendTier. */
export const SHOPIFY_SPEND_TIERS = ["HIGH", "MEDIUM", "LOW"] as const;
export type ShopifySpendTier = (typeof SHOPIFY_SPEND_TIERS)[number];

export interface ShopifyStatsRow {
  customerId: string;
  rfmGroup: ShopifyRfmGroup | null;
  predictedSpendTier: ShopifySpendTier | null;
}

const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/\d+$/;

/**
 * One line of the bulk result as the app keeps it, or null when it is not a customer's statistics. A value outside
 * the schema's enum (a newer API version's) is kept as null rather than guessed.
 */
export function statsFromLine(value: unknown): ShopifyStatsRow | null {
  if (typeof value !== "object" || value === null) return null;
  const { id, statistics } = value as { id?: unknown; statistics?: unknown };
  if (typeof id !== "string" || !CUSTOMER_GID.test(id)) return null;
  const stats = (typeof statistics === "object" && statistics !== null ? statistics : {}) as Record<string, unknown>;
  const group = stats.rfmGroup;
  const tier = stats.predictedSpendTier;
  return {
    customerId: id,
    rfmGroup: (SHOPIFY_RFM_GROUPS as readonly unknown[]).includes(group) ? (group as ShopifyRfmGroup) : null,
    predictedSpendTier: (SHOPIFY_SPEND_TIERS as readonly unknown[]).includes(tier) ? (tier as ShopifySpendTier) : null,
  };
}

/** A matrix of counts: rows × columns, each cell the customers in both, and the totals of each. */
export interface CountMatrix {
  rows: string[];
  columns: string[];
  cells: number[][];
  rowTotals: number[];
  columnTotals: number[];
  total: number;
}

/**
 * Counts pairs (row key, column key) into a matrix with the given row and column orders; a key not in an order is
 * appended after the listed ones (sorted), so nothing read is dropped.
 */
export function countMatrix(
  pairs: readonly { row: string; column: string; customers: number }[],
  rowOrder: readonly string[],
  columnOrder: readonly string[],
): CountMatrix {
  const extend = (order: readonly string[], seen: string[]) => [
    ...order,
    ...[...new Set(seen)].filter((k) => !order.includes(k)).sort(),
  ];
  const rows = extend(
    rowOrder,
    pairs.map((p) => p.row),
  );
  const columns = extend(
    columnOrder,
    pairs.map((p) => p.column),
  );
  const cells = rows.map(() => columns.map(() => 0));
  for (const p of pairs) cells[rows.indexOf(p.row)][columns.indexOf(p.column)] += p.customers;
  const rowTotals = cells.map((r) => r.reduce((a, b) => a + b, 0));
  const columnTotals = columns.map((_, j) => cells.reduce((a, r) => a + r[j], 0));
  return { rows, columns, cells, rowTotals, columnTotals, total: rowTotals.reduce((a, b) => a + b, 0) };
}

/**
 * Shopify's group closest to each of our segments, by the two vendors' own descriptions (docs/history.md): what the
 * pages call "the same" and the matrix's agreement counts.
 */
export const SHOPIFY_COUNTERPART: Readonly<Record<string, ShopifyRfmGroup>> = {
  champions: "CHAMPIONS",
  loyal: "LOYAL",
  potential_loyalist: "ACTIVE",
  new: "NEW",
  promising: "PROMISING",
  need_attention: "NEEDS_ATTENTION",
  about_to_sleep: "ALMOST_LOST",
  at_risk: "AT_RISK",
  cant_lose: "PREVIOUSLY_LOYAL",
  hibernating: "DORMANT",
  prospect: "PROSPECTS",
};

/** Customers whose Shopify group is the counterpart of our segment, in a segments × groups matrix. */
export function agreement(matrix: CountMatrix): number {
  let same = 0;
  matrix.rows.forEach((row, i) => {
    const j = matrix.columns.indexOf(SHOPIFY_COUNTERPART[row] ?? "");
    if (j >= 0) same += matrix.cells[i][j];
  });
  return same;
}
