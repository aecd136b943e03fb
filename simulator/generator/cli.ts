// Command line: write a synthetic shop file.
//   npx tsx simulator/generator/cli.ts --preset demo --seed 42 --out tmp/demo.jsonl
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { PRESETS, type GeneratorInput, type PresetName } from "./options";
import { writeShopFile } from "./write";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { generateBgNbdHistory, type BgNbdHistoryOptions } from "./bgnbd-history";

const USAGE = `Usage: npx tsx simulator/generator/cli.ts --out <file.jsonl> [options]

  --preset <name>              ${Object.keys(PRESETS).join(" | ")}
  --seed <integer|text>        same seed and options give the same bytes (default 1)
  --customers <n>              --years <n>              --end-date <ISO-8601>
  --currency <USD|JPY|THB|EUR|GBP>   --shop-domain <x.myshopify.com>   --name <text>
  --plan <standard|advanced|plus>    --orders-per-customer <mean>
  --guest-order-share <0..1>   --test-order-share <0..1>   --cancel-share <0..1>
  --refund-share <0..1>        --edit-share <0..1>
  --no-truth                   do not write <file>.truth.json
  --quiet                      no progress on stderr
  --bgnbd <r,alpha,a,b>        instead: a shop whose customers follow BG/NBD with these parameters (alpha in weeks)
                               and Gamma-Gamma spend --spend <p,q,gamma> (gamma in minor units; default 6,4,1500)
                               over --weeks <n> (default 104); with --seed, --customers, --end-date, --currency,
                               --shop-domain (simulator/generator/bgnbd-history.ts, docs/predictions.md)`;

function main(): Promise<void> | void {
  const { values } = parseArgs({
    options: {
      out: { type: "string", short: "o" },
      preset: { type: "string" },
      seed: { type: "string" },
      customers: { type: "string" },
      years: { type: "string" },
      "end-date": { type: "string" },
      currency: { type: "string" },
      "shop-domain": { type: "string" },
      name: { type: "string" },
      plan: { type: "string" },
      "orders-per-customer": { type: "string" },
      "guest-order-share": { type: "string" },
      "test-order-share": { type: "string" },
      "cancel-share": { type: "string" },
      "refund-share": { type: "string" },
      "edit-share": { type: "string" },
      "no-truth": { type: "boolean" },
      bgnbd: { type: "string" },
      spend: { type: "string" },
      weeks: { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.out) throw new UsageError("--out is required");
  if (values.preset !== undefined && !(values.preset in PRESETS)) {
    throw new UsageError(`unknown preset "${values.preset}"`);
  }
  if (values.bgnbd !== undefined) return runBgNbd(values.out, values);
  const input: GeneratorInput = {
    preset: values.preset as PresetName | undefined,
    seed: values.seed === undefined ? undefined : /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed,
    customers: number(values.customers, "--customers"),
    years: number(values.years, "--years"),
    endDate: values["end-date"],
    currency: values.currency?.toUpperCase(),
    shopDomain: values["shop-domain"],
    name: values.name,
    plan: values.plan as GeneratorInput["plan"],
    ordersPerCustomer: number(values["orders-per-customer"], "--orders-per-customer"),
    guestOrderShare: number(values["guest-order-share"], "--guest-order-share"),
    testOrderShare: number(values["test-order-share"], "--test-order-share"),
    cancelShare: number(values["cancel-share"], "--cancel-share"),
    refundShare: number(values["refund-share"], "--refund-share"),
    editShare: number(values["edit-share"], "--edit-share"),
  };
  return run(values.out, input, !values["no-truth"], !values.quiet);
}

async function run(out: string, input: GeneratorInput, truthFile: boolean, progress: boolean): Promise<void> {
  const started = performance.now();
  const result = await writeShopFile(input, out, {
    truthFile,
    onProgress: progress ? (n) => process.stderr.write(`\r${n.toLocaleString("en-US")} records…`) : undefined,
    progressEvery: 100_000,
  });
  if (progress) process.stderr.write("\r");
  const seconds = (performance.now() - started) / 1000;
  const { records, orders, customers } = result.truth;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const lines = [
    `wrote ${out} (${(result.bytes / 1_048_576).toFixed(1)} MB)${result.truthPath ? ` and ${result.truthPath}` : ""}`,
    `customers ${records.customers}  orders ${records.orders}  refunds ${records.refunds}`,
    `  guest ${orders.guest}  test ${orders.test}  cancelled ${orders.cancelled}  edited ${orders.edited}` +
      `  refunded ${orders.refunded}  discounted ${orders.discounted}`,
    `  qualifying orders ${orders.qualifying}  customers with a qualifying order ${customers.qualifying}`,
    `time ${seconds.toFixed(2)} s  (${Math.round(records.orders / seconds).toLocaleString("en-US")} orders/s)` +
      `  peak RSS ${maxRssMb.toFixed(0)} MB`,
  ];
  console.log(lines.join("\n"));
}

/** A shop file from known BG/NBD and Gamma-Gamma parameters (simulator/generator/bgnbd-history.ts). */
async function runBgNbd(out: string, values: Record<string, string | boolean | undefined>): Promise<void> {
  const numbers = (text: string | undefined, count: number, flag: string) => {
    const parts = (text ?? "").split(",").map(Number);
    if (parts.length !== count || parts.some((n) => !Number.isFinite(n) || n <= 0))
      throw new UsageError(`${flag} needs ${count} positive numbers separated by commas, got "${text}"`);
    return parts;
  };
  const [r, alpha, a, b] = numbers(values.bgnbd as string, 4, "--bgnbd");
  const [p, q, gamma] = values.spend === undefined ? [6, 4, 1500] : numbers(values.spend as string, 3, "--spend");
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer here, got "${values.seed}"`);
  const options: Partial<BgNbdHistoryOptions> = {
    seed,
    bgnbd: { r, alpha, a, b },
    spend: { p, q, gamma },
    ...(values.customers === undefined ? {} : { customers: number(values.customers as string, "--customers") }),
    ...(values.weeks === undefined ? {} : { weeks: number(values.weeks as string, "--weeks") }),
    ...(values["end-date"] === undefined ? {} : { endDate: values["end-date"] as string }),
    ...(values.currency === undefined ? {} : { currency: (values.currency as string).toUpperCase() }),
    ...(values["shop-domain"] === undefined ? {} : { shopDomain: values["shop-domain"] as string }),
  };
  const stream = createWriteStream(out);
  let records = 0;
  for (const record of generateBgNbdHistory(options)) {
    if (!stream.write(JSON.stringify(record) + "\n")) await once(stream, "drain");
    records++;
  }
  stream.end();
  await once(stream, "finish");
  console.log(`wrote ${out}: ${records} records`);
}

class UsageError extends Error {}

function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got "${value}"`);
  return n;
}

try {
  await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof UsageError ? `${message}\n\n${USAGE}` : `error: ${message}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
