/** The site-calibrated LSTM of an evaluation: each site's network series blended with its process models (core/site-calibration.ts), fitted on the run's history only. */
import type { RatioInterval } from "../core/interval.ts";
import {
  applyBlends,
  calibrateBlends,
  type SiteBlends,
  selectionInterval,
} from "../core/site-calibration.ts";
import type { SiteSeries } from "./dataset.ts";
import { SPLIT, type SplitLabels } from "./splits.ts";

/** Name and label of the calibrated model in evaluations and reports. */
export const CALIBRATED_MODEL = {
  name: "lstm_calibrated",
  label: "LSTM, site-calibrated (soilco2)",
} as const;

/**
 * Calibrate every site on its history as a user would on their measured days: the fit days are the training days
 * (whose reference statistics the network was run with), the selection days are the validation days; test days are
 * never seen. A site without history (held out in site cross-validation) keeps the network as it is.
 * @param network per site, [length] the network's efflux, µmol m-2 s-1
 * @returns per site, [length] the calibrated efflux, the blends it used and its 10-90% interval (null without enough
 *   validation days)
 */
export function calibratedSeries(
  sites: readonly SiteSeries[],
  labels: SplitLabels,
  network: readonly Float32Array[],
): { series: Float32Array[]; blends: SiteBlends[]; intervals: (RatioInterval | null)[] } {
  const blends: SiteBlends[] = [];
  const intervals: (RatioInterval | null)[] = [];
  const series = sites.map((s, i) => {
    const lab = labels[i]!;
    const nan = new Float32Array(s.length).fill(Number.NaN);
    const tsoil = s.drivers.tsoil_mean ?? nan;
    const swc = s.drivers.swc_mean ?? nan;
    const flux = s.target.map((y, t) => (lab[t] === SPLIT.train || lab[t] === SPLIT.val ? y : Number.NaN));
    const selection = Array.from(lab, (c, t) => c === SPLIT.val && !Number.isNaN(s.target[t]!));
    const b = calibrateBlends({ flux, tsoil, swc }, network[i]!, selection);
    blends.push(b);
    intervals.push(selectionInterval({ flux, tsoil, swc }, network[i]!, b, selection));
    return applyBlends(network[i]!, tsoil, swc, b);
  });
  return { series, blends, intervals };
}
