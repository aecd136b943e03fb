// Streams a JSONL shop file (docs/shop-file-format.md) into a new simulated shop, one line at a time.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { ShopFileRecord } from "../shop-file/types";
import type { ShopState, Store } from "./store";

export async function loadShopFile(store: Store, path: string): Promise<ShopState> {
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let shop: ShopState | undefined;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === "") continue;
    let record: ShopFileRecord;
    try {
      record = JSON.parse(line) as ShopFileRecord;
    } catch (error) {
      throw new Error(`${path}:${lineNumber}: not JSON (${(error as Error).message})`);
    }
    if (!shop) {
      if (record.__typename !== "Shop")
        throw new Error(`${path}:${lineNumber}: the first line must be the Shop record`);
      shop = store.add(record);
      continue;
    }
    switch (record.__typename) {
      case "Product":
        shop.putProduct(record);
        break;
      case "Customer":
        shop.putCustomer(record);
        break;
      case "Order":
        shop.putOrder(record);
        break;
      case "Refund":
        shop.putRefund(record);
        break;
      default:
        throw new Error(
          `${path}:${lineNumber}: unexpected record type ${(record as { __typename: string }).__typename}`,
        );
    }
  }
  if (!shop) throw new Error(`${path}: empty shop file`);
  return shop;
}
