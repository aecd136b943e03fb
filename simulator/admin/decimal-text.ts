// Decimal amounts as Shopify reads and prints them. Input: the Decimal scalar takes a string ("29.99") or a JSON number
// (scalars.ts). Output: MoneyV2.amount as Shopify's Ruby BigDecimal prints it, trailing zeros dropped but one decimal
// kept — "7.23", "2.0", "-2.22", "3000.0" — as recorded from the real 2026-04 Admin API: storeCreditAccountCredit of
// {amount: "2.00", currencyCode: CHF} answered amount "2.0", a debit of "2.22" answered "-2.22", giftCardCreate with
// initialValue "10" answered "10.0" and giftCardConfiguration.issueLimit "3000.0" (captures in
// github.com/airhorns/shopify-draft-proxy fixtures/conformance/…/2026-04/customers/store-credit-account-parity.json and
// …/2026-04/gift-cards/gift-card-create-validation.json).
import { compareAmounts } from "./money";

/** A Decimal argument as a plain decimal string ("10", "-1.5"), or null when it is not a finite decimal. */
export function decimalInput(value: unknown): string | null {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    text = String(value);
    if (/e/i.test(text)) text = value.toFixed(20);
  } else if (typeof value === "string") {
    text = value.trim();
  } else {
    return null;
  }
  const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const whole = m[2].replace(/^0+(?=\d)/, "");
  const frac = (m[3] ?? "").replace(/0+$/, "");
  const body = frac ? `${whole}.${frac}` : whole;
  return m[1] === "-" && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Digits after the decimal point of a plain decimal string. */
export function decimalPlaces(amount: string): number {
  const dot = amount.indexOf(".");
  return dot === -1 ? 0 : amount.length - dot - 1;
}

/** How Shopify prints an amount: "7.23", "2.0", "-2.22", "0.0". */
export function shopifyDecimal(amount: string): string {
  const plain = decimalInput(amount);
  if (plain === null) throw new Error(`not a decimal amount: ${amount}`);
  return plain.includes(".") ? plain : `${plain}.0`;
}

export function isPositive(amount: string): boolean {
  return compareAmounts(amount, "0") > 0;
}
