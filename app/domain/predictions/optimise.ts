// Derivative-free minimisation: the Nelder–Mead simplex method (Nelder & Mead 1965, "A simplex method for function
// minimization", Computer Journal 7, 308–313) with the standard coefficients (reflection 1, expansion 2, contraction
// ½, shrink ½), and restarts: after convergence the simplex is rebuilt around the best point and the search runs
// again, until a restart no longer improves the minimum by more than the tolerance (this guards against the known
// premature collapse of the simplex; Press et al., Numerical Recipes §10.5, recommend exactly this). Pure, no I/O.
//
// The objective may return a non-finite value (NaN or ±Infinity) for points outside its domain; those are treated as
// +Infinity so the simplex moves away from them.

export type NelderMeadOptions = {
  /** Side of the initial simplex along each axis (default 0.5, or per axis). */
  step?: number | number[];
  /** Stop when the spread of the simplex's values and its size are both below these (defaults 1e-10, 1e-10). */
  fTolerance?: number;
  xTolerance?: number;
  /** Evaluations per run (default 20000) and restarts after the first run (default 10). */
  maxEvaluations?: number;
  maxRestarts?: number;
};

export type NelderMeadResult = {
  x: number[];
  value: number;
  evaluations: number;
  restarts: number;
  /** True when the last run met the tolerances (not stopped by maxEvaluations) and a restart did not improve it. */
  converged: boolean;
};

function safe(f: (x: number[]) => number): (x: number[]) => number {
  return (x) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
}

type Run = { x: number[]; value: number; evaluations: number; converged: boolean };

function run(
  f: (x: number[]) => number,
  start: number[],
  steps: number[],
  fTol: number,
  xTol: number,
  maxEval: number,
): Run {
  const n = start.length;
  const simplex: number[][] = [start.slice()];
  for (let i = 0; i < n; i++) {
    const p = start.slice();
    p[i] += steps[i];
    simplex.push(p);
  }
  const values = simplex.map(f);
  let evaluations = n + 1;
  const order = simplex.map((_, i) => i);
  while (true) {
    order.sort((i, j) => values[i] - values[j]);
    const best = order[0];
    const worst = order[n];
    const second = order[n - 1];
    let size = 0;
    for (let i = 1; i <= n; i++) {
      for (let k = 0; k < n; k++) size = Math.max(size, Math.abs(simplex[order[i]][k] - simplex[best][k]));
    }
    const spread = Math.abs(values[worst] - values[best]);
    if (spread <= fTol * (Math.abs(values[best]) + fTol) && size <= xTol) {
      return { x: simplex[best].slice(), value: values[best], evaluations, converged: true };
    }
    if (evaluations >= maxEval) return { x: simplex[best].slice(), value: values[best], evaluations, converged: false };
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) centroid[k] += simplex[order[i]][k] / n;
    const towards = (coef: number) => centroid.map((c, k) => c + coef * (simplex[worst][k] - c));
    const reflected = towards(-1);
    const fr = f(reflected);
    evaluations++;
    if (fr < values[best]) {
      const expanded = towards(-2);
      const fe = f(expanded);
      evaluations++;
      if (fe < fr) {
        simplex[worst] = expanded;
        values[worst] = fe;
      } else {
        simplex[worst] = reflected;
        values[worst] = fr;
      }
      continue;
    }
    if (fr < values[second]) {
      simplex[worst] = reflected;
      values[worst] = fr;
      continue;
    }
    const outside = fr < values[worst];
    const contracted = towards(outside ? -0.5 : 0.5);
    const fc = f(contracted);
    evaluations++;
    if (fc < (outside ? fr : values[worst])) {
      simplex[worst] = contracted;
      values[worst] = fc;
      continue;
    }
    for (let i = 1; i <= n; i++) {
      const j = order[i];
      simplex[j] = simplex[j].map((v, k) => simplex[best][k] + 0.5 * (v - simplex[best][k]));
      values[j] = f(simplex[j]);
      evaluations++;
    }
  }
}

/** Minimises f from `start` by Nelder–Mead with restarts. */
export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  if (start.length === 0) throw new RangeError("nelderMead: start must have at least one coordinate");
  if (!start.every(Number.isFinite)) throw new RangeError("nelderMead: start must be finite");
  const g = safe(f);
  const step = options.step ?? 0.5;
  const steps = typeof step === "number" ? start.map(() => step) : step;
  if (steps.length !== start.length) throw new RangeError("nelderMead: one step per coordinate");
  const fTol = options.fTolerance ?? 1e-10;
  const xTol = options.xTolerance ?? 1e-10;
  const maxEval = options.maxEvaluations ?? 20000;
  const maxRestarts = options.maxRestarts ?? 10;
  let current = run(g, start, steps, fTol, xTol, maxEval);
  let evaluations = current.evaluations;
  let restarts = 0;
  let settled = maxRestarts === 0;
  while (restarts < maxRestarts) {
    const restartSteps = steps.map((s, k) => Math.max(Math.abs(s) * 0.1, Math.abs(current.x[k]) * 0.05, 1e-3));
    const next = run(g, current.x, restartSteps, fTol, xTol, maxEval);
    evaluations += next.evaluations;
    restarts++;
    const improved = current.value - next.value > fTol * (Math.abs(current.value) + fTol);
    if (next.value <= current.value) current = next;
    if (!improved) {
      settled = true;
      break;
    }
  }
  const converged = settled && current.converged && Number.isFinite(current.value);
  return { x: current.x, value: current.value, evaluations, restarts, converged };
}
