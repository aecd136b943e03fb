// The subset of ShopifyQL segment queries the simulator evaluates
// (https://shopify.dev/docs/api/shopifyql/segment-query-language-reference):
// customer_tags [NOT] CONTAINS '…', number_of_orders / amount_spent comparisons, AND / OR / NOT, parentheses.
import type { CustomerRecord } from "../shop-file/types";

export interface SegmentFacts {
  numberOfOrders(customer: CustomerRecord): number;
  amountSpent(customer: CustomerRecord): number;
}

type Predicate = (customer: CustomerRecord, facts: SegmentFacts) => boolean;

export class SegmentQueryError extends Error {}

interface Token {
  text: string;
  kind: "word" | "string" | "number" | "op" | "paren";
  column: number;
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      const start = i++;
      let text = "";
      while (i < query.length && query[i] !== c) text += query[i++];
      if (i >= query.length) throw new SegmentQueryError(`Line 1 Column ${start}: unterminated string.`);
      i++;
      tokens.push({ text, kind: "string", column: start });
    } else if (c === "(" || c === ")") {
      tokens.push({ text: c, kind: "paren", column: i++ });
    } else if (/[<>=!]/.test(c)) {
      const start = i;
      let text = c;
      if (query[i + 1] === "=") text += query[++i];
      i++;
      tokens.push({ text, kind: "op", column: start });
    } else if (/[0-9.-]/.test(c)) {
      const start = i;
      let text = "";
      while (i < query.length && /[0-9.-]/.test(query[i])) text += query[i++];
      tokens.push({ text, kind: "number", column: start });
    } else {
      const start = i;
      let text = "";
      while (i < query.length && /[A-Za-z0-9_]/.test(query[i])) text += query[i++];
      if (!text) throw new SegmentQueryError(`Line 1 Column ${start}: unexpected character '${c}'.`);
      tokens.push({ text, kind: "word", column: start });
    }
  }
  return tokens;
}

const COMPARATORS: Record<string, (a: number, b: number) => boolean> = {
  "=": (a, b) => a === b,
  "!=": (a, b) => a !== b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
};

/** Compiles a segment query into a predicate; refuses what it does not understand, with Shopify-like positions. */
export function compileSegmentQuery(query: string): Predicate {
  const tokens = tokenize(query);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (message: string, token = peek()): never => {
    throw new SegmentQueryError(`Line 1 Column ${token ? token.column : query.length}: ${message}`);
  };
  const keyword = (word: string) => peek()?.kind === "word" && peek().text.toUpperCase() === word;

  const parseOr = (): Predicate => {
    const items = [parseAnd()];
    while (keyword("OR")) {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0] : (c, f) => items.some((p) => p(c, f));
  };
  const parseAnd = (): Predicate => {
    const items = [parseUnary()];
    while (keyword("AND")) {
      pos++;
      items.push(parseUnary());
    }
    return items.length === 1 ? items[0] : (c, f) => items.every((p) => p(c, f));
  };
  const parseUnary = (): Predicate => {
    if (keyword("NOT")) {
      pos++;
      const inner = parseUnary();
      return (c, f) => !inner(c, f);
    }
    if (peek()?.text === "(") {
      pos++;
      const inner = parseOr();
      if (peek()?.text !== ")") fail("expected ')'.");
      pos++;
      return inner;
    }
    return parseCondition();
  };
  const parseCondition = (): Predicate => {
    const field = peek();
    if (!field || field.kind !== "word") return fail("expected a filter.");
    pos++;
    const name = field.text.toLowerCase();
    if (name === "customer_tags") {
      let negate = false;
      if (keyword("NOT")) {
        negate = true;
        pos++;
      }
      if (!keyword("CONTAINS")) fail(`'customer_tags' expects CONTAINS or NOT CONTAINS.`);
      pos++;
      const value = peek();
      if (!value || value.kind !== "string") return fail("expected a quoted tag.");
      pos++;
      const tag = value.text.toLowerCase();
      return (c) => c.tags.some((t) => t.toLowerCase() === tag) !== negate;
    }
    if (name === "number_of_orders" || name === "amount_spent") {
      const op = peek();
      if (!op || op.kind !== "op" || !COMPARATORS[op.text]) return fail(`'${name}' expects a comparison.`);
      pos++;
      const value = peek();
      if (!value || value.kind !== "number" || Number.isNaN(Number(value.text))) return fail("expected a number.");
      pos++;
      const compare = COMPARATORS[op.text];
      const target = Number(value.text);
      return name === "number_of_orders"
        ? (c, f) => compare(f.numberOfOrders(c), target)
        : (c, f) => compare(f.amountSpent(c), target);
    }
    return fail(`'${field.text}' filter cannot be found.`, field);
  };

  if (tokens.length === 0) throw new SegmentQueryError("Line 1 Column 0: query can't be blank.");
  const predicate = parseOr();
  if (pos < tokens.length) fail(`unexpected '${peek().text}'.`);
  return predicate;
}
