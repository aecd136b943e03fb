// What the app holds about a customer or a shop, and erasing it: the compliance webhooks' data side.
// Every table that holds shop data must appear in eraseShopData (a test searches every table afterwards).
import { prisma } from "../db.server";
import { lineNamer, reportWithoutCustomer, type ImportReport } from "../domain/points-import-plan";

export const customerGid = (id: string | number) => `gid://shopify/Customer/${id}`;
export const orderGid = (id: string | number) => `gid://shopify/Order/${id}`;

export interface CustomerDataReport {
  customer: Record<string, unknown> | null;
  orders: Record<string, unknown>[];
  refunds: Record<string, unknown>[];
  /** The customer's scores, segment and tier, and the history of their moves. */
  state: Record<string, unknown> | null;
  history: Record<string, unknown>[];
  /** Their qualifying orders as the full recompute reads them (count, total, first and last, the list). */
  aggregate: Record<string, unknown> | null;
  /**
   * What the app last wrote to Shopify for them (its tags, its metafields' digest, refusals), and whether something
   * changed since (changedSinceLastSync: a CustomerSyncDue row).
   */
  sync: Record<string, unknown> | null;
  /** Their campaign assignments: codes issued, or held out. */
  campaigns: Record<string, unknown>[];
  /** Their points journal: every movement of their points. */
  points: Record<string, unknown>[];
  /** Their redemptions: the reward, the points, the state, the code or Shopify id. */
  redemptions: Record<string, unknown>[];
  /** The birth date held for the birthday bonus (from a metafield or the shopper), if any. */
  birthday: Record<string, unknown> | null;
  /** Points imports whose stored dry run names them: the import, and the lines that name them. */
  imports: Record<string, unknown>[];
  /** The "Points earned" Flow triggers announced (or to be) about them: source, points, state, when sent. */
  pointsTriggers: Record<string, unknown>[];
  /** Referrals (docs/referrals.md): their referral code and link visits, and the referrals they made or were the friend of. */
  referrals: Record<string, unknown>[];
  /** The line items of their orders, and the refunded lines. */
  orderLines: Record<string, unknown>[];
  refundLines: Record<string, unknown>[];
  /** Their predicted future (purchases, P(active), CLV), the products recommended to them, and Shopify's own view. */
  prediction: Record<string, unknown> | null;
  recommendations: Record<string, unknown> | null;
  shopifyStats: Record<string, unknown> | null;
  /** Their LINE link (docs/line-link.md): the LINE user id, name, language, following; and any link in progress. */
  line: {
    link: Record<string, unknown> | null;
    /** Links in progress: when each started and expires, and whether it still can finish (no state, verifier or nonce). */
    attempts: { startedAt: string; expiresAt: string; inProgress: boolean; locale: string }[];
  };
  /** The messages sent or queued to them through LINE or Klaviyo (ChannelMessage: the delivery record). */
  channelMessages: Record<string, unknown>[];
  /** What the app last sent to Klaviyo about them (docs/klaviyo.md): consent seen, digest, job in flight. */
  klaviyo: Record<string, unknown> | null;
}

/** BigInt is not JSON: money columns become decimal strings of minor units. */
const plain = <T extends object>(row: T) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]));

/** Everything held about one customer of one shop, as plain JSON-safe data. */
export async function collectCustomerData(
  shop: string,
  customerId: string,
  orderIds: string[],
): Promise<CustomerDataReport> {
  const [customer, orders, state, history, sync, campaigns, points, redemptions, birthday, pointsTriggers] =
    await Promise.all([
      prisma.customer.findUnique({ where: { shop_id: { shop, id: customerId } } }),
      prisma.order.findMany({
        where: { shop, OR: [{ customerId }, { id: { in: orderIds } }] },
        orderBy: { id: "asc" },
      }),
      prisma.customerState.findUnique({ where: { shop_customerId: { shop, customerId } } }),
      prisma.customerStateChange.findMany({ where: { shop, customerId }, orderBy: { id: "asc" } }),
      prisma.customerSync.findUnique({ where: { shop_customerId: { shop, customerId } } }),
      prisma.campaignRecipient.findMany({ where: { shop, customerId }, orderBy: { id: "asc" } }),
      prisma.pointsEntry.findMany({ where: { shop, customerId }, orderBy: { id: "asc" } }),
      prisma.redemption.findMany({ where: { shop, customerId }, orderBy: { createdAt: "asc" } }),
      prisma.customerBirthday.findUnique({ where: { shop_customerId: { shop, customerId } } }),
      prisma.pointsFlowTrigger.findMany({
        where: { shop, customerId },
        orderBy: [{ createdAt: "asc" }, { sourceKey: "asc" }],
      }),
    ]);
  const orderIdsHeld = orders.map((o) => o.id);
  const [refunds, orderLines, refundLines, prediction, recommendations, shopifyStats, aggregate] = await Promise.all([
    prisma.refund.findMany({ where: { shop, orderId: { in: orderIdsHeld } }, orderBy: { id: "asc" } }),
    prisma.orderLine.findMany({ where: { shop, orderId: { in: orderIdsHeld } }, orderBy: { id: "asc" } }),
    prisma.refundLine.findMany({ where: { shop, orderId: { in: orderIdsHeld } }, orderBy: { id: "asc" } }),
    prisma.customerPrediction.findUnique({ where: { shop_customerId: { shop, customerId } } }),
    prisma.customerRecommendation.findUnique({ where: { shop_customerId: { shop, customerId } } }),
    prisma.customerShopifyStats.findUnique({ where: { shop_customerId: { shop, customerId } } }),
    prisma.customerAggregate.findUnique({ where: { shop_customerId: { shop, customerId } } }),
  ]);
  const imports = await importLinesNaming(shop, customerId, customer?.email ?? null);
  const referrals = await referralsNaming(shop, customerId, customer?.email ?? null);
  const due = await prisma.customerSyncDue.findUnique({ where: { shop_customerId: { shop, customerId } } });
  const [lineLink, lineAttempts, channelMessages] = await Promise.all([
    prisma.lineLink.findUnique({ where: { shop_customerId: { shop, customerId } } }),
    // The attempt's state, PKCE verifier and nonce are secrets of a flow, not data about the customer: only that a
    // link was in progress, when it started and when it expires (never selected, so never in the report).
    prisma.lineLoginAttempt.findMany({
      where: { shop, customerId },
      select: { createdAt: true, expiresAt: true, locale: true },
      orderBy: { createdAt: "asc" },
    }),
    prisma.channelMessage.findMany({ where: { shop, customerId }, orderBy: { id: "asc" } }),
  ]);
  const klaviyo = await prisma.klaviyoProfile.findUnique({ where: { shop_customerId: { shop, customerId } } });
  return {
    customer: customer && plain(customer),
    orders: orders.map(plain),
    refunds: refunds.map(plain),
    state: state && plain(state),
    history: history.map(plain),
    sync: sync || due ? { ...(sync && plain(sync)), changedSinceLastSync: due !== null } : null,
    campaigns: campaigns.map(plain),
    points: points.map(plain),
    redemptions: redemptions.map(plain),
    birthday: birthday && plain(birthday),
    imports,
    pointsTriggers: pointsTriggers.map(plain),
    referrals,
    orderLines: orderLines.map(plain),
    refundLines: refundLines.map(plain),
    prediction: prediction && plain(prediction),
    recommendations: recommendations && plain(recommendations),
    shopifyStats: shopifyStats && plain(shopifyStats),
    aggregate: aggregate && plain(aggregate),
    line: {
      link: lineLink && plain(lineLink),
      attempts: lineAttempts.map((a) => ({
        startedAt: a.createdAt.toISOString(),
        expiresAt: a.expiresAt.toISOString(),
        inProgress: a.expiresAt.getTime() > Date.now(),
        locale: a.locale,
      })),
    },
    channelMessages: channelMessages.map(plain),
    klaviyo: klaviyo && plain(klaviyo),
  };
}

/** The referral rows naming the customer: as referrer, as the friend who ordered, or by the friend's email. */
const referralWhere = (shop: string, customerId: string, email: string | null) => ({
  shop,
  OR: [
    { referrerId: customerId },
    { friendCustomerId: customerId },
    ...(email ? [{ friendEmail: email.trim().toLowerCase() }] : []),
  ],
});

async function referralsNaming(shop: string, customerId: string, email: string | null) {
  const [member, referrals] = await Promise.all([
    prisma.referralMember.findUnique({ where: { shop_customerId: { shop, customerId } } }),
    prisma.referral.findMany({ where: referralWhere(shop, customerId, email), orderBy: { createdAt: "asc" } }),
  ]);
  return [...(member ? [{ member: plain(member) }] : []), ...referrals.map((r) => ({ referral: plain(r) }))];
}

/** Lowercase texts a stored import report could name the customer by (a superset filter for the database). */
const importMarks = (customerId: string, email: string | null) => [
  customerId,
  ...(email ? [email.trim().toLowerCase()] : []),
];

/** The points imports whose stored dry run names the customer, with those lines only. */
async function importLinesNaming(shop: string, customerId: string, email: string | null) {
  const names = lineNamer(customerId, email);
  const runs = await prisma.pointsImport.findMany({
    where: { shop, OR: importMarks(customerId, email).map((text) => ({ report: { contains: text } })) },
    orderBy: { createdAt: "asc" },
  });
  return runs.flatMap(({ report, ...run }) => {
    const lines = (JSON.parse(report) as ImportReport).lines.filter(names);
    return lines.length ? [{ ...plain(run), lines }] : [];
  });
}

/** Erases one customer and the orders named (or owned by them) in one shop; returns what was erased. */
export async function eraseCustomerData(shop: string, customerId: string, orderIds: string[]) {
  return prisma.$transaction(async (tx) => {
    const doomed = await tx.order.findMany({
      where: { shop, OR: [{ customerId }, { id: { in: orderIds } }] },
      select: { id: true },
    });
    const doomedIds = doomed.map((o) => o.id);
    // Points imports' dry-run reports name customers by id and email: drop the lines naming this one (read the email
    // before the customer row goes). The imports' totals stay.
    const email =
      (await tx.customer.findUnique({ where: { shop_id: { shop, id: customerId } }, select: { email: true } }))
        ?.email ?? null;
    let importLines = 0;
    for (const run of await tx.pointsImport.findMany({
      where: { shop, OR: importMarks(customerId, email).map((text) => ({ report: { contains: text } })) },
      select: { id: true, report: true },
    })) {
      const { report, removed } = reportWithoutCustomer(JSON.parse(run.report) as ImportReport, customerId, email);
      importLines += removed;
      if (removed > 0)
        await tx.pointsImport.update({
          where: { shop_id: { shop, id: run.id } },
          data: { report: JSON.stringify(report) },
        });
    }
    const refunds = await tx.refund.deleteMany({ where: { shop, orderId: { in: doomedIds } } });
    const orderLines = await tx.orderLine.deleteMany({ where: { shop, orderId: { in: doomedIds } } });
    const refundLines = await tx.refundLine.deleteMany({ where: { shop, orderId: { in: doomedIds } } });
    const predictions = await tx.customerPrediction.deleteMany({ where: { shop, customerId } });
    const recommendations = await tx.customerRecommendation.deleteMany({ where: { shop, customerId } });
    const shopifyStats = await tx.customerShopifyStats.deleteMany({ where: { shop, customerId } });
    // Maintained aggregates (docs/decisions/0009) list orders: the customer's goes, and one of another owner whose
    // order is erased too is dropped and the shop's aggregates marked for a rebuild before its next full run.
    const owners = await tx.order.findMany({
      where: { shop, id: { in: doomedIds }, customerId: { not: null } },
      select: { customerId: true },
      distinct: ["customerId"],
    });
    const otherOwners = owners.map((o) => o.customerId!).filter((id) => id !== customerId);
    const aggregates = await tx.customerAggregate.deleteMany({
      where: { shop, customerId: { in: [customerId, ...otherOwners] } },
    });
    if (otherOwners.length > 0)
      await tx.customerAggregateBuild.upsert({
        where: { shop },
        create: { shop, stale: 1 },
        update: { stale: { increment: 1 } },
      });
    const orders = await tx.order.deleteMany({ where: { shop, id: { in: doomedIds } } });
    const customers = await tx.customer.deleteMany({ where: { shop, id: customerId } });
    const states = await tx.customerState.deleteMany({ where: { shop, customerId } });
    const stateChanges = await tx.customerStateChange.deleteMany({ where: { shop, customerId } });
    const syncs = await tx.customerSync.deleteMany({ where: { shop, customerId } });
    // Deleting their state and journal marks nothing (the triggers fire on writes): their mark goes here.
    const syncDue = await tx.customerSyncDue.deleteMany({ where: { shop, customerId } });
    const campaignRecipients = await tx.campaignRecipient.deleteMany({ where: { shop, customerId } });
    // Their points journal, and any entry of an erased order (one that moved from another customer): the journal is
    // append-only except for this erasure.
    const pointsEntries = await tx.pointsEntry.deleteMany({
      where: { shop, OR: [{ customerId }, { orderId: { in: doomedIds } }] },
    });
    const redemptions = await tx.redemption.deleteMany({ where: { shop, customerId } });
    const birthdays = await tx.customerBirthday.deleteMany({ where: { shop, customerId } });
    const pointsTriggers = await tx.pointsFlowTrigger.deleteMany({ where: { shop, customerId } });
    // Referrals: their code, and every referral naming them (as referrer, as the friend, by the friend's email).
    const referralMembers = await tx.referralMember.deleteMany({ where: { shop, customerId } });
    const referrals = await tx.referral.deleteMany({ where: referralWhere(shop, customerId, email) });
    // LINE and Klaviyo (docs/line-link.md): their LINE link, any link in progress, and every message's delivery record.
    const lineLinks = await tx.lineLink.deleteMany({ where: { shop, customerId } });
    const lineLoginAttempts = await tx.lineLoginAttempt.deleteMany({ where: { shop, customerId } });
    const channelMessages = await tx.channelMessage.deleteMany({ where: { shop, customerId } });
    const klaviyoProfiles = await tx.klaviyoProfile.deleteMany({ where: { shop, customerId } });
    // Earlier data requests about this customer hold copies of their data.
    const requests = await tx.complianceRequest.deleteMany({
      where: { shop, customerId, topic: "customers/data_request" },
    });
    // Reconciliation runs list their fixes per customer: drop this customer's (the run's totals stay).
    let reconcileFixes = 0;
    for (const run of await tx.reconcileRun.findMany({
      where: { shop, fixes: { contains: customerId } },
      select: { id: true, fixes: true },
    })) {
      const fixes = JSON.parse(run.fixes) as { customerId?: string }[];
      const kept = fixes.filter((f) => f.customerId !== customerId);
      reconcileFixes += fixes.length - kept.length;
      if (kept.length !== fixes.length)
        await tx.reconcileRun.update({ where: { id: run.id }, data: { fixes: JSON.stringify(kept) } });
    }
    return {
      customers: customers.count,
      orders: orders.count,
      refunds: refunds.count,
      orderLines: orderLines.count,
      refundLines: refundLines.count,
      predictions: predictions.count,
      recommendations: recommendations.count,
      shopifyStats: shopifyStats.count,
      customerAggregates: aggregates.count,
      customerStates: states.count,
      customerStateChanges: stateChanges.count,
      customerSyncs: syncs.count,
      customerSyncDue: syncDue.count,
      campaignRecipients: campaignRecipients.count,
      pointsEntries: pointsEntries.count,
      redemptions: redemptions.count,
      birthdays: birthdays.count,
      pointsTriggers: pointsTriggers.count,
      referralMembers: referralMembers.count,
      referrals: referrals.count,
      lineLinks: lineLinks.count,
      lineLoginAttempts: lineLoginAttempts.count,
      channelMessages: channelMessages.count,
      klaviyoProfiles: klaviyoProfiles.count,
      dataRequests: requests.count,
      reconcileFixes,
      importLines,
    };
  });
}

/** Erases every row the shop has in every table; the Shop row stays as a tombstone marked redacted. */
export async function eraseShopData(shop: string, at: Date) {
  return prisma.$transaction(async (tx) => {
    const erased = {
      sessions: (await tx.session.deleteMany({ where: { shop } })).count,
      customers: (await tx.customer.deleteMany({ where: { shop } })).count,
      orders: (await tx.order.deleteMany({ where: { shop } })).count,
      refunds: (await tx.refund.deleteMany({ where: { shop } })).count,
      backfillRuns: (await tx.backfillRun.deleteMany({ where: { shop } })).count,
      webhookDeliveries: (await tx.webhookDelivery.deleteMany({ where: { shop } })).count,
      complianceRequests: (await tx.complianceRequest.deleteMany({ where: { shop } })).count,
      customerStates: (await tx.customerState.deleteMany({ where: { shop } })).count,
      customerAggregates: (await tx.customerAggregate.deleteMany({ where: { shop } })).count,
      customerAggregateBuilds: (await tx.customerAggregateBuild.deleteMany({ where: { shop } })).count,
      customerStateChanges: (await tx.customerStateChange.deleteMany({ where: { shop } })).count,
      tierProgramVersions: (await tx.tierProgramVersion.deleteMany({ where: { shop } })).count,
      rfmSettings: (await tx.rfmSettings.deleteMany({ where: { shop } })).count,
      shopComputations: (await tx.shopComputation.deleteMany({ where: { shop } })).count,
      reconcileRuns: (await tx.reconcileRun.deleteMany({ where: { shop } })).count,
      syncSettings: (await tx.syncSettings.deleteMany({ where: { shop } })).count,
      customerSyncs: (await tx.customerSync.deleteMany({ where: { shop } })).count,
      customerSyncDue: (await tx.customerSyncDue.deleteMany({ where: { shop } })).count,
      syncRuns: (await tx.syncRun.deleteMany({ where: { shop } })).count,
      tierSegments: (await tx.tierSegment.deleteMany({ where: { shop } })).count,
      tierDiscounts: (await tx.tierDiscount.deleteMany({ where: { shop } })).count,
      proxySignatures: (await tx.proxySignature.deleteMany({ where: { shop } })).count,
      campaignRecipients: (await tx.campaignRecipient.deleteMany({ where: { shop } })).count,
      campaigns: (await tx.campaign.deleteMany({ where: { shop } })).count,
      campaignVariants: (await tx.campaignVariant.deleteMany({ where: { shop } })).count,
      pointsEntries: (await tx.pointsEntry.deleteMany({ where: { shop } })).count,
      pointsRulesVersions: (await tx.pointsRulesVersion.deleteMany({ where: { shop } })).count,
      redemptions: (await tx.redemption.deleteMany({ where: { shop } })).count,
      rewards: (await tx.reward.deleteMany({ where: { shop } })).count,
      customerBirthdays: (await tx.customerBirthday.deleteMany({ where: { shop } })).count,
      pointsImports: (await tx.pointsImport.deleteMany({ where: { shop } })).count,
      pointsFlowTriggers: (await tx.pointsFlowTrigger.deleteMany({ where: { shop } })).count,
      referralSettings: (await tx.referralSettings.deleteMany({ where: { shop } })).count,
      referralMembers: (await tx.referralMember.deleteMany({ where: { shop } })).count,
      referrals: (await tx.referral.deleteMany({ where: { shop } })).count,
      channelConnections: (await tx.channelConnection.deleteMany({ where: { shop } })).count,
      lineLinks: (await tx.lineLink.deleteMany({ where: { shop } })).count,
      lineLoginAttempts: (await tx.lineLoginAttempt.deleteMany({ where: { shop } })).count,
      channelMessages: (await tx.channelMessage.deleteMany({ where: { shop } })).count,
      channelTemplates: (await tx.channelTemplate.deleteMany({ where: { shop } })).count,
      klaviyoProfiles: (await tx.klaviyoProfile.deleteMany({ where: { shop } })).count,
      klaviyoImportJobs: (await tx.klaviyoImportJob.deleteMany({ where: { shop } })).count,
      klaviyoSyncRuns: (await tx.klaviyoSyncRun.deleteMany({ where: { shop } })).count,
      products: (await tx.product.deleteMany({ where: { shop } })).count,
      orderLines: (await tx.orderLine.deleteMany({ where: { shop } })).count,
      refundLines: (await tx.refundLine.deleteMany({ where: { shop } })).count,
      shopPredictions: (await tx.shopPrediction.deleteMany({ where: { shop } })).count,
      customerPredictions: (await tx.customerPrediction.deleteMany({ where: { shop } })).count,
      predictionSettings: (await tx.predictionSettings.deleteMany({ where: { shop } })).count,
      productAssociations: (await tx.productAssociation.deleteMany({ where: { shop } })).count,
      shopAffinities: (await tx.shopAffinity.deleteMany({ where: { shop } })).count,
      productExclusions: (await tx.productExclusion.deleteMany({ where: { shop } })).count,
      customerRecommendations: (await tx.customerRecommendation.deleteMany({ where: { shop } })).count,
      customerShopifyStats: (await tx.customerShopifyStats.deleteMany({ where: { shop } })).count,
      stateHistory: (await tx.stateHistory.deleteMany({ where: { shop } })).count,
      stateMoveHistory: (await tx.stateMoveHistory.deleteMany({ where: { shop } })).count,
      // After the orders and customers: the deltas their deletion just wrote go too (docs/ledger-counts.md).
      ledgerCountDeltas: (await tx.ledgerCountDelta.deleteMany({ where: { shop } })).count,
      ledgerCounts: (await tx.ledgerCount.deleteMany({ where: { shop } })).count,
    };
    await tx.shop.update({
      where: { shop },
      data: { status: "redacted", redactedAt: at, scope: null, currencyCode: null },
    });
    return erased;
  });
}

export function recordComplianceRequest(
  shop: string,
  request: { topic: string; customerId?: string; requestId?: string; summary: unknown },
) {
  return prisma.complianceRequest.create({
    data: {
      shop,
      topic: request.topic,
      customerId: request.customerId ?? null,
      requestId: request.requestId ?? null,
      summary: JSON.stringify(request.summary),
    },
  });
}

export function listComplianceRequests(shop: string) {
  return prisma.complianceRequest.findMany({ where: { shop }, orderBy: { receivedAt: "asc" } });
}
