// Accessibility check with axe-core (Deque's engine) injected into the page: the violations of impact "serious" or
// "critical", each as "rule: element" lines a failing assertion prints readably.
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

export async function seriousViolations(page: Page): Promise<string[]> {
  return (await violations(page)).filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.line);
}

/** Every violation, whatever its impact: for pages that must be entirely clean (the shoppers' loyalty page). */
export async function allViolations(page: Page): Promise<string[]> {
  return (await violations(page)).map((v) => `${v.impact}: ${v.line}`);
}

async function violations(page: Page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResult> } }).axe.run());
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => ({ impact: v.impact, line: `${v.id} (${v.help}): ${JSON.stringify(n.target)}` })),
  );
}
