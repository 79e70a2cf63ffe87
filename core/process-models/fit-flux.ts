/** Least-squares fits of the process models (Levenberg-Marquardt on the flux itself, so the fit targets NSE). */
import { levenbergMarquardt } from "ml-levenberg-marquardt";
import { lloydTaylorModel, q10Model, q10MoistureModel } from "./models.ts";

/** Training points of one fit: soil temperature (°C), soil moisture (m3 m-3, NaN if unused) and flux. */
export interface FitPoints {
  tsoil: number[];
  swc: number[];
  flux: number[];
}

/** Fitted parameters by name, with the fit's number of points. */
export interface FittedModel {
  params: Record<string, number>;
  n: number;
}

/** Fewest points a fit accepts. */
export const MIN_FIT_POINTS = 10;

function medianOf(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 1;
}

function fitLeastSquares(
  pts: FitPoints,
  names: string[],
  initial: number[],
  min: number[],
  max: number[],
  f: (p: number[], i: number) => number,
): FittedModel | null {
  const n = pts.flux.length;
  if (n < MIN_FIT_POINTS) return null;
  const result = levenbergMarquardt(
    { x: Array.from({ length: n }, (_, i) => i), y: pts.flux },
    (p: number[]) => (i: number) => f(p, i),
    {
      initialValues: initial,
      minValues: min,
      maxValues: max,
      maxIterations: 200,
      gradientDifference: 1e-4,
      damping: 1e-2,
    },
  );
  const params = Object.fromEntries(names.map((k, i) => [k, result.parameterValues[i]!]));
  if (!Object.values(params).every(Number.isFinite)) return null;
  return { params, n };
}

/** Fit R10 and Q10 (bounded to [0.5, 20]). */
export function fitQ10(pts: FitPoints): FittedModel | null {
  return fitLeastSquares(pts, ["r10", "q10"], [medianOf(pts.flux), 2], [0, 0.5], [200, 20], (p, i) =>
    q10Model(p[0]!, p[1]!, pts.tsoil[i]!),
  );
}

/** Fit R10 and E0 (bounded to [0, 2000] K) of Lloyd-Taylor. */
export function fitLloydTaylor(pts: FitPoints): FittedModel | null {
  return fitLeastSquares(pts, ["r10", "e0"], [medianOf(pts.flux), 308.56], [0, 0], [200, 2000], (p, i) =>
    lloydTaylorModel(p[0]!, p[1]!, pts.tsoil[i]!),
  );
}

/** Fit R10, Q10 and the moisture terms c1, c2 of the Q10-moisture model. */
export function fitQ10Moisture(pts: FitPoints): FittedModel | null {
  return fitLeastSquares(
    pts,
    ["r10", "q10", "c1", "c2"],
    [medianOf(pts.flux), 2, 0, 0],
    [0, 0.5, -100, -200],
    [200, 20, 100, 200],
    (p, i) => q10MoistureModel(p[0]!, p[1]!, p[2]!, p[3]!, pts.tsoil[i]!, pts.swc[i]!),
  );
}
