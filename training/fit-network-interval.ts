/** `soilco2 interval`: calibrate an exported model's own 10-90% interval on the validation days of the temporal split (test days unused) and write it into its manifest. */
import { join } from "node:path";
import { calibratePooledInterval, type NetworkIntervals, type SitePairs } from "../core/network-interval.ts";
import { MODEL_DIR_FILES } from "../export/manifest.ts";
import { readModelDir } from "../export/read-model.ts";
import { writeJsonAtomic } from "../io/atomic-write.ts";
import { loadDailyDataset } from "./dataset.ts";
import { predictSites, secondHalfOfValidation } from "./score-model.ts";
import { SPLIT, temporalSplit } from "./splits.ts";

export interface IntervalFitOptions {
  modelDir: string;
  dataDir: string;
  minFluxDays?: number;
  testFraction?: number;
  valFraction?: number;
}

/** The fitted intervals and, per condition, the median site coverage of the second half of the validation days. */
export interface IntervalFitOutcome {
  intervals: NetworkIntervals;
  checkCoverage: { withReference: number; withoutReference: number };
  sites: number;
}

/**
 * Fit both intervals: the network is run on every site as a client would (with the reference statistics of the
 * site's training days, and again without any); each interval is fitted on the first half of every site's validation
 * days pooled, κ chosen on the second half (core/network-interval.ts), and refitted on all validation days.
 * @throws {Error} if the data give too few validation days to fit an interval
 */
export async function fitNetworkIntervals(opts: IntervalFitOptions): Promise<IntervalFitOutcome> {
  const md = await readModelDir(opts.modelDir);
  const { sites } = await loadDailyDataset(opts.dataDir, opts.minFluxDays ?? 30);
  const split = temporalSplit(sites, opts.testFraction ?? 0.3, opts.valFraction ?? 0.1);
  const halves = split.map((lab, i) => secondHalfOfValidation(sites[i]!, lab));
  const fitOne = async (withoutReference: boolean) => {
    const series = await predictSites(md, sites, split, withoutReference);
    const pairs = (code: number): SitePairs[] =>
      sites.map((s, i) => ({
        obs: s.target.map((y, t) => (halves[i]![t] === code ? y : Number.NaN)),
        pred: series[i]!,
      }));
    const iv = calibratePooledInterval(pairs(SPLIT.val), pairs(SPLIT.test));
    if (!iv) throw new Error("too few validation days to fit the network's interval: use a longer record");
    return iv;
  };
  const withRef = await fitOne(false);
  const without = await fitOne(true);
  const strip = ({ checkCoverage: _, ...iv }: typeof withRef) => iv;
  return {
    intervals: {
      withReference: strip(withRef),
      withoutReference: strip(without),
      fittedOn:
        `validation days of the temporal split (last ${100 * (opts.valFraction ?? 0.1)}% before the test ` +
        `${100 * (opts.testFraction ?? 0.3)}% of each site's observed days), ${sites.length} sites; κ chosen on the ` +
        "second half of them",
    },
    checkCoverage: { withReference: withRef.checkCoverage, withoutReference: without.checkCoverage },
    sites: sites.length,
  };
}

/** Write the intervals into `<modelDir>/manifest.json` (atomically; every other field as it was). */
export async function writeManifestIntervals(modelDir: string, intervals: NetworkIntervals): Promise<void> {
  const md = await readModelDir(modelDir);
  await writeJsonAtomic(join(modelDir, MODEL_DIR_FILES.manifest), { ...md.manifest, intervals });
}
