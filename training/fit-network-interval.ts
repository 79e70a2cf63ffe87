/** `soilco2 interval`: calibrate an exported model's own 10-90% interval before the test days of the temporal split (on its validation days, and for new sites on a site cross-validation's out-of-fold errors) and write it into its manifest. */
import { join } from "node:path";
import { calibratePooledInterval, type NetworkIntervals, type SitePairs } from "../core/network-interval.ts";
import { writeJsonAtomic } from "../io/atomic-write.ts";
import { MODEL_DIR_FILES } from "../model/manifest.ts";
import { readModelDir } from "../model/node/read-model.ts";
import { loadDailyDataset } from "./dataset.ts";
import { newSitePairs, outOfFoldSeries, periodPairs } from "./new-site-errors.ts";
import { predictSites, secondHalfOfValidation } from "./score-model.ts";
import { SPLIT, temporalSplit } from "./splits.ts";

export interface IntervalFitOptions {
  modelDir: string;
  dataDir: string;
  minFluxDays?: number;
  testFraction?: number;
  valFraction?: number;
  /**
   * A `soilco2 train --split site-cv` run on the same data: the interval for requests without reference statistics
   * is then fitted on its out-of-fold errors (each site predicted by the fold that never saw it), as a new site
   * errs, instead of on the model's own training sites run without their statistics.
   */
  newSiteRun?: string;
}

/** The fitted intervals and, per condition, the median site coverage of the days κ was chosen on. */
export interface IntervalFitOutcome {
  intervals: NetworkIntervals;
  checkCoverage: { withReference: number; withoutReference: number };
  sites: number;
}

/**
 * Fit both intervals: the network is run on every site as a client would (with the reference statistics of the
 * site's training days, and again without any); each interval is fitted on the first half of every site's validation
 * days pooled, κ chosen on the second half (core/network-interval.ts), and refitted on all validation days. With
 * `newSiteRun`, the interval without reference statistics is fitted on that run's out-of-fold errors instead.
 * @throws {Error} if the data give too few days to fit an interval
 */
export async function fitNetworkIntervals(opts: IntervalFitOptions): Promise<IntervalFitOutcome> {
  const md = await readModelDir(opts.modelDir);
  const { sites } = await loadDailyDataset(opts.dataDir, opts.minFluxDays ?? 30);
  const test = 100 * (opts.testFraction ?? 0.3);
  const split = temporalSplit(sites, opts.testFraction ?? 0.3, opts.valFraction ?? 0.1);
  const halves = split.map((lab, i) => secondHalfOfValidation(sites[i]!, lab));
  const calibrate = (fit: SitePairs[], check: SitePairs[]) => {
    const iv = calibratePooledInterval(fit, check);
    if (!iv)
      throw new Error(
        "too few days with an observation and a prediction to fit the network's interval: use a longer record (or, with --new-sites, a site cross-validation of this ingest output)",
      );
    return iv;
  };
  const fitOwn = async (withoutReference: boolean) => {
    const series = await predictSites(md, sites, split, withoutReference);
    return calibrate(
      periodPairs(sites, halves, series, SPLIT.val),
      periodPairs(sites, halves, series, SPLIT.test),
    );
  };
  const withRef = await fitOwn(false);
  const ownDays =
    `validation days of the temporal split (last ${100 * (opts.valFraction ?? 0.1)}% before the test ${test}% of ` +
    `each site's observed days), ${sites.length} sites; κ chosen on the second half of them`;
  let without: typeof withRef;
  let fittedOn: string;
  if (opts.newSiteRun) {
    const { fit, check } = newSitePairs(
      sites,
      split,
      await outOfFoldSeries(opts.newSiteRun, sites, md.schema),
    );
    without = calibrate(fit, check);
    fittedOn =
      `${ownDays} (with reference statistics); without them, the out-of-fold predictions of the site ` +
      `cross-validation ${opts.newSiteRun} (each site predicted by the fold that held it out, warm-up days left ` +
      `out) on the days before each site's test ${test}%: fitted on its training days, κ chosen on its validation days`;
  } else {
    without = await fitOwn(true);
    fittedOn = ownDays;
  }
  const strip = ({ checkCoverage: _, ...iv }: typeof withRef) => iv;
  return {
    intervals: { withReference: strip(withRef), withoutReference: strip(without), fittedOn },
    checkCoverage: { withReference: withRef.checkCoverage, withoutReference: without.checkCoverage },
    sites: sites.length,
  };
}

/** Write the intervals into `<modelDir>/manifest.json` (atomically; every other field as it was). */
export async function writeManifestIntervals(modelDir: string, intervals: NetworkIntervals): Promise<void> {
  const md = await readModelDir(modelDir);
  await writeJsonAtomic(join(modelDir, MODEL_DIR_FILES.manifest), { ...md.manifest, intervals });
}
