// Shopify global ids: gid://shopify/{Type}/{numeric id}.
export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

export interface ParsedGid {
  type: string;
  id: string;
}

export function parseGid(value: string): ParsedGid | null {
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/([^/?]+)(?:\?.*)?$/.exec(value);
  return match ? { type: match[1], id: match[2] } : null;
}

export function numericId(value: string): number {
  const parsed = parseGid(value);
  const n = parsed ? Number(parsed.id) : NaN;
  return Number.isFinite(n) ? n : 0;
}
