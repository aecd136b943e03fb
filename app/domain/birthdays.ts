// Birth dates for the birthday bonus (docs/rules.md#points-bonuses): read from the customer metafield the merchant
// chose (Shopify's standard `facts.birth_date` is a `date`: "YYYY-MM-DD") or entered by the shopper on the loyalty
// page (day and month, the year optional). Pure: no clock, the caller says what "now" is for the year check.

export interface BirthDate {
  month: number; // 1–12
  day: number; // 1–31, valid for the month (29 February is allowed)
  year: number | null;
}

export type BirthdaySource = "metafield" | "shopper";

export type BirthDateCheck = { ok: true; date: BirthDate } | { ok: false; key: string; message: string };

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Checks a day, month and optional year; `nowYear` bounds the year (1900 … nowYear). */
export function checkBirthDate(
  input: { month: unknown; day: unknown; year?: unknown },
  nowYear: number,
): BirthDateCheck {
  const int = (v: unknown) => {
    if (typeof v === "number") return Number.isInteger(v) ? v : NaN;
    if (typeof v === "string" && /^\d{1,4}$/.test(v.trim())) return Number(v.trim());
    return NaN;
  };
  const month = int(input.month);
  const day = int(input.day);
  const yearGiven = input.year !== undefined && input.year !== null && input.year !== "";
  const year = yearGiven ? int(input.year) : null;
  if (!(month >= 1 && month <= 12))
    return { ok: false, key: "birthday.month", message: "The month must be a whole number from 1 to 12." };
  if (year !== null && !(year >= 1900 && year <= nowYear))
    return { ok: false, key: "birthday.year", message: `The year must be from 1900 to ${nowYear}, or left out.` };
  const maxDay = month === 2 && year !== null && !isLeap(year) ? 28 : DAYS_IN_MONTH[month - 1];
  if (!(day >= 1 && day <= maxDay))
    return { ok: false, key: "birthday.day", message: `The day must be a whole number from 1 to ${maxDay}.` };
  return { ok: true, date: { month, day, year } };
}

/** A metafield's value as a birth date: a `date` ("YYYY-MM-DD") or the date part of a `date_time`; null otherwise. */
export function birthDateFromMetafield(value: string | null | undefined, nowYear: number): BirthDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec((value ?? "").trim());
  if (!m) return null;
  const checked = checkBirthDate({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, nowYear);
  return checked.ok ? checked.date : null;
}

/**
 * Whether a birth date from `source` may replace the one held. The merchant's metafield always wins (it is the shop's
 * record); a shopper may give their date once, while none is held, so the bonus cannot be moved month to month.
 */
export function mayReplaceBirthday(held: { source: BirthdaySource } | null, source: BirthdaySource): boolean {
  if (source === "metafield") return true;
  return held === null;
}
