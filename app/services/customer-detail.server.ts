// One customer as the admin shows them: who they are, their scores with the raw values and the run's cut values
// (why each score), tier and progress, the history of their moves, their orders in the ledger and what was last
// written to Shopify for them. Null when this shop has no such customer (another shop's id included).
import { scoreCutValues } from "../domain/rfm";
import { customerOrderPage, getLedgerCustomer } from "../models/customer-detail.server";
import { getShopComputation, loadState, stateHistory } from "../models/customer-state.server";
import { getRfmSettings } from "../models/rfm-settings.server";
import { shopCurrency } from "../models/shop-currency.server";
import { customerSyncRow } from "../models/sync.server";
import { getActiveTierProgram } from "../models/tier-program.server";

const ORDERS_SHOWN = 50;

export async function customerDetail(shop: string, customerId: string) {
  const customer = await getLedgerCustomer(shop, customerId);
  const [state, history, { orders, count: orderCount }, sync, computation, { program }, currency, rfm] =
    await Promise.all([
      loadState(shop, customerId),
      stateHistory(shop, customerId),
      customerOrderPage(shop, customerId, ORDERS_SHOWN),
      customerSyncRow(shop, customerId),
      getShopComputation(shop),
      getActiveTierProgram(shop),
      shopCurrency(shop),
      getRfmSettings(shop),
    ]);
  if ((!customer || customer.deletedAt) && !state) return null;
  const boundaries = computation?.boundaries ?? null;
  return {
    customerId,
    legacyId: customerId.split("/").pop()!,
    name: [customer?.firstName, customer?.lastName].filter(Boolean).join(" ") || null,
    email: customer?.email ?? null,
    currency,
    state,
    computedAsOf: computation?.asOf.toISOString() ?? null,
    cuts: boundaries && {
      population: boundaries.population,
      recencyDays: scoreCutValues(boundaries, "recencyDays"),
      frequency: scoreCutValues(boundaries, "frequency"),
      monetary: scoreCutValues(boundaries, "monetary"),
    },
    tierNames: Object.fromEntries(program.tiers.map((t) => [t.key, t.name])),
    segmentNames: rfm.segmentNames,
    history: history
      .map((h) => ({ kind: h.kind, from: h.from, to: h.to, at: h.at.toISOString(), reason: h.reason }))
      .reverse(),
    orders: orders.map((o) => ({
      id: o.id,
      name: o.name,
      processedAt: o.processedAt.toISOString(),
      cancelled: o.cancelledAt !== null,
      test: o.test,
      currencyCode: o.currencyCode,
      valueMinor: Number(o.valueMinor),
    })),
    orderCount,
    sync: sync && {
      tags: JSON.parse(sync.tags) as string[],
      syncedAt: sync.syncedAt?.toISOString() ?? null,
      failure: sync.failureMessage,
    },
  };
}
