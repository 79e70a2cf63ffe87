/** The network's own 10-90% interval, for predictions without a site calibration: pooled ratio quantiles of its validation errors, one for sites with reference statistics and one for sites without (as the model directory's manifest carries it). */
import { z } from "zod";
import { fitRatioInterval, intervalCoverage, type RatioInterval } from "./interval.ts";
import { median } from "./metrics.ts";
import type { ModelSchema } from "./model-schema.ts";
import type { REFERENCE_STAT_NAMES } from "./reference-names.ts";

/**
 * Widenings κ tried when the network's interval is calibrated on validation days (core/interval.ts). Below 1 too: a
 * pooled quantile is set by the sites that err most, so the median site can need a narrower interval than it.
 */
export const NETWORK_WIDENINGS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3] as const;

/** The interval of each request condition, and how it was calibrated. */
export interface NetworkIntervals {
  /** For a site whose request carries the efflux's own reference statistics ({@link LEVEL_STATS}). */
  withReference: RatioInterval & { widening: number };
  /** For a site without them (a new site), or with only some. */
  withoutReference: RatioInterval & { widening: number };
  /** What the intervals were fitted on, in words (for the model card). */
  fittedOn: string;
}

const ratioZ = z.strictObject({
  lower: z.number().positive(),
  upper: z.number().positive(),
  days: z.number().int().positive(),
  widening: z.number().positive(),
});

/** zod schema of {@link NetworkIntervals} (the manifest's optional `intervals`). */
export const networkIntervalsZ = z.strictObject({
  withReference: ratioZ,
  withoutReference: ratioZ,
  fittedOn: z.string(),
});

/** One site's days: observed and predicted efflux, µmol m-2 s-1 (NaN where not observed). */
export interface SitePairs {
  obs: ArrayLike<number>;
  pred: ArrayLike<number>;
}

function pooled(sites: readonly SitePairs[]): { obs: number[]; pred: number[] } {
  const obs: number[] = [];
  const pred: number[] = [];
  for (const s of sites)
    for (let i = 0; i < s.obs.length; i++)
      if (!Number.isNaN(s.obs[i]!) && Number.isFinite(s.pred[i]!)) {
        obs.push(s.obs[i]!);
        pred.push(s.pred[i]!);
      }
  return { obs, pred };
}

/** Median over sites (with ≥ `minDays` days that have both an observation and a prediction) of the share of days inside the interval; NaN if none. */
export function medianSiteCoverage(sites: readonly SitePairs[], iv: RatioInterval, minDays = 5): number {
  const cov: number[] = [];
  for (const s of sites) {
    let n = 0;
    for (let i = 0; i < s.obs.length; i++) if (!Number.isNaN(s.obs[i]!) && Number.isFinite(s.pred[i]!)) n++;
    if (n >= minDays) cov.push(intervalCoverage(s.obs, s.pred, iv));
  }
  return cov.length > 0 ? median(cov) : Number.NaN;
}

/**
 * Calibrate a pooled interval as for the site calibration, one level up: fitted on the first period's days of every
 * site together, κ chosen so that the median site's coverage of the second period is nearest 80%, then refitted on
 * both periods with that κ.
 * @param fit per site, the days the interval is fitted on (e.g. the first half of the validation days)
 * @param check per site, the later days its coverage is checked on (the second half)
 * @returns null with too few pairs (core/interval.ts MIN_INTERVAL_DAYS)
 */
export function calibratePooledInterval(
  fit: readonly SitePairs[],
  check: readonly SitePairs[],
): (RatioInterval & { widening: number; checkCoverage: number }) | null {
  const first = pooled(fit);
  let best: { widening: number; coverage: number } | null = null;
  for (const k of NETWORK_WIDENINGS) {
    const iv = fitRatioInterval(first.obs, first.pred, k);
    if (!iv) return null;
    const coverage = medianSiteCoverage(check, iv);
    if (!Number.isFinite(coverage)) continue;
    if (!best || Math.abs(coverage - 0.8) < Math.abs(best.coverage - 0.8) - 1e-12)
      best = { widening: k, coverage };
  }
  if (!best) return null;
  const all = pooled([...fit, ...check]);
  const iv = fitRatioInterval(all.obs, all.pred, best.widening);
  return iv && { ...iv, widening: best.widening, checkCoverage: best.coverage };
}

/**
 * The reference statistics that decide which interval applies: the level and spread of the site's measured efflux,
 * which any measured history gives (the temperature and moisture ones also need those drivers measured).
 */
export const LEVEL_STATS = [
  "flux_ref",
  "flux_sd",
] as const satisfies readonly (typeof REFERENCE_STAT_NAMES)[number][];

/**
 * Whether an encoded static row carries the {@link LEVEL_STATS} the model takes (then the with-reference interval
 * applies; a model that takes none of them has only the without-reference condition).
 * @param staticRow [Ds] raw static attributes of the request, NaN = not given
 */
export function hasReference(schema: ModelSchema, staticRow: ArrayLike<number>): boolean {
  const names = new Set<string>(LEVEL_STATS);
  const cols = schema.static.flatMap((f, j) => (names.has(f.name) ? [j] : []));
  return cols.length > 0 && cols.every((j) => !Number.isNaN(staticRow[j]!));
}

/** The network interval that applies to a request's static row, or null when the model carries none. */
export function networkIntervalFor(
  intervals: NetworkIntervals | null | undefined,
  schema: ModelSchema,
  staticRow: ArrayLike<number>,
): RatioInterval | null {
  if (!intervals) return null;
  return hasReference(schema, staticRow) ? intervals.withReference : intervals.withoutReference;
}
