// The shop's access record: what Shopify last refused for lack of access, and the jobs parked until it is granted
// (Shop.accessProblem, Shop.parkedJobs, JSON). Read and changed in one transaction so a job parking itself and a
// scopes update arriving at once cannot lose each other's change.
import { prisma } from "../db.server";
import type { RecordedProblem } from "../domain/access";

export interface ParkedJob {
  kind: string;
  payload: unknown;
}

export interface ShopAccess {
  /** The access scopes granted to the installation (from the token exchange and app/scopes_update). */
  granted: string[];
  problems: RecordedProblem[];
  parked: ParkedJob[];
}

function parse<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function fromRow(
  row: { scope: string | null; accessProblem: string | null; parkedJobs: string | null } | null,
): ShopAccess {
  return {
    granted: row?.scope ? row.scope.split(",").filter(Boolean) : [],
    problems: parse<RecordedProblem[]>(row?.accessProblem, []),
    parked: parse<ParkedJob[]>(row?.parkedJobs, []),
  };
}

export async function getShopAccess(shop: string): Promise<ShopAccess> {
  return fromRow(
    await prisma.shop.findUnique({ where: { shop }, select: { scope: true, accessProblem: true, parkedJobs: true } }),
  );
}

/** Reads the record, lets `change` decide the new problems and parked jobs, and writes them, in one transaction. */
export async function updateShopAccess<R>(
  shop: string,
  change: (access: ShopAccess) => { problems: RecordedProblem[]; parked: ParkedJob[]; result: R },
): Promise<R> {
  return prisma.$transaction(async (tx) => {
    const row = await tx.shop.findUnique({
      where: { shop },
      select: { scope: true, accessProblem: true, parkedJobs: true },
    });
    const { problems, parked, result } = change(fromRow(row));
    if (row) {
      await tx.shop.updateMany({
        where: { shop },
        data: {
          accessProblem: problems.length ? JSON.stringify(problems) : null,
          parkedJobs: parked.length ? JSON.stringify(parked) : null,
        },
      });
    }
    return result;
  });
}
