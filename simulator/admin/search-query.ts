// Shopify's search syntax for the `query:` argument (https://shopify.dev/docs/api/usage/search-syntax):
// `field:value`, comparators (`updated_at:>2024-01-01`), quotes, `-`/NOT, OR, implicit AND, parentheses.
import { notImplemented } from "./shopify-error";

type Comparator = ":" | ">" | ">=" | "<" | "<=";

type Node =
  | { kind: "term"; field: string | null; comparator: Comparator; value: string }
  | { kind: "not"; inner: Node }
  | { kind: "and" | "or"; items: Node[] };

export type FieldKind = "string" | "date" | "number" | "tags" | "boolean";

export interface SearchField<T> {
  kind: FieldKind;
  get(item: T): string | number | boolean | string[] | null;
}

export interface SearchSpec<T> {
  resource: string; // "customers", for messages
  fields: Record<string, SearchField<T>>;
  freeText?: (item: T, text: string) => boolean;
}

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      tokens.push(c);
      i++;
    } else {
      let token = "";
      while (i < query.length && !/\s/.test(query[i]) && query[i] !== "(" && query[i] !== ")") {
        if (query[i] === '"' || query[i] === "'") {
          const quote = query[i++];
          let quoted = "";
          while (i < query.length && query[i] !== quote) {
            if (query[i] === "\\" && i + 1 < query.length) i++;
            quoted += query[i++];
          }
          i++;
          token += `\u0000${quoted}\u0000`;
        } else {
          token += query[i++];
        }
      }
      tokens.push(token);
    }
  }
  return tokens;
}

function unquote(text: string): string {
  return text.replace(/\u0000/g, "");
}

function parseTerm(token: string): Node {
  if (token.startsWith("-") && token.length > 1) return { kind: "not", inner: parseTerm(token.slice(1)) };
  const match = /^([A-Za-z_.]+):(>=|<=|>|<)?(.*)$/s.exec(token);
  if (!match) return { kind: "term", field: null, comparator: ":", value: unquote(token) };
  return {
    kind: "term",
    field: match[1].toLowerCase(),
    comparator: (match[2] as Comparator) ?? ":",
    value: unquote(match[3]),
  };
}

function parse(tokens: string[]): Node {
  let pos = 0;
  const parseOr = (): Node => {
    const items = [parseAnd()];
    while (tokens[pos] === "OR") {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0] : { kind: "or", items };
  };
  const parseAnd = (): Node => {
    const items: Node[] = [];
    while (pos < tokens.length && tokens[pos] !== ")" && tokens[pos] !== "OR") {
      if (tokens[pos] === "AND") {
        pos++;
        continue;
      }
      items.push(parseUnary());
    }
    return items.length === 1 ? items[0] : { kind: "and", items };
  };
  const parseUnary = (): Node => {
    const token = tokens[pos++];
    if (token === "NOT") return { kind: "not", inner: parseUnary() };
    if (token === "(") {
      const inner = parseOr();
      if (tokens[pos] === ")") pos++;
      return inner;
    }
    return parseTerm(token);
  };
  return tokens.length === 0 ? { kind: "and", items: [] } : parseOr();
}

function dayRange(value: string): [number, number] | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const start = Date.parse(`${value}T00:00:00Z`);
  return [start, start + 86_400_000];
}

function matchTerm<T>(spec: SearchSpec<T>, term: Extract<Node, { kind: "term" }>, item: T): boolean {
  if (term.field === null) {
    if (!spec.freeText) throw notImplemented(`free-text search on ${spec.resource}`);
    return spec.freeText(item, term.value);
  }
  const field = spec.fields[term.field];
  if (!field) throw notImplemented(`search field '${term.field}' on ${spec.resource}`);
  const actual = field.get(item);
  const { comparator, value } = term;
  switch (field.kind) {
    case "tags": {
      const tags = (actual as string[] | null) ?? [];
      return tags.some((t) => t.toLowerCase() === value.toLowerCase());
    }
    case "string": {
      if (actual === null) return false;
      const a = String(actual).toLowerCase();
      const v = value.toLowerCase();
      return v.endsWith("*") ? a.startsWith(v.slice(0, -1)) : a === v;
    }
    case "boolean":
      return String(actual) === value.toLowerCase();
    case "number":
    case "date": {
      if (actual === null) return false;
      const a = field.kind === "date" ? Date.parse(String(actual)) : Number(actual);
      if (field.kind === "date" && comparator === ":") {
        const range = dayRange(value);
        if (range) return a >= range[0] && a < range[1];
      }
      const v = field.kind === "date" ? Date.parse(value) : Number(value);
      if (Number.isNaN(v)) return false;
      switch (comparator) {
        case ":":
          return a === v;
        case ">":
          return a > v;
        case ">=":
          return a >= v;
        case "<":
          return a < v;
        case "<=":
          return a <= v;
      }
    }
  }
  return false;
}

function evaluate<T>(spec: SearchSpec<T>, node: Node, item: T): boolean {
  switch (node.kind) {
    case "term":
      return matchTerm(spec, node, item);
    case "not":
      return !evaluate(spec, node.inner, item);
    case "and":
      return node.items.every((n) => evaluate(spec, n, item));
    case "or":
      return node.items.some((n) => evaluate(spec, n, item));
  }
}

/** A predicate for `query`; unknown fields fail loudly instead of being ignored. */
export function searchFilter<T>(spec: SearchSpec<T>, query: string): (item: T) => boolean {
  const tree = parse(tokenize(query));
  const check = (node: Node): void => {
    if (node.kind === "term") {
      if (node.field === null && !spec.freeText) throw notImplemented(`free-text search on ${spec.resource}`);
      if (node.field !== null && !spec.fields[node.field])
        throw notImplemented(`search field '${node.field}' on ${spec.resource}`);
    } else if (node.kind === "not") check(node.inner);
    else node.items.forEach(check);
  };
  check(tree);
  return (item) => evaluate(spec, tree, item);
}
