/** A site's reference statistics from its own daily measurements: the optional site attributes of the `prior` head. */
import { Matrix, solve } from "ml-matrix";
import { findFeature } from "./features.ts";
import { PRIOR_DEFAULT_Q10, Q10_STEP_C } from "./prior.ts";
import { REFERENCE_STAT_NAMES } from "./reference-names.ts";

/** The statistics, in the catalog's units (core/features.ts); NaN where they cannot be computed. */
export interface ReferenceStats {
  /** Mean daily efflux, µmol m-2 s-1 (negative means are set to 0). */
  flux_ref: number;
  /** Standard deviation of the daily efflux, µmol m-2 s-1. */
  flux_sd: number;
  /** Mean soil temperature on the days with efflux, °C. */
  tsoil_ref: number;
  /** exp(10·b) of ln(efflux) = a + b·tsoil, clamped to the catalog's range 1..10 (see {@link q10FromLogLinear}). */
  flux_q10: number;
  /** Mean soil moisture of the moisture fit's days, m3 m-3 (see {@link moistureResponse}). */
  swc_ref: number;
  /** Moisture response, linear term, (m3 m-3)-1. */
  flux_swc_c1: number;
  /** Moisture response, quadratic term, (m3 m-3)-2. */
  flux_swc_c2: number;
}

/** Names of {@link ReferenceStats}, in catalog order. */
export { REFERENCE_STAT_NAMES };

REFERENCE_STAT_NAMES satisfies readonly (keyof ReferenceStats)[];

/**
 * A site's reference statistics over a reference period, as training computes them on the training period (one
 * definition for training, the CLI and the HTTP API): `flux_ref` and `flux_sd`, the mean and standard deviation of the
 * daily efflux; `tsoil_ref`, the mean soil temperature on those days; `flux_q10` from the days with efflux > 0 and
 * soil temperature; `swc_ref`, `flux_swc_c1`, `flux_swc_c2` from the days that also have soil moisture.
 * @param flux daily mean efflux, µmol m-2 s-1, NaN where not measured (or outside the reference period)
 * @param tsoil daily mean soil temperature, °C, NaN where missing; same length as `flux`
 * @param swc daily mean soil water content, m3 m-3, NaN where missing; same length, in date order
 */
export function referenceStats(
  flux: ArrayLike<number>,
  tsoil: ArrayLike<number>,
  swc: ArrayLike<number>,
): ReferenceStats {
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  let tSum = 0;
  let tN = 0;
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  for (let t = 0; t < flux.length; t++) {
    const y = flux[t]!;
    if (Number.isNaN(y)) continue;
    sum += y;
    sum2 += y * y;
    n++;
    const temp = tsoil[t] ?? Number.NaN;
    if (Number.isNaN(temp)) continue;
    tSum += temp;
    tN++;
    if (y > 0) {
      xs.push(temp);
      ys.push(Math.log(y));
      ws.push(swc[t] ?? Number.NaN);
    }
  }
  const mean = sum / n;
  const fluxRef = n > 0 ? Math.max(0, mean) : Number.NaN;
  const tsoilRef = tN > 0 ? tSum / tN : Number.NaN;
  const q10 = q10FromLogLinear(xs, ys);
  return {
    flux_ref: fluxRef,
    flux_sd: n > 1 ? Math.sqrt(Math.max(0, sum2 / n - mean * mean)) : Number.NaN,
    tsoil_ref: tsoilRef,
    flux_q10: q10,
    ...moistureResponse(xs, ys, ws, { fluxRef, q10, tsoilRef }),
  };
}

/** Bounds of the moisture-response coefficients: the catalog's ranges of flux_swc_c1 and flux_swc_c2. */
const C1_MAX = findFeature("flux_swc_c1")!.max;
const C2_MAX = findFeature("flux_swc_c2")!.max;

/**
 * The site's moisture response on top of its Q10 model: the least-squares fit of the residual
 * ln(efflux) − ln(flux_ref·Q10^((T − tsoil_ref)/10)) = a + c1·d + c2·d², d = θ − swc_ref, θ the soil moisture
 * (m3 m-3), swc_ref its mean over the fitted days. A quadratic moisture term in the exponent as in the Q10×moisture
 * baseline (Moyano et al. 2013, doi:10.1016/j.soilbio.2013.01.002); a is dropped (the level is flux_ref's). A convex fit
 * (c2 > 0, a moisture minimum) is replaced by the linear one (c2 = 0); c1, c2 are clamped to the catalog ranges.
 * NaN for fewer than 20 days with efflux > 0, soil temperature and moisture, or moisture spread below 0.005 m3 m-3.
 * @param temps soil temperature (°C), @param logFlux ln(efflux), @param swc soil moisture (NaN where missing), same length
 */
export function moistureResponse(
  temps: readonly number[],
  logFlux: readonly number[],
  swc: readonly number[],
  site: { fluxRef: number; q10: number; tsoilRef: number },
): { swc_ref: number; flux_swc_c1: number; flux_swc_c2: number } {
  const none = { swc_ref: Number.NaN, flux_swc_c1: Number.NaN, flux_swc_c2: Number.NaN };
  if (!(site.fluxRef > 0) || Number.isNaN(site.tsoilRef)) return none;
  const lnQ = Math.log(Number.isNaN(site.q10) ? PRIOR_DEFAULT_Q10 : site.q10);
  const points = swc.flatMap((w, i) =>
    Number.isNaN(w)
      ? []
      : [{ w, r: logFlux[i]! - Math.log(site.fluxRef) - (lnQ * (temps[i]! - site.tsoilRef)) / 10 }],
  );
  if (points.length < 20) return none;
  const ref = points.reduce((a, p) => a + p.w, 0) / points.length;
  const sd = Math.sqrt(points.reduce((a, p) => a + (p.w - ref) ** 2, 0) / points.length);
  if (sd < 0.005) return none;
  const r = Matrix.columnVector(points.map((p) => p.r));
  const leastSquares = (terms: number) =>
    solve(new Matrix(points.map((p) => [1, p.w - ref, (p.w - ref) ** 2].slice(0, terms))), r, true);
  // A convex response (a moisture minimum) has no physical reading and explodes when extrapolated: refit linear.
  const quadratic = leastSquares(3);
  const beta = quadratic.get(2, 0) > 0 ? leastSquares(2) : quadratic;
  const c1 = beta.get(1, 0);
  const c2 = beta.rows > 2 ? beta.get(2, 0) : 0;
  if (!Number.isFinite(c1) || !Number.isFinite(c2)) return none;
  const clamp = (v: number, m: number) => Math.min(m, Math.max(-m, v));
  return { swc_ref: ref, flux_swc_c1: clamp(c1, C1_MAX), flux_swc_c2: clamp(c2, C2_MAX) };
}

const Q10_RANGE = findFeature("flux_q10")!;

/**
 * Q10 = exp(10·b) of the OLS slope of ln(efflux) on temperature, clamped to the catalog's `flux_q10` range; NaN for
 * fewer than 10 points or no spread.
 */
export function q10FromLogLinear(temps: readonly number[], logFlux: readonly number[]): number {
  const n = temps.length;
  if (n < 10) return Number.NaN;
  const mx = temps.reduce((a, b) => a + b, 0) / n;
  const my = logFlux.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (temps[i]! - mx) ** 2;
    sxy += (temps[i]! - mx) * (logFlux[i]! - my);
  }
  if (sxx < 1e-6 * n) return Number.NaN;
  return Math.min(Q10_RANGE.max, Math.max(Q10_RANGE.min, Math.exp((Q10_STEP_C * sxy) / sxx)));
}
