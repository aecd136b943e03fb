// A webhook body as JSON with every number exact (issue #23 item 1: the cheap way when it is safe).
import { isSafeNumber, parse as parseLossless } from "lossless-json";

/** Runs of 16 digits or more: only there can an integer literal exceed 2^53 − 1 (9007199254740991, 16 digits). */
const LONG_DIGIT_RUNS = /\d{16,}/g;
const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);

/** Whether some run of digits in the text is longer than 2^53 − 1 or, as long, larger (compared as digit strings). */
function mayHoldUnsafeInteger(text: string) {
  for (const [run] of text.matchAll(LONG_DIGIT_RUNS)) {
    if (run.length > MAX_SAFE_DIGITS.length || run > MAX_SAFE_DIGITS) return true;
  }
  return false;
}

/**
 * The body as JSON, every number exact. Shopify's REST ids can exceed 2^53: JSON.parse would silently change them, so
 * integers that do not fit stay strings (lossless-json), and an id is never a rounded number. That parser is written in
 * JavaScript and costs several times JSON.parse; a body with no run of digits beyond 2^53 − 1 anywhere (in a number or
 * a string) has no integer JSON.parse could round, and there JSON.parse gives the same values.
 */
export function parseExact(rawBody: string): unknown {
  if (!mayHoldUnsafeInteger(rawBody)) return JSON.parse(rawBody);
  return parseLossless(rawBody, undefined, (text) =>
    isSafeNumber(text) || !/^-?\d+$/.test(text) ? Number(text) : text,
  );
}
