/** A process-model fit as a soil scientist would make it: each fitting scale tried, the better one on validation refitted on the whole history. */
import type { FitPoints, FittedModel } from "./fit-flux.ts";

/** One way of fitting a model: on the flux scale (least squares on R) or in log space (on ln R, with smearing). */
export interface FitVariant {
  scale: "flux" | "log";
  fit: (pts: FitPoints) => FittedModel | null;
}

/** Fewest validation points on which the two scales are compared; with fewer the flux-scale fit is kept. */
export const MIN_CHOICE_POINTS = 5;

/** The chosen fit, its scale, and the validation mean squared error of each variant (NaN where it has none). */
export interface HistoryFit {
  /** The chosen variant refitted on training + validation points. */
  fit: FittedModel;
  /** The chosen variant fitted on the training points alone (null if it could not be, or validation was too short). */
  trainFit: FittedModel | null;
  scale: FitVariant["scale"];
  validationMse: Record<FitVariant["scale"], number>;
}

function concat(a: FitPoints, b: FitPoints): FitPoints {
  return { tsoil: [...a.tsoil, ...b.tsoil], swc: [...a.swc, ...b.swc], flux: [...a.flux, ...b.flux] };
}

function mse(pts: FitPoints, predict: (i: number) => number): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < pts.flux.length; i++) {
    const e = predict(i) - pts.flux[i]!;
    if (!Number.isFinite(e)) continue;
    s += e * e;
    n++;
  }
  return n > 0 ? s / n : Number.NaN;
}

/**
 * Fit every variant on the training points, score each on the validation points (mean squared error of the flux,
 * the quantity NSE rewards), keep the better one and refit it on training + validation points: the model then
 * has exactly the history the network has (its training and validation days), and the scale is chosen without
 * looking at the test days. With fewer than {@link MIN_CHOICE_POINTS} validation points the first variant is kept.
 * @param predict the model's flux for fitted parameters at point `i` of `pts`
 * @returns null if no variant can be fitted on the whole history
 */
export function fitOnHistory(
  train: FitPoints,
  val: FitPoints,
  variants: readonly FitVariant[],
  predict: (params: Record<string, number>, pts: FitPoints, i: number) => number,
): HistoryFit | null {
  const validationMse = { flux: Number.NaN, log: Number.NaN };
  let best: FitVariant | undefined;
  let bestTrainFit: FittedModel | null = null;
  if (val.flux.length >= MIN_CHOICE_POINTS) {
    for (const v of variants) {
      const f = v.fit(train);
      if (!f) continue;
      const e = mse(val, (i) => predict(f.params, val, i));
      validationMse[v.scale] = e;
      if (Number.isFinite(e) && (best === undefined || e < validationMse[best.scale])) {
        best = v;
        bestTrainFit = f;
      }
    }
  }
  const order = best ? [best, ...variants.filter((v) => v !== best)] : variants;
  const all = concat(train, val);
  for (const v of order) {
    const fit = v.fit(all);
    if (fit) return { fit, trainFit: v === best ? bestTrainFit : null, scale: v.scale, validationMse };
  }
  return null;
}
