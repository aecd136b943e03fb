// Lifecycle segments: the stable keys, the (R, FM) grid of docs/rules.md#rfm-segments, and display names with
// per-shop overrides.

/** An R, F, M or FM score: 1 (worst) .. 5 (best). */
export type Score = 1 | 2 | 3 | 4 | 5;

/** The ten keys the grid uses (docs/rules.md#rfm-segments; ten distinct keys across its 25 cells). */
export const GRID_SEGMENT_KEYS = [
  "champions",
  "loyal",
  "potential_loyalist",
  "new",
  "promising",
  "need_attention",
  "about_to_sleep",
  "at_risk",
  "cant_lose",
  "hibernating",
] as const;
export type GridSegmentKey = (typeof GRID_SEGMENT_KEYS)[number];

/** Every segment key: the grid's ten plus `prospect` (no qualifying order in the scoring population). */
export const SEGMENT_KEYS = [...GRID_SEGMENT_KEYS, "prospect"] as const;
export type SegmentKey = (typeof SEGMENT_KEYS)[number];

/**
 * SEGMENT_GRID[R][FM - 1], rows and columns exactly as the table in docs/rules.md#rfm-segments.
 * Keys are stable identifiers (tags `rfm:<key>`, API, CSV): never rename one, rename its display name instead.
 */
export const SEGMENT_GRID: Readonly<
  Record<Score, readonly [GridSegmentKey, GridSegmentKey, GridSegmentKey, GridSegmentKey, GridSegmentKey]>
> = {
  5: ["new", "potential_loyalist", "potential_loyalist", "champions", "champions"],
  4: ["promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"],
  3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
  2: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
  1: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
};

export function isScore(n: number): n is Score {
  return n === 1 || n === 2 || n === 3 || n === 4 || n === 5;
}

/** FM = ceil((F + M) / 2): frequency and monetary count equally, ties round up. */
export function fmScore(f: Score, m: Score): Score {
  return Math.ceil((f + m) / 2) as Score;
}

export function segmentFor(r: Score, fm: Score): GridSegmentKey {
  if (!isScore(r) || !isScore(fm)) throw new RangeError(`R and FM must be scores 1..5, got R=${r} FM=${fm}`);
  return SEGMENT_GRID[r][fm - 1];
}

export function isSegmentKey(key: string): key is SegmentKey {
  return (SEGMENT_KEYS as readonly string[]).includes(key);
}

/** English display names; the UI translates by key and a shop may rename any of them. */
export const DEFAULT_SEGMENT_NAMES: Readonly<Record<SegmentKey, string>> = {
  champions: "Champions",
  loyal: "Loyal",
  potential_loyalist: "Potential loyalists",
  new: "New customers",
  promising: "Promising",
  need_attention: "Need attention",
  about_to_sleep: "About to sleep",
  at_risk: "At risk",
  cant_lose: "Can't lose them",
  hibernating: "Hibernating",
  prospect: "Prospects",
};

export const SEGMENT_NAME_MAX_LENGTH = 40;

/**
 * The names to show for one shop: the shop's own name for a segment wins, then the translation for the admin's
 * locale, then the English default. Blank names and unknown keys are ignored so a stale or half-filled setting can
 * never leave a segment without a name; names are trimmed and cut to SEGMENT_NAME_MAX_LENGTH.
 */
export function segmentDisplayNames(
  shopOverrides?: Readonly<Partial<Record<string, string | null | undefined>>> | null,
  translations?: Readonly<Partial<Record<string, string | null | undefined>>> | null,
): Record<SegmentKey, string> {
  const names = { ...DEFAULT_SEGMENT_NAMES } as Record<SegmentKey, string>;
  for (const key of SEGMENT_KEYS) {
    const chosen = usable(shopOverrides?.[key]) ?? usable(translations?.[key]);
    if (chosen !== undefined) names[key] = chosen;
  }
  return names;
}

export function segmentDisplayName(
  key: SegmentKey,
  shopOverrides?: Readonly<Partial<Record<string, string | null | undefined>>> | null,
  translations?: Readonly<Partial<Record<string, string | null | undefined>>> | null,
): string {
  return usable(shopOverrides?.[key]) ?? usable(translations?.[key]) ?? DEFAULT_SEGMENT_NAMES[key];
}

function usable(name: string | null | undefined): string | undefined {
  if (typeof name !== "string") return undefined;
  const trimmed = name.trim();
  // By code point, so a cut never splits an emoji's surrogate pair.
  return trimmed === "" ? undefined : Array.from(trimmed).slice(0, SEGMENT_NAME_MAX_LENGTH).join("").trim();
}

/** How far back the admin's segments page counts moves between segments, in days. */
export const SEGMENT_MOVEMENT_DAYS = [7, 30, 90] as const;
