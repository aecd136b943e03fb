// One customer's points as the admin's customer page shows them (docs/rules.md#adjustments-and-the-audit-trail): the
// balances, pending points by the date each becomes available, points expiring within the warning window, and every
// journal entry newest first with what it was for — the order (name), the refund, the cancellation, the expiry rule,
// a loss, a bonus, a redemption (the reward's title), an adjustment (who, when, why) or an import. The customer's
// journal is brought up to date first (as the balances CSV does), so an expiry due by now is in it.
import { randomUUID } from "node:crypto";
import { balancesAt, journalAppends, targetEntries } from "../domain/points";
import { POINTS_EXPIRY_WARNING_DAYS, pointsStatus } from "../domain/sync";
import { DAY_MS } from "../domain/time";
import { historyRow, pendingByMoment, redemptionIdOf, type CustomerPointsView } from "../domain/customer-points";
import { customerJournal, orderNames, redemptionTitles } from "../models/points-adjustments.server";
import { pointsLedgers } from "../models/points.server";
import { derivePoints, pointsProgramme } from "./points.server";

const HISTORY_SHOWN = 200;

export async function customerPoints(
  shop: string,
  customerId: string,
  { now = () => new Date() }: { now?: () => Date } = {},
): Promise<CustomerPointsView> {
  const at = now().getTime();
  const programme = await pointsProgramme(shop);
  if (programme) await derivePoints(shop, [customerId], { now: () => new Date(at), programme });
  const rows = await customerJournal(shop, customerId);
  const balance = balancesAt(rows, at);
  // What the rules will write within the warning window if the ledger does not change (the sync's computation).
  let upcoming: ReturnType<typeof journalAppends> = [];
  if (programme && balance.available + balance.pending > 0) {
    const ledger = (await pointsLedgers(shop, [customerId], new Date(programme.startsAt))).get(customerId)!;
    const held = [...rows].sort((a, b) => a.id - b.id);
    upcoming = journalAppends(
      held,
      targetEntries(ledger.orders, programme, at + POINTS_EXPIRY_WARNING_DAYS * DAY_MS, {
        customerDeleted: ledger.customerDeleted,
        held,
      }),
    );
  }
  const status = pointsStatus(rows, at, upcoming);

  const shown = rows.slice(0, HISTORY_SHOWN);
  const [names, titles] = await Promise.all([
    orderNames(
      shop,
      shown.map((e) => e.orderId).filter((id): id is string => id !== null),
    ),
    redemptionTitles(
      shop,
      shown.map((e) => redemptionIdOf(e.sourceKey)).filter((id): id is string => id !== null),
    ),
  ]);
  const titleOf = (key: string) => {
    const id = redemptionIdOf(key);
    return id === null ? null : (titles.get(id) ?? null);
  };
  const history = shown.map((e) =>
    historyRow(e, at, e.orderId ? (names.get(e.orderId) ?? null) : null, titleOf(e.sourceKey)),
  );
  return {
    balance,
    pending: pendingByMoment(rows, at),
    expiring: status?.expiring ?? null,
    warningDays: POINTS_EXPIRY_WARNING_DAYS,
    history,
    token: randomUUID(),
  };
}
