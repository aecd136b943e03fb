// The points journal kept equal to what the ledger, the rules and the moment say (docs/rules.md#points, ADR 0006):
// for each customer, the target journal (domain/points.ts targetEntries) is compared with the entries held and only
// the difference is appended (journalAppends). Run after a customer's ledger change (points-customer job), shop-wide
// after every full recompute (daily, backfill, rules) and when the programme start changes, and by the CLI.
import type { Writable } from "node:stream";
import {
  balancesAt,
  DEFAULT_POINTS_RULES,
  journalAppends,
  POINTS_CSV_COLUMNS,
  pointsCsvLine,
  pointsTimeZone,
  programmeNeeds,
  targetEntries,
  validatePointsRules,
  type PointsBalance,
  type PointsEntryValues,
  type PointsProgramme,
  type PointsRuleIssue,
} from "../domain/points";
import {
  appendUnderPointsLock,
  journalCustomerIds,
  journalsOf,
  JournalConflictError,
  pointsCustomerIds,
  pointsLedgers,
  tierProgrammeHistory,
} from "../models/points.server";
import { getPointsRules, savePointsRulesVersion } from "../models/points-rules.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getShop, isShopActive, shopLocale } from "../models/shop.server";
import { defaultTierProgram } from "../domain/tier-rules";
import { enqueueBirthdays, enqueuePointsShop } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";

const BATCH = 500;
const ATTEMPTS = 4;

type Clock = { now?: () => Date };

/**
 * The shop's points programme: its saved rule versions, its start and its zone. A shop that never saved rules runs
 * on the defaults from its install time; that start is saved as version 1 the first time it is needed, so a reinstall
 * (which moves the install time) does not move it. Null: the app does not know the shop, or it was redacted.
 */
export async function pointsProgramme(shop: string): Promise<PointsProgramme | null> {
  const shopRow = await getShop(shop);
  // A redacted shop's data is erased (shop/redact): nothing of it is written again.
  if (!shopRow || shopRow.status === "redacted") return null;
  let stored = await getPointsRules(shop);
  if (stored.startsAt === null) {
    const at = shopRow.installedAt;
    await savePointsRulesVersion(
      shop,
      { rules: { ...DEFAULT_POINTS_RULES }, effectiveFrom: at, startsAt: at },
      { onlyIfNone: true },
    );
    stored = await getPointsRules(shop);
  }
  const programme: PointsProgramme = {
    versions: stored.versions,
    startsAt: stored.startsAt!.getTime(),
    timeZone: pointsTimeZone(shopRow.timezone),
  };
  if (programmeNeeds(programme).tiers) programme.tierProgrammes = await tierProgrammesOf(shop);
  return programme;
}

/**
 * The shop's tier programmes with when each became the shop's: the built-in default (the shop's currency and
 * language) until the first saved version, then each saved version from its creation.
 */
export async function tierProgrammesOf(shop: string) {
  const [saved, currency, locale] = await Promise.all([
    tierProgrammeHistory(shop),
    shopCurrency(shop),
    shopLocale(shop),
  ]);
  return [{ from: Number.NEGATIVE_INFINITY, program: defaultTierProgram(currency, locale) }, ...saved];
}

/** The customers a derive of the whole shop reads under `programme` (bonuses widen it beyond those with orders). */
export async function programmeCustomerIds(shop: string, programme: PointsProgramme): Promise<string[]> {
  const needs = programmeNeeds(programme);
  return pointsCustomerIds(shop, new Date(programme.startsAt), { signUps: needs.signUps, birthdays: needs.birthdays });
}

export interface PointsDeriveResult {
  /** The moment derived as of (ISO); null when the shop is unknown. */
  asOf: string | null;
  customers: number;
  /** Entries appended. */
  appended: number;
}

/**
 * Brings the journal of each customer named to the target as of now: appends, per source, what differs; holds that
 * already match get nothing. Safe to run at any time, any number of times, concurrently: a racing writer's entries
 * make this batch's insert fail on their key, and the batch is read and compared again.
 */
export async function derivePoints(
  shop: string,
  customerIds: readonly string[],
  { now = () => new Date(), programme }: Clock & { programme?: PointsProgramme | null } = {},
): Promise<PointsDeriveResult> {
  const rules = programme === undefined ? await pointsProgramme(shop) : programme;
  if (!rules) return { asOf: null, customers: 0, appended: 0 };
  const asOf = now().getTime();
  let appended = 0;
  for (let i = 0; i < customerIds.length; i += BATCH) {
    const ids = customerIds.slice(i, i + BATCH);
    for (let attempt = 1; ; attempt++) {
      // The ledger outside the lock (a redemption does not change it); the journal read and the append under the
      // customers' points lock, which a redemption's reservation takes too (models/rewards.server.ts).
      const ledgers = await pointsLedgers(shop, ids, new Date(rules.startsAt));
      const decide = (journals: Map<string, PointsEntryValues[]>) => {
        const appends = new Map<string, PointsEntryValues[]>();
        for (const id of ids) {
          const ledger = ledgers.get(id)!;
          const held = journals.get(id)!;
          const target = targetEntries(ledger.orders, rules, asOf, {
            customerDeleted: ledger.customerDeleted,
            held,
            customer: ledger.customer,
          });
          const more = journalAppends(held, target);
          if (more.length) appends.set(id, more);
        }
        return appends;
      };
      try {
        appended += await appendUnderPointsLock(shop, ids, decide);
        break;
      } catch (error) {
        if (!(error instanceof JournalConflictError) || attempt >= ATTEMPTS) throw error;
      }
    }
  }
  return { asOf: new Date(asOf).toISOString(), customers: customerIds.length, appended };
}

/** Every customer of the shop whose journal may change (an order since the programme start, or a journal). */
export async function derivePointsShop(
  shop: string,
  { now = () => new Date() }: Clock = {},
): Promise<PointsDeriveResult> {
  const programme = await pointsProgramme(shop);
  if (!programme) return { asOf: null, customers: 0, appended: 0 };
  const ids = await programmeCustomerIds(shop, programme);
  return derivePoints(shop, ids, { now, programme });
}

/** The `points-customer` job's work: one customer after a ledger change of theirs. Null: the shop left. */
export async function pointsCustomerChanged(shop: string, customerId: string, clock: Clock = {}) {
  if (!(await isShopActive(shop))) return null;
  return derivePoints(shop, [customerId], clock);
}

/** The `points-shop` job's work (daily with the full recompute, after backfill, after rule changes). */
export async function pointsShopPass(shop: string, clock: Clock = {}) {
  if (!(await isShopActive(shop))) return null;
  return derivePointsShop(shop, clock);
}

/**
 * Sets when the shop's points programme started (orders processed from then on earn): saved as the next rules
 * version, the active rules unchanged, then applied to the whole journal.
 */
export async function setPointsStart(shop: string, at: Date, { now = () => new Date() }: Clock = {}) {
  const shopRow = await getShop(shop);
  if (!shopRow || shopRow.status === "redacted") throw new Error(`unknown or redacted shop ${shop}`);
  const stored = await getPointsRules(shop);
  const version = await savePointsRulesVersion(shop, {
    rules: stored.active.rules,
    effectiveFrom: now(),
    startsAt: at,
  });
  const result = await derivePointsShop(shop, { now });
  return { version, startsAt: at.toISOString(), ...result };
}

export type SavePointsRulesResult = { ok: true; version: number } | { ok: false; issues: PointsRuleIssue[] };

/**
 * Saves new points rules, in force for orders processed from `effectiveFrom` (default now) on; the start stays. The
 * journal follows through a points-shop job on `queue`; when the birthday bonus is turned on or reads another
 * metafield, the birth dates are read from Shopify first (the birthdays job, which derives the customers it changes).
 */
export async function savePointsRules(
  shop: string,
  input: unknown,
  { now = () => new Date(), effectiveFrom, queue }: Clock & { effectiveFrom?: Date; queue?: JobQueue } = {},
): Promise<SavePointsRulesResult> {
  const checked = validatePointsRules(input);
  if (!checked.ok) return checked;
  const programme = await pointsProgramme(shop);
  if (!programme) throw new Error(`unknown shop ${shop}`);
  const before = (await getPointsRules(shop)).active.rules;
  const version = await savePointsRulesVersion(shop, {
    rules: checked.rules,
    effectiveFrom: effectiveFrom ?? now(),
    startsAt: new Date(programme.startsAt),
  });
  if (queue) {
    const birthdaysOn = checked.rules.birthdayPoints > 0;
    if (birthdaysOn && (before.birthdayPoints <= 0 || before.birthdayMetafield !== checked.rules.birthdayMetafield))
      await enqueueBirthdays(queue, shop, "rules");
    await enqueuePointsShop(queue, shop, "rules");
  }
  return { ok: true, version: version! };
}

export interface CustomerPoints {
  customerId: string;
  balance: PointsBalance;
}

/**
 * Every customer with a journal and their balances as of `asOf`, sorted by customer id. The journal is brought up to
 * date first (as of now). A moment after now reads what the journal will say then if the ledger does not change
 * (the expiries due by then included), without writing it.
 */
export async function pointsBalances(
  shop: string,
  { asOf, now = () => new Date() }: { asOf?: Date } & Clock = {},
): Promise<CustomerPoints[]> {
  const programme = await pointsProgramme(shop);
  if (!programme) return [];
  await derivePoints(shop, await programmeCustomerIds(shop, programme), { now, programme });
  const at = (asOf ?? now()).getTime();
  const future = at > now().getTime();
  const ids = future ? await programmeCustomerIds(shop, programme) : await journalCustomerIds(shop);
  const out: CustomerPoints[] = [];
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    const [journals, ledgers] = await Promise.all([
      journalsOf(shop, batch),
      future ? pointsLedgers(shop, batch, new Date(programme.startsAt)) : Promise.resolve(null),
    ]);
    for (const id of batch) {
      let entries = journals.get(id)!;
      if (ledgers) {
        const ledger = ledgers.get(id)!;
        const target = targetEntries(ledger.orders, programme, at, {
          customerDeleted: ledger.customerDeleted,
          held: entries,
          customer: ledger.customer,
        });
        entries = [...entries, ...journalAppends(entries, target)];
      }
      if (entries.length) out.push({ customerId: id, balance: balancesAt(entries, at) });
    }
  }
  return out;
}

/** The balances as CSV (docs/rules.md#points-balances): a header, then one line per customer with a journal. */
export async function writePointsCsv(
  shop: string,
  { asOf, now, out }: { asOf?: Date; out: Writable } & Clock,
): Promise<{ rows: number }> {
  const rows = await pointsBalances(shop, { asOf, now });
  const write = (line: string) =>
    new Promise<void>((resolve, reject) => out.write(`${line}\n`, (error) => (error ? reject(error) : resolve())));
  await write(POINTS_CSV_COLUMNS.join(","));
  for (const r of rows) await write(pointsCsvLine(r.customerId, r.balance));
  return { rows: rows.length };
}
