// The CLI's `predict` command (app/cli.server.ts): fit on the ledger as of a moment and print the parameters and
// every customer's predictions — as text, or as exactly one JSON object (--json). Writes nothing unless --save.
import { getShop } from "../models/shop.server";
import { computePredictions, refitPredictions, type PredictionRun } from "./predictions.server";

type Out = { log(text: string): void; error(text: string): void };

/**
 * Waits until what was written to stdout is handed to the OS: the CLI exits right after the command, and stdout to a
 * pipe is asynchronous in Node, so a large JSON object would otherwise be cut short.
 */
const flushStdout = () => new Promise<void>((resolve) => process.stdout.write("", () => resolve()));

/** The JSON object `predict --json` prints (money as decimal strings of minor units: exact beyond 2^53). */
export function predictionJson(run: PredictionRun, saved: boolean) {
  return {
    asOf: run.asOf,
    asOfDay: run.asOfDay,
    timeZone: run.timeZone,
    timeUnit: run.timeUnit,
    status: run.status,
    reason: run.reason,
    customers: run.customers,
    repeaters: run.repeaters,
    historyDays: run.historyDays,
    orders: run.orders,
    rules: run.rules,
    bgnbd: run.bgnbd,
    gammaGamma: run.gammaGamma,
    bandCuts: run.bandCuts,
    settings: run.settings,
    backtest: run.backtest,
    timings: run.timings,
    saved,
    predictions: run.predictions.map((p) => ({
      customerId: p.customerId,
      x: p.x,
      tx: p.tx,
      T: p.T,
      pAlive: p.pAlive,
      expected90: p.expected90,
      expected365: p.expected365,
      avgSpendMinor: String(p.avgSpendMinor),
      clv12Minor: String(p.clv12Minor),
      band: p.band,
    })),
  };
}

export async function predictCommand(
  shop: string,
  { asOf, json, save }: { asOf: Date; json: boolean; save: boolean },
  out: Out,
): Promise<number> {
  if (!(await getShop(shop))) {
    out.error(`unknown shop ${shop}: the ledger holds nothing for it`);
    return 1;
  }
  const run = save ? await refitPredictions(shop, { asOf }) : await computePredictions(shop, { asOf });
  if (json) {
    out.log(JSON.stringify(predictionJson(run, save)));
    await flushStdout();
    return 0;
  }
  const n = (v: number, digits = 4) => v.toFixed(digits);
  const lines = [
    `shop ${shop} as of ${run.asOf} (day ${run.asOfDay}, ${run.timeZone}); time unit: week`,
    `status ${run.status}${run.reason ? ` (${run.reason})` : ""}: ${run.customers} customers, ${run.repeaters} repeaters, ${run.historyDays} days of history, ${run.orders} orders`,
  ];
  if (run.bgnbd)
    lines.push(
      `BG/NBD r=${n(run.bgnbd.r)} alpha=${n(run.bgnbd.alpha)} a=${n(run.bgnbd.a)} b=${n(run.bgnbd.b)} LL=${n(run.bgnbd.logLikelihood, 2)}`,
    );
  if (run.gammaGamma)
    lines.push(
      `Gamma-Gamma p=${n(run.gammaGamma.p)} q=${n(run.gammaGamma.q)} gamma=${n(run.gammaGamma.gamma)} on ${run.gammaGamma.customers} repeaters`,
    );
  if (run.bandCuts)
    lines.push(`CLV bands: high from ${run.bandCuts.high}, medium from ${run.bandCuts.medium} (minor units)`);
  if (run.backtest?.status === "fitted")
    lines.push(
      `back-test from ${run.backtest.calibrationDay} over ${run.backtest.holdoutDays} days: predicted ${n(run.backtest.predicted, 1)} purchase days, actual ${run.backtest.actual}`,
    );
  else if (run.backtest) lines.push(`back-test: ${run.backtest.status} (${run.backtest.reason})`);
  lines.push(save ? "saved" : "not saved (--save stores it)");
  lines.push(
    [
      "customer",
      "x",
      "t_x",
      "T",
      "p_active",
      "expected_90d",
      "expected_365d",
      "avg_spend_minor",
      "clv12_minor",
      "band",
    ].join("\t"),
  );
  for (const p of run.predictions)
    lines.push(
      [
        p.customerId,
        p.x,
        n(p.tx),
        n(p.T),
        n(p.pAlive),
        n(p.expected90),
        n(p.expected365),
        p.avgSpendMinor,
        p.clv12Minor,
        p.band,
      ].join("\t"),
    );
  out.log(lines.join("\n"));
  await flushStdout();
  return 0;
}
