/** Calibration headroom: a site's skill if its predictions had the test period's own level (and amplitude). */
import { isGoodSite } from "../core/metrics.ts";

/** The KGE parts a headroom figure is computed from (one site, one model, its test days). */
export interface SkillParts {
  /** Pearson correlation of predictions with observations. */
  r: number;
  /** Variability ratio σ_sim / σ_obs. */
  alpha: number;
  /** Bias ratio μ_sim / μ_obs. */
  beta: number;
}

/** NSE and KGE of a recalibrated prediction. */
export interface Recalibrated {
  nse: number;
  kge: number;
}

/**
 * Skill of the predictions rescaled by the test period's own mean ratio, sim' = sim · μ_obs / μ_sim: β' = 1,
 * α' = α / β, r unchanged. With NSE = 2αr − α² − ((β − 1) μ_obs / σ_obs)² (the decomposition of Murphy 1988,
 * Mon. Weather Rev. 116, 2417-2424), NSE' = 2α'r − α'², KGE' = 1 − √((r − 1)² + (α' − 1)²).
 * No model knows the test period's mean: this is a ceiling on what fixing the level alone could give, not skill.
 */
export function withTestLevel(p: SkillParts): Recalibrated {
  const a = p.alpha / p.beta;
  if (!(Number.isFinite(a) && Number.isFinite(p.r))) return { nse: Number.NaN, kge: Number.NaN };
  return { nse: 2 * a * p.r - a * a, kge: 1 - Math.sqrt((p.r - 1) ** 2 + (a - 1) ** 2) };
}

/**
 * Skill of the least-squares line sim' = a + b·sim fitted on the test days themselves, with b ≥ 0 (a calibration
 * may not invert the series): for r > 0, NSE' = r², α' = r, β' = 1, KGE' = 1 − √2·(1 − r); for r ≤ 0 the best line
 * is the observed mean (NSE' = 0, KGE' undefined). The ceiling of any affine recalibration of the predictions,
 * i.e. of level and amplitude together: what is left is timing (r).
 */
export function withTestLevelAndAmplitude(p: SkillParts): Recalibrated {
  if (!Number.isFinite(p.r)) return { nse: Number.NaN, kge: Number.NaN };
  if (p.r <= 0) return { nse: 0, kge: Number.NaN };
  return { nse: p.r * p.r, kge: 1 - Math.SQRT2 * (1 - p.r) };
}

/** Good sites (NSE > 0.5 and KGE > 0.3) as they are, with the test level, and with test level and amplitude. */
export interface HeadroomCounts {
  sites: number;
  asIs: number;
  withLevel: number;
  withLevelAndAmplitude: number;
}

/** Count good sites three ways from each site's NSE, KGE, r, α and β on its test days. */
export function headroomCounts(sites: readonly (SkillParts & Recalibrated)[]): HeadroomCounts {
  return {
    sites: sites.length,
    asIs: sites.filter(isGoodSite).length,
    withLevel: sites.filter((s) => isGoodSite(withTestLevel(s))).length,
    withLevelAndAmplitude: sites.filter((s) => isGoodSite(withTestLevelAndAmplitude(s))).length,
  };
}
