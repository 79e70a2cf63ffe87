/** The evaluation's stated rules for scores that are undefined at a site: no model is dropped from a median for them. */
import { allMetrics, type MetricSet } from "../core/metrics.ts";

/**
 * Why a site cannot be scored at all in a comparison set: its observed test series has no variance (NSE and KGE
 * divide by it), or fewer than 2 days. Such a site leaves the set for every model alike; null when it can be scored.
 */
export function unscorableReason(obs: readonly number[]): string | null {
  if (obs.length < 2) return "fewer than 2 test days";
  const m = obs.reduce((a, b) => a + b, 0) / obs.length;
  return obs.some((x) => x !== m) ? null : "constant observed efflux";
}

/**
 * Every metric of one model at one site, with the counting rule for a constant prediction: Pearson's r is
 * undefined when σ_sim = 0, and so is KGE; a constant carries no information on timing, so r counts as 0 and
 * KGE = 1 − √(1 + (α − 1)² + (β − 1)²) with α = 0 (e.g. the climatology of a site whose history has one level).
 * NSE is defined for a constant prediction and is left as computed.
 * @param obs observed daily efflux on the set's days, µmol m-2 s-1 (not constant; see {@link unscorableReason})
 * @param sim the model's predictions on the same days
 */
export function siteMetrics(obs: readonly number[], sim: readonly number[]): MetricSet {
  const m = allMetrics(obs, sim);
  const first = sim[0]!;
  if (sim.every((x) => x === first) && Number.isFinite(m.beta)) {
    m.r = 0;
    m.alpha = 0;
    m.kge = 1 - Math.sqrt(1 + 1 + (m.beta - 1) ** 2);
  }
  return m;
}

/**
 * Median of a model's per-site scores over every site of the set: a score that is still undefined (NaN) counts as
 * the worst value (−∞), never as absent, so a model cannot improve its median by failing at a site.
 * @returns NaN only for an empty list
 */
export function medianCountingUndefined(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const v = values.map((x) => (Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x)).sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}
