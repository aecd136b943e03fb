// A webhook body as JSON with every number exact (issue #23 item 1: the cheap way when it is safe).
import { isSafeNumber, parse as parseLossless } from "lossless-json";

/** Sixteen digits in a row somewhere in the body: an integer literal there may exceed 2^53 (itself 16 digits). */
const LONG_DIGIT_RUN = /\d{16}/;

/**
 * The body as JSON, every number exact. Shopify's REST ids can exceed 2^53: JSON.parse would silently change them, so
 * integers that do not fit stay strings (lossless-json), and an id is never a rounded number. That parser is written in
 * JavaScript and costs several times JSON.parse; a body with no run of 16 digits anywhere has no integer that can
 * exceed 2^53 (every literal of at most 15 digits is exact in a double), and there JSON.parse gives the same values.
 */
export function parseExact(rawBody: string): unknown {
  if (!LONG_DIGIT_RUN.test(rawBody)) return JSON.parse(rawBody);
  return parseLossless(rawBody, undefined, (text) =>
    isSafeNumber(text) || !/^-?\d+$/.test(text) ? Number(text) : text,
  );
}
