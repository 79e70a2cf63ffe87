/**
 * The baseline registry: process models and climatology, given exactly the history the LSTM has (the training and
 * validation days of the same split); each process model's fitting scale (flux or log) is chosen per site on the
 * validation days (see fit-on-history.ts).
 */
import { dayOfYear } from "../../core/dates.ts";
import {
  type FitPoints,
  fitLloydTaylor,
  fitQ10,
  fitQ10Moisture,
} from "../../core/process-models/fit-flux.ts";
import { fitLloydTaylorLog, fitQ10Log, fitQ10MoistureLog } from "../../core/process-models/fit-log.ts";
import { type FitVariant, fitOnHistory } from "../../core/process-models/fit-on-history.ts";
import { lloydTaylorModel, q10Model, q10MoistureModel } from "../../core/process-models/models.ts";
import type { SiteSeries } from "../dataset.ts";
import { SPLIT, type SplitLabels } from "../splits.ts";

/** Predictions of one baseline: per site a full series in µmol m-2 s-1 (NaN where inputs are missing), or null if not fitted. */
export interface BaselineRun {
  name: string;
  predictions: (Float32Array | null)[];
  /** Fitted parameters per site (or the one global fit repeated), null if not fitted. */
  params: (Record<string, number> | null)[];
}

export interface BaselineSpec {
  name: string;
  label: string;
  /** Formula and reference, for the report. */
  description: string;
  /** Drivers it needs on a day to predict it. */
  needs: readonly string[];
  run(sites: readonly SiteSeries[], labels: SplitLabels): BaselineRun;
}

/** The periods a baseline learns from: the LSTM's training days (weights) and validation days (early stopping). */
const HISTORY: readonly number[] = [SPLIT.train, SPLIT.val];

/** Points of a site: days whose label is in `periods`, with a target and every driver in `needs`. */
function sitePoints(
  s: SiteSeries,
  labels: Uint8Array,
  needs: readonly string[],
  periods: readonly number[] = HISTORY,
): FitPoints {
  const pts: FitPoints = { tsoil: [], swc: [], flux: [] };
  const ts = s.drivers.tsoil_mean!;
  const sw = s.drivers.swc_mean!;
  for (let t = 0; t < s.length; t++) {
    if (!periods.includes(labels[t]!) || Number.isNaN(s.target[t]!)) continue;
    if (needs.includes("tsoil_mean") && Number.isNaN(ts[t]!)) continue;
    if (needs.includes("swc_mean") && Number.isNaN(sw[t]!)) continue;
    pts.tsoil.push(ts[t]!);
    pts.swc.push(sw[t]!);
    pts.flux.push(s.target[t]!);
  }
  return pts;
}

function predictWith(s: SiteSeries, f: (tsoil: number, swc: number) => number): Float32Array {
  const ts = s.drivers.tsoil_mean!;
  const sw = s.drivers.swc_mean!;
  return Float32Array.from({ length: s.length }, (_, t) => f(ts[t]!, sw[t]!));
}

function perSite(
  name: string,
  needs: readonly string[],
  variants: readonly FitVariant[],
  model: (p: Record<string, number>, tsoil: number, swc: number) => number,
): (sites: readonly SiteSeries[], labels: SplitLabels) => BaselineRun {
  return (sites, labels) => {
    const fits = sites.map((s, i) =>
      fitOnHistory(
        sitePoints(s, labels[i]!, needs, [SPLIT.train]),
        sitePoints(s, labels[i]!, needs, [SPLIT.val]),
        variants,
        (p, pts, k) => model(p, pts.tsoil[k]!, pts.swc[k]!),
      ),
    );
    return {
      name,
      params: fits.map((f) => (f ? { ...f.fit.params, logScale: f.scale === "log" ? 1 : 0 } : null)),
      predictions: sites.map((s, i) => {
        const f = fits[i];
        return f ? predictWith(s, (ts, sw) => model(f.fit.params, ts, sw)) : null;
      }),
    };
  };
}

/** Flux-scale least squares first (the scale NSE rewards; kept when validation cannot choose), then log space. */
const variants = (flux: FitVariant["fit"], log: FitVariant["fit"]): FitVariant[] => [
  { scale: "flux", fit: flux },
  { scale: "log", fit: log },
];

const q10 = (p: Record<string, number>, ts: number) => q10Model(p.r10!, p.q10!, ts);

/** How every per-site process model is fitted, for the report. */
const HOW_FITTED =
  "; least squares on the flux, or on ln(flux) with Duan's smearing, whichever has the lower validation error, refitted on training + validation days";

/** Every baseline, in report order. */
export const BASELINES: readonly BaselineSpec[] = [
  {
    name: "q10",
    label: "Q10 (per site)",
    description: `R = R10·Q10^((Ts−10)/10), fitted per site (van 't Hoff 1898; Davidson et al. 2006)${HOW_FITTED}`,
    needs: ["tsoil_mean"],
    run: perSite("q10", ["tsoil_mean"], variants(fitQ10, fitQ10Log), q10),
  },
  {
    name: "lloyd_taylor",
    label: "Lloyd-Taylor (per site)",
    description: `R = R10·exp(E0·(1/(283.15−T0) − 1/(Ts+273.15−T0))), T0 = 227.13 K, fitted per site (Lloyd & Taylor 1994)${HOW_FITTED}`,
    needs: ["tsoil_mean"],
    run: perSite("lloyd_taylor", ["tsoil_mean"], variants(fitLloydTaylor, fitLloydTaylorLog), (p, ts) =>
      lloydTaylorModel(p.r10!, p.e0!, ts),
    ),
  },
  {
    name: "q10_moisture",
    label: "Q10 × moisture (per site)",
    description: `R = R10·Q10^((Ts−10)/10)·exp(c1·θ + c2·θ²), fitted per site (moisture-modified Q10; Moyano et al. 2013)${HOW_FITTED}`,
    needs: ["tsoil_mean", "swc_mean"],
    run: perSite(
      "q10_moisture",
      ["tsoil_mean", "swc_mean"],
      variants(fitQ10Moisture, fitQ10MoistureLog),
      (p, ts, sw) => q10MoistureModel(p.r10!, p.q10!, p.c1!, p.c2!, ts, sw),
    ),
  },
  {
    name: "q10_global",
    label: "Q10 (one global fit)",
    description:
      "R = R10·Q10^((Ts−10)/10) with one R10 and Q10 fitted on the training and validation days of all sites pooled",
    needs: ["tsoil_mean"],
    run(sites, labels) {
      const pooled: FitPoints = { tsoil: [], swc: [], flux: [] };
      sites.forEach((s, i) => {
        const p = sitePoints(s, labels[i]!, ["tsoil_mean"]);
        pooled.tsoil.push(...p.tsoil);
        pooled.swc.push(...p.swc);
        pooled.flux.push(...p.flux);
      });
      const f = fitQ10(pooled);
      return {
        name: "q10_global",
        params: sites.map(() => f?.params ?? null),
        predictions: sites.map((s) => (f ? predictWith(s, (ts) => q10(f.params, ts)) : null)),
      };
    },
  },
  {
    name: "climatology",
    label: "Seasonal climatology (per site)",
    description:
      "mean flux of the site's training and validation days on days of year within ±15 days (circular); their mean where none",
    needs: [],
    run(sites, labels) {
      const predictions = sites.map((s, i) => climatology(s, labels[i]!, 15));
      return { name: "climatology", predictions, params: predictions.map(() => null) };
    },
  },
];

/** Per-site mean seasonal cycle of the history days (training + validation), smoothed by a circular ±`halfWidth`-day window. */
export function climatology(s: SiteSeries, labels: Uint8Array, halfWidth: number): Float32Array | null {
  const sum = new Float64Array(367);
  const cnt = new Float64Array(367);
  let total = 0;
  let n = 0;
  for (let t = 0; t < s.length; t++) {
    if (!HISTORY.includes(labels[t]!) || Number.isNaN(s.target[t]!)) continue;
    const d = dayOfYear(s.firstDay + t);
    sum[d]! += s.target[t]!;
    cnt[d]!++;
    total += s.target[t]!;
    n++;
  }
  if (n === 0) return null;
  const byDoy = new Float64Array(367);
  for (let d = 1; d <= 366; d++) {
    let a = 0;
    let c = 0;
    for (let k = -halfWidth; k <= halfWidth; k++) {
      const dd = ((d - 1 + k + 366) % 366) + 1;
      a += sum[dd]!;
      c += cnt[dd]!;
    }
    byDoy[d] = c > 0 ? a / c : total / n;
  }
  return Float32Array.from({ length: s.length }, (_, t) => byDoy[dayOfYear(s.firstDay + t)]!);
}
