// Which orders count (docs/rules.md#ledger-qualifying), on one order as the ledger holds it. Every read of the ledger
// applies the same rule in SQL (QUALIFYING_ORDER and LIVE_CUSTOMER in app/models/ledger-rules.sql.ts);
// tests/integration/qualifying-rule.test.ts checks the two agree on generated orders.

/** An order row of the ledger, with what the ledger holds of its customer. */
export interface LedgerOrderRow {
  customerId: string | null;
  /** The ledger holds the order's customer as deleted (a tombstone); false when it holds the customer live or not at all. */
  customerDeleted: boolean;
  test: boolean;
  cancelledAt: Date | null;
  deletedAt: Date | null;
  /** Current total less late refunds, minor units. */
  valueMinor: number;
  /** processed_at (created_at when Shopify sent none). */
  processedAt: Date;
}

/**
 * The order counts as of `asOf`: it has a customer the ledger has not deleted (one it has not seen yet counts: the
 * customer exists in Shopify), it is not a test, not cancelled, not deleted, worth more than 0 now, and its time is at
 * or before asOf. Guest orders never count.
 */
export function qualifies(order: LedgerOrderRow, asOf: Date): boolean {
  return (
    order.customerId !== null &&
    !order.customerDeleted &&
    !order.test &&
    order.cancelledAt === null &&
    order.deletedAt === null &&
    order.valueMinor > 0 &&
    order.processedAt.getTime() <= asOf.getTime()
  );
}
