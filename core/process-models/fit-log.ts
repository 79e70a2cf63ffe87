/** Log-space fits of the process models: linear least squares on ln(flux), back-transformed with Duan's smearing. */
import { Matrix, solve } from "ml-matrix";
import type { FitPoints, FittedModel } from "./fit-flux.ts";
import { MIN_FIT_POINTS } from "./fit-flux.ts";
import { LT_T_REF_K, LT_T0_K, T_REF_C } from "./models.ts";

/**
 * Least squares of y on the columns of X (with an intercept as its first column), then Duan's smearing estimate
 * mean(exp(residual)) (Duan 1983, J. Am. Stat. Assoc. 78, 605-610, doi:10.1080/01621459.1983.10478017), which makes
 * exp(fit)·smear an unbiased estimate of the flux itself when the log residuals are homoscedastic.
 * @returns the coefficients and the smearing factor, or null if the system is singular or not finite
 */
function logLinear(rows: number[][], y: number[]): { coef: number[]; smear: number } | null {
  const X = new Matrix(rows);
  let coef: number[];
  try {
    coef = solve(X, Matrix.columnVector(y), true).getColumn(0);
  } catch {
    return null;
  }
  if (!coef.every(Number.isFinite)) return null;
  let smear = 0;
  for (let i = 0; i < y.length; i++) {
    const fit = rows[i]!.reduce((a, x, k) => a + x * coef[k]!, 0);
    smear += Math.exp(y[i]! - fit);
  }
  smear /= y.length;
  return Number.isFinite(smear) ? { coef, smear } : null;
}

/** Indices of the points a log fit can use: flux > 0 and every needed driver finite. */
function positive(pts: FitPoints, useSwc: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < pts.flux.length; i++) {
    if (!(pts.flux[i]! > 0) || !Number.isFinite(pts.tsoil[i]!)) continue;
    if (useSwc && !Number.isFinite(pts.swc[i]!)) continue;
    out.push(i);
  }
  return out;
}

/** ln R = ln R10 + ln Q10 · (Ts − 10)/10; R10 carries the smearing factor. */
export function fitQ10Log(pts: FitPoints): FittedModel | null {
  const idx = positive(pts, false);
  if (idx.length < MIN_FIT_POINTS) return null;
  const f = logLinear(
    idx.map((i) => [1, (pts.tsoil[i]! - T_REF_C) / 10]),
    idx.map((i) => Math.log(pts.flux[i]!)),
  );
  if (!f) return null;
  return { params: { r10: Math.exp(f.coef[0]!) * f.smear, q10: Math.exp(f.coef[1]!) }, n: idx.length };
}

/** ln R = ln R10 + E0 · (1/(Tref − T0) − 1/(T − T0)), T in K, days with T ≤ T0 left out; R10 carries the smearing. */
export function fitLloydTaylorLog(pts: FitPoints): FittedModel | null {
  const idx = positive(pts, false).filter((i) => pts.tsoil[i]! + 273.15 > LT_T0_K);
  if (idx.length < MIN_FIT_POINTS) return null;
  const x = (tC: number) => 1 / (LT_T_REF_K - LT_T0_K) - 1 / (tC + 273.15 - LT_T0_K);
  const f = logLinear(
    idx.map((i) => [1, x(pts.tsoil[i]!)]),
    idx.map((i) => Math.log(pts.flux[i]!)),
  );
  if (!f) return null;
  return { params: { r10: Math.exp(f.coef[0]!) * f.smear, e0: f.coef[1]! }, n: idx.length };
}

/** ln R = ln R10 + ln Q10 · (Ts − 10)/10 + c1·θ + c2·θ²; R10 carries the smearing factor. */
export function fitQ10MoistureLog(pts: FitPoints): FittedModel | null {
  const idx = positive(pts, true);
  if (idx.length < MIN_FIT_POINTS) return null;
  const f = logLinear(
    idx.map((i) => [1, (pts.tsoil[i]! - T_REF_C) / 10, pts.swc[i]!, pts.swc[i]! ** 2]),
    idx.map((i) => Math.log(pts.flux[i]!)),
  );
  if (!f) return null;
  return {
    params: {
      r10: Math.exp(f.coef[0]!) * f.smear,
      q10: Math.exp(f.coef[1]!),
      c1: f.coef[2]!,
      c2: f.coef[3]!,
    },
    n: idx.length,
  };
}
