/** Prediction intervals from a model's own errors: empirical quantiles of ln(observed / predicted), applied as factors. */

/** The interval soilco2 gives: 10% to 90%, i.e. 80% nominal coverage. */
export const INTERVAL_QUANTILES = { lower: 0.1, upper: 0.9 } as const;

/**
 * Widening of the fitted log-quantiles about their median, q' = m + κ·(q − m): the errors of a later period are wider
 * than those of the days an interval is fitted on (a site's level drifts). κ is chosen on validation days (docs/training.md,
 * *Site calibration*).
 */
export const INTERVAL_WIDENING = 1.5;

/** Fewest pairs an interval is fitted on; with fewer there is no interval. */
export const MIN_INTERVAL_DAYS = 20;

/** Multiplicative interval: efflux × lower … efflux × upper; `days`: the pairs it was fitted on. */
export interface RatioInterval {
  lower: number;
  upper: number;
  days: number;
}

/** Empirical quantile `q` of sorted values, with linear interpolation (type 7, the R and numpy default). */
function quantileSorted(v: readonly number[], q: number): number {
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(v.length - 1, lo + 1);
  return v[lo]! + (h - lo) * (v[hi]! - v[lo]!);
}

/**
 * Fit the interval on pairs of observed and predicted efflux (µmol m-2 s-1): the 10% and 90% quantiles of
 * ln(obs / pred) over the pairs where both are > 0, as factors exp(q). Split-conformal in spirit: fitted on days
 * the model's parameters were not fitted on, it covers about 80% of such days.
 * @returns null with fewer than {@link MIN_INTERVAL_DAYS} usable pairs
 */
export function fitRatioInterval(
  obs: ArrayLike<number>,
  pred: ArrayLike<number>,
  widening = INTERVAL_WIDENING,
): RatioInterval | null {
  const r: number[] = [];
  for (let i = 0; i < obs.length; i++) if (obs[i]! > 0 && pred[i]! > 0) r.push(Math.log(obs[i]! / pred[i]!));
  if (r.length < MIN_INTERVAL_DAYS) return null;
  r.sort((a, b) => a - b);
  const m = quantileSorted(r, 0.5);
  const widen = (q: number) => Math.exp(m + widening * (quantileSorted(r, q) - m));
  return { lower: widen(INTERVAL_QUANTILES.lower), upper: widen(INTERVAL_QUANTILES.upper), days: r.length };
}

/** Share of observed values inside [pred·lower, pred·upper] (NaN observations skipped; NaN if none). */
export function intervalCoverage(obs: ArrayLike<number>, pred: ArrayLike<number>, iv: RatioInterval): number {
  let inside = 0;
  let n = 0;
  for (let i = 0; i < obs.length; i++) {
    const o = obs[i]!;
    if (Number.isNaN(o) || !Number.isFinite(pred[i]!)) continue;
    n++;
    if (o >= pred[i]! * iv.lower && o <= pred[i]! * iv.upper) inside++;
  }
  return n > 0 ? inside / n : Number.NaN;
}
