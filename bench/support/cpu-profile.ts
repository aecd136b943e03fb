// Where a `node --cpu-prof` profile's time went: self and inclusive time per package (or node core area, or the
// app's own build), the functions with the most self time, and inclusive time of named functions.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Time the process was not idle. */
  busyMs: number;
  byArea: { area: string; selfMs: number; inclusiveMs: number }[];
  topFunctions: { name: string; area: string; selfMs: number }[];
  functions: { name: string; inclusiveMs: number }[];
}

/**
 * The package a script belongs to (the outermost one: a nested dependency such as the adapter's better-sqlite3
 * counts with the package that brought it), "node:<area>" for node's own code, "app" for the server build.
 */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.replaceAll("\\", "/"));
  if (packageMatch) return packageMatch[1];
  if (url.startsWith("node:")) {
    const area = url
      .slice("node:".length)
      .replace(/^internal\/(deps\/)?/, "")
      .split("/")[0];
    return `node:${area.replace(/\.js$/, "")}`;
  }
  if (url.includes("/build/server/")) return "app (build/server)";
  if (url.endsWith("/server.mjs")) return "app (server.mjs)";
  return url;
}

/**
 * `window` (µs on the monotonic clock process.hrtime reads, which V8's profiler shares on Linux) keeps only the
 * samples taken under load, leaving out start-up (module loading) and shutdown.
 */
export function summarizeCpuProfile(
  file: string,
  window: { fromUs: number; toUs: number },
  functionNames: string[],
  top = 25,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfByNode = new Map<number, number>();
  let clock = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    clock += delta;
    if (clock < window.fromUs || clock > window.toUs) return;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta);
  });

  const areaSelf = new Map<string, number>();
  const areaInclusive = new Map<string, number>();
  const functionSelf = new Map<string, { area: string; us: number }>();
  const named = new Map(functionNames.map((n) => [n, 0]));
  let totalUs = 0;
  let idleUs = 0;

  for (const [id, us] of selfByNode) {
    totalUs += us;
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const area = areaOf(url, functionName);
    areaSelf.set(area, (areaSelf.get(area) ?? 0) + us);
    const key =
      `${functionName || "(anonymous)"} ${url ? `${url.replace(/^.*node_modules\//, "")}:${lineNumber + 1}` : ""}`.trim();
    const entry = functionSelf.get(key) ?? { area, us: 0 };
    entry.us += us;
    functionSelf.set(key, entry);

    // Inclusive: every area and named function on this sample's stack gets the sample once.
    const areasOnStack = new Set<string>();
    const namesOnStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.functionName === "(root)") continue;
      areasOnStack.add(areaOf(frame.url, frame.functionName));
      if (named.has(frame.functionName)) namesOnStack.add(frame.functionName);
    }
    for (const a of areasOnStack) areaInclusive.set(a, (areaInclusive.get(a) ?? 0) + us);
    for (const n of namesOnStack) named.set(n, named.get(n)! + us);
  }

  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    totalMs: ms(totalUs),
    busyMs: ms(totalUs - idleUs),
    byArea: [...areaSelf.keys()]
      .map((area) => ({ area, selfMs: ms(areaSelf.get(area)!), inclusiveMs: ms(areaInclusive.get(area) ?? 0) }))
      .sort((a, b) => b.selfMs - a.selfMs),
    topFunctions: [...functionSelf.entries()]
      .map(([name, { area, us }]) => ({ name, area, selfMs: ms(us) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top),
    functions: [...named.entries()].map(([name, us]) => ({ name, inclusiveMs: ms(us) })),
  };
}
