// Birth dates for the birthday bonus, read from the customer metafield the merchant chose in the points rules
// (docs/rules.md#points-earning-rules): every customer's metafield, a page of 250 at a time through the Admin API; a
// date held where Shopify has one (the metafield wins over what a shopper entered), a metafield date cleared where
// Shopify no longer has one (a shopper's own date stays); then the journals of the customers whose date changed are
// derived again. Run by the points-birthdays job: when the bonus is turned on or its metafield changes, and daily.
import { birthDateFromMetafield } from "../domain/birthdays";
import { METAFIELD_IDENTIFIER } from "../domain/points";
import { birthdaysOf, clearMetafieldBirthday, setBirthday } from "../models/birthdays.server";
import { getPointsRules } from "../models/points-rules.server";
import { isShopActive } from "../models/shop.server";
import type { AdminClient } from "../shopify/client";
import { BIRTHDAY_METAFIELDS_QUERY } from "../shopify/documents";
import { pages } from "../shopify/paging";
import { derivePoints } from "./points.server";

type CustomersPage = {
  customers: {
    nodes: { id: string; metafield: { type: string; value: string } | null }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

export interface BirthdaysReadResult {
  /** Customers read from Shopify. */
  read: number;
  /** Birth dates written (new or changed). */
  set: number;
  /** Metafield birth dates removed (Shopify no longer holds a date). */
  cleared: number;
  /** Entries the derive of the changed customers appended. */
  appended: number;
}

/**
 * Reads the birth date metafield of every customer and brings the held dates to it. Null: the shop is not active, or
 * the birthday bonus is off (nothing is read). Safe to repeat: a date already held is not written again.
 */
export async function readBirthdayMetafields(
  shop: string,
  { clientFor, now = () => new Date() }: { clientFor(shop: string): Promise<AdminClient>; now?: () => Date },
): Promise<BirthdaysReadResult | null> {
  if (!(await isShopActive(shop))) return null;
  const { rules } = (await getPointsRules(shop)).active;
  if (rules.birthdayPoints <= 0) return null;
  const match = METAFIELD_IDENTIFIER.exec(rules.birthdayMetafield);
  if (!match) return null; // validated when saved: only a hand-edited row could get here
  const [, namespace, key] = match;
  const nowYear = now().getUTCFullYear();
  const client = await clientFor(shop);
  const result: BirthdaysReadResult = { read: 0, set: 0, cleared: 0, appended: 0 };
  const changed: string[] = [];
  for await (const page of pages<CustomersPage, CustomersPage["customers"]["nodes"][number]>(client, {
    query: BIRTHDAY_METAFIELDS_QUERY,
    variables: { namespace, key },
    connection: (data) => data.customers,
  })) {
    result.read += page.nodes.length;
    const held = await birthdaysOf(
      shop,
      page.nodes.map((n) => n.id),
    );
    for (const node of page.nodes) {
      const date = birthDateFromMetafield(node.metafield?.value, nowYear);
      const current = held.get(node.id) ?? null;
      if (date) {
        const same =
          current?.source === "metafield" &&
          current.month === date.month &&
          current.day === date.day &&
          current.year === date.year;
        if (same) continue;
        await setBirthday(shop, node.id, date, "metafield");
        result.set += 1;
        changed.push(node.id);
      } else if (current?.source === "metafield") {
        await clearMetafieldBirthday(shop, node.id);
        result.cleared += 1;
        changed.push(node.id);
      }
    }
  }
  if (changed.length > 0) result.appended = (await derivePoints(shop, changed, { now })).appended;
  return result;
}
