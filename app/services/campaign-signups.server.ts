// Sign-up campaigns for subscribers only (docs/campaigns.md "Audiences"): the customers' email marketing consent is
// read from Shopify (defaultEmailAddress.marketingState) when they are about to be chosen — the consent of that
// moment, not a copy: the 2026-04 customers/create and customers/update payloads do not carry it.
import type { AdminClient } from "../shopify/client";
import { CUSTOMER_EMAIL_MARKETING_QUERY, NODES_PER_READ } from "../shopify/documents";
import type { Campaign } from "../models/campaigns.server";

type Node = {
  id: string;
  defaultEmailAddress: { marketingState: string; marketingUpdatedAt?: string | null } | null;
} | null;

/** A customer's email marketing consent in Shopify now: SUBSCRIBED or not, and when it last changed (null: unknown). */
export interface EmailConsent {
  subscribed: boolean;
  updatedAt: Date | null;
}

/** These customers' email marketing consent in Shopify now (a customer Shopify does not return is left out). */
export async function emailConsentOf(
  client: AdminClient,
  customerIds: readonly string[],
): Promise<Map<string, EmailConsent>> {
  const out = new Map<string, EmailConsent>();
  for (let i = 0; i < customerIds.length; i += NODES_PER_READ) {
    const data = await client.request<{ nodes: Node[] }>(CUSTOMER_EMAIL_MARKETING_QUERY, {
      ids: customerIds.slice(i, i + NODES_PER_READ),
    });
    for (const n of data.nodes) {
      if (!n) continue;
      const at = n.defaultEmailAddress?.marketingUpdatedAt ? Date.parse(n.defaultEmailAddress.marketingUpdatedAt) : NaN;
      out.set(n.id, {
        subscribed: n.defaultEmailAddress?.marketingState === "SUBSCRIBED",
        updatedAt: Number.isNaN(at) ? null : new Date(at),
      });
    }
  }
  return out;
}

/** Which of these customers' email addresses are SUBSCRIBED in Shopify now. */
export async function subscribedToEmail(client: AdminClient, customerIds: readonly string[]): Promise<Set<string>> {
  const consent = await emailConsentOf(client, customerIds);
  return new Set([...consent].filter(([, c]) => c.subscribed).map(([id]) => id));
}

/**
 * The candidates a campaign may choose: all of them, or for a subscribers-only sign-up campaign those Shopify says
 * are subscribed (none without a client to ask: consent is never assumed).
 */
export async function consentingOnly(
  campaign: Campaign,
  candidates: string[],
  client: AdminClient | undefined,
): Promise<string[]> {
  if (campaign.audience.kind !== "signup" || !campaign.audience.marketingOnly || candidates.length === 0)
    return candidates;
  if (!client) return [];
  const subscribed = await subscribedToEmail(client, candidates);
  return candidates.filter((id) => subscribed.has(id));
}
