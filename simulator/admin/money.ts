// Exact decimal arithmetic on Admin API money strings ("12.50"), so sums never drift like floats do.
import type { MoneyBag, MoneyV2 } from "../shop-file/types";

function decimalsOf(amount: string): number {
  const dot = amount.indexOf(".");
  return dot === -1 ? 0 : amount.length - dot - 1;
}

function toScaled(amount: string, scale: number): bigint {
  const negative = amount.startsWith("-");
  const [whole, frac = ""] = (negative ? amount.slice(1) : amount).split(".");
  const digits = BigInt(`${whole || "0"}${frac.padEnd(scale, "0").slice(0, scale)}`);
  return negative ? -digits : digits;
}

function fromScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${body}` : body;
}

export function isDecimal(value: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(value);
}

/** Sums decimal strings; the result keeps the largest number of decimals among the inputs. */
export function addAmounts(amounts: string[], minDecimals = 0): string {
  const scale = Math.max(minDecimals, ...amounts.map(decimalsOf));
  return fromScaled(
    amounts.reduce((sum, a) => sum + toScaled(a, scale), 0n),
    scale,
  );
}

export function subtractAmount(a: string, b: string): string {
  const scale = Math.max(decimalsOf(a), decimalsOf(b));
  return fromScaled(toScaled(a, scale) - toScaled(b, scale), scale);
}

export function compareAmounts(a: string, b: string): number {
  const scale = Math.max(decimalsOf(a), decimalsOf(b));
  const d = toScaled(a, scale) - toScaled(b, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function money(amount: string, currencyCode: string): MoneyV2 {
  return { amount, currencyCode };
}

export function moneyBag(amount: string, currencyCode: string, presentment?: MoneyV2): MoneyBag {
  return { shopMoney: money(amount, currencyCode), presentmentMoney: presentment ?? money(amount, currencyCode) };
}
