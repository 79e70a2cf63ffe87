/** Skill metrics as pure functions `(obs, sim) -> number`, sharing one NaN mask and one input check. */

/** Observed and simulated values where both are finite, in their original order. */
export interface Pairs {
  obs: Float64Array;
  sim: Float64Array;
}

/**
 * The shared mask: keep positions where both series are finite.
 * @throws {RangeError} if the series differ in length
 */
export function finitePairs(obs: ArrayLike<number>, sim: ArrayLike<number>): Pairs {
  if (obs.length !== sim.length) throw new RangeError(`obs has ${obs.length} values, sim ${sim.length}`);
  const o: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < obs.length; i++) {
    const a = obs[i]!;
    const b = sim[i]!;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      o.push(a);
      s.push(b);
    }
  }
  return { obs: Float64Array.from(o), sim: Float64Array.from(s) };
}

function mean(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

function std(x: Float64Array, m = mean(x)): number {
  let s = 0;
  for (const v of x) s += (v - m) * (v - m);
  return Math.sqrt(s / x.length);
}

/**
 * Nash-Sutcliffe efficiency: NSE = 1 − Σ(sim − obs)² / Σ(obs − mean(obs))².
 * 1 is perfect, 0 is no better than the observed mean. NaN for fewer than 2 pairs or constant obs.
 * Nash, J.E., Sutcliffe, J.V. (1970) J. Hydrol. 10, 282-290, doi:10.1016/0022-1694(70)90255-6.
 */
export function nse(obs: ArrayLike<number>, sim: ArrayLike<number>): number {
  const p = finitePairs(obs, sim);
  if (p.obs.length < 2) return Number.NaN;
  const m = mean(p.obs);
  let num = 0;
  let den = 0;
  for (let i = 0; i < p.obs.length; i++) {
    num += (p.sim[i]! - p.obs[i]!) ** 2;
    den += (p.obs[i]! - m) ** 2;
  }
  return den > 0 ? 1 - num / den : Number.NaN;
}

/** Kling-Gupta efficiency and its three components. */
export interface KgeParts {
  kge: number;
  /** Pearson correlation of sim with obs. */
  r: number;
  /** Variability ratio σ_sim / σ_obs. */
  alpha: number;
  /** Bias ratio μ_sim / μ_obs. */
  beta: number;
}

/**
 * Kling-Gupta efficiency with its parts: KGE = 1 − √((r − 1)² + (α − 1)² + (β − 1)²), α = σ_sim/σ_obs, β = μ_sim/μ_obs.
 * 1 is perfect; the observed mean as a prediction scores 1 − √2 ≈ −0.41. NaN parts for constant series or zero mean.
 * Gupta, H.V., Kling, H., Yilmaz, K.K., Martinez, G.F. (2009) J. Hydrol. 377, 80-91, doi:10.1016/j.jhydrol.2009.08.003.
 */
export function kgeParts(obs: ArrayLike<number>, sim: ArrayLike<number>): KgeParts {
  const p = finitePairs(obs, sim);
  const nan = { kge: Number.NaN, r: Number.NaN, alpha: Number.NaN, beta: Number.NaN };
  if (p.obs.length < 2) return nan;
  const mo = mean(p.obs);
  const ms = mean(p.sim);
  const so = std(p.obs, mo);
  const ss = std(p.sim, ms);
  let cov = 0;
  for (let i = 0; i < p.obs.length; i++) cov += (p.obs[i]! - mo) * (p.sim[i]! - ms);
  cov /= p.obs.length;
  const r = so > 0 && ss > 0 ? cov / (so * ss) : Number.NaN;
  const alpha = so > 0 ? ss / so : Number.NaN;
  const beta = mo !== 0 ? ms / mo : Number.NaN;
  const kge = 1 - Math.sqrt((r - 1) ** 2 + (alpha - 1) ** 2 + (beta - 1) ** 2);
  return { kge, r, alpha, beta };
}

/** Kling-Gupta efficiency (see {@link kgeParts}). */
export function kge(obs: ArrayLike<number>, sim: ArrayLike<number>): number {
  return kgeParts(obs, sim).kge;
}

/** Root mean square error, in the units of the data: √(mean((sim − obs)²)). NaN for no pairs. */
export function rmse(obs: ArrayLike<number>, sim: ArrayLike<number>): number {
  const p = finitePairs(obs, sim);
  if (p.obs.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < p.obs.length; i++) s += (p.sim[i]! - p.obs[i]!) ** 2;
  return Math.sqrt(s / p.obs.length);
}

/** Mean error, in the units of the data: mean(sim − obs); positive = overestimate. NaN for no pairs. */
export function bias(obs: ArrayLike<number>, sim: ArrayLike<number>): number {
  const p = finitePairs(obs, sim);
  if (p.obs.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < p.obs.length; i++) s += p.sim[i]! - p.obs[i]!;
  return s / p.obs.length;
}

/** Pearson correlation coefficient. NaN for fewer than 2 pairs or a constant series. */
export function pearson(obs: ArrayLike<number>, sim: ArrayLike<number>): number {
  return kgeParts(obs, sim).r;
}

/**
 * Peak error: mean relative error (sim − obs)/obs on the days whose obs is in the top `share` (default 5%) of the site,
 * at least one day. Negative = peaks underestimated. Used for the pulses and peaks the paper's LSTM missed.
 * Cf. the high-flow bias FHV of Yilmaz, Gupta, Wagener (2008) Water Resour. Res. 44, W09417, doi:10.1029/2007WR006716.
 */
export function peakRelativeError(obs: ArrayLike<number>, sim: ArrayLike<number>, share = 0.05): number {
  const p = finitePairs(obs, sim);
  if (p.obs.length === 0) return Number.NaN;
  const idx = Array.from(p.obs.keys()).sort((a, b) => p.obs[b]! - p.obs[a]!);
  const k = Math.max(1, Math.round(share * idx.length));
  let so = 0;
  let ss = 0;
  for (const i of idx.slice(0, k)) {
    so += p.obs[i]!;
    ss += p.sim[i]!;
  }
  return so !== 0 ? (ss - so) / so : Number.NaN;
}

/** Number of pairs the metrics are computed on. */
export function pairCount(obs: ArrayLike<number>, sim: ArrayLike<number>): number {
  return finitePairs(obs, sim).obs.length;
}

/** The metric registry: name -> function, in report order. */
export const METRICS = {
  nse,
  kge,
  r: pearson,
  alpha: (o: ArrayLike<number>, s: ArrayLike<number>) => kgeParts(o, s).alpha,
  beta: (o: ArrayLike<number>, s: ArrayLike<number>) => kgeParts(o, s).beta,
  rmse,
  bias,
  peakError: peakRelativeError,
  n: pairCount,
} as const;

export type MetricName = keyof typeof METRICS;
export type MetricSet = Record<MetricName, number>;

/** Every registered metric for one series. */
export function allMetrics(obs: ArrayLike<number>, sim: ArrayLike<number>): MetricSet {
  return Object.fromEntries(Object.entries(METRICS).map(([k, f]) => [k, f(obs, sim)])) as MetricSet;
}

/** Median of the finite values (NaN if none). */
export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** "Good" site in the paper's sense: NSE > 0.5 and KGE > 0.3. */
export function isGoodSite(m: { nse: number; kge: number }): boolean {
  return m.nse > 0.5 && m.kge > 0.3;
}
